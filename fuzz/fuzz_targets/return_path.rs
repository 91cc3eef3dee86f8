//! return_to validation never panics, whatever arrives in the query.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = realmgate_core::return_path::ReturnPath::parse(input);
});

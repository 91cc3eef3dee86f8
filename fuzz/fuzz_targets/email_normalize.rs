//! Email normalization never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = realmgate_core::email::normalize(input);
});

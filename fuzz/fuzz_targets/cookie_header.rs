//! Cookie header parsing never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = realmgate_core::cookies::parse_cookie_header(input);
});

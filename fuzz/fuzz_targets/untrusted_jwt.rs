//! Splitting a token into header and claims before any check never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = realmgate_core::verify::UntrustedJwt::parse(input);
});

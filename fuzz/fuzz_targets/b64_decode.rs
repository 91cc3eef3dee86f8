//! Strict base64url decoding (every JWS segment goes through it) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = realmgate_core::b64::decode(input);
});

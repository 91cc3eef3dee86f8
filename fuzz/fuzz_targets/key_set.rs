//! JWKS parsing (any bytes a provider might serve) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let _ = realmgate_core::jose::KeySet::from_json(input);
});

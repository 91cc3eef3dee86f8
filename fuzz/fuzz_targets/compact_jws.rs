//! Compact JWS parsing (three base64url segments, header JSON, 16 KiB cap) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = realmgate_core::jose::jws::CompactJws::parse(input);
});

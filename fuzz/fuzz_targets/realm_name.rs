//! Realm-name validation (realm comes from the query and from iss) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = realmgate_core::RealmName::parse(input);
});

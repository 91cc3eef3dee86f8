//! Callback query parsing (success / error / invalid) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = realmgate_core::callback::CallbackQuery::parse(input);
});

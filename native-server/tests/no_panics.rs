//! No input makes a field parser panic (they refuse with a `FieldError`).

use proptest::prelude::*;
use realmgate_server::crypto::api_key::PresentedKey;
use realmgate_server::domain::email::normalize_domain;
use realmgate_server::domain::{Email, IdentityId, IdpHint, Language, Name, ProfileId};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn field_parsers_never_panic(s in any::<String>()) {
        let _ = Email::parse("email", &s);
        let _ = Language::parse(&s);
        let _ = Name::parse("first_name", &s);
        let _ = ProfileId::parse(&s);
        let _ = IdpHint::parse(&s);
        let _ = IdentityId::parse(&s);
        let _ = normalize_domain(&s);
        let _ = PresentedKey::parse(&s);
    }

    #[test]
    fn language_parser_never_panics_on_tag_like_input(s in "[a-zA-Z0-9-]{0,40}") {
        let _ = Language::parse(&s);
    }
}

//! Property tests: no input panics the core, and what is accepted keeps the
//! rule's shape. (Token parsing and key sets have their own in verify's tests.)
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use realmgate_core::callback::CallbackQuery;
use realmgate_core::cookies::{parse_cookie_header, set_chunked, CookieAttributes, CookieJar};
use realmgate_core::email;
use realmgate_core::return_path::ReturnPath;

fn header_for(cookies: &[realmgate_core::cookies::SetCookie]) -> String {
    cookies.iter().map(|c| format!("{}={}", c.name(), c.value())).collect::<Vec<_>>().join("; ")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn accepted_return_paths_are_origin_relative_printable_ascii(raw in "\\PC{0,64}|/[ -~]{0,64}|/%[0-9a-fA-F]{0,2}.{0,8}") {
        if let Ok(p) = ReturnPath::parse(&raw) {
            let b = p.as_str().as_bytes();
            prop_assert_eq!(b[0], b'/');
            prop_assert!(b.get(1) != Some(&b'/') && b.get(1) != Some(&b'\\'));
            prop_assert!(b.iter().all(|c| (0x21..=0x7e).contains(c)));
            prop_assert_eq!(p.as_str(), raw.as_str());
        } else {
            let d = ReturnPath::or_default(Some(&raw));
            prop_assert_eq!(d.as_str(), "/");
        }
    }

    #[test]
    fn callback_queries_never_panic_and_legs_have_a_state(raw in "([a-z_]{1,12}(=[ -~]{0,12})?&?){0,6}|\\PC{0,80}") {
        if let Ok(q) = CallbackQuery::parse(&raw) {
            prop_assert!(!q.state().is_empty());
        }
    }

    #[test]
    fn cookie_headers_never_panic(raw in "\\PC{0,200}") {
        let jar = parse_cookie_header(&raw);
        for n in jar.names() {
            prop_assert!(!n.is_empty());
        }
    }

    #[test]
    fn chunked_cookies_join_back_to_the_value(value in "[!#-+\\--:<-\\[\\]-~]{1,12000}") {
        let cookies = set_chunked("rg_at", &value, &CookieAttributes::default(), None, &CookieJar::default()).unwrap();
        prop_assert_eq!(parse_cookie_header(&header_for(&cookies)).get_joined("rg_at"), Some(value));
    }

    #[test]
    fn email_normalization_is_idempotent_and_lowercase(raw in "\\PC{0,40}|[A-Za-z0-9.+_-]{1,10}@[A-Za-zÀ-ÿ0-9-]{1,10}\\.[A-Za-z]{2,5}") {
        if let Ok(n) = email::normalize(&raw) {
            let again = email::normalize(&n);
            prop_assert_eq!(again.as_deref(), Ok(n.as_str()));
            prop_assert_eq!(n.matches('@').count(), 1);
            prop_assert_eq!(n.to_lowercase(), n.clone());
            prop_assert!(email::domain(&raw).is_some());
        } else {
            prop_assert!(email::domain(&raw).is_none());
        }
    }
}

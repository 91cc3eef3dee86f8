//! The clients file (`--clients clients.json` / `REALMGATE_CLIENTS`):
//! realm → client id → client spec, upserted at start (realms created if
//! absent). Example:
//!
//! ```json
//! { "demo": { "edge": { "secret": "…16+ bytes…",
//!     "redirect_uris": ["http://127.0.0.1:8787/auth/callback"],
//!     "post_logout_redirect_uris": ["http://127.0.0.1:8787/"] } } }
//! ```

use std::collections::BTreeMap;

use realmgate_core::RealmName;

use super::clients::{Client, ClientSpec};

pub type ClientsFile = BTreeMap<String, BTreeMap<String, ClientSpec>>;

/// Parses and validates the file: every client, or the first fault (no secret in it).
pub fn parse(text: &str) -> Result<Vec<(RealmName, Client)>, String> {
    let file: ClientsFile = serde_json::from_str(text).map_err(|e| format!("not a clients file: line {} column {}", e.line(), e.column()))?;
    let mut out = Vec::new();
    for (realm, clients) in file {
        let realm = RealmName::parse(&realm).map_err(|e| format!("realm {realm:?}: {e}"))?;
        for (id, spec) in clients {
            let client = spec.into_client(&id).map_err(|e| format!("client {id:?} of realm {realm}: {}: {}", e.field, e.code))?;
            out.push((realm.clone(), client));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_clients_file_lists_clients_per_realm_and_errors_name_the_client() {
        let ok = r#"{"demo": {"edge": {"secret": "0123456789abcdef", "redirect_uris": ["http://127.0.0.1:8787/cb"]}}}"#;
        let parsed = super::parse(ok).unwrap();
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].1.client_id, "edge");
        let bad = r#"{"demo": {"edge": {"secret": "0123456789abcdef-but-this-is-bad", "redirect_uris": ["http://example.com/cb"]}}}"#;
        let e = super::parse(bad).unwrap_err();
        assert!(e.contains("edge") && !e.contains("this-is-bad"), "{e}");
    }
}

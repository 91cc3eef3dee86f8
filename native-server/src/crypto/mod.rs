//! Secrets at rest: password hashes (argon2id) and API-key digests (SHA-256).

pub mod api_key;
pub mod password;

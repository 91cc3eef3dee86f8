//! Command line: `serve | migrate | api-key create/list/revoke`. Every
//! option also reads an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "realmgate-server", version, about = "Realmgate identity-administration server")]
pub struct Cli {
    /// Database URL: `sqlite:PATH` or `postgres://…`. Default: a SQLite file
    /// at $XDG_DATA_HOME/realmgate/realmgate.db, or ./realmgate.db.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Log format.
    #[arg(long, env = "REALMGATE_LOG_FORMAT", default_value = "json", value_parser = ["json", "text"], global = true)]
    pub log_format: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API.
    Serve(ServeArgs),
    /// Create or update the schema, then exit.
    Migrate(RealmArgs),
    /// Manage API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
}

#[derive(Debug, Args)]
pub struct RealmArgs {
    /// Realms to create if absent (repeatable, or comma-separated in the env var).
    #[arg(long = "realm", env = "REALMGATE_REALMS", value_delimiter = ',')]
    pub realms: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "REALMGATE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub realms: RealmArgs,

    /// Realm policy (core `PolicySpec` JSON: issuer_base_url, realms…) that
    /// enables bearer tokens; without it only API keys are accepted.
    #[arg(long, env = "REALMGATE_TOKEN_POLICY")]
    pub token_policy: Option<PathBuf>,

    /// Token scope granting read access.
    #[arg(long, env = "REALMGATE_READ_SCOPE", default_value = "realmgate:admin.read")]
    pub read_scope: String,

    /// Token scope granting write (and read) access.
    #[arg(long, env = "REALMGATE_WRITE_SCOPE", default_value = "realmgate:admin.write")]
    pub write_scope: String,

    /// Failed password checks per address before lockout.
    #[arg(long, env = "REALMGATE_LOCKOUT_FAILURES", default_value_t = 5)]
    pub lockout_failures: u32,

    /// Lockout window in seconds.
    #[arg(long, env = "REALMGATE_LOCKOUT_WINDOW_SECS", default_value_t = 900)]
    pub lockout_window_secs: u32,

    /// Seconds to wait for in-flight requests at shutdown.
    #[arg(long, env = "REALMGATE_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; prints it once.
    Create {
        /// Realm the key may act on (repeatable); `*` for every realm (operator key).
        #[arg(long = "realm", required = true)]
        realms: Vec<String>,
        /// `read` or `write` (repeatable; write implies read).
        #[arg(long = "scope", required = true, value_parser = ["read", "write"])]
        scopes: Vec<String>,
        /// A label for the key.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id.
    Revoke { id: String },
}

/// The database URL to use: the given one, or the default SQLite file
/// (its directory created).
pub fn database_url(given: Option<&str>) -> std::io::Result<String> {
    if let Some(url) = given.filter(|u| !u.trim().is_empty()) {
        return Ok(create_if_missing(url));
    }
    let path = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("realmgate").join("realmgate.db"),
        None => PathBuf::from("realmgate.db"),
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    Ok(format!("sqlite://{}?mode=rwc", path.display()))
}

/// A `sqlite:` URL without an explicit `mode` opens read-write-create, so a
/// configured file is created at first start just like the default one.
fn create_if_missing(url: &str) -> String {
    if !url.starts_with("sqlite:") || url.contains("mode=") || url.contains(":memory:") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}mode=rwc")
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn configured_sqlite_files_are_created_at_first_start() {
        assert_eq!(database_url(Some("sqlite:/tmp/x.db")).unwrap(), "sqlite:/tmp/x.db?mode=rwc");
        assert_eq!(database_url(Some("sqlite:/tmp/x.db?cache=shared")).unwrap(), "sqlite:/tmp/x.db?cache=shared&mode=rwc");
        assert_eq!(database_url(Some("sqlite:/tmp/x.db?mode=ro")).unwrap(), "sqlite:/tmp/x.db?mode=ro");
        assert_eq!(database_url(Some("postgres://u@h/db")).unwrap(), "postgres://u@h/db");
    }
}

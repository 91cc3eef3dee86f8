//! realmgate-server: the identity-administration API (issue #4).

use clap::Parser;
use realmgate_server::cli::{database_url, Cli, Command};
use realmgate_server::serve;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    realmgate_server::telemetry::init_logs(cli.log_format == "json");
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "failed");
            eprintln!("realmgate-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), serve::BoxError> {
    let url = database_url(cli.database_url.as_deref())?;
    match cli.command {
        Command::Serve(args) => serve::serve(&url, args).await,
        Command::Migrate(args) => {
            let store = serve::open_store(&url).await?;
            serve::ensure_realms(&store, &args).await?;
            store.close().await;
            eprintln!("migrated");
            Ok(())
        }
        Command::ApiKey(cmd) => serve::api_key(&url, cmd).await,
    }
}

//! `realmgate-server serve` with no configuration starts on SQLite (file
//! created and migrated in the working directory) and answers `/readyz`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn serve_with_no_configuration_starts_on_sqlite_and_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_realmgate-server"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("XDG_DATA_HOME")
        .env_remove("REALMGATE_REALMS")
        .env_remove("REALMGATE_TOKEN_POLICY")
        // Only the port differs from the defaults (tests run in parallel).
        .env("REALMGATE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn realmgate-server");
    let mut child = Kill(child);
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = format!("http://127.0.0.1:{port}/readyz");
    loop {
        if let Ok(resp) = client.get(&url).send().await {
            assert_eq!(resp.status(), 200);
            let body: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(body["status"], "ready");
            break;
        }
        assert!(child.0.try_wait().unwrap().is_none(), "server exited early");
        assert!(Instant::now() < deadline, "no /readyz answer within 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(dir.path().join("realmgate.db").exists(), "default SQLite file created in the working directory");
    // Graceful shutdown on SIGTERM.
    #[cfg(unix)]
    {
        let pid = child.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.0.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(child.0.try_wait().unwrap().unwrap().success());
    }
}

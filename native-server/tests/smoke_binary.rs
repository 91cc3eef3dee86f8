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

#[test]
fn api_key_create_prints_the_key_once_and_list_never_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("keys.db").display());
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_realmgate-server"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("REALMGATE_LOG_FORMAT", "text")
            .output()
            .expect("run realmgate-server");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (key, _) = run(&["api-key", "create", "--realm", "acme", "--realm", "other", "--scope", "read", "--name", "billing"]);
    let key = key.trim().to_owned();
    assert!(key.starts_with("rgk_"), "{key}");
    let id = key.strip_prefix("rgk_").unwrap().split_once('_').unwrap().0.to_owned();
    let (list, list_err) = run(&["api-key", "list"]);
    assert!(list.contains(&id) && list.contains("acme,other") && list.contains("read") && list.contains("active"), "{list}");
    let secret = key.rsplit('_').next().unwrap();
    assert!(!list.contains(secret) && !list_err.contains(secret));
    run(&["api-key", "revoke", &id]);
    let (list, _) = run(&["api-key", "list"]);
    assert!(list.contains("revoked"), "{list}");
    let bad = Command::new(env!("CARGO_BIN_EXE_realmgate-server"))
        .args(["api-key", "create", "--realm", "acme", "--scope", "admin"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!bad.status.success(), "unknown scope refused");
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_lets_an_in_flight_request_finish() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("drain.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_realmgate-server"))
        .args(["api-key", "create", "--realm", "acme", "--scope", "write"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_realmgate-server"))
        .args(["serve", "--realm", "acme", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Kill(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/readyz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let auth = format!("Bearer {key}");
    let created: serde_json::Value = client
        .post(format!("{base}/admin/v1/realms/acme/identities"))
        .header("authorization", &auth)
        .json(&serde_json::json!({"email": "a@example.com", "language": "en"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    // Setting a password hashes with argon2id: slow enough to be in flight.
    let request = client
        .put(format!("{base}/admin/v1/realms/acme/identities/{id}/credentials"))
        .header("authorization", &auth)
        .json(&serde_json::json!({"email": "a@example.com", "password": "correct horse battery"}))
        .send();
    let in_flight = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status();
    let resp = in_flight.await.unwrap().expect("in-flight request answered");
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["has_password"], true);
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

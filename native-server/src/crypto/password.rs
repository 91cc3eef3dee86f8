//! Password hashing with argon2id (the `argon2` crate's defaults: m=19 MiB,
//! t=2, p=1, OWASP's minimum). Hashing and checking are CPU-bound, so callers
//! run them through [`run_limited`]: on a few dedicated threads, at most a few
//! at once. Each run holds 19 MiB, and the blocking pool would otherwise run
//! one per request in flight (up to 512 threads): 16 concurrent password
//! changes measured 1.6 GiB peak RSS (`bench/admin.sh`), with no more
//! throughput than two at a time on two cores.
//!
//! A check against an unknown address, or an identity without a password,
//! still verifies against a fixed dummy hash, so both cost the same as a wrong
//! password: timing does not tell whether an address exists.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

use crate::domain::Password;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

/// A PHC-format argon2id hash of the password.
pub fn hash(password: &Password) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.expose(), &salt).map(|h| h.to_string()).map_err(|_| HashError)
}

/// Whether `password` matches `stored`; with no stored hash, verifies
/// against the dummy and answers `false`.
pub fn verify(password: &Password, stored: Option<&str>) -> bool {
    match stored.and_then(|s| PasswordHash::new(s).ok()) {
        Some(h) => Argon2::default().verify_password(password.expose(), &h).is_ok(),
        None => {
            if let Some(dummy) = dummy_hash().and_then(|s| PasswordHash::new(s).ok()) {
                let _ = Argon2::default().verify_password(password.expose(), &dummy);
            }
            false
        }
    }
}

fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(b"realmgate-dummy-password", &salt).ok().map(|h| h.to_string())
        })
        .as_deref()
}

/// Warms the dummy hash so the first unknown-address check is not faster.
pub fn warm_up() {
    let _ = dummy_hash();
}

/// Why [`run_limited`] did not run the work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Busy {
    /// No hashing capacity freed up within [`HASH_QUEUE_WAIT`].
    #[error("password hashing capacity exhausted")]
    Saturated,
    /// The blocking task died (a panic in the hasher).
    #[error("password hashing task failed")]
    Failed,
}

/// How long argon2 work may wait for capacity before the caller answers 503.
pub const HASH_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Runs argon2 work (hash, verify, a client-secret check) on the argon2
/// threads, at most [`hashing_permits`] at once; the rest queue for up to
/// [`HASH_QUEUE_WAIT`].
pub async fn run_limited<T, F>(work: F) -> Result<T, Busy>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    run_with(hashing_permits(), HASH_QUEUE_WAIT, work).await
}

async fn run_with<T, F>(permits: &Semaphore, wait: Duration, work: F) -> Result<T, Busy>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let Ok(Ok(_permit)) = tokio::time::timeout(wait, permits.acquire()).await else {
        return Err(Busy::Saturated);
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // A panic in the hasher must not take the worker thread down with it.
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    });
    workers().lock().map_err(|_| Busy::Failed)?.send(job).map_err(|_| Busy::Failed)?;
    match rx.await {
        Ok(Ok(v)) => Ok(v),
        _ => Err(Busy::Failed),
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of long-lived threads (one per permit) runs the argon2 work,
/// not tokio's blocking pool: each argon2 run allocates 19 MiB, and glibc
/// keeps freed memory in the arena of the thread that freed it, so runs
/// spread over the blocking pool's many short-lived threads left up to
/// 1.5 GiB resident (`bench/admin.sh`, set-password row) even with only a
/// few at once.
fn workers() -> &'static Mutex<std::sync::mpsc::Sender<Job>> {
    static WORKERS: OnceLock<Mutex<std::sync::mpsc::Sender<Job>>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..permit_count() {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || loop {
                let job = match rx.lock() {
                    Ok(r) => r.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password-hashing thread");
            }
        }
        Mutex::new(tx)
    })
}

fn permit_count() -> usize {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    (cores * 2).max(2)
}

/// Concurrent argon2 runs: twice the cores, at least 2 (≈19 MiB each). More
/// than the cores buys no throughput for CPU-bound work; the slack keeps a
/// core busy while another run's thread is being scheduled.
fn hashing_permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(permit_count()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn limited_runs_never_exceed_the_permits() {
        let permits = Arc::new(Semaphore::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let (permits, running, peak) = (permits.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    run_with(&permits, Duration::from_secs(30), move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(()));
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn limited_run_waits_then_reports_saturation() {
        let permits = Semaphore::new(1);
        let _held = permits.acquire().await.unwrap();
        assert_eq!(run_with(&permits, Duration::from_millis(10), || 1).await, Err(Busy::Saturated));
    }

    #[tokio::test]
    async fn a_panicking_run_fails_alone_and_the_workers_keep_going() {
        for _ in 0..permit_count() + 1 {
            assert_eq!(run_limited(|| -> u8 { panic!("hasher bug") }).await, Err(Busy::Failed));
        }
        assert_eq!(run_limited(|| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn limited_run_returns_the_work_result() {
        let p = Password::parse("correct horse battery".into()).unwrap();
        let h = run_limited(move || hash(&p)).await.unwrap().unwrap();
        assert!(h.starts_with("$argon2id$"));
    }

    #[test]
    fn argon2id_round_trip_and_missing_hash_is_false() {
        let p = Password::parse("correct horse battery".into()).unwrap();
        let h = hash(&p).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&p, Some(&h)));
        assert!(!verify(&Password::parse("wrong password".into()).unwrap(), Some(&h)));
        assert!(!verify(&p, None));
        assert!(!verify(&p, Some("not a hash")));
    }
}

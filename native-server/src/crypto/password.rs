//! Password hashing with argon2id (the `argon2` crate's defaults: m=19 MiB,
//! t=2, p=1, OWASP's minimum). Hashing and checking are CPU-bound, so callers
//! run them through [`run_limited`]: on a few dedicated threads, at most a few
//! at once. Each run needs 19 MiB of argon2 memory, and the blocking pool would
//! otherwise run one per request in flight (up to 512 threads): 16 concurrent
//! password changes measured 1.6 GiB peak RSS (`bench/admin.sh`), with no more
//! throughput than two at a time on two cores.
//!
//! Each argon2 thread keeps one memory buffer and reuses it for every run
//! ([`with_blocks`]): the crate's own `hash_password`/`verify_password`
//! allocate (and zero) a fresh 19 MiB block per run, which glibc's malloc
//! kept around per arena, so the fixed threads still peaked at ~0.68 GiB.
//! Hashes are still formatted and parsed by the crate's PHC types
//! (`PasswordHash`, `ParamsString`, `Output`), so they are byte-identical to
//! the crate's own.
//!
//! A stored hash is only recomputed within [`MAX_M_COST_KIB`],
//! [`MAX_T_COST`] and [`MAX_P_COST`]: a hash asking for more (e.g. a client's
//! `secret_hash` with m=4 TiB) is refused ([`StoredHashError::TooCostly`])
//! instead of allocating it.
//!
//! A check against an unknown address, or an identity without a password,
//! still verifies against a fixed dummy hash, so both cost the same as a wrong
//! password: timing does not tell whether an address exists.

use std::cell::Cell;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::Password;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

/// Why a stored hash cannot be checked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoredHashError {
    /// Not a PHC-format argon2 hash with a salt and an output.
    #[error("not an argon2 PHC hash")]
    Malformed,
    /// Parameters beyond [`MAX_M_COST_KIB`], [`MAX_T_COST`] or [`MAX_P_COST`].
    #[error("argon2 parameters beyond the accepted bounds")]
    TooCostly,
}

/// Largest argon2 memory a stored hash may ask for: 64 MiB (RFC 9106's
/// second recommended option), in KiB as the PHC `m` parameter.
pub const MAX_M_COST_KIB: u32 = 64 * 1024;
/// Largest number of argon2 passes a stored hash may ask for.
pub const MAX_T_COST: u32 = 10;
/// Largest argon2 parallelism (lanes) a stored hash may ask for.
pub const MAX_P_COST: u32 = 16;

/// Longest decoded salt: a PHC salt is at most 64 base64 characters.
const MAX_SALT_BYTES: usize = 48;

/// A PHC-format argon2id hash of the password.
pub fn hash(password: &Password) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    hash_with_salt(password.expose(), &salt).map_err(|_| HashError)
}

fn hash_with_salt(password: &[u8], salt: &SaltString) -> Result<String, argon2::password_hash::Error> {
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_buf = [0u8; MAX_SALT_BYTES];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = with_blocks(params.block_count(), |blocks| {
        Output::init_with(output_len, |out| Ok(argon.hash_password_into_with_memory(password, salt_bytes, out, blocks)?))
    })?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// A stored hash, parsed and within bounds: ready to recompute.
struct Stored<'a> {
    argon: Argon2<'static>,
    salt: argon2::password_hash::Salt<'a>,
    expected: Output,
}

fn parse_stored(stored: &str) -> Result<Stored<'_>, StoredHashError> {
    let phc = PasswordHash::new(stored).map_err(|_| StoredHashError::Malformed)?;
    let algorithm = Algorithm::try_from(phc.algorithm).map_err(|_| StoredHashError::Malformed)?;
    let version = match phc.version {
        Some(v) => Version::try_from(v).map_err(|_| StoredHashError::Malformed)?,
        None => Version::default(),
    };
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return Err(StoredHashError::Malformed);
    };
    // Bounds first, on the raw numbers: `Params::try_from` only checks the
    // crate's (huge) limits.
    for (ident, value) in phc.params.iter() {
        let max = match ident.as_str() {
            "m" => MAX_M_COST_KIB,
            "t" => MAX_T_COST,
            "p" => MAX_P_COST,
            _ => continue,
        };
        if value.decimal().map_err(|_| StoredHashError::Malformed)? > max {
            return Err(StoredHashError::TooCostly);
        }
    }
    let params = Params::try_from(&phc).map_err(|_| StoredHashError::Malformed)?;
    Ok(Stored { argon: Argon2::new(algorithm, version, params), salt, expected })
}

/// Whether `stored` is an argon2 PHC hash this server can check (parses, and
/// its parameters are within bounds).
pub fn check_stored(stored: &str) -> Result<(), StoredHashError> {
    parse_stored(stored).map(|_| ())
}

/// Recomputes `stored` for `password` in this thread's argon2 memory and
/// compares the outputs in constant time (`Output`'s `PartialEq`).
fn matches(password: &[u8], stored: &str) -> Result<bool, StoredHashError> {
    let Stored { argon, salt, expected } = parse_stored(stored)?;
    let mut salt_buf = [0u8; MAX_SALT_BYTES];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|_| StoredHashError::Malformed)?;
    let computed = with_blocks(argon.params().block_count(), |blocks| {
        Output::init_with(expected.len(), |out| Ok(argon.hash_password_into_with_memory(password, salt_bytes, out, blocks)?))
    })
    .map_err(|_| StoredHashError::Malformed)?;
    Ok(computed == expected)
}

/// Whether `password` matches `stored`; with no stored hash, or one that
/// cannot be checked, verifies against the dummy and answers `false`.
pub fn verify(password: &Password, stored: Option<&str>) -> bool {
    let outcome = match stored {
        Some(s) => matches(password.expose(), s),
        None => Err(StoredHashError::Malformed),
    };
    match outcome {
        Ok(ok) => ok,
        Err(e) => {
            if stored.is_some() {
                tracing::warn!(error = %e, "stored password hash cannot be checked");
            }
            if let Some(dummy) = dummy_hash() {
                let _ = matches(password.expose(), dummy);
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
            hash_with_salt(b"realmgate-dummy-password", &salt).ok()
        })
        .as_deref()
}

/// Warms the dummy hash so the first unknown-address check is not faster.
pub fn warm_up() {
    let _ = dummy_hash();
}

thread_local! {
    /// Whether this thread is an argon2 worker (keeps its argon2 memory).
    static IS_WORKER: Cell<bool> = const { Cell::new(false) };
    /// An argon2 worker's memory, reused by every run on that thread.
    static BLOCKS: Cell<Option<Vec<Block>>> = const { Cell::new(None) };
}

/// Runs `f` with at least `count` argon2 blocks (1 KiB each). On an argon2
/// worker thread the blocks are the thread's own buffer, kept between runs
/// and trimmed back to the default size after a larger stored hash; on any
/// other thread (tests, start-up) they are allocated for this run only.
/// After each run the used blocks are zeroed: they hold values derived
/// cheaply from the password (the first blocks of each lane are one
/// Blake2b of it), which must not linger in memory for the next run.
fn with_blocks<R>(count: usize, f: impl FnOnce(&mut [Block]) -> R) -> R {
    let pooled = IS_WORKER.with(Cell::get);
    let mut blocks = if pooled { BLOCKS.with(Cell::take).unwrap_or_default() } else { Vec::new() };
    if blocks.len() < count {
        blocks.resize(count, Block::default());
    }
    let out = f(&mut blocks);
    blocks.fill(Block::default());
    if pooled {
        let keep = Params::default().block_count();
        if blocks.len() > keep {
            blocks.truncate(keep);
            blocks.shrink_to_fit();
        }
        BLOCKS.with(|b| b.set(Some(blocks)));
    }
    out
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
/// not tokio's blocking pool: each keeps one argon2 buffer ([`with_blocks`]),
/// so argon2 memory is at most (threads × 19 MiB). Spread over the blocking
/// pool's many short-lived threads, with a fresh allocation per run, glibc
/// left up to 1.5 GiB resident (`bench/admin.sh`, set-password row).
fn workers() -> &'static Mutex<std::sync::mpsc::Sender<Job>> {
    static WORKERS: OnceLock<Mutex<std::sync::mpsc::Sender<Job>>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..permit_count() {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                IS_WORKER.with(|w| w.set(true));
                loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
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

    fn pw(s: &str) -> Password {
        Password::parse(s.into()).unwrap()
    }

    /// Reference vectors (the argon2 crate's KAT / PHC tests, from the
    /// reference implementation) for the password "password".
    const KNOWN: &[&str] = &[
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
        "$argon2i$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
        "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
        "$argon2d$v=19$m=65536,t=2,p=1,keyid=8PDw8A$YzI5dFpYTmhiSFFBQUFBQUFBQUFBQQ$Jxy74cswY2mq9y+u+iJcJy8EqOp4t/C7DWDzGwGB3IM",
        "$argon2d$v=16$m=32,t=2,p=3,data=Dw8PDw8P$AAAAAAAAAAA$KnH4gniiaFnDvlA1xev3yovC4cnrrI6tnHOYtmja90o",
    ];

    #[test]
    fn known_phc_vectors_verify_in_reused_memory() {
        // On a worker-like thread, so the buffer is reused across sizes.
        std::thread::spawn(|| {
            IS_WORKER.with(|w| w.set(true));
            for h in KNOWN {
                assert_eq!(check_stored(h), Ok(()), "{h}");
                assert!(verify(&pw("password"), Some(h)), "{h}");
                assert!(!verify(&pw("sassword"), Some(h)), "{h}");
            }
            // Trimmed back to the default size after the 64 MiB vectors.
            let kept = BLOCKS.with(Cell::take).map(|b| b.len());
            assert_eq!(kept, Some(Params::default().block_count()));
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_workers_buffer_holds_nothing_of_the_last_password() {
        std::thread::spawn(|| {
            IS_WORKER.with(|w| w.set(true));
            assert!(verify(&pw("password"), Some(KNOWN[0])));
            let kept = BLOCKS.with(Cell::take).expect("a worker keeps its buffer");
            assert!(!kept.is_empty());
            let zero = Block::default();
            assert!(kept.iter().all(|b| b.as_ref() == zero.as_ref()), "argon2 blocks left in memory after the run");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn hashes_are_byte_identical_to_the_crates_own_and_interoperate() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let p = pw("correct horse battery");
        let salt = SaltString::generate(&mut OsRng);
        let ours = hash_with_salt(p.expose(), &salt).unwrap();
        let theirs = Argon2::default().hash_password(p.expose(), &salt).unwrap().to_string();
        assert_eq!(ours, theirs);
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        // Old path's hash, new verify; new hash, old verify.
        let old = Argon2::default().hash_password(p.expose(), &SaltString::generate(&mut OsRng)).unwrap().to_string();
        assert!(verify(&p, Some(&old)));
        let new = hash(&p).unwrap();
        assert!(Argon2::default().verify_password(p.expose(), &PasswordHash::new(&new).unwrap()).is_ok());
        assert!(Argon2::default().verify_password(b"wrong password", &PasswordHash::new(&new).unwrap()).is_err());
    }

    #[test]
    fn costly_or_malformed_stored_hashes_are_refused_without_allocating() {
        let out = "$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        for params in ["m=4294967295,t=2,p=1", "m=65537,t=2,p=1", "m=19456,t=4294967295,p=1", "m=19456,t=2,p=17"] {
            let h = format!("$argon2id$v=19${params}{out}");
            assert_eq!(check_stored(&h), Err(StoredHashError::TooCostly), "{h}");
            assert!(!verify(&pw("password"), Some(&h)));
        }
        for h in [
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ",
            "$argon2id$v=18$m=19456,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$scrypt$ln=16,r=8,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=1,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "$argon2id$v=19$m=19456,t=2,p=1,x=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        ] {
            assert_eq!(check_stored(h), Err(StoredHashError::Malformed), "{h}");
            assert!(!verify(&pw("password"), Some(h)));
        }
    }

    #[tokio::test]
    async fn workers_reuse_their_buffer() {
        let h = run_limited(|| hash(&pw("correct horse battery"))).await.unwrap().unwrap();
        for _ in 0..permit_count() * 2 {
            let h = h.clone();
            let (ok, len) = run_limited(move || {
                let ok = verify(&pw("correct horse battery"), Some(&h));
                let kept = BLOCKS.with(Cell::take);
                let len = kept.as_ref().map(Vec::len);
                BLOCKS.with(|b| b.set(kept));
                (ok, len)
            })
            .await
            .unwrap();
            assert!(ok);
            assert_eq!(len, Some(Params::default().block_count()));
        }
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

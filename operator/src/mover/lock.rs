//! Restic-format repository locks (`locks/<sha256>`), which rustic_core does not write.
//!
//! A lock is restic's JSON `{time, exclusive, hostname, username, pid}` sealed with the
//! repository's master key (AES-256-CTR + Poly1305-AES, the nonce in front, the MAC behind)
//! and stored under the SHA-256 of the sealed bytes, so the restic CLI reads, honours and
//! refreshes-out Pusdata's locks and Pusdata reads restic's (zstd-compressed in version 2
//! repositories). Which locks are stale and which stop a run is decided in
//! `pusdata_core::lock`; this module reads, writes, refreshes and removes the files.

use super::error::MoverError;
use super::repo::KeySearch;
use super::repo::RepoConfig;
use super::seal::MasterKey;
use jiff::Timestamp;
use pusdata_core::lock::{self as decide, SeenLock, Want};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// restic's lock file (`internal/restic/lock.go`), field for field.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct LockFile {
    time: String,
    exclusive: bool,
    hostname: String,
    username: String,
    pid: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    uid: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    gid: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Unpacks a decrypted repository file: plain JSON, or (version 2) a 0x02 byte and zstd.
fn unpack(plain: Vec<u8>) -> Option<Vec<u8>> {
    match plain.first() {
        Some(b'{') | Some(b'[') => Some(plain),
        Some(2) => zstd::stream::decode_all(&plain[1..]).ok(),
        _ => None,
    }
}

/// How a run takes and keeps its lock.
#[derive(Clone)]
pub struct LockOptions {
    /// Locks older than this are stale (`pusdata mover unlock --older-than`; 30 minutes).
    pub stale_after: Duration,
    /// Write a fresh lock this often while running (restic: 5 minutes).
    pub refresh_every: Duration,
    /// The clock (injected, so tests can age locks).
    pub clock: Arc<dyn Fn() -> Timestamp + Send + Sync>,
}

impl Default for LockOptions {
    fn default() -> LockOptions {
        LockOptions {
            stale_after: decide::STALE_AFTER,
            refresh_every: decide::REFRESH_EVERY,
            clock: Arc::new(Timestamp::now),
        }
    }
}

impl fmt::Debug for LockOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockOptions")
            .field("stale_after", &self.stale_after)
            .field("refresh_every", &self.refresh_every)
            .finish_non_exhaustive()
    }
}

/// The raw side of a repository: OpenDAL operator, a runtime to drive it, the master key.
pub(crate) struct Raw {
    pub(crate) op: opendal::Operator,
    pub(crate) rt: &'static tokio::runtime::Runtime,
    pub(crate) key: MasterKey,
}

impl Raw {
    /// Opens the raw side and derives the master key from the password (which proves it:
    /// only holders of the repository key may touch its locks).
    pub(crate) fn open(cfg: &RepoConfig) -> Result<Raw, MoverError> {
        let op = cfg.operator()?;
        let rt = super::repo::io_runtime()?;
        let key = rt.block_on(master_key(cfg, &op))?;
        Ok(Raw { op, rt, key })
    }

    /// The raw side of a repository this run has already opened with the password: its
    /// master key comes from there, not from a second scrypt derivation (a fixed cost of
    /// 0.1–0.4 s per run, a fifth of an incremental backup's CPU).
    pub(crate) fn opened<S: rustic_core::Open>(
        cfg: &RepoConfig,
        repo: &rustic_core::Repository<S>,
    ) -> Result<Raw, MoverError> {
        let key = MasterKey::from_master(&repo.key()).ok_or_else(|| {
            MoverError::Repository(format!(
                "the key of {} holds a malformed master key",
                cfg.location.display()
            ))
        })?;
        Ok(Raw {
            op: cfg.operator()?,
            rt: super::repo::io_runtime()?,
            key,
        })
    }

    /// Every lock in `locks/`, with its time (decrypted, else the file's mtime).
    pub(crate) fn locks(&self, cfg: &RepoConfig) -> Result<Vec<SeenLock>, MoverError> {
        self.rt.block_on(list_locks(cfg, &self.op, &self.key))
    }

    /// Removes one lock file.
    pub(crate) fn remove(&self, cfg: &RepoConfig, name: &str) -> Result<(), MoverError> {
        self.rt
            .block_on(self.op.delete(&format!("locks/{name}")))
            .map_err(|e| cfg.opendal_err("cannot remove lock in", e))
    }
}

async fn master_key(cfg: &RepoConfig, op: &opendal::Operator) -> Result<MasterKey, MoverError> {
    match super::repo::find_master_key(cfg, op).await? {
        KeySearch::Opened(m) => MasterKey::from_master(&m).ok_or_else(|| {
            MoverError::Repository(format!(
                "the key of {} holds a malformed master key",
                cfg.location.display()
            ))
        }),
        KeySearch::Foreign => Err(MoverError::WrongKey(cfg.location.display())),
        KeySearch::NoKeys => Err(MoverError::NoRepository(cfg.location.display())),
    }
}

async fn list_locks(
    cfg: &RepoConfig,
    op: &opendal::Operator,
    key: &MasterKey,
) -> Result<Vec<SeenLock>, MoverError> {
    let err = |what: &str, e: opendal::Error| cfg.opendal_err(what, e);
    let entries = match op.list("locks/").await {
        Ok(e) => e,
        Err(e) if e.kind() == opendal::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(err("cannot list locks in", e)),
    };
    let mut out = Vec::new();
    for entry in entries.iter().filter(|e| !e.path().ends_with('/')) {
        let path = entry.path().to_string();
        let name = path.trim_start_matches("locks/").to_string();
        let data = match op.read(&path).await {
            Ok(d) => d.to_vec(),
            // Removed between list and read: its holder released it.
            Err(e) if e.kind() == opendal::ErrorKind::NotFound => continue,
            Err(e) => return Err(err("cannot read lock in", e)),
        };
        let parsed = key
            .open(&data)
            .and_then(unpack)
            .and_then(|p| serde_json::from_slice::<LockFile>(&p).ok());
        match parsed {
            Some(l) => out.push(SeenLock {
                name,
                time: l.time.parse().ok(),
                exclusive: Some(l.exclusive),
                holder: Some(format!("{}@{} (pid {})", l.username, l.hostname, l.pid)),
            }),
            None => {
                let meta = op
                    .stat(&path)
                    .await
                    .map_err(|e| err("cannot read lock in", e))?;
                out.push(SeenLock {
                    name,
                    time: meta.last_modified().map(Into::into),
                    exclusive: None,
                    holder: None,
                });
            }
        }
    }
    Ok(out)
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "pusdata".into())
}

/// Seals and writes one lock file at `time`; returns its name.
fn write_lock(
    cfg: &RepoConfig,
    raw: &Raw,
    exclusive: bool,
    time: Timestamp,
) -> Result<String, MoverError> {
    let file = LockFile {
        time: time.to_string(),
        exclusive,
        hostname: hostname(),
        username: std::env::var("USER").unwrap_or_else(|_| "pusdata".into()),
        pid: std::process::id(),
        uid: 0,
        gid: 0,
    };
    let plain = serde_json::to_vec(&file)
        .map_err(|e| MoverError::Repository(format!("cannot encode a lock: {e}")))?;
    let sealed = raw.key.seal(&plain)?;
    let name = format!("{:x}", Sha256::digest(&sealed));
    raw.rt
        .block_on(raw.op.write(&format!("locks/{name}"), sealed))
        .map_err(|e| cfg.opendal_err("cannot write lock in", e))?;
    Ok(name)
}

/// Writes a lock at a given time and leaves it (tests: a lock left by a dead process).
pub fn write_abandoned_lock(
    cfg: &RepoConfig,
    exclusive: bool,
    time: Timestamp,
) -> Result<String, MoverError> {
    let raw = Raw::open(cfg)?;
    write_lock(cfg, &raw, exclusive, time)
}

/// A lock held by this process: refreshed in the background, removed on `release` or drop.
pub struct RepoLock {
    cfg: RepoConfig,
    current: Arc<Mutex<Held>>,
    opts: LockOptions,
    stop: Option<mpsc::Sender<()>>,
    refresher: Option<JoinHandle<()>>,
    raw: Option<Arc<Raw>>,
    /// Stale locks removed before this one was taken.
    pub removed_stale: Vec<String>,
}

impl fmt::Debug for RepoLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RepoLock")
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}

impl RepoLock {
    /// Takes a lock as restic does: refuse on a conflicting fresh lock; for an exclusive
    /// lock, remove stale locks first; write ours; look again (two runs starting at once
    /// both back off rather than both proceed); refresh every `refresh_every`.
    pub fn acquire(
        cfg: &RepoConfig,
        want: Want,
        opts: &LockOptions,
    ) -> Result<RepoLock, MoverError> {
        Self::acquire_with(cfg, Raw::open(cfg)?, want, opts)
    }

    /// [`RepoLock::acquire`] for a repository this run has opened: the lock is sealed with
    /// the key the open derived, so the password goes through scrypt once per run.
    pub(crate) fn acquire_opened<S: rustic_core::Open>(
        cfg: &RepoConfig,
        repo: &rustic_core::Repository<S>,
        want: Want,
        opts: &LockOptions,
    ) -> Result<RepoLock, MoverError> {
        Self::acquire_with(cfg, Raw::opened(cfg, repo)?, want, opts)
    }

    fn acquire_with(
        cfg: &RepoConfig,
        raw: Raw,
        want: Want,
        opts: &LockOptions,
    ) -> Result<RepoLock, MoverError> {
        let found = raw.locks(cfg)?;
        let first = decide::plan(&found, want, (opts.clock)(), opts.stale_after, None);
        if let Some(b) = first.blockers.first() {
            return Err(MoverError::Locked(
                decide::refusal(want, b, opts.stale_after).en,
            ));
        }
        let mut removed_stale = Vec::new();
        if want == Want::Exclusive {
            for name in &first.stale {
                tracing::warn!(lock = %name, "removing stale repository lock");
                raw.remove(cfg, name)?;
                removed_stale.push(name.clone());
            }
        }
        let taken = (opts.clock)();
        let name = write_lock(cfg, &raw, want == Want::Exclusive, taken)?;
        let again = raw.locks(cfg)?;
        let second = decide::plan(&again, want, (opts.clock)(), opts.stale_after, Some(&name));
        if let Some(b) = second.blockers.first() {
            raw.remove(cfg, &name)?;
            return Err(MoverError::Locked(
                decide::refusal(want, b, opts.stale_after).en,
            ));
        }
        let raw = Arc::new(raw);
        let current = Arc::new(Mutex::new(Held {
            name,
            written: taken,
        }));
        let (tx, rx) = mpsc::channel::<()>();
        let refresher = {
            let (cfg, raw, current, opts) =
                (cfg.clone(), raw.clone(), current.clone(), opts.clone());
            std::thread::spawn(move || refresh_loop(&cfg, &raw, &current, &opts, want, &rx))
        };
        Ok(RepoLock {
            cfg: cfg.clone(),
            current,
            opts: opts.clone(),
            stop: Some(tx),
            refresher: Some(refresher),
            raw: Some(raw),
            removed_stale,
        })
    }

    /// The current lock file's name.
    pub fn name(&self) -> String {
        self.current
            .lock()
            .map(|h| h.name.clone())
            .unwrap_or_default()
    }

    /// Errs when the lock may no longer protect this run (`pusdata_core::lock::lost`): it
    /// could not be refreshed for so long that another run may soon remove it as stale.
    /// Called before each step that changes the repository, so such a run stops first.
    pub fn check_held(&self) -> Result<(), MoverError> {
        let Ok(written) = self.current.lock().map(|h| h.written) else {
            return Err(MoverError::Locked(
                "the repository lock's refresher failed; stopping before any change".into(),
            ));
        };
        if decide::lost(
            written,
            (self.opts.clock)(),
            self.opts.stale_after,
            self.opts.refresh_every,
        ) {
            return Err(MoverError::Locked(decide::lost_refusal(written).en));
        }
        Ok(())
    }

    fn stop_and_remove(&mut self) -> Result<(), MoverError> {
        drop(self.stop.take());
        if let Some(t) = self.refresher.take() {
            let _ = t.join();
        }
        let Some(raw) = self.raw.take() else {
            return Ok(());
        };
        let name = self.name();
        raw.remove(&self.cfg, &name)
    }

    /// Stops refreshing and removes the lock.
    pub fn release(mut self) -> Result<(), MoverError> {
        self.stop_and_remove()
    }
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        if let Err(e) = self.stop_and_remove() {
            tracing::warn!(error = %e, "could not remove repository lock");
        }
    }
}

/// The lock file this run holds now: its name and when it was written (taken or last
/// refreshed), replaced together by the refresher.
struct Held {
    name: String,
    written: Timestamp,
}

fn refresh_loop(
    cfg: &RepoConfig,
    raw: &Raw,
    current: &Mutex<Held>,
    opts: &LockOptions,
    want: Want,
    stop: &mpsc::Receiver<()>,
) {
    loop {
        match stop.recv_timeout(decide::refresh_interval(
            opts.refresh_every,
            opts.stale_after,
        )) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        // As restic: write the new lock, then remove the old one, so there is never a moment
        // without a lock. `release` joins this thread first, so it always removes the last.
        let now = (opts.clock)();
        match write_lock(cfg, raw, want == Want::Exclusive, now) {
            Ok(new) => {
                let Ok(mut held) = current.lock() else {
                    return;
                };
                if let Err(e) = raw.remove(cfg, &held.name) {
                    tracing::warn!(error = %e, lock = %held.name, "could not remove the old lock");
                }
                *held = Held {
                    name: new,
                    written: now,
                };
            }
            // Retried at the next interval; `RepoLock::check_held` stops the run's next
            // change once the lock has gone unrefreshed for too long.
            Err(e) => tracing::warn!(error = %e, "could not refresh the repository lock"),
        }
    }
}

/// Removes lock files that are stale by `pusdata_core::lock::is_stale` (their own time when
/// they can be decrypted, else their modification time).
pub(crate) fn remove_stale(
    cfg: &RepoConfig,
    older_than: Duration,
    now: Timestamp,
    dry_run: bool,
) -> Result<(Vec<String>, Vec<String>), MoverError> {
    let raw = Raw::open(cfg)?;
    let (mut removed, mut kept) = (Vec::new(), Vec::new());
    for l in raw.locks(cfg)? {
        if decide::is_stale(l.time, now, older_than) {
            if !dry_run {
                raw.remove(cfg, &l.name)?;
            }
            removed.push(l.name);
        } else {
            kept.push(l.name);
        }
    }
    removed.sort();
    kept.sort();
    Ok((removed, kept))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn seal_and_open_round_trip_and_reject_another_key() {
        let a = MasterKey::from_bytes(&[7u8; 64]);
        let b = MasterKey::from_bytes(&[8u8; 64]);
        let sealed = a.seal(br#"{"time":"x"}"#).unwrap();
        assert_eq!(sealed.len(), 16 + 12 + 16);
        assert_eq!(a.open(&sealed).unwrap(), br#"{"time":"x"}"#);
        assert!(b.open(&sealed).is_none());
        assert!(a.open(&sealed[..10]).is_none());
    }

    #[test]
    fn unpacks_plain_and_zstd() {
        assert_eq!(unpack(b"{}".to_vec()).unwrap(), b"{}");
        let mut z = vec![2u8];
        z.extend(zstd::stream::encode_all(&b"{\"a\":1}"[..], 3).unwrap());
        assert_eq!(unpack(z).unwrap(), b"{\"a\":1}");
        assert!(unpack(vec![9, 9]).is_none());
    }

    #[test]
    fn lock_json_is_restics() {
        let l = LockFile {
            time: "2026-11-26T02:00:00Z".into(),
            exclusive: true,
            hostname: "mover-x".into(),
            username: "root".into(),
            pid: 7,
            uid: 0,
            gid: 0,
        };
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"time":"2026-11-26T02:00:00Z","exclusive":true,"hostname":"mover-x","username":"root","pid":7}"#
        );
        let restic: LockFile = serde_json::from_str(
            r#"{"time":"2026-11-26T09:00:00.123+07:00","exclusive":false,"hostname":"h","username":"u","pid":1,"uid":1000,"gid":1000}"#,
        )
        .unwrap();
        assert_eq!(restic.uid, 1000);
        assert!(restic.time.parse::<Timestamp>().is_ok());
    }
}

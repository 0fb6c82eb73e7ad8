//! rustic_core patch 8 (`operator/vendor/rustic_core/PUSDATA-PATCH.md`): while the repository
//! is slow to take a pack, the backup holds at most the pack being written and the one being
//! filled. Upstream queued a finished pack and ran the hashing and the writing in two stages
//! of their own, so a lagging write kept up to five 16 MiB packs resident (issue #18, peak
//! memory).
//!
//! The test stops the first pack write at the backend (a [`Metered`] backend, the wrapper
//! the bandwidth limits use) and watches how far the backup gets
//! while it waits: every byte the backup reports as processed has been handed to the packer,
//! so the plateau is what the backup holds (packs plus the blobs in flight between its
//! stages). It runs against a local repository through rustic_core's own API, with fixed
//! 1 MiB chunks of incompressible data, so a plateau is counted in whole chunks.
#![allow(clippy::unwrap_used)]

use pusdata::mover::{Metered, Traffic};
use rustic_backend::BackendOptions;
use rustic_core::{
    BackupOptions, ConfigOptions, Credentials, FileType, KeyOptions, PathList, Progress,
    ProgressBars, ProgressType, Repository, RepositoryBackends, RepositoryOptions, RusticProgress,
    SnapshotOptions, WriteBackend, repofile::Chunker,
};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

const MIB: u64 = 1 << 20;
const PACK: u64 = 16 * MIB;

/// Holds every pack write until the test opens the gate.
#[derive(Debug)]
struct Gate {
    open: Arc<(Mutex<bool>, Condvar)>,
    packs_waiting: Arc<AtomicUsize>,
}

impl Traffic for Gate {
    fn writing(&self, tpe: FileType, _bytes: usize) {
        if tpe != FileType::Pack {
            return;
        }
        self.packs_waiting.fetch_add(1, Ordering::SeqCst);
        let (lock, cv) = &*self.open;
        let mut open = lock.lock().unwrap();
        while !*open {
            open = cv.wait(open).unwrap();
        }
        drop(open);
        self.packs_waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts the bytes the backup reports as processed (its byte progress bar).
#[derive(Clone, Debug, Default)]
struct Processed(Arc<AtomicU64>);

#[derive(Debug)]
struct Counter(Option<Arc<AtomicU64>>);

impl RusticProgress for Counter {
    fn is_hidden(&self) -> bool {
        false
    }
    fn set_length(&self, _len: u64) {}
    fn set_title(&self, _title: &str) {}
    fn inc(&self, inc: u64) {
        if let Some(c) = &self.0 {
            c.fetch_add(inc, Ordering::SeqCst);
        }
    }
    fn finish(&self) {}
}

impl ProgressBars for Processed {
    fn progress(&self, progress_type: ProgressType, _prefix: &str) -> Progress {
        let counted = matches!(progress_type, ProgressType::Bytes).then(|| self.0.clone());
        Progress::new(Counter(counted))
    }
}

/// Incompressible bytes from a fixed seed (splitmix64), so no two chunks are equal.
fn noise(n: u64, mut x: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(n as usize);
    while (out.len() as u64) < n {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(n as usize);
    out
}

#[test]
fn a_slow_pack_write_holds_back_the_backup_after_two_packs() {
    let dir = tempfile::tempdir().unwrap();
    let (src, repo_dir) = (dir.path().join("src"), dir.path().join("repo"));
    std::fs::create_dir_all(&src).unwrap();
    // Eight packs' worth: far more than any bound the backup could hold.
    std::fs::write(src.join("data.bin"), noise(8 * PACK, 7)).unwrap();

    let local = BackendOptions::default()
        .repository(repo_dir.display().to_string())
        .to_backends()
        .unwrap()
        .repository();
    let open = Arc::new((Mutex::new(false), Condvar::new()));
    let packs_waiting = Arc::new(AtomicUsize::new(0));
    let gated: Arc<dyn WriteBackend> = Arc::new(Metered::new(
        local,
        Gate {
            open: open.clone(),
            packs_waiting: packs_waiting.clone(),
        },
    ));
    let processed = Processed::default();
    let repo = Repository::new_with_progress(
        &RepositoryOptions::default().no_cache(true),
        &RepositoryBackends::new(gated, None),
        processed.clone(),
    )
    .unwrap();
    // Pusdata's pack size (fixed 16 MiB) and fixed 1 MiB chunks: the
    // plateau is then a whole number of chunks, the same on every machine.
    let config = ConfigOptions::default()
        .set_chunker(Chunker::FixedSize)
        .set_chunk_size(bytesize::ByteSize::mib(1))
        .set_datapack_size(bytesize::ByteSize::mib(16))
        .set_datapack_growfactor(0u32)
        .set_datapack_size_limit(bytesize::ByteSize::mib(16));
    let repo = repo
        .init(
            &Credentials::password("pack-writer"),
            &KeyOptions::default(),
            &config,
        )
        .unwrap()
        .to_indexed_ids()
        .unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let backup = {
        let done = done.clone();
        let src = src.display().to_string();
        std::thread::spawn(move || {
            let paths = PathList::from_string(&src).unwrap().sanitize().unwrap();
            let snap = SnapshotOptions::default().to_snapshot().unwrap();
            let r = repo.backup(&BackupOptions::default(), &paths, snap);
            done.store(true, Ordering::SeqCst);
            r
        })
    };

    // Wait for the first pack to reach the gate, then for the backup to hand over two packs'
    // worth (the one at the gate and the one filled behind it: any writer gets that far),
    // then for it to stop moving: the same count of processed bytes across two seconds of
    // polls. A pause on a loaded machine can end the last wait early; that can only make
    // the count lower, never make a backup that holds too much look bounded.
    let wait_for = |what: &str, ready: &dyn Fn() -> bool| {
        for _ in 0..6_000 {
            if ready() {
                return;
            }
            assert!(
                !done.load(Ordering::SeqCst),
                "the backup ended before {what}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("not within 300 s: {what}");
    };
    wait_for("a pack write reached the backend", &|| {
        packs_waiting.load(Ordering::SeqCst) > 0
    });
    wait_for("two packs' worth was processed", &|| {
        processed.0.load(Ordering::SeqCst) >= 2 * PACK
    });
    let (mut last, mut still) = (processed.0.load(Ordering::SeqCst), 0);
    while still < 40 {
        std::thread::sleep(Duration::from_millis(50));
        let now = processed.0.load(Ordering::SeqCst);
        if now == last {
            still += 1;
        } else {
            (last, still) = (now, 0);
        }
    }
    let held = last;
    let waiting = packs_waiting.load(Ordering::SeqCst);
    eprintln!("processed while the first pack waited: {} MiB", held / MIB);

    {
        let (lock, cv) = &*open;
        *lock.lock().unwrap() = true;
        cv.notify_all();
    }
    let snap = backup.join().unwrap().unwrap();
    let summary = snap.summary.unwrap();
    assert_eq!(summary.total_bytes_processed, 8 * PACK);

    // One pack write waits at a time: the writer is a single thread.
    assert_eq!(waiting, 1, "pack writes waiting at the gate");
    // The pack being written and the one filled behind it, plus the chunks between the
    // reader and the packer (one per stage and per blob worker): under three packs. The
    // upstream writer (a queued pack, two stages) holds five, 80 MiB.
    assert!(
        held < 3 * PACK,
        "the backup went on to {} MiB while the first pack waited (bound: under {} MiB)",
        held / MIB,
        3 * PACK / MIB
    );
}

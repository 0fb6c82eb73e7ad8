//! The bandwidth limit on real backups and restores (a file of its own: these tests use
//! the whole mover, which `limit` itself must not import).

use crate::mirror::RateLimit;
use crate::mover::{BackupRequest, RepoConfig, SnapshotRef, VerifyRequest, backup, verify};
use std::sync::Arc;

/// Incompressible bytes (xorshift), so what is uploaded is about what is read.
fn noise(n: usize, mut x: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn uploads_and_downloads_pass_through_the_repositorys_limits() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("arsip.bin"), noise(768 * 1024, 0x5eed)).unwrap();
    // Create the repository unthrottled, so only the backup's own writes are counted.
    let mut cfg = RepoConfig::local(dir.path().join("repo"), "bkpsdm-key");
    crate::mover::inspect(&cfg, true).unwrap();

    let rate = 256 * 1024;
    // A virtual clock: waits are counted exactly instead of measured on a busy machine.
    let (up, clock) = RateLimit::on_virtual_clock(rate);
    let up = Arc::new(up);
    cfg.upload_limit = Some(up.clone());
    let report = backup(
        &cfg,
        &BackupRequest {
            path: src.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    let (waits, bytes) = up.stats();
    assert!(
        bytes >= report.bytes_added && bytes >= 768 * 1024,
        "every byte written went through the limit: {bytes} of {}",
        report.bytes_added
    );
    assert!(waits >= 1, "the limit made the writers wait");
    // Everything past the one-second burst waited at the rate: 768 KiB at 256 KiB/s is
    // at least 2 s.
    let waited = clock.elapsed().as_secs_f64();
    let owed = (bytes - rate) as f64 / rate as f64;
    assert!(
        (waited - owed).abs() < 1e-6,
        "{waited} s for {owed} s of debt"
    );
    assert!(waited >= 2.0, "{waited}");

    // A restore test under a download limit reads every pack through it.
    let (down, _) = RateLimit::on_virtual_clock(rate);
    let down = Arc::new(down);
    cfg.upload_limit = None;
    cfg.download_limit = Some(down.clone());
    let v = verify(
        &cfg,
        &VerifyRequest {
            snapshot: SnapshotRef::Latest,
            tags: Vec::new(),
            scratch: dir.path().join("scratch"),
            keep: false,
            owner: Default::default(),
        },
    )
    .unwrap();
    assert!(v.mismatches.is_empty());
    let (waits, bytes) = down.stats();
    assert!(bytes >= 768 * 1024, "{bytes}");
    assert!(waits >= 1);
}

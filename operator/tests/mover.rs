//! The mover against real components: the restic CLI reads what pusdata writes, a real S3
//! server (Garage or s3s-fs, `PUSDATA_TEST_S3`) holds the repository, and failures leave
//! repositories untouched.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::fs;
use std::path::Path;
use std::process::Output;

const TAGS: &str = "agency=dinkes,namespace=dinkes-simpus,pvc=pg-data,plan=bekasi,tier=gold";

/// `pusdata mover backup -r <repo> --path <src> <extra…>`, whatever its outcome.
fn run_backup(repo: &str, src: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "mover",
        "backup",
        "-r",
        repo,
        "--path",
        src.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    pusdata(&args, envs)
}

fn backup(repo: &str, src: &Path, envs: &[(&str, &str)]) -> serde_json::Value {
    ok(&run_backup(repo, src, &["--tag", TAGS], envs))
}

/// Backs up, proves restic reads it (snapshots, check, restore), restores with pusdata,
/// verifies, and checks the second run sees every file unmodified.
fn round_trip(repo: &str, envs: &[(&str, &str)], work: &Path, full_check: bool) {
    let src = work.join("src");
    gen_tree(&src, 7);
    let expected = hash_tree(&src);
    let pw = password_file(work);

    let first = backup(repo, &src, envs);
    let id = first["snapshotId"].as_str().unwrap().to_string();
    assert_eq!(first["repositoryCreated"], true);
    assert_eq!(first["filesNew"], 31, "{first}"); // 30 files and a symlink
    assert!(first["bytesAdded"].as_u64().unwrap() > 3_000_000);

    // restic reads pusdata's repository: no lock-in.
    let snaps = restic(repo, &pw, &["snapshots", "--json"], envs);
    assert!(
        snaps.status.success(),
        "{}",
        String::from_utf8_lossy(&snaps.stderr)
    );
    let snaps: serde_json::Value = serde_json::from_slice(&snaps.stdout).unwrap();
    assert_eq!(snaps[0]["id"], id.as_str());
    let tags: Vec<&str> = snaps[0]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for t in TAGS.split(',') {
        assert!(tags.contains(&t), "{t} missing in {tags:?}");
    }
    // s3s-fs lists nested prefixes incompletely, so `restic check` reports packs missing
    // even on repositories restic wrote itself (measured): against it the restores below
    // prove the data; against Garage (CI) the full check runs.
    let check = restic(repo, &pw, &["check", "--read-data"], envs);
    assert!(
        !full_check || check.status.success(),
        "restic check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let by_restic = work.join("restic-restore");
    let r = restic(
        repo,
        &pw,
        &["restore", &id, "--target", by_restic.to_str().unwrap()],
        envs,
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let restic_root = by_restic.join(src.strip_prefix("/").unwrap());
    assert_eq!(hash_tree(&restic_root), expected);

    // pusdata restores the same contents, straight into the target.
    let by_us = work.join("pusdata-restore");
    let out = ok(&pusdata(
        &[
            "mover",
            "restore",
            "-r",
            repo,
            "--snapshot",
            "latest",
            "--tag",
            "pvc=pg-data",
            "--target",
            by_us.to_str().unwrap(),
            "--verify",
        ],
        envs,
    ));
    assert_eq!(out["verification"]["status"], "Verified", "{out}");
    assert_eq!(hash_tree(&by_us), expected);

    // Second run: parent found by path and tags, nothing new.
    let second = backup(repo, &src, envs);
    assert_eq!(second["parentId"], id.as_str(), "{second}");
    assert_eq!(second["filesUnmodified"], 31, "{second}");
    assert_eq!(second["filesNew"], 0);

    if full_check {
        let c = ok(&pusdata(
            &["mover", "check", "-r", repo, "--read-data-subset", "50%"],
            envs,
        ));
        assert_eq!(c["ok"], true, "{c}");
    }
}

#[test]
fn local_repository_is_read_by_restic() {
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    round_trip(repo.to_str().unwrap(), &[], work.path(), true);
}

#[test]
fn s3_repository_is_read_by_restic() {
    let s3 = S3Server::start();
    let work = tempfile::tempdir().unwrap();
    let envs = s3.envs();
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    round_trip(
        &s3.url("dinkes/simpus"),
        &envs,
        work.path(),
        s3.kind == "garage",
    );
}

#[test]
fn wrong_key_is_named_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 1);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    backup(repo_s, &src, &[]);
    let before = listing(&repo);

    fs::write(src.join("new-file"), b"changed").unwrap();
    let o = run_backup(
        repo_s,
        &src,
        &[],
        &[("PUSDATA_REPOSITORY_PASSWORD", "not-the-key")],
    );
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("wrong repository key"), "{stderr}");
    assert!(!stderr.contains("not-the-key"), "password leaked: {stderr}");
    assert_eq!(json(&o)["error"]["category"], "wrong-key");
    assert_eq!(listing(&repo), before, "the repository changed");
}

#[test]
fn restore_refuses_a_non_empty_target() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 2);
    let repo = work.path().join("repo");
    backup(repo.to_str().unwrap(), &src, &[]);
    let target = work.path().join("target");
    fs::create_dir_all(&target).unwrap();
    fs::write(target.join("precious.txt"), b"do not touch").unwrap();

    let o = pusdata(
        &[
            "mover",
            "restore",
            "-r",
            repo.to_str().unwrap(),
            "--target",
            target.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
    assert_eq!(
        fs::read(target.join("precious.txt")).unwrap(),
        b"do not touch"
    );
    assert_eq!(fs::read_dir(&target).unwrap().count(), 1);
}

#[test]
fn verify_detects_a_corrupted_restore_and_a_corrupted_pack() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 3);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    backup(repo_s, &src, &[]);
    let scratch = work.path().join("scratch");
    let v = ok(&pusdata(
        &[
            "mover",
            "verify",
            "-r",
            repo_s,
            "--scratch",
            scratch.to_str().unwrap(),
        ],
        &[],
    ));
    assert_eq!(v["status"], "Verified", "{v}");
    assert_eq!(v["filesChecked"], 30);

    // A byte flipped in a restored file.
    let restored = work.path().join("restored");
    ok(&pusdata(
        &[
            "mover",
            "restore",
            "-r",
            repo_s,
            "--target",
            restored.to_str().unwrap(),
        ],
        &[],
    ));
    let victim = restored.join("big.db");
    let mut bytes = fs::read(&victim).unwrap();
    bytes[2_000_000] ^= 0x01;
    fs::write(&victim, bytes).unwrap();
    let o = pusdata(
        &[
            "mover",
            "verify",
            "-r",
            repo_s,
            "--restored",
            restored.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["status"], "VerificationFailed");
    // The rewrite changed the contents and, with them, the modification time.
    let mismatches = v["mismatches"].as_array().unwrap();
    assert!(mismatches.iter().all(|m| m["path"] == "big.db"), "{v}");
    assert!(
        mismatches
            .iter()
            .any(|m| m["reason"].as_str().unwrap().starts_with("content: ")),
        "{v}"
    );

    // A byte flipped in the largest pack of the repository.
    let mut packs: Vec<_> = walk_files(&repo.join("data"));
    packs.sort_by_key(|p| fs::metadata(p).unwrap().len());
    let pack = packs.last().unwrap();
    let mut perms = fs::metadata(pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(pack, perms).unwrap();
    let mut bytes = fs::read(pack).unwrap();
    bytes[1000] ^= 0x01;
    fs::write(pack, bytes).unwrap();
    let o = pusdata(
        &[
            "mover",
            "verify",
            "-r",
            repo_s,
            "--scratch",
            scratch.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(v["status"], "VerificationFailed", "{v}");
    // Scratch space is cleaned up even when verification fails.
    assert_eq!(fs::read_dir(&scratch).unwrap().count(), 0);
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn forget_keeps_the_verified_floor_and_restic_agrees() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 4);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    let mut ids = Vec::new();
    for i in 0..4 {
        fs::write(src.join("counter"), format!("{i}")).unwrap();
        ids.push(
            backup(repo_s, &src, &[])["snapshotId"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let out = ok(&pusdata(
        &[
            "mover",
            "forget",
            "-r",
            repo_s,
            "--keep-last",
            "1",
            "--min-verified",
            "1",
            "--verified",
            &ids[1][..8],
            "--prune",
        ],
        &[],
    ));
    let forgotten: Vec<&str> = out["forgotten"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(forgotten.len(), 2, "{out}");
    assert!(forgotten.contains(&ids[0].as_str()) && forgotten.contains(&ids[2].as_str()));
    let left = ok(&pusdata(&["mover", "snapshots", "-r", repo_s], &[]));
    let left: Vec<&str> = left
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(left, vec![ids[1].as_str(), ids[3].as_str()]);
    let pw = password_file(work.path());
    let check = restic(repo_s, &pw, &["check", "--read-data"], &[]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn unlock_removes_only_stale_locks() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 5);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    backup(repo_s, &src, &[]);
    fs::create_dir_all(repo.join("locks")).unwrap();
    let stale = repo.join("locks").join("aa".repeat(32));
    let fresh = repo.join("locks").join("bb".repeat(32));
    fs::write(&stale, b"stale").unwrap();
    fs::write(&fresh, b"fresh").unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let out = ok(&pusdata(&["mover", "unlock", "-r", repo_s], &[]));
    assert_eq!(
        out["removed"],
        serde_json::json!(["aa".repeat(32)]),
        "{out}"
    );
    assert!(!stale.exists());
    assert!(fresh.exists());
}

/// The S3 server dies mid-backup: the run fails cleanly, no snapshot appears, and after a
/// restart the repository checks clean and the next backup succeeds.
#[test]
fn s3_server_killed_mid_backup_leaves_no_half_snapshot() {
    let mut s3 = S3Server::start();
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let mut rng = Rng::new(11);
    let mut buf = vec![0u8; 2 << 20];
    for i in 0..48 {
        rng.fill(&mut buf);
        fs::write(src.join(format!("blk{i:03}")), &buf).unwrap();
    }
    let envs = s3.envs();
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let repo = s3.url("fault");
    // The repository exists first, so the killed run is an ordinary backup.
    let small = work.path().join("small");
    gen_tree(&small, 12);
    let first = backup(&repo, &small, &envs);

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .args([
            "mover",
            "backup",
            "-r",
            &repo,
            "--path",
            src.to_str().unwrap(),
        ])
        .env("PUSDATA_REPOSITORY_PASSWORD", PASSWORD)
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill the server once the run has uploaded something beyond the first backup.
    let store = s3.dir.path().to_path_buf();
    let count = || listing(&store).len();
    let before = count();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while count() <= before + 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    s3.kill();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "the backup survived a dead server");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains(&s3.secret_key), "secret leaked: {stderr}");
    assert_eq!(json(&out)["error"]["category"], "repository", "{stderr}");

    s3.restart();
    // The failed run could not remove its shared lock (the server was gone when it tried):
    // as restic's would, it stays until stale, and meanwhile no prune starts. Once the run is
    // known dead an operator removes it with `unlock` (here without waiting 30 minutes).
    let o = pusdata(&["mover", "forget", "-r", &repo, "--keep-last", "1"], &envs);
    assert_eq!(
        json(&o)["error"]["category"],
        "locked",
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let out = ok(&pusdata(
        &["mover", "unlock", "-r", &repo, "--older-than", "0"],
        &envs,
    ));
    assert_eq!(out["removed"].as_array().unwrap().len(), 1, "{out}");
    let snaps = ok(&pusdata(&["mover", "snapshots", "-r", &repo], &envs));
    let ids: Vec<&str> = snaps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![first["snapshotId"].as_str().unwrap()],
        "half snapshot"
    );
    let pw = password_file(work.path());
    let check = if s3.kind == "s3s-fs" {
        // s3s-fs keeps objects as plain files: the repository is also a local one, which
        // restic can check completely (its S3 listing is incomplete, see round_trip).
        let local = s3.dir.path().join("fs").join(&s3.bucket).join("fault");
        restic(local.to_str().unwrap(), &pw, &["check", "--read-data"], &[])
    } else {
        restic(&repo, &pw, &["check", "--read-data"], &envs)
    };
    assert!(
        check.status.success(),
        "restic check after the fault: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let again = backup(&repo, &src, &envs);
    assert!(again["snapshotId"].as_str().is_some());
}

/// `--result-file` (the mover Job's `/dev/termination-log`) holds what the Backup controller
/// parses: the report of a real backup, and the error of a wrong key.
#[test]
fn the_result_file_holds_what_the_controller_reads_back() {
    use pusdata_core::backup::result::{BackupReport, MoverResult, TERMINATION_MESSAGE_MAX, parse};
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 3);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    let result = work.path().join("termination-log");
    let result_s = result.to_str().unwrap();
    let args = [
        "mover",
        "backup",
        "-r",
        repo_s,
        "--path",
        src.to_str().unwrap(),
        "--tag",
        TAGS,
        "--result-file",
        result_s,
    ];
    let stdout = ok(&pusdata(&args, &[]));
    let text = fs::read_to_string(&result).unwrap();
    assert!(text.len() <= TERMINATION_MESSAGE_MAX);
    match parse::<BackupReport>(&text) {
        MoverResult::Report(r) => {
            assert_eq!(r.snapshot_id, stdout["snapshotId"].as_str().unwrap());
            assert_eq!(r.files_new, stdout["filesNew"].as_u64().unwrap());
            assert!(r.bytes_added > 0);
        }
        other => panic!("not a report: {other:?}"),
    }

    let o = pusdata(&args, &[("PUSDATA_REPOSITORY_PASSWORD", "not-the-key")]);
    assert_eq!(o.status.code(), Some(2));
    let text = fs::read_to_string(&result).unwrap();
    assert!(!text.contains("not-the-key"), "password leaked: {text}");
    match parse::<BackupReport>(&text) {
        MoverResult::Failure(f) => assert_eq!(f.category, "wrong-key"),
        other => panic!("not an error: {other:?}"),
    }
}

/// The restore-test Job's `--result-file` holds what the Backup controller parses into
/// `status.verification`: Verified for an intact snapshot, VerificationFailed (with the
/// reason) once a pack of the repository is corrupted.
#[test]
fn the_verify_result_file_holds_what_the_controller_reads_back() {
    use pusdata_core::backup::result::{
        MoverResult, TERMINATION_MESSAGE_MAX, VerifyReport, parse, verification,
    };
    use pusdata_crds::v1alpha1::VerificationStatus;
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 3);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    let snap = backup(repo_s, &src, &[]);
    let id = snap["snapshotId"].as_str().unwrap().to_string();
    let scratch = work.path().join("scratch");
    let result = work.path().join("termination-log");
    // The arguments verify_job gives, with local paths.
    let args = [
        "mover",
        "verify",
        "-r",
        repo_s,
        "--snapshot",
        &id,
        "--scratch",
        scratch.to_str().unwrap(),
        "--result-file",
        result.to_str().unwrap(),
    ];
    let o = pusdata(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = fs::read_to_string(&result).unwrap();
    assert!(text.len() <= TERMINATION_MESSAGE_MAX);
    let parsed = parse::<VerifyReport>(&text);
    match &parsed {
        MoverResult::Report(r) => {
            assert_eq!(r.snapshot_id, id);
            assert_eq!(r.files_checked, 30);
        }
        other => panic!("not a verification: {other:?}"),
    }
    assert_eq!(
        verification(true, &parsed),
        (VerificationStatus::Verified, vec![])
    );

    let mut packs: Vec<_> = walk_files(&repo.join("data"));
    packs.sort_by_key(|p| fs::metadata(p).unwrap().len());
    let pack = packs.last().unwrap();
    let mut perms = fs::metadata(pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(pack, perms).unwrap();
    let mut bytes = fs::read(pack).unwrap();
    bytes[1000] ^= 0x01;
    fs::write(pack, bytes).unwrap();
    let o = pusdata(&args, &[]);
    assert_eq!(o.status.code(), Some(1));
    let text = fs::read_to_string(&result).unwrap();
    let (status, why) = verification(false, &parse::<VerifyReport>(&text));
    assert_eq!(status, VerificationStatus::VerificationFailed, "{text}");
    assert!(!why.is_empty(), "{text}");
}

#[test]
fn limit_upload_slows_a_backup_to_s3() {
    let s3 = S3Server::start();
    let work = tempfile::tempdir().unwrap();
    let envs = s3.envs();
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let repo = s3.url("bkpsdm/limit");
    // Create the repository first (unthrottled): the timed run then uploads only data.
    let empty = work.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    backup(&repo, &empty, &envs);

    let src = work.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let mut buf = vec![0u8; 3 << 20];
    Rng::new(5).fill(&mut buf);
    fs::write(src.join("arsip.bin"), &buf).unwrap();
    let t0 = std::time::Instant::now();
    let out = ok(&run_backup(&repo, &src, &["--limit-upload", "1MiB"], &envs));
    let took = t0.elapsed();
    assert!(out["bytesAdded"].as_u64().unwrap() >= 3 << 20, "{out}");
    // 3 MiB of noise at 1 MiB/s with one second of burst: at least ~2 s. A generous bound:
    // unthrottled, this takes a fraction of a second here.
    assert!(took >= std::time::Duration::from_millis(1500), "{took:?}");

    // A zero or malformed limit is refused before anything runs.
    let bad = run_backup(&repo, &src, &["--limit-upload", "0"], &envs);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("greater than zero"));
}

/// The Restore controller's Job: `mover restore --verify` with the source tags into a fresh
/// volume (which holds an empty `lost+found`), its `--result-file` read back the way the
/// controller does (`pusdata_core::restore::settle`), the files identical to the source;
/// another source's tags never match a snapshot id, and a non-empty `lost+found` is data.
#[test]
fn the_restore_result_file_holds_what_the_restore_controller_reads_back() {
    use pusdata_core::backup::result::{MoverResult, TERMINATION_MESSAGE_MAX, parse};
    use pusdata_core::restore::{Reason, RestoreOutput, settle};
    use pusdata_crds::v1alpha1::{RestorePhase, VerificationStatus};
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 4);
    let expected = hash_tree(&src);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    let snap = backup(repo_s, &src, &[]);
    let id = snap["snapshotId"].as_str().unwrap().to_string();
    let volume = work.path().join("volume");
    fs::create_dir_all(volume.join("lost+found")).unwrap();
    let result = work.path().join("termination-log");
    let cache = work.path().join("cache");
    let pw = password_file(work.path());
    // The very arguments `restore_job` gives the Job, with the pod's paths made local: any
    // drift between the Job builder and the CLI fails here.
    let run = |snapshot: &str, tags: &str, target: &Path| {
        let mut restore = pusdata_crds::fixtures::restore("dinkes-simpus", "pg-data");
        restore.metadata.name = Some("pg-data-restore".into());
        let repository = pusdata_crds::fixtures::backup_repository("dinkes", "drc-bandung");
        let admitted = pusdata_core::restore::Admitted {
            key: Default::default(),
            snapshot: snapshot.into(),
            tags: tags.split(',').map(str::to_string).collect(),
            size: k8s_openapi::apimachinery::pkg::api::resource::Quantity("1Gi".into()),
        };
        let job = pusdata_core::restore::restore_job(&pusdata_core::restore::RestoreJobInput {
            restore: &restore,
            admitted: &admitted,
            repository: &repository,
            owner: Default::default(),
            settings: &Default::default(),
        });
        let mut args = job.spec.unwrap().template.spec.unwrap().containers[0]
            .args
            .clone()
            .unwrap();
        let local = |flag: &str| -> Option<String> {
            Some(match flag {
                "--repository" => repo_s.to_string(),
                "--password-file" => pw.to_str()?.to_string(),
                "--cache-dir" => cache.to_str()?.to_string(),
                "--result-file" => result.to_str()?.to_string(),
                "--target" => target.to_str()?.to_string(),
                _ => return None,
            })
        };
        for i in 1..args.len() {
            if let Some(v) = local(&args[i - 1]) {
                args[i] = v;
            }
        }
        assert!(args.iter().any(|a| a == "--verify"), "{args:?}");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        pusdata(&args, &[])
    };
    let tags = "agency=dinkes,namespace=dinkes-simpus,pvc=pg-data";
    let o = run("latest", tags, &volume);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = fs::read_to_string(&result).unwrap();
    assert!(text.len() <= TERMINATION_MESSAGE_MAX);
    let parsed = parse::<RestoreOutput>(&text);
    let MoverResult::Report(RestoreOutput::Verified(v)) = &parsed else {
        panic!("not a verified restore: {text}")
    };
    assert_eq!(v.restore.snapshot_id, id);
    assert_eq!(v.restore.files, 30);
    assert_eq!(v.verification.status, VerificationStatus::Verified);
    let s = settle(true, &parsed, true);
    assert_eq!(
        (s.phase, s.reason),
        (RestorePhase::Completed, Reason::Restored)
    );
    fs::remove_dir(volume.join("lost+found")).unwrap();
    assert_eq!(hash_tree(&volume), expected);

    // Another PVC's tags: the id does not carry them, nothing is written.
    let other = work.path().join("other");
    let o = run(
        &id,
        "agency=dinkes,namespace=dinkes-simpus,pvc=web-data",
        &other,
    );
    assert_eq!(o.status.code(), Some(2));
    let s = settle(
        false,
        &parse::<RestoreOutput>(&fs::read_to_string(&result).unwrap()),
        true,
    );
    assert_eq!(s.reason, Reason::MoverFailed);
    assert!(s.errors[0].starts_with("no-snapshot:"), "{:?}", s.errors);
    assert!(!other.exists() || fs::read_dir(&other).unwrap().next().is_none());

    // A lost+found that holds something is data: refused.
    let used = work.path().join("used");
    fs::create_dir_all(used.join("lost+found")).unwrap();
    fs::write(used.join("lost+found/#1234"), b"orphan").unwrap();
    let o = run(&id, tags, &used);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
}

fn lock_files(repo: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(repo.join("locks"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn restic_locks(repo: &str, pw: &Path) -> Vec<String> {
    let o = restic(repo, pw, &["list", "locks", "--no-lock"], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// While Pusdata holds the exclusive lock a forget/prune takes, the restic CLI decrypts and
/// honours it (refuses to back up), `pusdata mover backup` and a second forget refuse naming
/// it; once released no lock remains and restic backs up again.
#[test]
fn exclusive_lock_is_honoured_by_restic_and_pusdata() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 8);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    backup(repo_s, &src, &[]);
    assert!(lock_files(&repo).is_empty(), "a backup leaves no lock");
    let pw = password_file(work.path());
    let cfg = pusdata::mover::RepoConfig::local(&repo, PASSWORD);

    let held = pusdata::mover::RepoLock::acquire(
        &cfg,
        pusdata_core::lock::Want::Exclusive,
        &pusdata::mover::LockOptions::default(),
    )
    .unwrap();
    let name = held.name();
    assert_eq!(restic_locks(repo_s, &pw), vec![name.clone()]);
    assert_eq!(lock_files(&repo), vec![name.clone()]);
    let o = restic(repo_s, &pw, &["backup", src.to_str().unwrap()], &[]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("locked exclusively"), "{err}");

    let o = run_backup(repo_s, &src, &[], &[]);
    assert!(!o.status.success());
    let e = &json(&o)["error"];
    assert_eq!(e["category"], "locked", "{e}");
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains(&format!("locks/{}", &name[..10])), "{msg}");
    assert!(msg.contains("exclusive") && msg.contains(" old"), "{msg}");
    let o = pusdata(&["mover", "forget", "-r", repo_s, "--keep-last", "1"], &[]);
    assert_eq!(json(&o)["error"]["category"], "locked");

    held.release().unwrap();
    assert!(lock_files(&repo).is_empty());
    assert!(restic_locks(repo_s, &pw).is_empty());
    let o = restic(repo_s, &pw, &["backup", src.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A lock left by a dead run an hour ago is stale: forget removes it, reports it and
/// proceeds; a fresh one (a live run) makes forget refuse. Afterwards no lock remains and
/// restic checks the repository clean.
#[test]
fn forget_clears_stale_locks_and_refuses_fresh_ones() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 9);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    for i in 0..3 {
        fs::write(src.join("counter"), format!("{i}")).unwrap();
        backup(repo_s, &src, &[]);
    }
    let cfg = pusdata::mover::RepoConfig::local(&repo, PASSWORD);
    let now = jiff::Timestamp::now();
    let fresh = pusdata::mover::write_abandoned_lock(&cfg, false, now).unwrap();
    let forget = |extra: &[&str]| {
        let mut args = vec![
            "mover",
            "forget",
            "-r",
            repo_s,
            "--keep-last",
            "1",
            "--prune",
        ];
        args.extend_from_slice(extra);
        pusdata(&args, &[])
    };
    let o = forget(&[]);
    assert!(!o.status.success());
    let e = &json(&o)["error"];
    assert_eq!(e["category"], "locked", "{e}");
    assert!(e["message"].as_str().unwrap().contains(&fresh[..10]), "{e}");
    assert_eq!(
        lock_files(&repo),
        vec![fresh.clone()],
        "a refusal touches nothing"
    );
    assert_eq!(
        ok(&pusdata(&["mover", "snapshots", "-r", repo_s], &[]))
            .as_array()
            .unwrap()
            .len(),
        3
    );

    fs::remove_file(repo.join("locks").join(&fresh)).unwrap();
    let hour_ago = now - jiff::SignedDuration::from_hours(1);
    let stale = pusdata::mover::write_abandoned_lock(&cfg, true, hour_ago).unwrap();
    let out = ok(&forget(&[]));
    assert_eq!(
        out["removedStaleLocks"],
        serde_json::json!([stale]),
        "{out}"
    );
    assert_eq!(out["forgotten"].as_array().unwrap().len(), 2, "{out}");
    assert!(
        lock_files(&repo).is_empty(),
        "the forget's own lock is gone"
    );
    let pw = password_file(work.path());
    let check = restic(repo_s, &pw, &["check"], &[]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // The same stale threshold as `unlock`: with --stale-after 2h the lock is live.
    let stale = pusdata::mover::write_abandoned_lock(&cfg, true, hour_ago).unwrap();
    let o = forget(&["--stale-after", "2h"]);
    assert_eq!(json(&o)["error"]["category"], "locked");
    let out = ok(&pusdata(&["mover", "unlock", "-r", repo_s], &[]));
    assert_eq!(out["removed"], serde_json::json!([stale]), "{out}");
}

/// restic's own (zstd-compressed, in a version 2 repository) lock is read: a running
/// `restic backup` makes forget refuse, naming restic's host and pid.
#[test]
fn a_running_restic_backup_stops_forget() {
    use std::io::Write;
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 10);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    backup(repo_s, &src, &[]);
    let pw = password_file(work.path());
    let mut child = std::process::Command::new("restic")
        .args([
            "-r",
            repo_s,
            "--password-file",
            pw.to_str().unwrap(),
            "--no-cache",
        ])
        .args(["backup", "--stdin", "--stdin-filename", "dump.sql"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"-- dump\n").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while lock_files(&repo).is_empty() {
        assert!(std::time::Instant::now() < deadline, "restic took no lock");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = pusdata(&["mover", "forget", "-r", repo_s, "--keep-last", "1"], &[]);
    let e = &json(&o)["error"];
    assert_eq!(e["category"], "locked", "{e}");
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains(&format!("(pid {})", child.id())), "{msg}");
    assert!(!msg.contains("unreadable"), "{msg}");
    // A backup only conflicts with exclusive locks: restic's shared lock does not stop ours.
    backup(repo_s, &src, &[]);
    drop(stdin);
    assert!(child.wait().unwrap().success());
    ok(&pusdata(
        &["mover", "forget", "-r", repo_s, "--keep-last", "1"],
        &[],
    ));
    assert!(lock_files(&repo).is_empty());
}

/// The lock is refreshed as restic does (a new file, then the old one removed), so there is
/// always exactly one, and it goes on release.
#[test]
fn a_held_lock_is_refreshed_and_released() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 11);
    let repo = work.path().join("repo");
    backup(repo.to_str().unwrap(), &src, &[]);
    let cfg = pusdata::mover::RepoConfig::local(&repo, PASSWORD);
    let held = pusdata::mover::RepoLock::acquire(
        &cfg,
        pusdata_core::lock::Want::Exclusive,
        &pusdata::mover::LockOptions {
            refresh_every: std::time::Duration::from_millis(300),
            ..Default::default()
        },
    )
    .unwrap();
    let first = held.name();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while held.name() == first {
        assert!(std::time::Instant::now() < deadline, "never refreshed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let files = lock_files(&repo);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_ne!(files[0], first);
    held.release().unwrap();
    assert!(lock_files(&repo).is_empty());
}

/// A run whose lock cannot be refreshed stops before it changes the repository, once the
/// lock is old enough that another run could soon remove it as stale; a refreshed lock
/// keeps the run going whatever the clock says. The clock is injected: nothing sleeps
/// for minutes.
#[test]
fn a_lock_that_cannot_be_refreshed_stops_the_run_before_it_changes_anything() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 12);
    let repo = work.path().join("repo");
    backup(repo.to_str().unwrap(), &src, &[]);
    let cfg = pusdata::mover::RepoConfig::local(&repo, PASSWORD);
    let ahead = Arc::new(AtomicI64::new(0));
    let clock = {
        let ahead = ahead.clone();
        Arc::new(move || {
            jiff::Timestamp::now() + jiff::SignedDuration::from_secs(ahead.load(Ordering::SeqCst))
        })
    };
    let held = pusdata::mover::RepoLock::acquire(
        &cfg,
        pusdata_core::lock::Want::Exclusive,
        &pusdata::mover::LockOptions {
            refresh_every: std::time::Duration::from_millis(50),
            clock,
            ..Default::default()
        },
    )
    .unwrap();
    held.check_held().unwrap();

    // Refreshes succeed: an hour later by the clock, the lock is still this run's.
    ahead.store(3600, Ordering::SeqCst);
    let first = held.name();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while held.name() == first {
        assert!(std::time::Instant::now() < deadline, "never refreshed");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    held.check_held().unwrap();

    // The lock directory becomes unwritable (a file in its place): refreshes fail. Once
    // the clock passes 30 minutes less one and a half refresh intervals since the last
    // write (here the interval is 50 ms; with restic's 5 minutes it is 22.5 minutes), the
    // run must stop.
    let locks = repo.join("locks");
    let away = repo.join("locks.away");
    fs::rename(&locks, &away).unwrap();
    fs::write(&locks, b"not a directory").unwrap();
    let name = held.name();
    ahead.store(3600 + 29 * 60, Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_millis(200));
    held.check_held().unwrap();
    ahead.store(3600 + 30 * 60, Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let err = held.check_held().unwrap_err().to_string();
    assert!(err.contains("not been refreshed"), "{err}");
    assert_eq!(
        held.name(),
        name,
        "a failed refresh must not change the lock's name"
    );

    fs::remove_file(&locks).unwrap();
    fs::rename(&away, &locks).unwrap();
    held.release().unwrap();
    assert!(lock_files(&repo).is_empty());
}

/// A forget whose lock has gone unrefreshed for too long when it comes to delete stops and
/// deletes nothing. The clock jumps 31 minutes once the lock is taken (taking it reads the
/// clock three times: the first look, the lock's time, the second look), and no refresh
/// comes in between (one every ten minutes). The same forget without the jump deletes.
#[test]
fn a_forget_whose_lock_was_lost_deletes_nothing() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 13);
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    backup(repo_s, &src, &[]);
    fs::write(src.join("baru.txt"), b"perubahan").unwrap();
    backup(repo_s, &src, &[]);
    let count = || {
        ok(&pusdata(&["mover", "snapshots", "-r", repo_s], &[]))
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count(), 2);

    let cfg = pusdata::mover::RepoConfig::local(&repo, PASSWORD);
    let forget = |jump_mins: i64| {
        let reads = Arc::new(AtomicUsize::new(0));
        let clock = Arc::new(move || {
            let later = reads.fetch_add(1, Ordering::SeqCst) >= 3;
            jiff::Timestamp::now()
                + jiff::SignedDuration::from_mins(if later { jump_mins } else { 0 })
        });
        pusdata::mover::forget(
            &cfg,
            &pusdata::mover::ForgetRequest {
                retention: pusdata_crds::v1alpha1::Retention {
                    keep_last: Some(1),
                    ..Default::default()
                },
                tags: Vec::new(),
                verified: Default::default(),
                tz: jiff::tz::TimeZone::UTC,
                prune: true,
                dry_run: false,
                lock: pusdata::mover::LockOptions {
                    refresh_every: std::time::Duration::from_secs(600),
                    clock,
                    ..Default::default()
                },
            },
        )
    };
    let err = forget(31).unwrap_err();
    assert!(err.to_string().contains("not been refreshed"), "{err}");
    assert_eq!(count(), 2, "a snapshot was deleted under a lost lock");
    assert!(lock_files(&repo).is_empty(), "the lock stayed behind");

    // 14 minutes: within the 15 left by a ten-minute refresh interval.
    forget(14).unwrap();
    assert_eq!(count(), 1);
}

/// Pusdata's chunker (rustic_core with Pusdata's throughput patch) cuts files at exactly the
/// bytes restic cuts them: restic backing up the same files into Pusdata's repository adds
/// no data blob. Files of 2–18 MiB give dozens of content-defined boundaries, and zero runs
/// exercise the cut right after the minimum size.
#[test]
fn restic_cuts_the_same_chunks_as_pusdata() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    fs::create_dir_all(&src).unwrap();
    let mut rng = Rng::new(41);
    let mut total = 0;
    for (i, mib) in [2usize, 5, 9, 18].into_iter().enumerate() {
        let mut buf = vec![0u8; mib * 1024 * 1024 + i * 4099];
        rng.fill(&mut buf);
        // A zeroed stretch in the middle: its hash hits a boundary at once.
        let mid = buf.len() / 2;
        buf[mid..mid + 700_000].fill(0);
        total += buf.len();
        fs::write(src.join(format!("data{i}.bin")), &buf).unwrap();
    }
    let repo = work.path().join("repo");
    let repo_s = repo.to_str().unwrap();
    let first = backup(repo_s, &src, &[]);
    assert!(first["bytesAdded"].as_u64().unwrap() > total as u64 / 2);

    let pw = password_file(work.path());
    let o = restic(
        repo_s,
        &pw,
        &["backup", "--json", src.to_str().unwrap()],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["message_type"] == "summary")
        .expect("restic prints a summary");
    assert_eq!(summary["total_bytes_processed"], total as u64, "{summary}");
    assert_eq!(
        summary["data_blobs"], 0,
        "restic cut different chunks: {summary}"
    );
}

/// rustic_core's `Node` as its derived `Deserialize` decoded it (two flattened parts), to
/// compare with the hand-written decoder of Pusdata's patch.
#[derive(serde::Deserialize)]
struct DerivedNode {
    name: String,
    #[serde(flatten)]
    node_type: rustic_core::repofile::NodeType,
    #[serde(flatten)]
    meta: rustic_core::repofile::Metadata,
    #[serde(default, deserialize_with = "null_is_none")]
    content: Option<Vec<rustic_core::DataId>>,
    #[serde(default)]
    subtree: Option<rustic_core::TreeId>,
}

fn null_is_none<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<rustic_core::DataId>>, D::Error> {
    <Option<Vec<rustic_core::DataId>> as serde::Deserialize>::deserialize(d)
}

#[derive(serde::Deserialize)]
struct DerivedTree {
    nodes: Vec<DerivedNode>,
}

/// Decodes a tree both ways: the same nodes, or the same refusal.
fn decodes_as_derived(json: &[u8]) -> Option<usize> {
    let by_hand = serde_json::from_slice::<rustic_core::repofile::Tree>(json);
    let derived = serde_json::from_slice::<DerivedTree>(json);
    match (by_hand, derived) {
        (Ok(t), Ok(d)) => {
            assert_eq!(t.nodes.len(), d.nodes.len());
            for (n, d) in t.nodes.iter().zip(d.nodes) {
                let d = rustic_core::repofile::Node {
                    name: d.name,
                    node_type: d.node_type,
                    meta: d.meta,
                    content: d.content,
                    subtree: d.subtree,
                };
                assert_eq!(*n, d, "{}", String::from_utf8_lossy(json));
            }
            Some(t.nodes.len())
        }
        (Err(_), Err(_)) => None,
        (t, d) => panic!(
            "decoders disagree on {}: by hand {:?}, derived {:?}",
            String::from_utf8_lossy(json),
            t.map(|t| t.nodes.len()),
            d.map(|d| d.nodes.len())
        ),
    }
}

/// The trees of the repository's only snapshot, by `restic cat`.
fn restic_trees(repo: &str, pw: &Path) -> Vec<Vec<u8>> {
    let cat = |args: &[&str]| {
        let o = restic(repo, pw, args, &[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    let snaps: serde_json::Value = serde_json::from_slice(&cat(&["snapshots", "--json"])).unwrap();
    let mut todo = vec![snaps[0]["tree"].as_str().unwrap().to_string()];
    let mut out = Vec::new();
    while let Some(id) = todo.pop() {
        let json = cat(&["cat", "blob", &id]);
        let tree: serde_json::Value = serde_json::from_slice(&json).unwrap();
        for n in tree["nodes"].as_array().unwrap() {
            if let Some(sub) = n["subtree"].as_str() {
                todo.push(sub.to_string());
            }
        }
        out.push(json);
    }
    out
}

/// Pusdata's patch decodes tree nodes by hand (rustic's derived decoder buffered every
/// field through serde's `Content`): on trees restic 0.14 wrote and trees Pusdata wrote —
/// files, directories, symlinks (one to a non-UTF-8 name), a FIFO, hard links, xattrs,
/// empty and large files — and on edge cases (nulls, unknown keys, missing or unknown
/// types), both decoders give the same nodes or both refuse.
#[test]
fn tree_nodes_decode_as_rustics_derived_decoder_did() {
    use std::os::unix::ffi::OsStrExt;
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    gen_tree(&src, 11);
    fs::create_dir_all(src.join("special/empty-dir")).unwrap();
    fs::write(src.join("special/empty"), b"").unwrap();
    fs::hard_link(src.join("special/empty"), src.join("special/empty-link")).unwrap();
    std::os::unix::fs::symlink(
        std::ffi::OsStr::from_bytes(b"bukan-utf8-\xff"),
        src.join("special/raw-link"),
    )
    .unwrap();
    nix::unistd::mkfifo(
        &src.join("special/fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o640),
    )
    .unwrap();
    let _ = xattr::set(src.join("special/empty"), "user.pusdata", b"\x00\xffbiner");
    let pw = password_file(work.path());

    let by_restic = work.path().join("repo-restic");
    let by_restic_s = by_restic.to_str().unwrap();
    let init = restic(by_restic_s, &pw, &["init"], &[]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let o = restic(by_restic_s, &pw, &["backup", src.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let by_pusdata = work.path().join("repo-pusdata");
    let by_pusdata_s = by_pusdata.to_str().unwrap();
    backup(by_pusdata_s, &src, &[]);

    let mut nodes = 0;
    for repo in [by_restic_s, by_pusdata_s] {
        for tree in restic_trees(repo, &pw) {
            nodes += decodes_as_derived(&tree).expect("a written tree decodes");
        }
    }
    assert!(nodes > 60, "{nodes}");

    let cases: &[(&str, bool)] = &[
        (r#"{"name":"a","type":"file","content":null}"#, true),
        (
            r#"{"name":"a","type":"file","content":["4a4e4f2dd4b5dbab47a6ae60cf4d5e7fb6a1d55f9fff3f0ab4c0a6b2ee0e58e4"],"size":3,"future_field":{"x":[1,2]}}"#,
            true,
        ),
        (
            r#"{"name":"d","type":"dir","subtree":"4a4e4f2dd4b5dbab47a6ae60cf4d5e7fb6a1d55f9fff3f0ab4c0a6b2ee0e58e4","mode":2147484141,"uid":0,"user":null}"#,
            true,
        ),
        (
            r#"{"name":"l","type":"symlink","linktarget":"x","linktarget_raw":null}"#,
            true,
        ),
        (
            r#"{"name":"l","type":"symlink","linktarget":"x","linktarget_raw":"eP8="}"#,
            true,
        ),
        (r#"{"name":"b","type":"dev"}"#, true),
        (r#"{"name":"c","type":"chardev","device":1025}"#, true),
        (
            r#"{"type":"fifo","name":"f","mtime":"2026-12-07T10:00:00.123456789+07:00","atime":null}"#,
            true,
        ),
        (
            r#"{"name":"x","type":"file","extended_attributes":[{"name":"user.a","value":null},{"name":"user.b","value":"AP8="}]}"#,
            true,
        ),
        (r#"{"name":"l","type":"symlink"}"#, false),
        (r#"{"name":"a"}"#, false),
        (r#"{"type":"file"}"#, false),
        (r#"{"name":"a","type":"pipe"}"#, false),
        (r#"{"name":"a","type":"file","inode":null}"#, false),
        (r#"{"name":"a","type":"file","mtime":"kemarin"}"#, false),
    ];
    for (node, decodes) in cases {
        let tree = format!(r#"{{"nodes":[{node}]}}"#);
        assert_eq!(
            decodes_as_derived(tree.as_bytes()).is_some(),
            *decodes,
            "{node}"
        );
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `pusdata drill --local --s3-repo`: the same drill with the DRC's repositories on a real S3
//! server (Garage, started here): backups written by the rustic_core mover, restored by the
//! DRC agent process over gRPC from S3, checksums verified, and the restic CLI reads the
//! result from S3 with each agency's own key.

mod common;

use common::*;

#[test]
fn a_local_drill_with_its_repositories_in_s3() {
    let s3 = S3Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("drill");
    let base = s3.url("drc");
    let envs = s3.envs();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pusdata"));
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("LANG", "C.UTF-8")
        .env_remove("PUSDATA_LANG")
        .env_remove("RUST_LOG")
        .args([
            "drill",
            "--local",
            "--mib-per-service",
            "1",
            "--s3-repo",
            &base,
            "--workdir",
        ])
        .arg(&work);
    for (k, v) in &envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Every step succeeded, and every verification compared checksums with the primary's.
    let failover: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(work.join("failover.yaml")).unwrap())
            .unwrap();
    assert_eq!(failover["status"]["phase"], "Succeeded");
    let steps = failover["status"]["steps"].as_array().unwrap();
    let verifies: Vec<_> = steps
        .iter()
        .filter(|s| s["id"].as_str().unwrap().starts_with("verify/"))
        .collect();
    assert_eq!(verifies.len(), 9);
    for v in verifies {
        assert_eq!(v["state"], "Succeeded", "{v}");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains("matches the primary's"),
            "{v}"
        );
    }
    // Nothing was written to local repositories: they are in S3.
    assert!(!work.join("drc/repos/disdukcapil/config").exists());

    // The restic CLI reads the agency's repository from S3 with that agency's key, and
    // checks every pack; another agency's key does not open it.
    let env_refs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let repo = format!("{base}/disdukcapil");
    let keys = work.join("drc/keys");
    let snaps = restic(
        &repo,
        &keys.join("disdukcapil.key"),
        &["snapshots", "--json"],
        &env_refs,
    );
    assert!(
        snaps.status.success(),
        "{}",
        String::from_utf8_lossy(&snaps.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&snaps.stdout).unwrap();
    assert!(!list.as_array().unwrap().is_empty());
    let check = restic(
        &repo,
        &keys.join("disdukcapil.key"),
        &["check", "--read-data"],
        &env_refs,
    );
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let wrong = restic(&repo, &keys.join("dpmptsp.key"), &["snapshots"], &env_refs);
    assert!(!wrong.status.success());
}

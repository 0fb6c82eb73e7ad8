#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `pusdata drill --local` end to end, the README's first command: real mover, real second
//! process over gRPC with mTLS, real restic repositories read back by the restic CLI.

use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

fn pusdata() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pusdata"));
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("LANG", "C.UTF-8")
        .env_remove("PUSDATA_LANG")
        .env_remove("RUST_LOG");
    c
}

fn restic(repo: &Path, key: &Path, args: &[&str]) -> std::process::Output {
    Command::new("restic")
        .arg("-r")
        .arg(repo)
        .arg("--password-file")
        .arg(key)
        .args(["--no-cache"])
        .args(args)
        .output()
        .expect("the restic CLI is installed (tests/run.sh installs it)")
}

#[test]
fn a_local_drill_restores_every_service_and_writes_a_verifiable_report() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("drill");
    let out = pusdata()
        .args(["drill", "--local", "--mib-per-service", "1", "--workdir"])
        .arg(&work)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for tier in ["tier-1-critical", "tier-2-public", "tier-3-office"] {
        assert!(stdout.contains(tier), "{stdout}");
    }

    // The report is tamper-evident: the sidecar holds the HTML's SHA-256.
    let html = std::fs::read(work.join("report.html")).unwrap();
    let sidecar = std::fs::read_to_string(work.join("report.html.sha256")).unwrap();
    let digest: String = Sha256::digest(&html)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(sidecar.starts_with(&digest), "{sidecar} vs {digest}");
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("<svg"), "the report has its timeline chart");
    assert!(html.contains("siak-db") && html.contains("tier-3-office"));
    let md = std::fs::read_to_string(work.join("report.md")).unwrap();
    assert!(
        md.contains("Laporan"),
        "the report is in Bahasa Indonesia too"
    );

    // The recorded execution: every step succeeded, manual sign-offs are marked automatic.
    let failover: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(work.join("failover.yaml")).unwrap())
            .unwrap();
    assert_eq!(failover["status"]["phase"], "Succeeded");
    let steps = failover["status"]["steps"].as_array().unwrap();
    assert!(steps.len() >= 18, "{} steps", steps.len());
    for s in steps {
        assert_eq!(s["state"], "Succeeded", "{s}");
    }
    let signed: Vec<_> = steps
        .iter()
        .filter(|s| s.get("approvedBy").is_some())
        .collect();
    assert!(!signed.is_empty());
    for s in signed {
        assert!(
            s["approvedBy"]["username"]
                .as_str()
                .unwrap()
                .contains("automatic sign-off")
        );
    }
    // Restores ran in parallel where the plan allows: independent databases start together.
    let start = |id: &str| {
        steps.iter().find(|s| s["id"] == id).unwrap()["startedAt"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(start("restore/siak-db"), start("restore/perizinan-db"));
    assert!(
        start("restore/siak-app") >= start("verify/siak-db"),
        "apps after their databases"
    );

    // No lock-in and no shared keys: restic reads each agency's repository with that
    // agency's key only.
    let repos = work.join("drc/repos");
    let keys = work.join("drc/keys");
    let snaps = restic(
        &repos.join("disdukcapil"),
        &keys.join("disdukcapil.key"),
        &["snapshots", "--json"],
    );
    assert!(
        snaps.status.success(),
        "{}",
        String::from_utf8_lossy(&snaps.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&snaps.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2, "siak-db and siak-app");
    let tags = list[0]["tags"].as_array().unwrap();
    assert!(tags.iter().any(|t| t == "agency=disdukcapil"));
    assert!(
        restic(
            &repos.join("disdukcapil"),
            &keys.join("disdukcapil.key"),
            &["check"]
        )
        .status
        .success()
    );
    let wrong = restic(
        &repos.join("disdukcapil"),
        &keys.join("dpmptsp.key"),
        &["snapshots"],
    );
    assert!(
        !wrong.status.success(),
        "another agency's key must not open the repository"
    );

    // The drill's restores were torn down; the primary's data was moved away, never deleted.
    assert!(!work.join("drc/restores/drill").exists());
    assert!(work.join("primary.lost/disdukcapil/siak-db").is_dir());
}

#[test]
fn a_drill_never_writes_into_a_used_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.txt"), "earlier results").unwrap();
    let out = pusdata()
        .args(["drill", "--local", "--workdir"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("keep.txt")).unwrap(),
        "earlier results"
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn a_plan_that_does_not_exist_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pusdata()
        .args([
            "drill",
            "--local",
            "--plan",
            "dr-plans/nope.yaml",
            "--workdir",
        ])
        .arg(tmp.path().join("w"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.yaml"));
}

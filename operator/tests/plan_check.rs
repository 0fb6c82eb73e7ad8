#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `pusdata plan check` as a user runs it: the real binary on the reference plan, and on
//! broken copies of it written to a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plans_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../dr-plans")
}

fn pusdata(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("PUSDATA_LANG")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A copy of dr-plans/ with one edit to bekasi.yaml; panics if the edit does not apply, so a
/// change to the reference plan cannot silently turn a test into a no-op.
fn broken(from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read_to_string(plans_dir().join("bekasi.yaml")).unwrap();
    assert!(
        plan.contains(from),
        "reference plan no longer contains {from:?}"
    );
    std::fs::write(dir.path().join("bekasi.yaml"), plan.replacen(from, to, 1)).unwrap();
    std::fs::copy(
        plans_dir().join("repositories.yaml"),
        dir.path().join("repositories.yaml"),
    )
    .unwrap();
    dir
}

fn check_dir(dir: &Path, extra: &[&str]) -> Output {
    let d = dir.to_str().unwrap();
    let mut args = vec!["plan", "check", d];
    args.extend_from_slice(extra);
    pusdata(&args)
}

#[test]
fn the_reference_plan_passes() {
    let o = check_dir(&plans_dir(), &["--lang", "en"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("DisasterRecoveryPlan/bekasi: ok"));
    let o = check_dir(&plans_dir(), &["--output", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["deny"], 0);
    assert_eq!(v["plans"][0], "bekasi");
}

#[test]
fn a_dependency_cycle_is_named() {
    let dir = broken(
        "          sizeHintBytes: 40000000000\n",
        "          sizeHintBytes: 40000000000\n          dependsOn: [siak-app]\n",
    );
    let o = check_dir(dir.path(), &["--lang", "en"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("  1. DisasterRecoveryPlan/bekasi: [DENY] DR-PLAN"),
        "{out}"
    );
    assert!(
        out.contains("dependency cycle: siak-db → siak-app → siak-db"),
        "{out}"
    );
}

#[test]
fn an_uncovered_member_is_found() {
    let dir = broken(
        "dependsOn: [portal-db]\n          sizeHintBytes: 3000000000",
        "dependsOn: [portal-db, portal-cache]\n          sizeHintBytes: 3000000000",
    );
    let o = check_dir(dir.path(), &["--output", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["number"], 1);
    assert_eq!(f["rule"], "APP-BACKUP");
    assert_eq!(f["severity"], "deny");
    assert!(
        f["message"]["en"]
            .as_str()
            .unwrap()
            .contains("portal-cache")
    );
    assert!(
        f["message"]["id"]
            .as_str()
            .unwrap()
            .contains("tidak tercakup tier")
    );
}

#[test]
fn a_schedule_too_sparse_for_the_rpo_fails() {
    let dir = broken("schedule: \"*/15 * * * *\"", "schedule: \"0 */2 * * *\"");
    let o = check_dir(dir.path(), &["--lang", "id"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("DR-PLAN"), "{out}");
    assert!(out.contains("spec.tiers[0].schedule"), "{out}");
    assert!(out.contains("menyisakan jeda hingga 2h"), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("tolak"));
}

#[test]
fn a_drc_in_bekasi_breaks_dr_far() {
    let dir = broken(
        "  city: Kota Bandung\n  province: Jawa Barat\n  country: ID\n  coordinates: { latitude: -6.9175, longitude: 107.6191 }",
        "  city: Kota Bekasi\n  province: Jawa Barat\n  country: ID\n  coordinates: { latitude: -6.25, longitude: 107.0 }",
    );
    let o = check_dir(dir.path(), &["--lang", "en"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("[DENY] DR-FAR (Perda 26(11)"), "{out}");
    assert!(
        out.contains("Site/drc-bandung spec.city: DRC drc-bandung is in \"Kota Bekasi\""),
        "{out}"
    );
    assert!(
        out.contains("Site/drc-bandung: [DENY] DR-FAR"),
        "the Site's own CEL rule applies too: {out}"
    );
    assert!(out.contains("Site/drc-bandung spec.coordinates"), "{out}");
}

#[test]
fn a_drc_abroad_breaks_dr_nkri() {
    let dir = broken(
        "  city: Kota Bandung\n  province: Jawa Barat\n  country: ID",
        "  city: Singapore\n  province: Singapore\n  country: SG",
    );
    let o = check_dir(dir.path(), &["--output", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert!(rules.iter().any(|r| r == "DR-NKRI"), "{rules:?}");
}

#[test]
fn unreadable_input_exits_2_naming_the_file() {
    let o = pusdata(&["plan", "check", "/nonexistent/plan.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/plan.yaml"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "kind: [unclosed\n").unwrap();
    let o = pusdata(&["plan", "check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.yaml"));

    let shape = dir.path().join("shape.yaml");
    std::fs::write(
        &shape,
        "apiVersion: pusdata.io/v1alpha1\nkind: DisasterRecoveryPlan\nmetadata: {name: x}\nspec: {title: 3}\n",
    )
    .unwrap();
    let o = pusdata(&["plan", "check", shape.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shape.yaml"));
}

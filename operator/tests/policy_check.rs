#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `pusdata policy check`, the real binary: the shipped examples and the reference DRP pass,
//! every known-bad manifest fails with the rule it was written to break, and the output
//! formats and exit codes are what CI tools rely on.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const NOW: &str = "2026-11-25T00:00:00Z";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn pusdata(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .current_dir(root())
        .env("PUSDATA_LANG", "en")
        .args(args)
        .output()
        .unwrap()
}

fn yaml_in(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    v
}

#[test]
fn examples_and_reference_plan_pass() {
    let mut args = vec!["policy", "check", "--now", NOW, "dr-plans"];
    let files = yaml_in("docs/examples");
    args.extend(files.iter().map(String::as_str));
    let out = pusdata(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 denied"), "{stdout}");
}

#[test]
fn every_bad_example_fails_with_its_rule() {
    let files = yaml_in("docs/examples/bad");
    assert!(files.len() >= 15, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{file} lacks '# expect: RULE'"))
            .trim()
            .to_string();
        let out = pusdata(&["policy", "check", "--now", NOW, "--output", "json", &file]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let denied: Vec<&str> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["findings"].as_array().unwrap())
            .filter(|f| f["severity"] == "deny")
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert!(!denied.is_empty(), "{file}");
        assert!(
            denied.iter().all(|r| *r == expected),
            "{file}: expected only {expected}, got {denied:?}"
        );
    }
}

#[test]
fn sarif_output_is_sarif_2_1_0_with_rule_ids() {
    let out = pusdata(&[
        "policy",
        "check",
        "--now",
        NOW,
        "--output",
        "sarif",
        "docs/examples/bad/one-psu.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "HOST-POWER");
    assert_eq!(result["level"], "error");
    let idx = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], "HOST-POWER");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "docs/examples/bad/one-psu.yaml"
    );
}

#[test]
fn text_in_indonesian_and_stdin() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .current_dir(root())
        .args(["--lang", "id", "policy", "check", "--now", NOW, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bad = std::fs::read(root().join("docs/examples/bad/cloud-foreign-region.yaml")).unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &bad).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("<stdin>"), "{stdout}");
    assert!(stdout.contains("di luar negara yang diizinkan"), "{stdout}");
    assert!(stdout.contains("ditolak"), "{stdout}");
}

#[test]
fn unreadable_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        "apiVersion: pusdata.io/v1alpha1\nkind: Site\nspec: [unclosed\n",
    )
    .unwrap();
    let out = pusdata(&["policy", "check", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml"));

    let missing = dir.path().join("missing.yaml");
    let out = pusdata(&["policy", "check", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.yaml"));

    let wrong_shape = dir.path().join("shape.yaml");
    std::fs::write(
        &wrong_shape,
        "apiVersion: pusdata.io/v1alpha1\nkind: Site\nmetadata: {name: x}\nspec: {role: 7}\n",
    )
    .unwrap();
    let out = pusdata(&["policy", "check", wrong_shape.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shape.yaml"));
}

#[test]
fn exceptions_show_in_json_and_expire() {
    // The example policy excepts disdik/lms-media from CLOUD-NKRI until 2027-01-31.
    let dir = tempfile::tempdir().unwrap();
    let ecs = dir.path().join("ecs.yaml");
    std::fs::write(
        &ecs,
        std::fs::read_to_string(root().join("docs/examples/bad/cloud-foreign-region.yaml"))
            .unwrap(),
    )
    .unwrap();
    let policy = root().join("docs/examples/residency-policy.yaml");
    let run = |now: &str| {
        pusdata(&[
            "policy",
            "check",
            "--output",
            "json",
            "--now",
            now,
            policy.to_str().unwrap(),
            ecs.to_str().unwrap(),
        ])
    };
    let before = run(NOW);
    assert!(before.status.success());
    let report: Value = serde_json::from_slice(&before.stdout).unwrap();
    let excepted = &report["results"][1]["excepted"][0];
    assert_eq!(excepted["exception"], "disdik-lms-migration");
    assert_eq!(excepted["finding"]["rule"], "CLOUD-NKRI");

    let after = run("2027-02-01T00:00:00Z");
    assert_eq!(after.status.code(), Some(1));
    let text = String::from_utf8_lossy(&after.stdout);
    assert!(
        text.contains("exception disdik-lms-migration expired"),
        "{text}"
    );
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The command line as a user meets it: help, version, completions, CRD generation, languages
//! and honest "not built yet" answers.

use pusdata_tests::{pusdata, stderr, stdout};

#[test]
fn help_lists_every_subcommand() {
    let out = pusdata(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for cmd in [
        "operator",
        "webhook",
        "agent",
        "mover",
        "policy",
        "place",
        "plan",
        "drill",
        "crd",
        "completions",
        "version",
    ] {
        assert!(text.contains(cmd), "--help does not mention {cmd}:\n{text}");
    }
}

#[test]
fn version_names_the_api() {
    let out = pusdata(&["version"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("pusdata 0."), "{text}");
    assert!(text.contains("pusdata.io/v1alpha1"), "{text}");
}

#[test]
fn completions_for_bash_mention_subcommands() {
    let out = pusdata(&["completions", "bash"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("drill"));
}

#[test]
fn crd_prints_twelve_documents_and_check_passes_on_the_repo() {
    let out = pusdata(&["crd"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert_eq!(text.matches("kind: CustomResourceDefinition").count(), 12);
    let out = pusdata(&["crd", "--check"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn crd_check_fails_on_a_drifted_copy() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    assert!(pusdata(&["crd", "--write", root]).status.success());
    assert!(pusdata(&["crd", "--check", root]).status.success());
    let f = dir.path().join("crds/yaml/racks.pusdata.io.yaml");
    let text = std::fs::read_to_string(&f)
        .unwrap()
        .replace("heightU", "heightUnits");
    std::fs::write(&f, text).unwrap();
    let out = pusdata(&["crd", "--check", root]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("racks.pusdata.io.yaml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn messages_follow_lang_flag_and_locale() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let out = pusdata(&["--lang", "id", "crd", "--write", root]);
    assert!(
        stderr(&out).contains("berkas hasil generate ditulis"),
        "{}",
        stderr(&out)
    );
    let out = std::process::Command::new(pusdata_tests::pusdata_bin())
        .args(["crd", "--write", root])
        .env("LANG", "id_ID.UTF-8")
        .env_remove("PUSDATA_LANG")
        .env_remove("LC_ALL")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("berkas hasil generate ditulis"),
        "{}",
        stderr(&out)
    );
    let out = pusdata(&["crd", "--write", root]);
    assert!(stderr(&out).contains("wrote"), "{}", stderr(&out));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let out = pusdata(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn drill_without_a_place_says_where_in_both_languages() {
    let out = pusdata(&["drill"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--local") && err.contains("approve") && err.contains("sebutkan"),
        "{err}"
    );
}

#[test]
fn commands_not_built_yet_say_so_and_exit_3() {
    let args = ["operator", "--role", "drc"];
    let out = pusdata(&args);
    assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("not built yet") && err.contains("belum dibangun"),
        "{args:?}: {err}"
    );
    assert!(err.contains("issue #"), "{err}");
}

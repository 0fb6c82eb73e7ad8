#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue 19 item 4, the real binary: the CLI speaks the user's language only — `--lang`,
//! else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English — and never prints both
//! languages joined by " / ".

use std::process::{Command, Output};

/// Runs `pusdata` with a clean locale environment plus `env`.
fn pusdata(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pusdata"));
    for v in ["LANG", "LC_ALL", "LC_MESSAGES", "PUSDATA_LANG", "LANGUAGE"] {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().copied()).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const EN: &str = "say where: `pusdata drill --local` runs a whole drill on this machine";
const ID: &str = "sebutkan di mana: `pusdata drill --local` menjalankan latihan penuh di mesin ini";

#[test]
fn plain_drill_answers_in_indonesian_only_under_an_indonesian_locale() {
    let o = pusdata(&["drill"], &[("LANG", "id_ID.UTF-8")]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(ID), "{err}");
    assert!(!err.contains("say where"), "English leaked: {err}");
    assert!(!err.contains(" / "), "both languages joined: {err}");
}

#[test]
fn plain_drill_answers_in_english_only_by_default() {
    for env in [
        &[][..],
        &[("LANG", "C.UTF-8")][..],
        &[("LANG", "en_US.UTF-8")][..],
    ] {
        let o = pusdata(&["drill"], env);
        let err = stderr(&o);
        assert!(err.contains(EN), "{env:?}: {err}");
        assert!(
            !err.contains("sebutkan"),
            "{env:?}: Indonesian leaked: {err}"
        );
        assert!(
            !err.contains(" / "),
            "{env:?}: both languages joined: {err}"
        );
    }
}

#[test]
fn the_flag_wins_over_the_locale_and_lc_all_over_lang() {
    let o = pusdata(&["--lang", "en", "drill"], &[("LANG", "id_ID.UTF-8")]);
    assert!(stderr(&o).contains(EN), "{}", stderr(&o));
    let o = pusdata(&["drill", "--lang", "id"], &[("LC_ALL", "en_US.UTF-8")]);
    assert!(stderr(&o).contains(ID), "{}", stderr(&o));
    let o = pusdata(
        &["drill"],
        &[("LC_ALL", "id_ID.UTF-8"), ("LANG", "en_US.UTF-8")],
    );
    assert!(stderr(&o).contains(ID), "{}", stderr(&o));
}

#[test]
fn policy_check_output_is_in_one_language() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, "apiVersion: [unterminated\n").unwrap();
    let path = file.to_str().unwrap();
    for (lang, own, other) in [
        ("id", "tidak dapat membaca", "cannot read"),
        ("en", "cannot read", "tidak dapat membaca"),
    ] {
        let o = pusdata(&["--lang", lang, "policy", "check", path], &[]);
        let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
        assert!(all.contains(own), "{lang}: {all}");
        assert!(!all.contains(other), "{lang}: {all}");
    }
}

/// Issue 19: the local drill's own errors come from the catalogue, so a drill that cannot
/// even prepare its working directory says why in the reader's language (the system's own
/// error stays an argument). Before, `DrillError::Failed` carried an English string.
#[test]
fn a_local_drill_that_cannot_start_says_why_in_indonesian() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let work = file.join("drill");
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/../dr-plans/bekasi.yaml");
    let o = pusdata(
        &[
            "drill",
            "--local",
            "--plan",
            plan,
            "--workdir",
            work.to_str().unwrap(),
            "--lang",
            "id",
        ],
        &[],
    );
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("direktori kerja") && err.contains("tidak dapat disiapkan"),
        "{err}"
    );
    assert!(!err.contains("could not be prepared"), "English: {err}");
    assert!(!err.contains(" / "), "both languages joined: {err}");
}

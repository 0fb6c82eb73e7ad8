#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `pusdata place` run as a user runs it: the real binary, the example files, a temp dir.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/placement")
}

fn place(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("PUSDATA_LANG")
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn example_requests_are_placed_with_work_orders_and_one_svg_per_rack() {
    let dir = tempfile::tempdir().unwrap();
    let (inv, req) = (
        examples().join("inventory.yaml"),
        examples().join("requests.yaml"),
    );
    let out = place(&[
        "place",
        "--inventory",
        s(&inv),
        "--requests",
        s(&req),
        "--svg-dir",
        s(dir.path()),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Affinity: the SIAK replica joins Disdukcapil's rack above the placed app server (U3).
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("disdukcapil/siak-db-replica")
                && l.contains("dc-bekasi-r1-a02 U4 ")
                && l.contains("PDU-A02-A+PDU-A02-B")
                && l.contains("10.30.8.3,10.30.8.4")),
        "{stdout}"
    );
    // The manager's pin is honoured.
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("bapenda/pbb-app-server")
                && l.contains("dc-bekasi-r1-a03 U10-11")
                && l.contains("(pinned)")),
        "{stdout}"
    );
    assert_eq!(stdout.matches("WO-").count(), 3, "{stdout}");
    let mut svgs: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    svgs.sort();
    assert_eq!(svgs.len(), 5, "{svgs:?}");
    let a02 = std::fs::read_to_string(dir.path().join("dc-bekasi-r1-a02.svg")).unwrap();
    assert!(a02.starts_with("<svg") && a02.trim_end().ends_with("</svg>"));
    assert!(a02.contains("disdukcapil · disdukcapil/siak-db-replica"));
    assert!(a02.contains("disdukcapil · disdukcapil/siak-app-server"));
}

#[test]
fn unplaceable_request_exits_1_with_counted_reasons_in_indonesian() {
    let dir = tempfile::tempdir().unwrap();
    let req = std::fs::read_to_string(examples().join("requests.yaml"))
        .unwrap()
        .replace("powerWatts: 600", "powerWatts: 5900");
    let path = dir.path().join("requests.yaml");
    std::fs::write(&path, req).unwrap();
    let out = place(&[
        "--lang",
        "id",
        "place",
        "--inventory",
        s(&examples().join("inventory.yaml")),
        "--requests",
        s(&path),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("dinkes/sik-storage"))
        .unwrap();
    assert!(line.contains("0/5 rak cocok:"), "{line}");
    assert!(
        line.contains("(HOST-POWER)") && line.contains("ditutup"),
        "{line}"
    );
    assert!(
        stdout.contains("dc-bekasi-r1-a05: tanpa")
            || stdout.contains("dc-bekasi-r1-a05: rak tidak memiliki rel 19 inci"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 dari 3 permintaan"));
}

#[test]
fn bad_input_exits_2_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.yaml");
    std::fs::write(&bad, "apiVersion: pusdata.io/v1alpha1\nkind: Rack\nmetadata: {name: x}\nspec: {heightU: forty}\n").unwrap();
    let out = place(&[
        "place",
        "--inventory",
        s(&bad),
        "--requests",
        s(&examples().join("requests.yaml")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml"));
    let missing = dir.path().join("missing.yaml");
    let out = place(&[
        "place",
        "--inventory",
        s(&examples().join("inventory.yaml")),
        "--requests",
        s(&missing),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.yaml"));
}

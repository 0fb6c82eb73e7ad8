#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue 17, the real binary: every offline command fails closed on input it cannot
//! classify, expands kubectl Lists, exits quietly on a closed pipe, and the smaller
//! conventions (quoted values, plan context, `--explain`, idempotent placement).

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

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_str().unwrap().to_string()
}

fn example(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// A YAML document indented as an item of a List's `items`.
fn as_item(doc: &str) -> String {
    let body: Vec<&str> = doc
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    let mut out = String::new();
    for (i, l) in body.iter().enumerate() {
        out.push_str(if i == 0 { "  - " } else { "    " });
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn kubectl_list(docs: &[String]) -> String {
    let mut out = String::from("apiVersion: v1\nkind: List\nmetadata: {}\nitems:\n");
    for d in docs {
        for part in d.split("\n---\n") {
            out.push_str(&as_item(part));
        }
    }
    out
}

const UNKNOWN_VERSION: &str =
    "apiVersion: pusdata.io/v9beta7\nkind: Rack\nmetadata: {name: future}\nspec: {}\n";
const UNKNOWN_KIND: &str =
    "apiVersion: pusdata.io/v1alpha1\nkind: Datacenter\nmetadata: {name: x}\n";

#[test]
fn every_offline_command_refuses_unclassifiable_input_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let empty = write(d, "empty.yaml", "");
    let future = write(d, "future.yaml", UNKNOWN_VERSION);
    let unknown = write(d, "unknown.yaml", UNKNOWN_KIND);
    let inv = root().join("docs/examples/placement/inventory.yaml");
    let req = root().join("docs/examples/placement/requests.yaml");
    let (inv, req) = (inv.to_str().unwrap(), req.to_str().unwrap());
    for (bad, what) in [
        (&empty, "no YAML document"),
        (&future, "pusdata.io/v9beta7"),
        (&unknown, "Datacenter"),
    ] {
        let runs: Vec<Vec<&str>> = vec![
            vec!["policy", "check", "--now", NOW, bad],
            vec!["plan", "check", "dr-plans/bekasi.yaml", bad],
            vec!["place", "--inventory", inv, "--requests", req, bad],
            vec!["place", "--inventory", inv, bad, "--requests", req],
            vec![
                "report",
                "compliance",
                "--now",
                NOW,
                "--format",
                "json",
                "dr-plans",
                bad,
            ],
        ];
        for args in runs {
            let out = pusdata(&args);
            let all = text(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}\n{all}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(bad.as_str()), "{args:?}\n{all}");
            assert!(stderr.contains(what), "{args:?}\n{all}");
            if bad != &empty {
                assert!(stderr.contains("document 1"), "{args:?}\n{all}");
            }
        }
    }
    // With the explicit flag they are skipped, said on stderr, and the rest is checked.
    let out = pusdata(&[
        "policy",
        "check",
        "--now",
        NOW,
        "--skip-unknown",
        "docs/examples/bad/one-psu.yaml",
        &empty,
        &future,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2 unclassifiable document(s)"),
        "{}",
        text(&out)
    );
    // Nothing left to check is never a pass.
    let out = pusdata(&["policy", "check", "--skip-unknown", &empty]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn a_kubectl_list_is_checked_item_by_item() {
    let dir = tempfile::tempdir().unwrap();
    let list = write(
        dir.path(),
        "list.yaml",
        &kubectl_list(&[example("docs/examples/bad/one-psu.yaml")]),
    );
    let out = pusdata(&["policy", "check", "--now", NOW, "--output", "json", &list]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"HOST-POWER"), "{}", text(&out));

    // A List with an item of an unknown version fails closed, naming the item.
    let list = write(
        dir.path(),
        "mixed.yaml",
        &kubectl_list(&[
            example("docs/examples/bad/one-psu.yaml"),
            UNKNOWN_VERSION.to_string(),
        ]),
    );
    let out = pusdata(&["policy", "check", "--now", NOW, &list]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("items["),
        "{}",
        text(&out)
    );

    // plan check and place read Lists too (in a directory of their own: plan check reads a
    // plan file's siblings, and mixed.yaml above would fail it closed).
    let own = dir.path().join("plan");
    std::fs::create_dir_all(&own).unwrap();
    let plan = write(
        &own,
        "plan-list.yaml",
        &kubectl_list(&[
            example("dr-plans/bekasi.yaml"),
            example("dr-plans/repositories.yaml"),
        ]),
    );
    let out = pusdata(&["plan", "check", &plan]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let inv = write(
        dir.path(),
        "inv-list.yaml",
        &kubectl_list(&[example("docs/examples/placement/inventory.yaml")]),
    );
    let out = pusdata(&[
        "place",
        "--inventory",
        &inv,
        "--requests",
        "docs/examples/placement/requests.yaml",
    ]);
    assert!(out.status.success(), "{}", text(&out));
}

/// Runs `args` with stdout connected to a pipe whose read end is already closed: every
/// write fails with EPIPE, deterministically.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .current_dir(root())
        .env("PUSDATA_LANG", "en")
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_ends_printing_quietly_with_the_commands_own_exit_code() {
    for (args, code) in [
        (
            vec![
                "place",
                "--inventory",
                "docs/examples/placement/inventory.yaml",
                "--requests",
                "docs/examples/placement/requests.yaml",
            ],
            0,
        ),
        (
            vec![
                "policy",
                "check",
                "--now",
                NOW,
                "docs/examples/bad/one-psu.yaml",
            ],
            1,
        ),
        (vec!["plan", "check", "dr-plans/bekasi.yaml"], 0),
        (vec!["completions", "bash"], 0),
        (vec!["version"], 0),
    ] {
        let out = with_closed_stdout(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

#[test]
fn under_head_and_true_in_a_real_shell_pipeline() {
    let exe = env!("CARGO_BIN_EXE_pusdata");
    for tail in ["head -1", "true"] {
        let script = format!(
            "set -o pipefail; \"{exe}\" policy check --now {NOW} dr-plans docs/examples/agency.yaml | {tail} >/dev/null; echo \"status=${{PIPESTATUS[0]}}\""
        );
        let out = Command::new("bash")
            .current_dir(root())
            .env("PUSDATA_LANG", "en")
            .args(["-c", &script])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stdout.contains("status=0"), "{tail}: {stdout}{stderr}");
        assert!(!stderr.contains("panicked"), "{tail}: {stderr}");
    }
}

#[test]
fn plan_check_on_the_plan_file_alone_reads_its_siblings_like_drill() {
    let out = pusdata(&["plan", "check", "dr-plans/bekasi.yaml"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(!all.contains("BackupRepository"), "{all}");
    // Given twice (file and directory), nothing is read twice.
    let out = pusdata(&["plan", "check", "dr-plans/bekasi.yaml", "dr-plans"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn an_unknown_flag_is_not_answered_with_log_format() {
    let out = pusdata(&["plan", "check", "--format", "json", "dr-plans/bekasi.yaml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("--log-format"), "{stderr}");
    // `--format` is what `report compliance` calls it; the checkers accept it for --output.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"].is_array());
    let out = pusdata(&["policy", "check", "--outptu", "json", "dr-plans"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--output"), "{stderr}");
    assert!(!stderr.contains("--log-format"), "{stderr}");
}

#[test]
fn values_in_messages_are_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let ecs = write(
        dir.path(),
        "ecs.yaml",
        &example("docs/examples/external-cloud.yaml")
            .replace("region: ap-southeast-3", "region: \"\""),
    );
    let out = pusdata(&["policy", "check", "--now", NOW, &ecs]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stdout.contains("region \"\" of provider \"aws\""),
        "{stdout}"
    );
}

#[test]
fn place_refuses_empty_request_and_inventory_files_alike() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.yaml", "");
    let inv = "docs/examples/placement/inventory.yaml";
    let req = "docs/examples/placement/requests.yaml";
    for args in [
        ["place", "--inventory", inv, "--requests", &empty],
        ["place", "--inventory", &empty, "--requests", req],
    ] {
        let out = pusdata(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("empty.yaml"),
            "{}",
            text(&out)
        );
    }
}

#[test]
fn place_explain_shows_every_racks_reasons_for_placed_requests_too() {
    let inv = "docs/examples/placement/inventory.yaml";
    let req = "docs/examples/placement/requests.yaml";
    let plain = pusdata(&["place", "--inventory", inv, "--requests", req]);
    let explained = pusdata(&["place", "--explain", "--inventory", inv, "--requests", req]);
    assert!(plain.status.success(), "{}", text(&plain));
    assert!(explained.status.success(), "{}", text(&explained));
    let (p, e) = (
        String::from_utf8_lossy(&plain.stdout).to_string(),
        String::from_utf8_lossy(&explained.stdout).to_string(),
    );
    assert!(e.lines().count() > p.lines().count(), "{p}\n---\n{e}");
    // A placed request's block names the racks that refused it and why.
    assert!(
        e.lines()
            .any(|l| l.starts_with("    ") && l.contains(": ") && l.contains("dc-bekasi-r")),
        "{e}"
    );
}

fn placed_request_without_status() -> String {
    let inv = example("docs/examples/placement/inventory.yaml");
    let doc = inv
        .split("\n---\n")
        .find(|d| d.contains("name: siak-app-server"))
        .unwrap();
    doc.split("\nstatus:").next().unwrap().to_string() + "\n"
}

#[test]
fn resubmitting_a_placed_request_leaves_it_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let req = write(dir.path(), "again.yaml", &placed_request_without_status());
    let out = pusdata(&[
        "place",
        "--inventory",
        "docs/examples/placement/inventory.yaml",
        "--requests",
        &req,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    let line = stdout
        .lines()
        .find(|l| l.starts_with("disdukcapil/siak-app-server"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("dc-bekasi-r1-a02 U3 "), "{stdout}");
    assert!(line.contains("WO-000000000001"), "{stdout}");
    assert!(line.contains("already placed"), "{stdout}");
    // No second address, no second work order.
    assert!(!stdout.contains("10.30.8.3"), "{stdout}");
}

const SAME_FEED_RACK: &str = "apiVersion: pusdata.io/v1alpha1
kind: Rack
metadata: { name: dc-bekasi-r9-x01 }
spec:
  site: dc-bekasi
  heightU: 42
  depthMm: 1070
  feedA: { name: PDU-X, capacityWatts: 7360, maxUtilizationPercent: 80 }
  feedB: { name: pdu-x, capacityWatts: 7360, maxUtilizationPercent: 80 }
  coolingWatts: 6000
";

#[test]
fn a_rack_whose_two_feeds_are_one_is_refused_and_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let rack = write(dir.path(), "rack.yaml", SAME_FEED_RACK);
    let out = pusdata(&["policy", "check", "--now", NOW, "--output", "json", &rack]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("HOST-POWER"), "{stdout}");
    assert!(stdout.contains("spec.feedB.name"), "{stdout}");

    // An inventory of only that rack: the two-PSU devices cannot be placed on PDU-X+PDU-X.
    let site = example("docs/examples/placement/inventory.yaml")
        .split("\n---\n")
        .find(|d| d.contains("kind: Site"))
        .unwrap()
        .to_string();
    let inv = write(
        dir.path(),
        "inv.yaml",
        &format!("{site}\n---\n{SAME_FEED_RACK}"),
    );
    let req = write(dir.path(), "req.yaml", &placed_request_without_status());
    let out = pusdata(&["place", "--inventory", &inv, "--requests", &req]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!stdout.contains("PDU-X+pdu-x"), "{stdout}");
    assert!(stdout.contains("feeds A and B"), "{stdout}");
}

#[test]
fn web_host_names_are_checked_as_dns_names_before_the_suffix() {
    let dir = tempfile::tempdir().unwrap();
    let base = example("docs/examples/bad/wrong-subdomain.yaml");
    for (host, why) in [
        ("a..disdukcapil.bekasikota.go.id", "empty label"),
        ("a.*.disdukcapil.bekasikota.go.id", "wildcard"),
        ("xn--a.disdukcapil.bekasikota.go.id", "not a valid DNS name"),
        (
            &format!("{}.disdukcapil.bekasikota.go.id", "a".repeat(64)),
            "not a valid DNS name",
        ),
    ] {
        let f = write(
            dir.path(),
            "web.yaml",
            &base.replace("lms.disdik.bekasikota.go.id", host),
        );
        let out = pusdata(&["policy", "check", "--now", NOW, "--output", "json", &f]);
        assert_eq!(out.status.code(), Some(1), "{host}\n{}", text(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["findings"].as_array().unwrap())
            .find(|f| f["rule"] == "WEB-DC")
            .unwrap_or_else(|| panic!("{host}: {report}"));
        assert_eq!(f["path"], "spec.web.hostnames[0]", "{host}");
        assert!(
            f["message"]["en"].as_str().unwrap().contains(why),
            "{host}: {f}"
        );
    }
    // Unicode names under the agency's subdomain pass as punycode.
    let f = write(
        dir.path(),
        "web.yaml",
        &base.replace(
            "lms.disdik.bekasikota.go.id",
            "\"*.pendaftaran-bücher.disdukcapil.bekasikota.go.id\"",
        ),
    );
    let out = pusdata(&["policy", "check", "--now", NOW, &f]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_drc_whose_city_differs_only_in_spacing_and_case_is_the_same_city() {
    let dir = tempfile::tempdir().unwrap();
    let plan = example("dr-plans/bekasi.yaml")
        .replace("  city: Kota Bandung\n", "  city: \"KOTA  Bekasi\"\n");
    let p = write(dir.path(), "bekasi.yaml", &plan);
    write(
        dir.path(),
        "repositories.yaml",
        &example("dr-plans/repositories.yaml"),
    );
    let out = pusdata(&["plan", "check", &p]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(stdout.contains("DR-FAR"), "{stdout}");
    assert!(stdout.contains("\"kota bekasi\""), "{stdout}");

    // drill --local refuses what plan check refuses, with the findings, before any work.
    let work = dir.path().join("work");
    let out = pusdata(&[
        "drill",
        "--local",
        "--plan",
        &p,
        "--workdir",
        work.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(stderr.contains("DR-FAR"), "{stderr}");
    assert!(stderr.contains("--allow-findings"), "{stderr}");
    assert!(!work.join("primary").exists());
}

/// `drill --local --allow-findings` drills a plan that `plan check` refuses, and says so:
/// the findings are printed after the drill and written into both reports.
#[test]
fn allow_findings_drills_a_refused_plan_and_reports_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let plan = example("dr-plans/bekasi.yaml")
        .replace("  city: Kota Bandung\n", "  city: \"KOTA  Bekasi\"\n");
    let p = write(dir.path(), "bekasi.yaml", &plan);
    write(
        dir.path(),
        "repositories.yaml",
        &example("dr-plans/repositories.yaml"),
    );
    let work = dir.path().join("work");
    let out = pusdata(&[
        "drill",
        "--local",
        "--allow-findings",
        "--mib-per-service",
        "1",
        "--plan",
        &p,
        "--workdir",
        work.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout.contains("plan check finding(s) (--allow-findings)"),
        "{stdout}"
    );
    assert!(stdout.contains("DR-FAR"), "{stdout}");
    let md = std::fs::read_to_string(work.join("report.md")).unwrap();
    assert!(md.contains("DR-FAR"), "{md}");
    let html = std::fs::read_to_string(work.join("report.html")).unwrap();
    assert!(html.contains("DR-FAR"));
}

fn rack_doc(i: usize) -> String {
    format!(
        "apiVersion: pusdata.io/v1alpha1
kind: Rack
metadata: {{ name: r{i:05} }}
spec:
  site: dc-bekasi
  heightU: 42
  depthMm: 1070
  feedA: {{ name: PDU-{i:05}-A, capacityWatts: 7360, maxUtilizationPercent: 80 }}
  feedB: {{ name: PDU-{i:05}-B, capacityWatts: 7360, maxUtilizationPercent: 80 }}
  coolingWatts: 6000
"
    )
}

fn placed_doc(template: &str, i: usize, rack: usize) -> String {
    template
        .replace("name: siak-app-server", &format!("name: placed-{i:06}"))
        .replace("rack: dc-bekasi-r1-a02", &format!("rack: r{rack:05}"))
        .replace("positionU: 3", "positionU: 1")
        .replace("[10.30.8.2]", "[]")
}

#[test]
fn an_inventory_of_many_files_directories_and_lists_loads_past_1024_documents() {
    let dir = tempfile::tempdir().unwrap();
    let inv_dir = dir.path().join("inventory");
    std::fs::create_dir_all(inv_dir.join("racks")).unwrap();
    let site = example("docs/examples/placement/inventory.yaml")
        .split("\n---\n")
        .find(|d| d.contains("kind: Site"))
        .unwrap()
        .to_string();
    std::fs::write(inv_dir.join("site.yaml"), site).unwrap();
    // Three files of 1 100 racks each: every one over serde-saphyr's default of 1 024.
    for f in 0..3 {
        let body: Vec<String> = (f * 1100..(f + 1) * 1100).map(rack_doc).collect();
        std::fs::write(
            inv_dir.join("racks").join(format!("racks-{f}.yaml")),
            body.join("---\n"),
        )
        .unwrap();
    }
    // 2 000 placed devices in one kubectl List, each in its own rack's U1.
    let inv = example("docs/examples/placement/inventory.yaml");
    let template = inv
        .split("\n---\n")
        .find(|d| d.contains("name: siak-app-server"))
        .unwrap();
    let placed: Vec<String> = (0..2000).map(|i| placed_doc(template, i, i)).collect();
    let list = write(dir.path(), "placed-list.yaml", &kubectl_list(&placed));
    // Requests: the placed device resubmitted, and fifty new ones.
    let mut reqs: Vec<String> = (0..50)
        .map(|i| {
            placed_request_without_status()
                .replace("name: siak-app-server", &format!("name: new-{i:03}"))
        })
        .collect();
    reqs.push(
        placed_doc(template, 7, 7)
            .split("\nstatus:")
            .next()
            .unwrap()
            .to_string()
            + "\n",
    );
    let req = write(dir.path(), "requests.yaml", &reqs.join("---\n"));
    let out = pusdata(&[
        "place",
        "--inventory",
        inv_dir.to_str().unwrap(),
        &list,
        "--requests",
        &req,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    let placed_lines = stdout
        .lines()
        .filter(|l| l.starts_with("disdukcapil/new-"))
        .count();
    assert_eq!(placed_lines, 50, "{stdout}");
    let kept = stdout
        .lines()
        .find(|l| l.starts_with("disdukcapil/placed-000007"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        kept.contains("r00007") && kept.contains("already placed"),
        "{kept}"
    );
    // New devices never land on a U1 that a placed device holds.
    for l in stdout.lines().filter(|l| l.starts_with("disdukcapil/new-")) {
        let rack: usize = l.split_whitespace().nth(1).unwrap()[1..].parse().unwrap();
        let u = l.split_whitespace().nth(2).unwrap();
        assert!(rack >= 2000 || u != "U1", "{l}");
    }
}

#[test]
fn yaml_bombs_deep_nesting_and_huge_files_stay_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, p) in ('b'..='j').zip('a'..='i') {
        bomb.push_str(&format!(
            "{i}: &{i} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        ));
    }
    let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    let huge = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata: {{ x: \"{}\" }}\n",
        "x".repeat(65 * 1024 * 1024)
    );
    for (name, body) in [
        ("bomb.yaml", bomb),
        ("deep.yaml", deep),
        ("huge.yaml", huge),
    ] {
        let f = write(dir.path(), name, &body);
        for args in [
            vec!["policy", "check", f.as_str()],
            vec![
                "place",
                "--inventory",
                f.as_str(),
                "--requests",
                "docs/examples/placement/requests.yaml",
            ],
        ] {
            let out = pusdata(&args);
            assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains(name),
                "{}",
                text(&out)
            );
        }
    }
}

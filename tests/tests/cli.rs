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
        "report",
        "crd",
        "chart",
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
fn drill_without_a_place_says_where_in_the_users_language_only() {
    // Issue #19: the CLI answers in one language, never both joined by " / ".
    let out = pusdata(&["drill"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--local") && err.contains("approve"), "{err}");
    assert!(
        err.contains("say where") && !err.contains("sebutkan"),
        "{err}"
    );
    let out = pusdata(&["--lang", "id", "drill"]);
    let err = stderr(&out);
    assert!(
        err.contains("sebutkan") && !err.contains("say where"),
        "{err}"
    );
}

#[test]
fn operator_without_a_cluster_says_so_for_both_roles() {
    // The DRC role now runs (lease and webhook certificates); without a cluster both roles
    // stop at once with a usage error naming the API, instead of hanging.
    for role in ["primary", "drc"] {
        let out = std::process::Command::new(pusdata_tests::pusdata_bin())
            .args(["operator", "--role", role])
            .env("KUBECONFIG", "/nonexistent/kubeconfig")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env_remove("KUBERNETES_SERVICE_PORT")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{role}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("Kubernetes API"),
            "{role}: {}",
            stderr(&out)
        );
    }
}

fn compliance_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["report", "compliance", "--format", "json"];
    all.extend_from_slice(args);
    let out = pusdata(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn rule<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

#[test]
fn compliance_report_over_the_plans_and_good_examples_lists_all_twenty_rules() {
    // The good examples only (bad/ is read in the next test): nothing in them breaks a rule
    // that is checked automatically, except that the example drill has not run.
    let good: Vec<String> = std::fs::read_dir(pusdata_tests::repo_root().join("docs/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["dr-plans", "--now", "2026-12-01T00:00:00Z"];
    args.extend(good.iter().map(String::as_str));
    let r = compliance_json(&args);
    assert_eq!(r["schemaVersion"], 1);
    let rules = r["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 20);
    for id in [
        "HOST-PLACE",
        "CLOUD-NKRI",
        "DR-FAR",
        "DR-NKRI",
        "APP-BACKUP",
        "SEC-INCIDENT",
        "AUDIT",
    ] {
        assert!(rules.iter().any(|x| x["id"] == id), "{id}");
    }
    for x in rules {
        assert!(x["source"].as_str().unwrap().contains("Per"), "{x}");
        assert!(x["checked"]["id"].is_string());
    }
    for id in ["DR-FAR", "DR-NKRI", "DATA-DC", "CLOUD-NKRI", "DR-PLAN"] {
        assert_eq!(rule(&r, id)["status"], "compliant", "{}", rule(&r, id));
    }
    assert_eq!(rule(&r, "HOST-SITE")["status"], "not-checked");
    // The example exception is in force on 2026-12-01 and suppresses its finding.
    let e = &r["exceptions"][0];
    assert_eq!(
        (e["name"].as_str(), e["expired"].as_bool()),
        (Some("disdik-lms-migration"), Some(false))
    );
    // The example drill never ran: listed, without RPO/RTO.
    assert_eq!(r["drills"][0]["plan"], "bekasi");
    assert_eq!(r["drills"][0]["drill"], "drill-2026-q4-tier1");
}

#[test]
fn compliance_report_with_the_bad_examples_and_an_expired_exception_shows_findings() {
    let r = compliance_json(&["dr-plans", "docs/examples", "--now", "2027-02-01T00:00:00Z"]);
    assert_eq!(r["rules"].as_array().unwrap().len(), 20);
    let far = rule(&r, "DR-FAR");
    assert_eq!(far["status"], "findings");
    let sources: Vec<&str> = far["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert!(
        sources
            .iter()
            .any(|s| s.ends_with("bad/drc-in-bekasi.yaml")),
        "{sources:?}"
    );
    for id in [
        "HOST-POWER",
        "HOST-CLEAN",
        "HOST-RACK",
        "WEB-DC",
        "NET-PORTS",
        "DATA-DC",
    ] {
        assert_eq!(rule(&r, id)["status"], "findings", "{id}");
    }
    let e = &r["exceptions"][0];
    assert_eq!(e["expired"], true);
    assert_eq!(r["summary"]["expiredExceptions"], 1);
    assert!(
        rule(&r, "CLOUD-NKRI")["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"]["en"]
                .as_str()
                .unwrap()
                .contains("exception disdik-lms-migration expired")),
        "the expired exception no longer hides its finding"
    );
}

#[test]
fn compliance_report_as_html_and_markdown_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("compliance.html");
    let out = pusdata(&[
        "report",
        "compliance",
        "dr-plans",
        "docs/examples",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("20 rules"), "{}", stderr(&out));
    let text = std::fs::read_to_string(&html).unwrap();
    assert_eq!(
        text.matches("<tr class=\"rule\"").count(),
        40,
        "20 rules in each language"
    );
    // Without --lang the page holds both languages (switched at #id), each with its chart.
    assert_eq!(
        text.matches("data-rule=").count(),
        40,
        "one bar per rule in each language"
    );
    // No plan in dr-plans/ or docs/examples has a drill result: the section says so in
    // each language instead of drawing an empty chart.
    assert!(!text.contains("class=\"chart objectives\""));
    assert_eq!(text.matches("class=\"note objectives-none\"").count(), 2);
    assert!(text.contains("Laporan kepatuhan") && text.contains("Compliance report"));
    let sidecar = std::fs::read_to_string(dir.path().join("compliance.html.sha256")).unwrap();
    assert!(
        sidecar.ends_with("  compliance.html\n") && sidecar.len() == 64 + 18,
        "{sidecar}"
    );

    let out = pusdata(&[
        "report",
        "compliance",
        "dr-plans",
        "--format",
        "md",
        "--lang",
        "id",
    ]);
    assert!(out.status.success());
    let md = stdout(&out);
    assert!(md.contains("Laporan kepatuhan") && !md.contains("Compliance report"));
    assert!(md.contains("| AUDIT |"));
}

#[test]
fn the_binary_answers_as_the_kubectl_plugin_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("kubectl-pusdata");
    std::os::unix::fs::symlink(pusdata_tests::pusdata_bin(), &link).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(&link)
            .args(args)
            .current_dir(pusdata_tests::repo_root())
            .env("LANG", "C.UTF-8")
            .env_remove("PUSDATA_LANG")
            .output()
            .unwrap()
    };
    let out = run(&["--help"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("Usage: kubectl pusdata"),
        "{}",
        stdout(&out)
    );
    // `kubectl pusdata report` is the compliance report.
    let out = run(&["report", "--format", "json", "dr-plans"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["rules"].as_array().unwrap().len(), 20);
    // `place --dry-run` is the offline placement.
    let out = run(&[
        "place",
        "--dry-run",
        "--inventory",
        "docs/examples/placement/inventory.yaml",
        "--requests",
        "docs/examples/placement/requests.yaml",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Errors name the plugin, as kubectl users typed it.
    let out = run(&["no-such-command"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("kubectl pusdata"), "{}", stderr(&out));
}

#[test]
fn chart_check_passes_on_the_committed_tree_and_fails_on_a_stale_copy() {
    let root = pusdata_tests::repo_root();
    let out = std::process::Command::new(pusdata_tests::pusdata_bin())
        .args(["chart", "--check"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // A copy of the charts, deploy/ and the Helm script, whose generated ClusterRole was
    // edited by hand.
    let tmp = tempfile::tempdir().unwrap();
    for dir in [
        "charts/pusdata",
        "charts/pusdata-crds",
        "deploy",
        "tests/helm",
    ] {
        copy_tree(&root.join(dir), &tmp.path().join(dir));
    }
    let chart = tmp.path().join("charts/pusdata");
    let role = chart.join("templates/clusterrole-operator.yaml");
    let edited = std::fs::read_to_string(&role)
        .unwrap()
        .replace("- watch", "- '*'");
    std::fs::write(&role, edited).unwrap();
    let out = std::process::Command::new(pusdata_tests::pusdata_bin())
        .args(["chart", "--check"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("clusterrole-operator.yaml"),
        "{}",
        stderr(&out)
    );
    // --write repairs it.
    let out = std::process::Command::new(pusdata_tests::pusdata_bin())
        .args(["chart", "--write"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&role).unwrap(),
        std::fs::read_to_string(root.join("charts/pusdata/templates/clusterrole-operator.yaml"))
            .unwrap()
    );
    // deploy/ is Helm's rendering of the chart: a value changed without re-rendering is
    // found, and --write renders it again.
    let values = chart.join("values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, text.replace("replicas: 2", "replicas: 3")).unwrap();
    let out = std::process::Command::new(pusdata_tests::pusdata_bin())
        .args(["chart", "--check"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("deploy/primary/pusdata.yaml"),
        "{}",
        stderr(&out)
    );
    let out = std::process::Command::new(pusdata_tests::pusdata_bin())
        .args(["chart", "--write"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let deployed = std::fs::read_to_string(tmp.path().join("deploy/primary/pusdata.yaml")).unwrap();
    assert!(deployed.contains("replicas: 3"));
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

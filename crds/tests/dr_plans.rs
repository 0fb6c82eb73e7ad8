#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every file in `dr-plans/` and `docs/examples/` loads into the Rust types and passes the
//! CRDs' own rules, as the API server would check it.

use pusdata_crds::{Object, check_rules, yaml_documents};
use std::path::{Path, PathBuf};

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                // Known-bad examples are checked by the policy tests, not here.
                if !p.ends_with("bad") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn load_all(dir: &str) -> Vec<Object> {
    let mut objects = Vec::new();
    for path in yaml_files(dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        for doc in yaml_documents(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
            let obj = Object::from_value(doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // Check the rules on the typed object re-serialised, so defaults are filled in.
            let typed = obj.to_value().unwrap();
            check_rules(&typed, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            objects.push(obj);
        }
    }
    objects
}

#[test]
fn bekasi_plan_loads_and_passes_the_crd_rules() {
    let objects = load_all("dr-plans");
    let plan = objects
        .iter()
        .find_map(|o| match o {
            Object::DisasterRecoveryPlan(p) => Some(p),
            _ => None,
        })
        .expect("a DisasterRecoveryPlan in dr-plans/");
    assert_eq!(plan.spec.tiers.len(), 3);
    // Every text people read is written in both languages, and they differ (translated,
    // not copied).
    use pusdata_crds::v1alpha1::TextLanguages;
    let texts = plan
        .spec
        .tiers
        .iter()
        .filter_map(|t| t.description.as_ref())
        .chain(plan.spec.runbook.iter().map(|s| &s.title));
    let mut n = 0;
    for t in texts {
        assert_eq!(t.languages(), TextLanguages::Both, "{t:?}");
        assert_ne!(t.en(), t.id(), "{t:?}");
        n += 1;
    }
    assert_eq!(n, 3 + plan.spec.runbook.len());
    assert!(
        plan.spec
            .runbook
            .iter()
            .any(|s| s.kind == pusdata_crds::v1alpha1::StepKind::Manual)
    );
    assert!(plan.spec.tiers.iter().all(|t| !t.members.is_empty()));
    let sites = objects
        .iter()
        .filter(|o| matches!(o, Object::Site(_)))
        .count();
    assert_eq!(sites, 2);
    assert!(
        objects
            .iter()
            .any(|o| matches!(o, Object::BackupRepository(_)))
    );
}

#[test]
fn docs_examples_load_and_pass_the_crd_rules() {
    let objects = load_all("docs/examples");
    assert!(
        objects.len() >= 6,
        "docs/examples should show every user-written kind"
    );
}

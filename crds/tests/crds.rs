#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The CRDs: generated YAML matches the committed copies, schemas are structural, every CEL
//! rule compiles, and the rules accept the fixtures and reject what they must.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::*;
use pusdata_crds::{Object, all_crds, check_rules, render_all};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn committed_dir_matches(dir: &Path) {
    let files = render_all().expect("render CRDs");
    for f in &files {
        let path = dir.join(&f.file_name);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == f.yaml,
            "{} drifted from the Rust types; regenerate with `cargo run -p pusdata -- crd --write`",
            path.display()
        );
    }
    let mut expected: Vec<_> = files.iter().map(|f| f.file_name.clone()).collect();
    expected.sort();
    let mut present: Vec<_> = std::fs::read_dir(dir)
        .expect("read CRD dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pusdata.io.yaml"))
        .collect();
    present.sort();
    assert_eq!(
        present,
        expected,
        "stale or missing CRD files in {}",
        dir.display()
    );
}

#[test]
fn committed_crd_yaml_matches_the_types() {
    committed_dir_matches(&repo_root().join("crds/yaml"));
    committed_dir_matches(&repo_root().join("charts/pusdata-crds/templates"));
}

#[test]
fn every_kind_has_category_short_names_printer_columns_and_status() {
    let crds = all_crds();
    assert_eq!(crds.len(), 12);
    for crd in &crds {
        let kind = &crd.spec.names.kind;
        assert_eq!(crd.spec.group, "pusdata.io");
        assert_eq!(
            crd.spec.names.categories.as_deref(),
            Some(&["pusdata".to_string()][..]),
            "{kind}"
        );
        assert!(
            crd.spec
                .names
                .short_names
                .as_ref()
                .is_some_and(|s| !s.is_empty()),
            "{kind} short names"
        );
        let v = &crd.spec.versions[0];
        assert_eq!(v.name, "v1alpha1");
        let cols = v
            .additional_printer_columns
            .as_ref()
            .expect("printer columns");
        assert!(
            cols.iter()
                .any(|c| c.name == "Age" || c.name == "Last drill"),
            "{kind} has an Age column"
        );
        assert!(
            v.subresources
                .as_ref()
                .and_then(|s| s.status.as_ref())
                .is_some(),
            "{kind} status subresource"
        );
        let schema = serde_json::to_value(
            v.schema
                .as_ref()
                .unwrap()
                .open_api_v3_schema
                .as_ref()
                .unwrap(),
        )
        .unwrap();
        let status = &schema["properties"]["status"]["properties"];
        assert!(
            status.get("conditions").is_some(),
            "{kind} status.conditions"
        );
        assert_eq!(
            status["conditions"]["x-kubernetes-list-type"], "map",
            "{kind} conditions list-map"
        );
        assert!(
            status.get("observedGeneration").is_some(),
            "{kind} status.observedGeneration"
        );
    }
}

/// Walks a schema and reports nodes that would make it non-structural.
fn structural_problems(node: &Value, path: &str, out: &mut Vec<String>) {
    let Some(obj) = node.as_object() else { return };
    for bad in ["oneOf", "anyOf", "allOf", "not", "$ref"] {
        if obj.contains_key(bad) && !path.is_empty() && bad == "$ref" {
            out.push(format!("{path}: {bad}"));
        }
        if obj.contains_key(bad) && path.is_empty() {
            out.push(format!("<root>: {bad}"));
        }
    }
    let preserve = obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    let int_or_string = obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
    if !obj.contains_key("type") && !preserve && !int_or_string {
        out.push(format!("{path}: no type"));
    }
    if obj.get("type").and_then(Value::as_str) == Some("object")
        && !obj.contains_key("properties")
        && !obj.contains_key("additionalProperties")
        && !preserve
    {
        out.push(format!("{path}: untyped map"));
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            structural_problems(v, &format!("{path}.{k}"), out);
        }
    }
    if let Some(items) = obj.get("items") {
        structural_problems(items, &format!("{path}[]"), out);
    }
    if let Some(ap) = obj.get("additionalProperties").filter(|v| v.is_object()) {
        structural_problems(ap, &format!("{path}{{}}"), out);
    }
}

#[test]
fn schemas_are_structural() {
    for crd in all_crds() {
        let schema = schema_of(&crd);
        let mut problems = Vec::new();
        structural_problems(&schema, "", &mut problems);
        assert!(problems.is_empty(), "{}: {problems:?}", crd.spec.names.kind);
    }
}

fn collect_rules(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(rules)) = map.get("x-kubernetes-validations") {
                for r in rules {
                    out.push(r["rule"].as_str().expect("rule is a string").to_string());
                }
            }
            for v in map.values() {
                collect_rules(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_rules(v, out)),
        _ => {}
    }
}

#[test]
fn every_cel_rule_parses() {
    let mut total = 0;
    for crd in all_crds() {
        let schema = schema_of(&crd);
        let mut rules = Vec::new();
        collect_rules(&schema, &mut rules);
        for rule in &rules {
            kube::core::cel::cel::Program::compile(rule).unwrap_or_else(|e| {
                panic!("{}: rule {rule:?} does not parse: {e}", crd.spec.names.kind)
            });
        }
        let compiled = kube::core::cel::compile_schema(&schema);
        assert!(
            !compiled.has_errors(),
            "{}: {:?}",
            crd.spec.names.kind,
            compiled.compilation_errors()
        );
        total += rules.len();
    }
    assert!(
        total >= 25,
        "expected the CEL rules of every kind, found {total}"
    );
}

#[test]
fn a_typo_in_a_rule_would_be_caught() {
    // The parser really parses: an unbalanced expression is an error.
    assert!(kube::core::cel::cel::Program::compile("self.spec.role != 'Drc' ||").is_err());
}

/// The OpenAPI schema of a CRD's first version, as JSON.
fn schema_of(crd: &CustomResourceDefinition) -> Value {
    serde_json::to_value(
        crd.spec.versions[0]
            .schema
            .as_ref()
            .unwrap()
            .open_api_v3_schema
            .as_ref()
            .unwrap(),
    )
    .unwrap()
}

fn value<T: serde::Serialize>(obj: &T) -> Value {
    serde_json::to_value(obj).expect("serialize")
}

fn rule_error<T: serde::Serialize>(obj: &T) -> String {
    match check_rules(&value(obj), None) {
        Ok(()) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn fixtures_pass_their_own_rules() {
    let objects: Vec<Value> = vec![
        value(&fixtures::primary_site()),
        value(&fixtures::drc_site("Kota Bandung", fixtures::BANDUNG)),
        value(&fixtures::rack("r01", "dc-bekasi")),
        value(&fixtures::agency("disdukcapil")),
        value(&fixtures::web_request(
            "diskominfo",
            "diskominfo.bekasikota.go.id",
        )),
        value(&fixtures::colocation_request("disdukcapil")),
        value(&fixtures::approval("disdukcapil", "db-server")),
        value(&fixtures::residency_policy()),
        value(&fixtures::external_cloud("disdik", "aws", "ap-southeast-3")),
        value(&fixtures::backup_repository("disdukcapil", "drc-bandung")),
        value(&fixtures::plan()),
        value(&fixtures::drill()),
        value(&fixtures::backup("disdukcapil", "siak-data")),
        value(&fixtures::restore("disdukcapil", "siak-data")),
    ];
    for v in objects {
        if let Err(e) = check_rules(&v, None) {
            panic!("{e}");
        }
        // and they are updates of themselves (transition rules hold)
        check_rules(&v, Some(&v)).unwrap();
    }
}

#[test]
fn colocation_with_one_psu_is_rejected_by_the_crd() {
    let mut hr = fixtures::colocation_request("disdukcapil");
    hr.spec.colocation.as_mut().unwrap().device.psu_count = 1;
    let err = rule_error(&hr);
    assert!(err.contains("HOST-POWER"), "{err}");
}

#[test]
fn tower_server_is_rejected_by_the_crd() {
    let mut hr = fixtures::colocation_request("disdukcapil");
    hr.spec.colocation.as_mut().unwrap().device.form_factor = FormFactor::Tower;
    assert!(rule_error(&hr).contains("HOST-RACK"));
}

#[test]
fn colocation_without_device_and_web_without_hosts_are_rejected() {
    let mut hr = fixtures::colocation_request("disdukcapil");
    hr.spec.colocation = None;
    assert!(rule_error(&hr).contains("spec.colocation"));
    let mut web = fixtures::web_request("diskominfo", "diskominfo.bekasikota.go.id");
    web.spec.web = None;
    assert!(rule_error(&web).contains("WEB-DC"));
}

#[test]
fn drc_in_the_same_city_as_its_primary_is_rejected() {
    let drc = fixtures::drc_site("Kota Bekasi", fixtures::BEKASI);
    let err = rule_error(&drc);
    assert!(err.contains("DR-FAR"), "{err}");
    // Case does not help.
    let drc = fixtures::drc_site("KOTA BEKASI", fixtures::BEKASI);
    assert!(rule_error(&drc).contains("DR-FAR"));
    // A DRC must say which primary it protects.
    let mut drc = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    drc.spec.drc_of = None;
    assert!(rule_error(&drc).contains("drcOf"));
}

#[test]
fn zero_rpo_and_downtime_shorter_than_rto_are_rejected() {
    let mut plan = fixtures::plan();
    plan.spec.tiers[0].rpo = "0s".into();
    assert!(rule_error(&plan).contains("RPO must be greater than zero"));
    let mut plan = fixtures::plan();
    plan.spec.tiers[0].max_tolerable_downtime = Some("1h".into());
    assert!(rule_error(&plan).contains("maximum tolerable downtime"));
    let mut plan = fixtures::plan();
    plan.spec.drc_site = plan.spec.primary_site.clone();
    assert!(rule_error(&plan).contains("DR-FAR"));
    let mut plan = fixtures::plan();
    plan.spec.tiers.push(plan.spec.tiers[0].clone());
    assert!(rule_error(&plan).contains("unique"));
}

#[test]
fn bucket_keys_from_another_namespace_and_reverse_volumes_are_rejected() {
    use pusdata_crds::v1alpha1::{BucketMirror, SecretRef};
    let with = |primary_ns: Option<&str>, drc_ns: Option<&str>| {
        let mut plan = fixtures::plan();
        let m = &mut plan.spec.tiers[0].members[0];
        m.buckets = vec!["arsip".into()];
        m.bucket_mirror = Some(BucketMirror {
            primary_credentials: SecretRef {
                name: "s3-primary".into(),
                namespace: primary_ns.map(str::to_string),
            },
            drc_credentials: drc_ns.map(|ns| SecretRef {
                name: "s3-drc".into(),
                namespace: Some(ns.to_string()),
            }),
            delete_after: "24h".into(),
            ..BucketMirror::default()
        });
        rule_error(&plan)
    };
    assert_eq!(with(None, None), "");
    assert_eq!(with(Some("disdukcapil"), Some("disdukcapil")), "");
    assert!(
        with(Some("dinkes"), None).contains("SEC-CIA"),
        "{}",
        with(Some("dinkes"), None)
    );
    assert!(with(None, Some("pusdata-system")).contains("SEC-CIA"));
    let mut plan = fixtures::plan();
    plan.spec.tiers[0].members[0].bucket_mirror = Some(BucketMirror {
        delete_after: "a day".into(),
        ..BucketMirror::default()
    });
    assert!(
        !rule_error(&plan).is_empty(),
        "deleteAfter is a Go duration"
    );

    let mut b = fixtures::backup("disdukcapil", "siak-data");
    b.spec.source.reverse = true;
    assert!(
        rule_error(&b).contains("only a bucket source"),
        "{}",
        rule_error(&b)
    );
    b.spec.source.pvc = None;
    b.spec.source.bucket = Some("arsip".into());
    assert_eq!(rule_error(&b), "");
}

#[test]
fn rpo_must_be_a_duration() {
    let mut plan = fixtures::plan();
    plan.spec.tiers[0].rpo = "15 minutes".into();
    assert!(!rule_error(&plan).is_empty());
}

#[test]
fn software_without_licence_and_dr_without_tier_are_rejected() {
    let mut hr = fixtures::web_request("diskominfo", "diskominfo.bekasikota.go.id");
    hr.spec.software.os.license = None;
    assert!(rule_error(&hr).contains("HOST-LEGAL"));
    let mut hr = fixtures::web_request("diskominfo", "diskominfo.bekasikota.go.id");
    hr.spec.dr.tier = None;
    assert!(rule_error(&hr).contains("APP-BACKUP"));
    hr.spec.dr.stateless_reason = Some("static brochure site, content in git".into());
    assert_eq!(rule_error(&hr), "");
    hr.spec.dr.tier = Some("tier-2-public".into());
    assert!(
        rule_error(&hr).contains("APP-BACKUP"),
        "both at once is refused too"
    );
}

#[test]
fn exception_needs_an_expiry_and_a_rule_id() {
    let mut policy = fixtures::residency_policy();
    policy.spec.exceptions.push(fixtures::exception(
        "lms",
        "CLOUD-NKRI",
        "2027-01-01T00:00:00Z",
    ));
    assert_eq!(rule_error(&policy), "");
    let mut v = value(&policy);
    v["spec"]["exceptions"][0]
        .as_object_mut()
        .unwrap()
        .remove("expiresAt");
    let err = Object::from_value(v).unwrap_err().to_string();
    assert!(err.contains("expiresAt"), "{err}");
    policy.spec.exceptions[0].rule = "cloud nkri".into();
    assert!(rule_error(&policy).contains("rule ID"));
}

#[test]
fn approvals_cannot_be_rewritten() {
    let old = fixtures::approval("disdukcapil", "db-server");
    let mut new = old.clone();
    new.spec.decision = Decision::Rejected;
    let err = check_rules(&value(&new), Some(&value(&old)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot be re-pointed or reversed"), "{err}");
    let mut recorded = old.clone();
    recorded.spec.recorded_by = Some(RecordedIdentity {
        username: "kabid-aptika".into(),
        uid: None,
        groups: vec!["pusdata:platform".into()],
        at: fixtures::time("2026-11-02T03:00:00Z"),
    });
    let mut forged = recorded.clone();
    forged.spec.recorded_by.as_mut().unwrap().username = "someone-else".into();
    let err = check_rules(&value(&forged), Some(&value(&recorded)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("SEC-CIA"), "{err}");
}

#[test]
fn failover_needs_a_reason_and_is_immutable() {
    // The reason's length is admission's (pusdata_core::policy::execution): a string-or-map
    // node is untyped for CEL. Both forms pass the CRD's own rules.
    let mut fo = fixtures::drill();
    fo.spec.reason = LocalizedText::both("Quarterly parallel drill", "Latihan paralel triwulanan");
    assert_eq!(rule_error(&fo), "");
    let old = fixtures::drill();
    let mut new = old.clone();
    new.spec.kind = FailoverType::Failover;
    assert!(check_rules(&value(&new), Some(&value(&old))).is_err());
}

/// The bilingual texts: a node any value passes structurally (no `type` inside `anyOf` is
/// allowed), with the expected form in its description, and no CEL rule looking into it.
#[test]
fn bilingual_texts_are_untyped_nodes_without_rules() {
    let crd = all_crds()
        .into_iter()
        .find(|c| c.spec.names.kind == "DisasterRecoveryPlan")
        .unwrap();
    let schema = serde_json::to_value(&crd.spec.versions[0].schema).unwrap();
    let spec = &schema["openAPIV3Schema"]["properties"]["spec"]["properties"];
    for node in [
        &spec["runbook"]["items"]["properties"]["title"],
        &spec["tiers"]["items"]["properties"]["description"],
    ] {
        assert_eq!(node["x-kubernetes-preserve-unknown-fields"], true, "{node}");
        assert!(
            node.get("type").is_none() && node.get("anyOf").is_none(),
            "{node}"
        );
        assert!(node.get("x-kubernetes-validations").is_none(), "{node}");
    }
    let fo = all_crds()
        .into_iter()
        .find(|c| c.spec.names.kind == "Failover")
        .unwrap();
    let fo = serde_json::to_value(&fo.spec.versions[0].schema).unwrap();
    let reason = &fo["openAPIV3Schema"]["properties"]["spec"]["properties"]["reason"];
    assert_eq!(reason["x-kubernetes-preserve-unknown-fields"], true);
    assert!(
        fo["openAPIV3Schema"]["properties"]["spec"]["required"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("reason"))
    );
    let mut rules = Vec::new();
    collect_rules(&fo, &mut rules);
    assert!(rules.iter().all(|r| !r.contains("reason")), "{rules:?}");
    // A plan with both forms passes its own rules.
    let mut p = fixtures::plan();
    p.spec.tiers[0].description = Some("Basis data".into());
    p.spec.runbook = vec![RunbookStep {
        id: "declare".into(),
        title: LocalizedText::both("Declare the disaster", "Nyatakan keadaan bencana"),
        owner_role: "head".into(),
        ..RunbookStep::default()
    }];
    assert_eq!(rule_error(&p), "");
}

#[test]
fn every_fixture_round_trips_through_yaml() {
    fn round_trip<
        T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    >(
        obj: T,
    ) {
        let yaml = serde_saphyr::to_string(&obj).unwrap();
        let back: T = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(back, obj, "{yaml}");
    }
    round_trip(fixtures::primary_site());
    round_trip(fixtures::drc_site("Kota Bandung", fixtures::BANDUNG));
    round_trip(fixtures::rack("r01", "dc-bekasi"));
    round_trip(fixtures::agency("disdukcapil"));
    round_trip(fixtures::web_request(
        "diskominfo",
        "diskominfo.bekasikota.go.id",
    ));
    round_trip(fixtures::colocation_request("disdukcapil"));
    round_trip(fixtures::approval("disdukcapil", "db-server"));
    let mut policy = fixtures::residency_policy();
    policy.spec.exceptions.push(fixtures::exception(
        "lms",
        "CLOUD-NKRI",
        "2027-01-01T00:00:00Z",
    ));
    round_trip(policy);
    round_trip(fixtures::external_cloud("disdik", "aws", "ap-southeast-3"));
    round_trip(fixtures::backup_repository("disdukcapil", "drc-bandung"));
    round_trip(fixtures::plan());
    round_trip(fixtures::drill());
    round_trip(fixtures::backup("disdukcapil", "siak-data"));
    round_trip(fixtures::restore("disdukcapil", "siak-data"));
}

#[test]
fn unknown_kind_and_bad_field_get_clear_errors() {
    let err = Object::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap"})).unwrap_err();
    assert!(err.to_string().contains("not a pusdata.io/v1alpha1 object"));
    let mut v = value(&fixtures::rack("r01", "dc-bekasi"));
    v["spec"]["heightU"] = json!("forty-two");
    let err = Object::from_value(v).unwrap_err().to_string();
    assert!(err.contains("Rack r01"), "{err}");
}

#[test]
fn list_rules_hold_when_the_list_is_absent() {
    // Empty lists are not serialised; rules over them must not fail on the missing key.
    let mut rack = fixtures::rack("r01", "dc-bekasi");
    rack.spec.reserved_units.clear();
    assert_eq!(rule_error(&rack), "");
    let mut plan = fixtures::plan();
    plan.spec.runbook.clear();
    assert_eq!(rule_error(&plan), "");
    assert_eq!(rule_error(&fixtures::residency_policy()), "");
}

#[test]
fn committed_api_reference_matches_the_types() {
    let dir = repo_root().join(pusdata_crds::DOCS_DIR);
    let pages = pusdata_crds::render_docs();
    assert_eq!(pages.len(), 13);
    for page in pages {
        let path = dir.join(&page.file_name);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == page.markdown,
            "{} drifted from the Rust types; regenerate with `cargo run -p pusdata -- crd --write`",
            path.display()
        );
    }
}

/// `helm uninstall pusdata-crds` must not delete the CRDs: that would delete every Agency,
/// DR plan and BackupRepository with them. The committed chart templates carry Helm's keep
/// policy (docs/install.md, uninstall).
#[test]
fn the_crds_chart_keeps_its_crds_on_uninstall() {
    let dir = repo_root().join("charts/pusdata-crds/templates");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let crd = pusdata_crds::yaml_documents(&text).unwrap().remove(0);
        assert_eq!(
            crd["metadata"]["annotations"][pusdata_crds::KEEP_ON_UNINSTALL.0],
            pusdata_crds::KEEP_ON_UNINSTALL.1,
            "{}",
            crd["metadata"]["name"]
        );
        n += 1;
    }
    assert_eq!(n, all_crds().len());
}

/// `check_rules` compiles each kind's rules once per thread and keeps them; what it says
/// must be what compiling afresh says, for objects that pass and objects that break rules
/// (a cached program that kept state from an earlier object would show here).
#[test]
fn cached_rules_judge_as_freshly_compiled_rules_do() {
    let mut one_psu = fixtures::colocation_request("disdukcapil");
    one_psu.spec.colocation.as_mut().unwrap().device.psu_count = 1;
    let mut drc_as_primary = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    drc_as_primary.spec.role = pusdata_crds::v1alpha1::SiteRole::Primary;
    let objects: Vec<Value> = vec![
        value(&fixtures::colocation_request("disdukcapil")),
        value(&one_psu),
        value(&fixtures::colocation_request("dinkes")),
        value(&one_psu),
        value(&fixtures::drc_site("Kota Bandung", fixtures::BANDUNG)),
        value(&drc_as_primary),
        value(&fixtures::plan()),
    ];
    let fresh = |v: &Value| {
        let kind = v["kind"].as_str().unwrap();
        let crd = all_crds()
            .into_iter()
            .find(|c| c.spec.names.kind == kind)
            .unwrap();
        let schema = schema_of(&crd);
        kube::core::cel::Validator::new()
            .validate(&schema, v, None)
            .map_err(|e| e.len())
    };
    let cached = |v: &Value| match check_rules(v, None) {
        Ok(()) => Ok(()),
        Err(e) => Err(e.to_string().matches("; ").count() + 1),
    };
    let mut failed = 0;
    for v in &objects {
        let (a, b) = (cached(v), fresh(v));
        assert_eq!(a, b, "{}", v["kind"]);
        failed += usize::from(a.is_err());
    }
    assert_eq!(failed, 3, "the broken objects are refused, each time");
    // And on another thread, with its own compiled rules.
    std::thread::spawn(move || {
        for v in &objects {
            assert_eq!(cached(v), fresh(v));
        }
    })
    .join()
    .unwrap();
}

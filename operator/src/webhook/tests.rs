//! The handler with real `admission.k8s.io/v1` AdmissionReview bodies, in-process.

use super::*;
use pusdata_crds::fixtures;

// Routing by the rendered webhook configurations, then these same handlers (issue 14).
#[path = "routing_tests.rs"]
mod routing;
use serde_json::{Value, json};

fn now() -> jiff::Timestamp {
    "2026-11-25T00:00:00Z".parse().unwrap()
}

fn state(mode: EnforcementMode) -> State {
    let mut policy = fixtures::residency_policy();
    policy.spec.mode = mode;
    let mut approval = fixtures::approval("disdik", "lms");
    approval.spec.target.kind = "ExternalCloudService".into();
    let objects = vec![
        Object::ResidencyPolicy(policy),
        Object::Site(fixtures::primary_site()),
        Object::Agency(fixtures::agency("disdik")),
        Object::Agency(fixtures::agency("disdukcapil")),
        Object::Approval(approval),
    ];
    State::new(Context::from_objects(&objects))
}

/// An AdmissionReview v1 as the API server sends it.
fn body(
    kind: &str,
    namespace: Option<&str>,
    operation: &str,
    object: Value,
    groups: &[&str],
) -> Vec<u8> {
    let resource = format!("{}s", kind.to_ascii_lowercase());
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": "pusdata.io", "version": "v1alpha1", "kind": kind},
            "resource": {"group": "pusdata.io", "version": "v1alpha1", "resource": resource},
            "requestKind": {"group": "pusdata.io", "version": "v1alpha1", "kind": kind},
            "requestResource": {"group": "pusdata.io", "version": "v1alpha1", "resource": resource},
            "name": object.pointer("/metadata/name").cloned().unwrap_or(Value::Null),
            "namespace": namespace,
            "operation": operation,
            "userInfo": {"username": "budi@bekasikota.go.id", "uid": "u-1", "groups": groups},
            "object": object,
            "oldObject": null,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}
        }
    })
    .to_string()
    .into_bytes()
}

fn cloud(region: &str) -> Value {
    serde_json::to_value(fixtures::external_cloud("disdik", "aws", region)).unwrap()
}

fn run(state: &State, body: &[u8]) -> (Outcome, Value) {
    let (outcome, _, json) = review(body, state, now());
    let v: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(v["kind"], "AdmissionReview");
    (outcome, v["response"].clone())
}

#[test]
fn in_country_approved_service_is_allowed() {
    let s = state(EnforcementMode::Enforce);
    let (o, r) = run(
        &s,
        &body(
            "ExternalCloudService",
            Some("disdik"),
            "CREATE",
            cloud("ap-southeast-3"),
            &[],
        ),
    );
    assert_eq!(o, Outcome::Allowed, "{r}");
    assert_eq!(r["allowed"], true);
    assert_eq!(r["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
}

#[test]
fn foreign_region_is_denied_naming_rule_and_article_in_both_languages() {
    let s = state(EnforcementMode::Enforce);
    let (o, r) = run(
        &s,
        &body(
            "ExternalCloudService",
            Some("disdik"),
            "CREATE",
            cloud("ap-southeast-1"),
            &[],
        ),
    );
    assert_eq!(o, Outcome::Denied);
    assert_eq!(r["allowed"], false);
    let msg = r["status"]["message"].as_str().unwrap();
    assert!(msg.contains("CLOUD-NKRI (Perwal 8(3))"), "{msg}");
    assert!(msg.contains("outside the allowed countries"), "{msg}");
    assert!(msg.contains("di luar negara yang diizinkan"), "{msg}");
    assert_eq!(r["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
}

#[test]
fn monitor_mode_admits_with_warnings() {
    let s = state(EnforcementMode::Monitor);
    let (o, r) = run(
        &s,
        &body(
            "ExternalCloudService",
            Some("disdik"),
            "CREATE",
            cloud("ap-southeast-1"),
            &[],
        ),
    );
    assert_eq!(o, Outcome::Warned);
    assert_eq!(r["allowed"], true);
    let w = r["warnings"][0].as_str().unwrap();
    assert!(w.starts_with("[Monitor] CLOUD-NKRI"), "{w}");
}

#[test]
fn warn_findings_become_admission_warnings() {
    // A DRC whose primary is not registered: allowed, distance not checked, said so.
    let s = state(EnforcementMode::Enforce);
    let mut drc = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    if let Some(p) = drc.spec.drc_of.as_mut() {
        p.site = "dc-elsewhere".into();
    }
    let (o, r) = run(
        &s,
        &body(
            "Site",
            None,
            "CREATE",
            serde_json::to_value(drc).unwrap(),
            &[],
        ),
    );
    assert_eq!(o, Outcome::Warned);
    assert_eq!(r["allowed"], true);
    assert!(
        r["warnings"][0].as_str().unwrap().starts_with("DR-FAR"),
        "{r}"
    );
}

#[test]
fn exempt_namespaces_are_not_checked() {
    let s = state(EnforcementMode::Enforce);
    let mut e = fixtures::external_cloud("kube-system", "aws", "ap-southeast-1");
    e.metadata.namespace = Some("kube-system".into());
    let (o, r) = run(
        &s,
        &body(
            "ExternalCloudService",
            Some("kube-system"),
            "CREATE",
            serde_json::to_value(e).unwrap(),
            &[],
        ),
    );
    assert_eq!(o, Outcome::Exempt);
    assert_eq!(r["allowed"], true);
}

#[test]
fn delete_is_allowed_without_an_object() {
    let s = state(EnforcementMode::Enforce);
    let mut b: Value = serde_json::from_slice(&body(
        "ExternalCloudService",
        Some("disdik"),
        "DELETE",
        cloud("ap-southeast-1"),
        &[],
    ))
    .unwrap();
    b["request"]["oldObject"] = b["request"]["object"].take();
    let (o, r) = run(&s, &serde_json::to_vec(&b).unwrap());
    assert_eq!(o, Outcome::Allowed);
    assert_eq!(r["allowed"], true);
}

#[test]
fn malformed_bodies_are_refused_with_a_reason() {
    let s = state(EnforcementMode::Enforce);
    for bad in [
        &b""[..],
        b"not json",
        b"{}",
        br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
        br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":1}}"#,
        &[0xff, 0xfe, 0x00],
    ] {
        let (o, r) = run(&s, bad);
        assert_eq!(o, Outcome::Invalid, "{}", String::from_utf8_lossy(bad));
        assert_eq!(r["allowed"], false);
        assert!(
            !r["status"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{r}"
        );
    }
    // A Pusdata object of the wrong shape.
    let mut obj = cloud("ap-southeast-3");
    obj["spec"]["region"] = json!(42);
    let (o, r) = run(
        &s,
        &body("ExternalCloudService", Some("disdik"), "CREATE", obj, &[]),
    );
    assert_eq!(o, Outcome::Invalid);
    assert_eq!(r["allowed"], false);
    assert!(
        r["status"]["message"]
            .as_str()
            .unwrap()
            .contains("malformed"),
        "{r}"
    );
}

#[test]
fn approvals_by_the_agency_itself_are_denied() {
    let s = state(EnforcementMode::Enforce);
    let a = serde_json::to_value(fixtures::approval("disdukcapil", "website")).unwrap();
    let (o, _) = run(
        &s,
        &body(
            "Approval",
            Some("pusdata-system"),
            "CREATE",
            a.clone(),
            &["pusdata:platform"],
        ),
    );
    assert_eq!(o, Outcome::Allowed);
    let (o, r) = run(
        &s,
        &body(
            "Approval",
            Some("pusdata-system"),
            "CREATE",
            a.clone(),
            &["pusdata:platform", "agency:disdukcapil"],
        ),
    );
    assert_eq!(o, Outcome::Denied);
    assert!(
        r["status"]["message"].as_str().unwrap().contains("SEC-CIA"),
        "{r}"
    );
    let (o, _) = run(
        &s,
        &body(
            "Approval",
            Some("pusdata-system"),
            "CREATE",
            a,
            &["system:authenticated"],
        ),
    );
    assert_eq!(o, Outcome::Denied);
}

#[test]
fn other_kinds_are_admitted_with_a_warning() {
    let s = state(EnforcementMode::Enforce);
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "disdik"}});
    let (o, r) = run(&s, &body("Pod", Some("disdik"), "CREATE", pod, &[]));
    assert_eq!(o, Outcome::Warned);
    assert_eq!(r["allowed"], true);
}

#[test]
fn decisions_are_counted() {
    let s = state(EnforcementMode::Enforce);
    run(
        &s,
        &body(
            "ExternalCloudService",
            Some("disdik"),
            "CREATE",
            cloud("ap-southeast-1"),
            &[],
        ),
    );
    run(&s, b"garbage");
    let text = s.metrics.encode();
    assert!(
        text.contains(r#"pusdata_admission_decisions_total{kind="ExternalCloudService",decision="denied",mode="enforce",endpoint="validate"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"decision="invalid""#), "{text}");
}

#[test]
fn updates_that_leave_the_spec_alone_are_not_rechecked() {
    // A foreign region admitted earlier (e.g. in Monitor mode) must not block the removal
    // of a finalizer or a status write; a spec change is checked again.
    let s = state(EnforcementMode::Enforce);
    let old = cloud("ap-southeast-1");
    let mut new = old.clone();
    new["metadata"]["finalizers"] = json!([]);
    let mut b: Value = serde_json::from_slice(&body(
        "ExternalCloudService",
        Some("disdik"),
        "UPDATE",
        new.clone(),
        &[],
    ))
    .unwrap();
    b["request"]["oldObject"] = old.clone();
    let (o, _) = run(&s, &serde_json::to_vec(&b).unwrap());
    assert_eq!(o, Outcome::Allowed);

    new["spec"]["service"] = json!("compute");
    b["request"]["object"] = new;
    let (o, _) = run(&s, &serde_json::to_vec(&b).unwrap());
    assert_eq!(o, Outcome::Denied);
}

#[test]
fn mutate_records_the_authenticated_approver() {
    let s = state(EnforcementMode::Enforce);
    let mut a = fixtures::approval("disdukcapil", "website");
    // Whatever the client claims is overwritten with the authenticated user.
    a.spec.recorded_by = None;
    let b = body(
        "Approval",
        Some("pusdata-system"),
        "CREATE",
        serde_json::to_value(&a).unwrap(),
        &["pusdata:platform"],
    );
    let (o, _, json) = mutate(&b, &s, now());
    assert_eq!(o, Outcome::Allowed);
    let v: Value = serde_json::from_slice(&json).unwrap();
    let r = &v["response"];
    assert_eq!(r["allowed"], true);
    assert_eq!(r["patchType"], "JSONPatch");
    let patch: Value = serde_json::from_slice(&unbase64(r["patch"].as_str().unwrap())).unwrap();
    assert_eq!(patch[0]["op"], "add");
    assert_eq!(patch[0]["path"], "/spec/recordedBy");
    assert_eq!(patch[0]["value"]["username"], "budi@bekasikota.go.id");
    assert_eq!(patch[0]["value"]["uid"], "u-1");

    // Self-approval is refused here too, so a refused approval is never stamped.
    let b = body(
        "Approval",
        Some("pusdata-system"),
        "CREATE",
        serde_json::to_value(&a).unwrap(),
        &["agency:disdukcapil", "pusdata:platform"],
    );
    let (o, _, _) = mutate(&b, &s, now());
    assert_eq!(o, Outcome::Denied);

    // Other kinds pass through untouched.
    let b = body(
        "ExternalCloudService",
        Some("disdik"),
        "CREATE",
        cloud("ap-southeast-1"),
        &[],
    );
    let (o, _, json) = mutate(&b, &s, now());
    assert_eq!(o, Outcome::Allowed);
    let v: Value = serde_json::from_slice(&json).unwrap();
    assert!(v["response"].get("patch").is_none());
    let (o, _, _) = mutate(b"nope", &s, now());
    assert_eq!(o, Outcome::Invalid);
}

const SIGNOFF: &str = "approval.pusdata.io/declare-disaster";

/// A Failover UPDATE (or CREATE without `old`) by budi in `groups`, as the API server sends it.
fn failover_body(old: Option<Value>, new: Value, groups: &[&str]) -> Vec<u8> {
    let op = if old.is_some() { "UPDATE" } else { "CREATE" };
    let mut b: Value = serde_json::from_slice(&body("Failover", None, op, new, groups)).unwrap();
    b["request"]["oldObject"] = old.unwrap_or(Value::Null);
    serde_json::to_vec(&b).unwrap()
}

fn drill_with(annotations: &[(&str, &str)]) -> Value {
    let mut fo = serde_json::to_value(fixtures::drill()).unwrap();
    let map: serde_json::Map<String, Value> = annotations
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    fo["metadata"]["annotations"] = Value::Object(map);
    fo
}

/// Runs `mutate`; returns the outcome, the response and the object after the JSON patch.
fn mutate_failover(s: &State, b: &[u8], object: &Value) -> (Outcome, Value, Value) {
    let (o, kind, json) = mutate(b, s, now());
    assert_eq!(kind, "Failover");
    let v: Value = serde_json::from_slice(&json).unwrap();
    let r = v["response"].clone();
    let mut after = object.clone();
    if let Some(p) = r["patch"].as_str() {
        assert_eq!(r["patchType"], "JSONPatch");
        let patch: json_patch::Patch = serde_json::from_slice(&unbase64(p)).unwrap();
        json_patch::patch(&mut after, &patch).unwrap();
    }
    (o, r, after)
}

#[test]
fn mutate_stamps_failover_signoffs_with_the_authenticated_approver() {
    let s = state(EnforcementMode::Enforce);
    let forged =
        r#"{"username":"kepala-dinas","groups":["pusdata:platform"],"at":"2020-01-01T00:00:00Z"}"#;
    let old = drill_with(&[("pusdata.io/note", "drill")]);
    let new = drill_with(&[("pusdata.io/note", "drill"), (SIGNOFF, forged)]);
    let b = failover_body(Some(old.clone()), new.clone(), &["pusdata:platform"]);
    let (o, r, after) = mutate_failover(&s, &b, &new);
    assert_eq!(o, Outcome::Allowed);
    assert_eq!(r["allowed"], true);
    // The patch itself: one replace of the sign-off, the `/` of the key escaped.
    let patch: Value = serde_json::from_slice(&unbase64(r["patch"].as_str().unwrap())).unwrap();
    assert_eq!(patch.as_array().unwrap().len(), 1);
    assert_eq!(patch[0]["op"], "replace");
    assert_eq!(
        patch[0]["path"],
        "/metadata/annotations/approval.pusdata.io~1declare-disaster"
    );
    // The forged identity is gone: the controller reads the authenticated one, stamped now.
    let fo: pusdata_crds::v1alpha1::Failover = serde_json::from_value(after.clone()).unwrap();
    let who = &crate::controllers::failover::approvals(&fo)["declare-disaster"];
    assert_eq!(who.username, "budi@bekasikota.go.id");
    assert_eq!(who.uid.as_deref(), Some("u-1"));
    assert_eq!(who.groups, vec!["pusdata:platform".to_string()]);
    assert_eq!(who.at.0, now());
    assert_eq!(after["metadata"]["annotations"]["pusdata.io/note"], "drill");

    // CREATE with a sign-off already on it: stamped the same way.
    let b = failover_body(None, new.clone(), &["pusdata:platform"]);
    let (o, _, after) = mutate_failover(&s, &b, &new);
    assert_eq!(o, Outcome::Allowed);
    assert!(
        after["metadata"]["annotations"][SIGNOFF]
            .as_str()
            .unwrap()
            .contains("budi@")
    );

    // Re-sending the recorded sign-off, or changing other annotations: no patch.
    let stamped = after;
    let mut touched = stamped.clone();
    touched["metadata"]["annotations"]["pusdata.io/note"] = json!("changed");
    let b = failover_body(Some(stamped.clone()), touched.clone(), &[]);
    let (o, r, _) = mutate_failover(&s, &b, &touched);
    assert_eq!(o, Outcome::Allowed);
    assert!(r.get("patch").is_none());

    // Status writes go through the subresource and are never looked at.
    let mut b: Value = serde_json::from_slice(&failover_body(Some(old), new.clone(), &[])).unwrap();
    b["request"]["subResource"] = json!("status");
    let (o, r, _) = mutate_failover(&s, &serde_json::to_vec(&b).unwrap(), &new);
    assert_eq!(o, Outcome::Allowed);
    assert!(r.get("patch").is_none());
}

#[test]
fn mutate_refuses_altering_a_recorded_signoff_in_any_mode() {
    let recorded =
        r#"{"username":"siti","groups":["pusdata:platform"],"at":"2026-11-24T00:00:00Z"}"#;
    let old = drill_with(&[(SIGNOFF, recorded)]);
    for mode in [EnforcementMode::Enforce, EnforcementMode::Monitor] {
        let s = state(mode);
        for new in [
            drill_with(&[(SIGNOFF, recorded.replace("siti", "budi").as_str())]),
            drill_with(&[]),
        ] {
            let b = failover_body(Some(old.clone()), new.clone(), &["pusdata:platform"]);
            let (o, r, _) = mutate_failover(&s, &b, &new);
            assert_eq!(o, Outcome::Denied, "{mode:?}");
            assert_eq!(r["allowed"], false);
            let msg = r["status"]["message"].as_str().unwrap();
            assert!(msg.starts_with("SEC-CIA"), "{msg}");
            assert!(msg.contains("signed off by siti"), "{msg}");
            assert!(msg.contains("ditandatangani oleh siti"), "{msg}");
        }
    }
}

#[test]
fn mutate_refuses_signoffs_by_people_outside_the_platform_team() {
    let old = drill_with(&[]);
    let new = drill_with(&[(SIGNOFF, "")]);
    let b = failover_body(Some(old.clone()), new.clone(), &["agency:disdik"]);
    let (o, r, _) = mutate_failover(&state(EnforcementMode::Enforce), &b, &new);
    assert_eq!(o, Outcome::Denied);
    let msg = r["status"]["message"].as_str().unwrap();
    assert!(msg.starts_with("SEC-CIA"), "{msg}");
    assert!(msg.contains("may not approve"), "{msg}");
    assert!(msg.contains("tidak berwenang menyetujui"), "{msg}");
    assert!(r.get("patch").is_none());

    // Monitor mode admits with a warning, and still records who really signed.
    let (o, r, after) = mutate_failover(&state(EnforcementMode::Monitor), &b, &new);
    assert_eq!(o, Outcome::Warned);
    assert!(
        r["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("[Monitor] SEC-CIA")
    );
    let v = after["metadata"]["annotations"][SIGNOFF].as_str().unwrap();
    assert!(v.contains("budi@bekasikota.go.id"), "{v}");
}

/// The webhook's state with the plan `bekasi` in its context: `declare-disaster` owned by
/// `head-of-office`, which `spec.roles` maps to `diskominfostandi:kepala`.
fn state_with_roles(mode: EnforcementMode) -> State {
    use pusdata_crds::v1alpha1::{RunbookRole, RunbookStep, StepKind};
    let mut policy = fixtures::residency_policy();
    policy.spec.mode = mode;
    let mut plan = fixtures::plan();
    plan.spec.runbook = vec![RunbookStep {
        id: "declare-disaster".into(),
        title: "Declare the disaster".into(),
        kind: StepKind::Approval,
        owner_role: "head-of-office".into(),
        ..RunbookStep::default()
    }];
    plan.spec.roles = vec![RunbookRole {
        name: "head-of-office".into(),
        groups: vec!["diskominfostandi:kepala".into()],
    }];
    let objects = vec![
        Object::ResidencyPolicy(policy),
        Object::Site(fixtures::primary_site()),
        Object::DisasterRecoveryPlan(plan),
    ];
    State::new(Context::from_objects(&objects))
}

#[test]
fn mutate_accepts_signoffs_only_from_the_steps_owner_role_groups() {
    let s = state_with_roles(EnforcementMode::Enforce);
    let old = drill_with(&[]);
    let new = drill_with(&[(SIGNOFF, "")]);
    assert_eq!(
        serde_json::from_value::<pusdata_crds::v1alpha1::Failover>(new.clone())
            .unwrap()
            .spec
            .plan,
        "bekasi"
    );

    // A member of the role's group: admitted and stamped with who really signed.
    let b = failover_body(Some(old.clone()), new.clone(), &["diskominfostandi:kepala"]);
    let (o, r, after) = mutate_failover(&s, &b, &new);
    assert_eq!(o, Outcome::Allowed, "{r}");
    let fo: pusdata_crds::v1alpha1::Failover = serde_json::from_value(after).unwrap();
    let who = &crate::controllers::failover::approvals(&fo)["declare-disaster"];
    assert_eq!(who.groups, vec!["diskominfostandi:kepala".to_string()]);

    // The platform team is no break-glass for a mapped role, and other groups are refused.
    for groups in [&["pusdata:platform"][..], &["agency:disdik"], &[]] {
        let b = failover_body(Some(old.clone()), new.clone(), groups);
        let (o, r, _) = mutate_failover(&s, &b, &new);
        assert_eq!(o, Outcome::Denied, "{groups:?}");
        let msg = r["status"]["message"].as_str().unwrap();
        assert!(msg.starts_with("SEC-CIA"), "{msg}");
        assert!(
            msg.contains("owner role head-of-office") && msg.contains("diskominfostandi:kepala"),
            "{msg}"
        );
        assert!(msg.contains("tidak berwenang menyetujui"), "{msg}");
        assert!(r.get("patch").is_none());
    }

    // Monitor mode admits the platform member with a warning, still stamping the real groups.
    let s = state_with_roles(EnforcementMode::Monitor);
    let b = failover_body(Some(old), new.clone(), &["pusdata:platform"]);
    let (o, r, after) = mutate_failover(&s, &b, &new);
    assert_eq!(o, Outcome::Warned);
    assert!(
        r["warnings"][0]
            .as_str()
            .unwrap()
            .contains("head-of-office")
    );
    let v = after["metadata"]["annotations"][SIGNOFF].as_str().unwrap();
    assert!(v.contains("pusdata:platform"), "{v}");
}

fn unbase64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let vals: Vec<u32> = s
        .bytes()
        .filter(|&c| c != b'=')
        .map(|c| ALPHABET.iter().position(|&a| a == c).unwrap() as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in vals.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0, |acc, (i, v)| acc | (v << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[test]
fn base64_matches_rfc_4648_vectors() {
    for (plain, enc) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(plain.as_bytes()), enc);
        assert_eq!(unbase64(enc), plain.as_bytes());
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// Whatever arrives on the wire, the answer is a well-formed AdmissionReview.
    #[test]
    fn review_never_panics(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
        region in "\\PC{0,20}",
        field in "[a-zA-Z]{1,12}",
        number in proptest::prelude::any::<i64>(),
    ) {
        let s = state(EnforcementMode::Enforce);
        let (_, _, json) = review(&bytes, &s, now());
        proptest::prop_assert!(serde_json::from_slice::<Value>(&json).is_ok());
        let mut obj = cloud(&region);
        obj["spec"][field.as_str()] = json!(number);
        let b = body("ExternalCloudService", Some("disdik"), "CREATE", obj, &[]);
        for f in [review, mutate] {
            let (_, _, json) = f(&b, &s, now());
            let v: Value = serde_json::from_slice(&json).unwrap();
            proptest::prop_assert!(v["response"]["allowed"].is_boolean());
        }
    }
}

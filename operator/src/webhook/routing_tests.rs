//! Admission routing (issue 14, defects 2 and 3): the rendered webhook configurations and
//! the agent's ValidatingAdmissionPolicy, evaluated by `testkit::admission` the way the API
//! server would, for every kind the webhook guards in every namespace where that kind has a
//! meaning; then the requests that are routed are sent, as real AdmissionReview bodies, to
//! the handler behind each path.

use super::*;
use crate::testkit::admission::{self, Request, paths, routes};
use crate::testkit::manifests::{self, Site as Install};
use pusdata_crds::fixtures;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn now() -> jiff::Timestamp {
    "2026-11-25T00:00:00Z".parse().unwrap()
}

/// The CRDs as generated: plural → namespaced?
fn guarded_kinds() -> BTreeMap<String, bool> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crds/yaml");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for crd in manifests::parse_stream(&text) {
            let plural = crd["spec"]["names"]["plural"].as_str().unwrap().to_string();
            out.insert(plural, crd["spec"]["scope"] == "Namespaced");
        }
    }
    assert_eq!(out.len(), 12, "{out:?}");
    out
}

const PLATFORM: &str = "pusdata-system";

/// The namespaces where a namespaced kind has a meaning, with the labels they carry.
fn namespaces_for(plural: &str) -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let agency = ("disdukcapil", vec![("pusdata.io/agency", "disdukcapil")]);
    let drill = (
        "pusdata-drill-drill-nov-disdukcapil",
        vec![("pusdata.io/drill", "true")],
    );
    match plural {
        // Approvals count only in the platform namespace (the platform team decides).
        "approvals" => vec![(PLATFORM, vec![])],
        // Restores run in agency namespaces and, in a drill, in its isolated copy.
        "restores" => vec![agency, drill],
        // Agency workloads; an exception or request misfiled in the platform namespace is
        // still checked.
        _ => vec![agency, (PLATFORM, vec![])],
    }
}

fn request(plural: &str, op: &str, ns: Option<(&str, &[(&str, &str)])>) -> Request {
    Request {
        group: "pusdata.io".into(),
        version: "v1alpha1".into(),
        resource: plural.into(),
        operation: op.into(),
        namespace: ns.map(|(n, _)| n.to_string()),
        namespace_labels: ns
            .map(|(_, l)| {
                l.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        username: "budi@bekasikota.go.id".into(),
        ..Request::default()
    }
}

/// What the webhook's documentation promises: every Pusdata kind is validated on create and
/// update; new Approvals, and Failovers on create and update, are mutated too.
fn expected(plural: &str, op: &str) -> Vec<&'static str> {
    match (plural, op) {
        ("approvals", "CREATE") => vec!["/validate", "/mutate"],
        ("failovers", _) => vec!["/validate", "/mutate"],
        _ => vec!["/validate"],
    }
}

/// A namespace and its labels.
type Place<'a> = (&'a str, Vec<(&'a str, &'a str)>);

#[test]
fn every_guarded_kind_reaches_the_webhook_where_it_counts() {
    for install in [Install::Primary, Install::Drc] {
        let docs = manifests::documents(install);
        let mut missed = Vec::new();
        for (plural, namespaced) in guarded_kinds() {
            for op in ["CREATE", "UPDATE"] {
                let places: Vec<Option<Place>> = if namespaced {
                    namespaces_for(&plural).into_iter().map(Some).collect()
                } else {
                    vec![None]
                };
                for place in places {
                    let req = request(&plural, op, place.as_ref().map(|(n, l)| (*n, l.as_slice())));
                    let mut got = paths(docs, &req);
                    got.sort();
                    let mut want = expected(&plural, op);
                    want.sort();
                    if got != want {
                        missed.push(format!(
                            "{install:?}: {op} {plural} in {}: reaches {got:?}, documented {want:?}",
                            req.namespace.as_deref().unwrap_or("(cluster)")
                        ));
                    }
                    // failurePolicy Fail: with the webhook down nothing is admitted unchecked.
                    for r in routes(docs, &req) {
                        assert_eq!(r.failure_policy, "Fail", "{r:?}");
                    }
                }
            }
        }
        assert!(missed.is_empty(), "{}", missed.join("\n"));
    }
}

#[test]
fn status_writes_and_the_control_planes_namespaces_are_never_sent() {
    let docs = manifests::documents(Install::Primary);
    // The operator's status writes are a subresource: never routed, so a webhook outage
    // cannot stop the controllers from reporting it.
    let mut status = request("agencies", "UPDATE", None);
    status.subresource = "status".into();
    assert!(paths(docs, &status).is_empty());
    // Nothing in the control plane's own namespaces (a webhook outage must not block them).
    for ns in ["kube-system", "kube-public", "kube-node-lease"] {
        let r = request("externalcloudservices", "CREATE", Some((ns, &[])));
        assert!(paths(docs, &r).is_empty(), "{ns}");
    }
    // Nothing that the webhook's own Deployment needs to start is a Pusdata kind, so taking
    // the platform namespace out of the exemption cannot deadlock its start.
    for (group, resource) in [
        ("", "pods"),
        ("", "secrets"),
        ("", "configmaps"),
        ("apps", "replicasets"),
        ("coordination.k8s.io", "leases"),
    ] {
        let mut r = request(resource, "CREATE", Some((PLATFORM, &[])));
        r.group = group.into();
        r.version = "v1".into();
        assert!(paths(docs, &r).is_empty(), "{resource}");
    }
}

#[test]
fn the_drc_agents_namespace_and_secret_writes_meet_the_admission_policy() {
    let docs = manifests::documents(Install::Drc);
    let agent = "system:serviceaccount:pusdata-system:pusdata-agent";
    let core = |resource: &str, op: &str, ns: Option<&str>, user: &str| Request {
        group: String::new(),
        version: "v1".into(),
        resource: resource.into(),
        operation: op.into(),
        namespace: ns.map(str::to_string),
        username: user.into(),
        ..Request::default()
    };
    let policy = |r: &Request| {
        routes(docs, r)
            .into_iter()
            .filter(|x| x.kind == "ValidatingAdmissionPolicy")
            .map(|x| x.name)
            .collect::<Vec<_>>()
    };
    for r in [
        core("namespaces", "CREATE", None, agent),
        core("namespaces", "DELETE", None, agent),
        core("secrets", "CREATE", Some("disdukcapil"), agent),
        core("secrets", "UPDATE", Some("kube-system"), agent),
        core("secrets", "CREATE", Some(PLATFORM), agent),
    ] {
        assert_eq!(
            policy(&r),
            ["pusdata-agent-drill-namespaces"],
            "{} {} in {:?}",
            r.operation,
            r.resource,
            r.namespace
        );
    }
    // Only the agent's requests: the platform team's are not its business.
    assert!(policy(&core("namespaces", "CREATE", None, "ratna")).is_empty());
    // The primary renders the same policy (one chart), so a misplaced agent is held too.
    let primary = manifests::documents(Install::Primary);
    assert!(!routes(primary, &core("namespaces", "DELETE", None, agent)).is_empty());
    let _ = admission::selector_matches;
}

/// Sends `body` to the handler behind each path the rendered configuration routes it to, in
/// the API server's order (mutating first, then validating), applying each JSON patch.
/// Returns the object as stored, or the refusal.
fn admit(req: &Request, body_bytes: Vec<u8>, s: &State) -> Result<Value, String> {
    let docs = manifests::documents(Install::Primary);
    let mut review: Value = serde_json::from_slice(&body_bytes).unwrap();
    let mut ordered = paths(docs, req);
    ordered.sort_by_key(|p| p != "/mutate");
    for path in ordered {
        let bytes = serde_json::to_vec(&review).unwrap();
        let (_, _, json) = if path == "/mutate" {
            mutate(&bytes, s, now())
        } else {
            super::review(&bytes, s, now())
        };
        let v: Value = serde_json::from_slice(&json).unwrap();
        let r = &v["response"];
        if r["allowed"] != true {
            return Err(r["status"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string());
        }
        if let Some(p) = r["patch"].as_str() {
            let patch: json_patch::Patch = serde_json::from_slice(&unbase64(p)).unwrap();
            json_patch::patch(&mut review["request"]["object"], &patch).unwrap();
        }
    }
    Ok(review["request"]["object"].clone())
}

/// Issue 14, defect 2: Approvals in the platform namespace never reached the webhook, so a
/// self-approval was admitted, a typed-in identity stored as written, and `recordedBy` never
/// stamped. Through the rendered routing, each is now decided by the webhook.
#[test]
fn approvals_in_the_platform_namespace_are_stamped_and_checked() {
    let s = state(EnforcementMode::Enforce);
    let req = request("approvals", "CREATE", Some((PLATFORM, &[])));
    let mut a = fixtures::approval("disdukcapil", "website");
    a.spec.recorded_by = None;
    let a = serde_json::to_value(&a).unwrap();

    let stored = admit(
        &req,
        body(
            "Approval",
            Some(PLATFORM),
            "CREATE",
            a.clone(),
            &["pusdata:platform"],
        ),
        &s,
    )
    .expect("a platform member's approval is admitted");
    assert_eq!(
        stored["spec"]["recordedBy"]["username"], "budi@bekasikota.go.id",
        "recordedBy is stamped from the request's userInfo: {stored}"
    );

    let refused = admit(
        &req,
        body(
            "Approval",
            Some(PLATFORM),
            "CREATE",
            a.clone(),
            &["pusdata:platform", "agency:disdukcapil"],
        ),
        &s,
    )
    .expect_err("self-approval must be refused");
    assert!(refused.contains("SEC-CIA"), "{refused}");

    let mut forged = a;
    forged["spec"]["recordedBy"] = json!({
        "username": "kadis@bekasikota.go.id", "groups": ["pusdata:platform"],
        "at": "2026-11-25T00:00:00Z"
    });
    let refused = admit(
        &req,
        body(
            "Approval",
            Some(PLATFORM),
            "CREATE",
            forged,
            &["pusdata:platform"],
        ),
        &s,
    )
    .expect_err("a typed-in identity that is not the requester must be refused");
    assert!(refused.contains("recordedBy"), "{refused}");
}

/// Issue 14, defect 3: `Failover.spec.requestedBy` is documented as set by the webhook.
#[test]
fn a_new_failover_records_who_requested_it() {
    let s = state(EnforcementMode::Enforce);
    let req = request("failovers", "CREATE", None);
    let fo = serde_json::to_value(fixtures::drill()).unwrap();
    assert!(fo["spec"].get("requestedBy").is_none());
    let stored = admit(
        &req,
        body(
            "Failover",
            None,
            "CREATE",
            fo.clone(),
            &["pusdata:platform"],
        ),
        &s,
    )
    .unwrap();
    assert_eq!(
        stored["spec"]["requestedBy"]["username"],
        "budi@bekasikota.go.id"
    );
    assert_eq!(stored["spec"]["requestedBy"]["uid"], "u-1");
    assert_eq!(stored["spec"]["requestedBy"]["at"], "2026-11-25T00:00:00Z");

    // Later updates cannot rewrite it.
    let mut altered = stored.clone();
    altered["spec"]["requestedBy"]["username"] = json!("someone-else");
    let mut b: Value = serde_json::from_slice(&body(
        "Failover",
        None,
        "UPDATE",
        altered,
        &["pusdata:platform"],
    ))
    .unwrap();
    b["request"]["oldObject"] = stored;
    let refused = admit(
        &request("failovers", "UPDATE", None),
        serde_json::to_vec(&b).unwrap(),
        &s,
    )
    .unwrap_err();
    assert!(refused.contains("spec.requestedBy"), "{refused}");
}

/// A ResidencyPolicy that exempts the platform namespace exempts its residency rules, never
/// the review of who approves.
#[test]
fn a_policy_exemption_never_covers_who_approves() {
    let mut policy = fixtures::residency_policy();
    policy.spec.exempt_namespaces = vec![PLATFORM.into()];
    let s = State::new(Context::from_objects(&[
        Object::ResidencyPolicy(policy),
        Object::Agency(fixtures::agency("disdukcapil")),
    ]));
    let req = request("approvals", "CREATE", Some((PLATFORM, &[])));
    let a = serde_json::to_value(fixtures::approval("disdukcapil", "website")).unwrap();
    let refused = admit(
        &req,
        body(
            "Approval",
            Some(PLATFORM),
            "CREATE",
            a,
            &["pusdata:platform", "agency:disdukcapil"],
        ),
        &s,
    )
    .unwrap_err();
    assert!(refused.contains("SEC-CIA"), "{refused}");
}

//! The declared minimum Kubernetes version (issue 14, defect 8) against what the generated
//! CRDs, the rendered chart and the code actually use: a table of feature → the first
//! Kubernetes version where it works without a feature gate. Anything the scan meets that
//! the table does not know fails the test (fail closed): add it with its version.

use crate::testkit::manifests::{self, Site};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The oldest Kubernetes Pusdata supports: ValidatingAdmissionPolicy v1 (the DRC agent's
/// namespace guard) is GA in 1.30.
pub const MIN_KUBERNETES: (u32, u32) = (1, 30);

/// CRD schema features, by the key or expression that uses them.
const CRD_FEATURES: &[(&str, (u32, u32))] = &[
    // apiextensions.k8s.io/v1 itself.
    ("apiextensions.k8s.io/v1", (1, 16)),
    // CEL validation rules (beta, on by default).
    ("x-kubernetes-validations", (1, 25)),
    // Transition rules: a rule that reads `oldSelf`.
    ("oldSelf", (1, 25)),
    ("optionalOldSelf", (1, 30)),
    ("messageExpression", (1, 27)),
    // `fieldPath` and `reason` on a rule: an older server refuses the CRD
    // ("field not declared in schema").
    ("fieldPath", (1, 28)),
    ("reason", (1, 28)),
    ("x-kubernetes-list-type", (1, 16)),
    ("x-kubernetes-list-map-keys", (1, 16)),
    ("x-kubernetes-int-or-string", (1, 16)),
    ("x-kubernetes-preserve-unknown-fields", (1, 16)),
    ("x-kubernetes-embedded-resource", (1, 16)),
    ("x-kubernetes-map-type", (1, 16)),
    ("selectableFields", (1, 31)),
];

/// CEL library functions a rule may call, with the version that added them.
const CEL_FUNCTIONS: &[(&str, (u32, u32))] = &[
    ("quantity(", (1, 29)),
    ("isQuantity(", (1, 29)),
    ("ip(", (1, 31)),
    ("cidr(", (1, 31)),
    ("isSemver(", (1, 33)),
    ("semver(", (1, 33)),
    (".format(", (1, 31)),
    ("isURL(", (1, 27)),
    ("url(", (1, 27)),
];

/// Kinds of the rendered chart, by apiVersion.
const KINDS: &[(&str, &str, (u32, u32))] = &[
    ("v1", "ServiceAccount", (1, 0)),
    ("v1", "Service", (1, 0)),
    ("v1", "ConfigMap", (1, 0)),
    ("v1", "Secret", (1, 0)),
    ("v1", "Namespace", (1, 0)),
    ("apps/v1", "Deployment", (1, 9)),
    ("apps/v1", "StatefulSet", (1, 9)),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", (1, 8)),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", (1, 8)),
    ("rbac.authorization.k8s.io/v1", "Role", (1, 8)),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", (1, 8)),
    ("networking.k8s.io/v1", "NetworkPolicy", (1, 7)),
    ("policy/v1", "PodDisruptionBudget", (1, 21)),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        (1, 16),
    ),
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        (1, 16),
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicy",
        (1, 30),
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicyBinding",
        (1, 30),
    ),
    ("monitoring.coreos.com/v1", "ServiceMonitor", (1, 16)),
    ("monitoring.coreos.com/v1", "PrometheusRule", (1, 16)),
];

/// Fields inside rendered objects that are newer than their kind.
const FIELDS: &[(&str, (u32, u32))] = &[
    // Webhook matchConditions (beta, on by default).
    ("matchConditions", (1, 28)),
    // The automatic namespace name label that namespaceSelectors use.
    ("kubernetes.io/metadata.name", (1, 22)),
    ("seccompProfile", (1, 19)),
    ("persistentVolumeClaimRetentionPolicy", (1, 27)),
    ("appArmorProfile", (1, 30)),
    ("trafficDistribution", (1, 31)),
    ("namespaceObject", (1, 30)),
];

/// APIs the code calls whatever the chart says (kubectl-pusdata and the controllers).
const CODE_APIS: &[(&str, &str, (u32, u32))] = &[
    // `pusdata drill approve` asks who it is (authentication.k8s.io/v1, GA 1.28).
    ("authentication.k8s.io/v1", "SelfSubjectReview", (1, 28)),
    ("events.k8s.io/v1", "Event", (1, 19)),
    ("coordination.k8s.io/v1", "Lease", (1, 14)),
    ("batch/v1", "Job", (1, 2)),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn v((major, minor): (u32, u32)) -> String {
    format!("{major}.{minor}")
}

/// Every key and string inside `value`, with its path.
fn walk<'a>(value: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}.{k}");
                out.push((p.clone(), x));
                walk(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// What `docs` use that the minimum does not have: `(where, feature, first version)`.
fn too_new_in_crds(docs: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cel = Vec::new();
    let mut check = |place: &str, feature: &str| {
        let Some((_, first)) = CRD_FEATURES.iter().find(|(f, _)| *f == feature) else {
            out.push(format!(
                "{place}: {feature} is not in the table (add its first version)"
            ));
            return;
        };
        if *first > MIN_KUBERNETES {
            out.push(format!("{place}: {feature} needs Kubernetes {}", v(*first)));
        }
    };
    for crd in docs {
        let name = crd["metadata"]["name"].as_str().unwrap_or_default();
        check(name, crd["apiVersion"].as_str().unwrap_or_default());
        if crd["spec"].get("selectableFields").is_some() {
            check(name, "selectableFields");
        }
        let mut nodes = Vec::new();
        walk(&crd["spec"], "spec", &mut nodes);
        for (path, node) in nodes {
            let key = path.rsplit('.').next().unwrap_or_default();
            let key = key.split('[').next().unwrap_or_default();
            if key.starts_with("x-kubernetes-") {
                check(&format!("{name} {path}"), key);
            }
            if key == "x-kubernetes-validations" {
                for rule in node.as_array().into_iter().flatten() {
                    for field in rule.as_object().into_iter().flat_map(|m| m.keys()) {
                        if field != "rule" && field != "message" {
                            check(&format!("{name} {path}"), field);
                        }
                    }
                    let text = rule["rule"].as_str().unwrap_or_default();
                    if text.contains("oldSelf") {
                        check(&format!("{name} {path}"), "oldSelf");
                    }
                    for (f, first) in CEL_FUNCTIONS {
                        if text.contains(f) && *first > MIN_KUBERNETES {
                            cel.push(format!("{name} {path}: CEL {f} needs {}", v(*first)));
                        }
                    }
                }
            }
        }
    }
    out.extend(cel);
    out
}

fn too_new_in_chart(docs: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for d in docs {
        let api = d["apiVersion"].as_str().unwrap_or_default();
        let kind = d["kind"].as_str().unwrap_or_default();
        let name = d["metadata"]["name"].as_str().unwrap_or_default();
        match KINDS.iter().find(|(a, k, _)| *a == api && *k == kind) {
            None => out.push(format!(
                "{api} {kind} {name}: not in the table (add its first version)"
            )),
            Some((_, _, first)) if *first > MIN_KUBERNETES => out.push(format!(
                "{api} {kind} {name} needs Kubernetes {}",
                v(*first)
            )),
            Some(_) => {}
        }
        let text = d.to_string();
        for (field, first) in FIELDS {
            if text.contains(field) && *first > MIN_KUBERNETES {
                out.push(format!(
                    "{kind} {name}: {field} needs Kubernetes {}",
                    v(*first)
                ));
            }
        }
    }
    out
}

fn crd_documents() -> Vec<Value> {
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(root().join("crds/yaml")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        docs.extend(manifests::parse_stream(&text));
    }
    docs
}

#[test]
fn nothing_is_newer_than_the_declared_minimum() {
    let crds = crd_documents();
    assert_eq!(crds.len(), 12);
    let mut problems = too_new_in_crds(&crds);
    for site in [Site::Primary, Site::Drc] {
        problems.extend(too_new_in_chart(manifests::documents(site)));
    }
    for (api, kind, first) in CODE_APIS {
        if *first > MIN_KUBERNETES {
            problems.push(format!("the code calls {api} {kind}, from {}", v(*first)));
        }
    }
    // The code's own types name the API versions the table lists.
    use k8s_openapi::Resource;
    assert_eq!(
        k8s_openapi::api::authentication::v1::SelfSubjectReview::API_VERSION,
        CODE_APIS[0].0
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The scan finds what it must: a CRD using a feature newer than the minimum is caught.
#[test]
fn the_scan_catches_a_newer_feature() {
    let crd = serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "x.pusdata.io"},
        "spec": {"versions": [{"schema": {"openAPIV3Schema": {
            "x-kubernetes-validations": [{"rule": "isSemver(self.v)", "fieldPath": ".v"}],
            "x-kubernetes-shiny-new": true
        }}}]}
    });
    let problems = too_new_in_crds(&[crd]);
    assert!(
        problems.iter().any(|p| p.contains("isSemver")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("x-kubernetes-shiny-new")),
        "{problems:?}"
    );
    let vap = serde_json::json!({"apiVersion": "admissionregistration.k8s.io/v1beta1",
        "kind": "ValidatingAdmissionPolicy", "metadata": {"name": "p"}});
    assert_eq!(too_new_in_chart(&[vap]).len(), 1);
}

/// Issue 14, defect 8: the minimum is declared where an installer looks: both charts'
/// `kubeVersion` (Helm refuses an older cluster), the README and the install guide.
#[test]
fn the_minimum_is_declared_everywhere() {
    let min = v(MIN_KUBERNETES);
    for chart in [
        "charts/pusdata/Chart.yaml",
        "charts/pusdata-crds/Chart.yaml",
    ] {
        let meta: Value =
            serde_saphyr::from_str(&std::fs::read_to_string(root().join(chart)).unwrap()).unwrap();
        assert_eq!(
            meta["kubeVersion"],
            format!(">= {min}.0-0"),
            "{chart} declares the minimum Kubernetes version"
        );
    }
    for doc in ["README.md", "docs/install.md"] {
        let text = std::fs::read_to_string(root().join(doc)).unwrap();
        assert!(
            text.contains(&format!("Kubernetes {min} or newer")),
            "{doc} states the minimum (\"Kubernetes {min} or newer\")"
        );
    }
}

//! Renders `charts/pusdata` with Helm's own engine (`Helm`, PyPI helm-python-sdk) for the
//! default, the DRC and an every-option values file, parses the output as Kubernetes objects
//! (k8s-openapi types) and checks what matters: one image everywhere (the Jobs the operator
//! builds included), the operator's RBAC is exactly what the code declares, the webhook
//! configuration, labels, security contexts, scheduling values, the schema, and what the
//! people-facing roles must never grant.

use super::*;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Pod, PodSpec, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding};
use serde::de::DeserializeOwned;

const RELEASE: Release<'static> = Release {
    name: "pusdata",
    namespace: "pusdata-system",
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn chart() -> PathBuf {
    root().join(CHART_DIR)
}

fn helm() -> Helm {
    Helm::locate(&root()).unwrap_or_else(|e| panic!("{e}"))
}

/// The values file that sets every option of the chart (Helm's `ci/` convention).
const ALL_OPTIONS: &str = "ci/all-options-values.yaml";

/// Helm's rendering for a values file of the chart and inline values, as documents.
fn render_with(file: Option<&str>, extra: Value) -> Vec<Value> {
    let files: Vec<PathBuf> = file.map(|f| chart().join(f)).into_iter().collect();
    let inline = (!extra.is_null()).then_some(&extra);
    let text = helm()
        .render(&chart(), &files, inline, RELEASE, false)
        .unwrap_or_else(|e| panic!("{e}"));
    let docs = pusdata_crds::yaml_documents(&text).unwrap();
    assert!(!docs.is_empty());
    docs
}

/// The chart's values.yaml.
fn default_values() -> Value {
    let text = std::fs::read_to_string(chart().join("values.yaml")).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

fn primary() -> Vec<Value> {
    render_with(None, Value::Null)
}

fn drc() -> Vec<Value> {
    render_with(Some("values-drc.yaml"), Value::Null)
}

fn all_of<K: DeserializeOwned>(docs: &[Value], kind: &str) -> Vec<K> {
    docs.iter()
        .filter(|d| d["kind"] == kind)
        .map(|d| serde_json::from_value(d.clone()).unwrap_or_else(|e| panic!("{kind}: {e}")))
        .collect()
}

fn one<K: DeserializeOwned>(docs: &[Value], kind: &str, name: &str) -> K {
    let d = docs
        .iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"));
    serde_json::from_value(d.clone()).unwrap()
}

/// Every document is a known Kubernetes type that parses, or a known add-on kind.
fn assert_typed(docs: &[Value]) {
    for d in docs {
        let kind = d["kind"].as_str().unwrap();
        let ok = match kind {
            "Deployment" => serde_json::from_value::<Deployment>(d.clone()).is_ok(),
            "StatefulSet" => serde_json::from_value::<StatefulSet>(d.clone()).is_ok(),
            "Service" => serde_json::from_value::<Service>(d.clone()).is_ok(),
            "ServiceAccount" => serde_json::from_value::<ServiceAccount>(d.clone()).is_ok(),
            "ClusterRole" => serde_json::from_value::<ClusterRole>(d.clone()).is_ok(),
            "ClusterRoleBinding" => serde_json::from_value::<ClusterRoleBinding>(d.clone()).is_ok(),
            "Role" => serde_json::from_value::<Role>(d.clone()).is_ok(),
            "RoleBinding" => serde_json::from_value::<RoleBinding>(d.clone()).is_ok(),
            "ValidatingWebhookConfiguration" => {
                serde_json::from_value::<ValidatingWebhookConfiguration>(d.clone()).is_ok()
            }
            "MutatingWebhookConfiguration" => {
                serde_json::from_value::<MutatingWebhookConfiguration>(d.clone()).is_ok()
            }
            "NetworkPolicy" => serde_json::from_value::<NetworkPolicy>(d.clone()).is_ok(),
            "ValidatingAdmissionPolicy" => serde_json::from_value::<
                k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicy,
            >(d.clone())
            .is_ok(),
            "ValidatingAdmissionPolicyBinding" => serde_json::from_value::<
                k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
            >(d.clone())
            .is_ok(),
            "PodDisruptionBudget" => {
                serde_json::from_value::<PodDisruptionBudget>(d.clone()).is_ok()
            }
            "Pod" => serde_json::from_value::<Pod>(d.clone()).is_ok(),
            "ServiceMonitor" | "PrometheusRule" => d["apiVersion"] == "monitoring.coreos.com/v1",
            "Certificate" | "Issuer" => d["apiVersion"] == "cert-manager.io/v1",
            other => panic!("unexpected kind {other}"),
        };
        assert!(ok, "{kind} {} does not parse", d["metadata"]["name"]);
        assert!(d["metadata"]["name"].is_string(), "{kind} without a name");
    }
}

fn names(docs: &[Value], kind: &str) -> Vec<String> {
    let mut v: Vec<String> = docs
        .iter()
        .filter(|d| d["kind"] == kind)
        .map(|d| d["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn every_template_renders_and_parses_for_both_roles() {
    let p = primary();
    let d = drc();
    assert_typed(&p);
    assert_typed(&d);
    for docs in [&p, &d] {
        assert_eq!(
            names(docs, "Deployment"),
            ["pusdata-operator", "pusdata-webhook"]
        );
        assert_eq!(names(docs, "ValidatingWebhookConfiguration"), ["pusdata"]);
        assert_eq!(
            names(docs, "PodDisruptionBudget"),
            ["pusdata-operator", "pusdata-webhook"]
        );
        // Optional monitoring and cert-manager objects are off by default.
        assert!(names(docs, "ServiceMonitor").is_empty());
        assert!(names(docs, "Certificate").is_empty());
    }
    // An agent at both sites: failback restores at the primary, and the DRC heartbeats it.
    assert_eq!(names(&p, "StatefulSet"), ["pusdata-agent"]);
    assert_eq!(names(&d, "StatefulSet"), ["pusdata-agent"]);
    let off = render_with(None, serde_json::json!({"agent": {"enabled": false}}));
    assert!(names(&off, "StatefulSet").is_empty());
    assert!(!names(&off, "ClusterRole").contains(&"pusdata-agent".to_string()));
    // Every optional part switched on still renders into valid objects.
    let everything = render_with(
        Some("values-drc.yaml"),
        serde_json::json!({
            "serviceMonitor": {"enabled": true},
            "prometheusRule": {"enabled": true},
            "certManager": {"enabled": true},
        }),
    );
    assert_typed(&everything);
    assert_eq!(names(&everything, "ServiceMonitor"), ["pusdata"]);
    assert!(names(&everything, "PrometheusRule").contains(&"pusdata".to_string()));
    assert_eq!(
        names(&everything, "Certificate"),
        ["pusdata-webhook", "pusdata-webhook-ca"]
    );
    // Every alert links to its runbook, and the runbook exists.
    let mut alerts = 0;
    for rule in everything.iter().filter(|d| d["kind"] == "PrometheusRule") {
        for group in rule["spec"]["groups"].as_array().unwrap() {
            for r in group["rules"].as_array().unwrap() {
                let Some(alert) = r["alert"].as_str() else {
                    continue;
                };
                let url = r["annotations"]["runbook_url"].as_str().unwrap_or_default();
                let file = format!("docs/runbooks/{alert}.md");
                assert!(url.ends_with(&file), "{alert}: runbook_url {url}");
                assert!(root().join(&file).is_file(), "{file} missing");
                alerts += 1;
            }
        }
    }
    assert!(alerts >= 4);
    // And off: no NetworkPolicy, no PDB.
    let bare = render_with(
        None,
        serde_json::json!({"networkPolicy": {"enabled": false}, "podDisruptionBudget": {"enabled": false}}),
    );
    assert!(names(&bare, "NetworkPolicy").is_empty());
    assert!(names(&bare, "PodDisruptionBudget").is_empty());
}

/// Rules as (group, resource, verbs), merged the way `rbac::merge` merges declarations.
fn flatten(rules: &[PolicyRule]) -> Vec<(String, String, Vec<String>)> {
    let mut map: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in rules {
        for g in r.api_groups.clone().unwrap_or_default() {
            for res in r.resources.clone().unwrap_or_default() {
                map.entry((g.clone(), res))
                    .or_default()
                    .extend(r.verbs.clone());
            }
        }
    }
    map.into_iter()
        .map(|((g, r), mut v)| {
            v.sort();
            v.dedup();
            (g, r, v)
        })
        .collect()
}

#[test]
fn operator_rbac_is_exactly_what_the_controllers_declare() {
    for docs in [primary(), drc()] {
        let cr: ClusterRole = one(&docs, "ClusterRole", "pusdata-operator");
        let rules = cr.rules.unwrap();
        assert_eq!(flatten(&rules), rbac::all());
        for r in &rules {
            let g = &r.api_groups.as_ref().unwrap()[0];
            let res = &r.resources.as_ref().unwrap()[0];
            assert_eq!(
                r.resource_names.as_deref(),
                rbac::resource_names(g, res)
                    .map(|n| n.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                    .as_deref(),
                "{g}/{res}"
            );
            // No CRD writes (the CRD chart owns them) and no Secrets cluster-wide.
            assert_ne!(res, "customresourcedefinitions");
            assert_ne!(res, "secrets");
        }
        let role: Role = one(&docs, "Role", "pusdata-operator");
        assert_eq!(role.metadata.namespace.as_deref(), Some("pusdata-system"));
        assert_eq!(flatten(&role.rules.unwrap()), rbac::own_namespace());
        let crb: ClusterRoleBinding = one(&docs, "ClusterRoleBinding", "pusdata-operator");
        assert_eq!(crb.role_ref.name, "pusdata-operator");
        let sa = &crb.subjects.unwrap()[0];
        assert_eq!(
            (sa.kind.as_str(), sa.name.as_str()),
            ("ServiceAccount", "pusdata-operator")
        );
        // The webhook: exactly what `--from-cluster` reads, read-only, bound to its own account.
        let wr: ClusterRole = one(&docs, "ClusterRole", "pusdata-webhook");
        let wrules = flatten(&wr.rules.unwrap());
        assert_eq!(wrules, rbac::webhook());
        assert!(
            wrules
                .iter()
                .all(|(_, _, verbs)| verbs.iter().all(|v| v == "list" || v == "watch")),
            "{wrules:?}"
        );
        let wb: ClusterRoleBinding = one(&docs, "ClusterRoleBinding", "pusdata-webhook");
        assert_eq!(wb.role_ref.name, "pusdata-webhook");
        assert_eq!(wb.subjects.unwrap()[0].name, "pusdata-webhook");
        let rb: RoleBinding = one(&docs, "RoleBinding", "pusdata-operator");
        assert_eq!(
            (rb.role_ref.kind.as_str(), rb.role_ref.name.as_str()),
            ("Role", "pusdata-operator")
        );
    }
    // The webhook configurations the operator patches are the chart's.
    let vwc: ValidatingWebhookConfiguration =
        one(&primary(), "ValidatingWebhookConfiguration", "pusdata");
    assert_eq!(
        vwc.metadata.name.as_deref(),
        Some(crate::controllers::webhook_certs::WEBHOOK_CONFIGURATION)
    );
}

const WRITE: &[&str] = &[
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "*",
];

fn grants(rules: &[PolicyRule], group: &str, resource: &str, verb: &str) -> bool {
    rules.iter().any(|r| {
        let g = r.api_groups.as_deref().unwrap_or_default();
        let res = r.resources.as_deref().unwrap_or_default();
        (g.iter().any(|x| x == group || x == "*"))
            && res.iter().any(|x| x == resource || x == "*")
            && r.verbs.iter().any(|v| v == verb || v == "*")
    })
}

fn cluster_role_rules(docs: &[Value], name: &str) -> Vec<PolicyRule> {
    one::<ClusterRole>(docs, "ClusterRole", name).rules.unwrap()
}

#[test]
fn dr_signoff_role_writes_failovers_only_and_binds_the_configured_groups() {
    let docs = primary();
    let rules = cluster_role_rules(&docs, "pusdata-dr-signoff");
    assert!(grants(&rules, "pusdata.io", "failovers", "patch"));
    assert!(grants(&rules, "pusdata.io", "disasterrecoveryplans", "get"));
    for v in WRITE {
        // Sign-offs are annotations: no status, no plan change, no new Failover.
        for r in ["failovers/status", "disasterrecoveryplans", "approvals"] {
            assert!(!grants(&rules, "pusdata.io", r, v), "may {v} {r}");
        }
        if *v != "patch" {
            assert!(
                !grants(&rules, "pusdata.io", "failovers", v),
                "may {v} failovers"
            );
        }
    }
    assert!(!grants(&rules, "", "secrets", "get"));
    // No group by default: nothing bound.
    assert!(
        names(&docs, "ClusterRoleBinding")
            .iter()
            .all(|n| n != "pusdata-dr-signoff")
    );
    let docs = render_with(
        None,
        serde_json::json!({"rbac": {"drSignoffGroups": ["diskominfostandi:kepala", "setda:humas"]}}),
    );
    let b: k8s_openapi::api::rbac::v1::ClusterRoleBinding =
        one(&docs, "ClusterRoleBinding", "pusdata-dr-signoff");
    assert_eq!(b.role_ref.name, "pusdata-dr-signoff");
    let groups: Vec<String> = b.subjects.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(groups, ["diskominfostandi:kepala", "setda:humas"]);
    // Users alone are enough to render the binding (issue 14, defect 9).
    let docs = render_with(
        None,
        serde_json::json!({"rbac": {"drSignoffUsers": ["kadis@bekasikota.go.id"]}}),
    );
    let b: k8s_openapi::api::rbac::v1::ClusterRoleBinding =
        one(&docs, "ClusterRoleBinding", "pusdata-dr-signoff");
    let subjects: Vec<(String, String)> = b
        .subjects
        .unwrap()
        .into_iter()
        .map(|s| (s.kind, s.name))
        .collect();
    assert_eq!(
        subjects,
        [("User".to_string(), "kadis@bekasikota.go.id".to_string())]
    );
}

#[test]
fn people_roles_grant_nothing_they_must_not() {
    let docs = primary();
    let cluster_scoped = [
        "agencies",
        "sites",
        "racks",
        "residencypolicies",
        "failovers",
        "disasterrecoveryplans",
        "backuprepositories",
    ];
    // Agencies: aggregated into edit/view (bound per namespace by the Agency controller).
    for name in ["pusdata-agency-edit", "pusdata-agency-view"] {
        let cr: ClusterRole = one(&docs, "ClusterRole", name);
        let labels = cr.metadata.labels.unwrap();
        assert_eq!(
            labels
                .get("rbac.authorization.k8s.io/aggregate-to-edit")
                .map(String::as_str),
            Some("true")
        );
        let rules = cr.rules.unwrap();
        for v in WRITE {
            assert!(
                !grants(&rules, "pusdata.io", "approvals", v),
                "{name} may {v} approvals"
            );
            for k in cluster_scoped {
                assert!(!grants(&rules, "pusdata.io", k, v), "{name} may {v} {k}");
            }
            assert!(
                !grants(&rules, "pusdata.io", "hostingrequests/status", v),
                "{name} may {v} status"
            );
        }
        for k in cluster_scoped {
            assert!(!grants(&rules, "pusdata.io", k, "get"), "{name} reads {k}");
        }
        assert!(!grants(&rules, "", "secrets", "get"));
    }
    let view = cluster_role_rules(&docs, "pusdata-agency-view");
    assert!(
        grants(&view, "wgpolicyk8s.io", "policyreports", "list"),
        "agencies read their reports"
    );
    assert!(grants(&view, "pusdata.io", "approvals", "get"));
    let edit = cluster_role_rules(&docs, "pusdata-agency-edit");
    assert!(grants(&edit, "pusdata.io", "hostingrequests", "create"));
    // The Agency controller binds exactly the role these aggregate into, and that is the
    // only ClusterRole the operator may bind.
    let bound: Vec<String> = pusdata_core::tenancy::agency_children(
        &pusdata_crds::fixtures::agency("disdik"),
        &[],
        &[],
        "pusdata-system",
    )
    .role_bindings
    .iter()
    .map(|b| b.role_ref.name.clone())
    .collect::<std::collections::BTreeSet<_>>()
    .into_iter()
    .collect();
    assert_eq!(
        bound,
        [
            "edit",
            "pusdata-agent-agency-namespace",
            "pusdata-operator-agency-namespace"
        ]
    );
    let mut bindable: Vec<String> =
        rbac::resource_names("rbac.authorization.k8s.io", "clusterroles")
            .unwrap()
            .iter()
            .map(|s| s.to_string())
            .collect();
    bindable.sort();
    assert_eq!(bound, bindable);
    // What the operator may do in an agency namespace: read a Secret by name, nothing else.
    let reader = cluster_role_rules(&docs, "pusdata-operator-agency-namespace");
    assert_eq!(flatten(&reader), rbac::agency_namespaces());
    assert_eq!(
        rbac::agency_namespaces(),
        [(
            "".to_string(),
            "secrets".to_string(),
            vec!["get".to_string()]
        )]
    );

    // What the DRC agent may do in an agency namespace: read a Secret by name (to copy
    // it into a drill namespace), nothing else; cluster-wide it cannot read Secrets.
    let agent_reader = cluster_role_rules(&docs, "pusdata-agent-agency-namespace");
    assert_eq!(flatten(&agent_reader), rbac::agent_agency_namespaces());
    assert_eq!(rbac::agent_agency_namespaces(), rbac::agency_namespaces());

    // Auditor: reads, never writes, never Secrets.
    let auditor = cluster_role_rules(&docs, "pusdata-auditor");
    for r in &auditor {
        for v in &r.verbs {
            assert!(
                ["get", "list", "watch"].contains(&v.as_str()),
                "auditor may {v}"
            );
        }
        assert!(
            !r.resources
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|x| x == "*")
        );
    }
    for v in ["get", "list", "watch"] {
        assert!(
            !grants(&auditor, "", "secrets", v),
            "auditor may {v} secrets"
        );
    }
    assert!(grants(&auditor, "pusdata.io", "approvals", "list"));
    assert!(grants(
        &auditor,
        "wgpolicyk8s.io",
        "clusterpolicyreports",
        "list"
    ));
    let reports: Role = one(&docs, "Role", "pusdata-auditor-reports");
    assert_eq!(
        reports.metadata.namespace.as_deref(),
        Some("pusdata-system")
    );
    assert_eq!(
        flatten(&reports.rules.unwrap()),
        [(
            "".into(),
            "configmaps".into(),
            vec!["get".into(), "list".into(), "watch".into()]
        )]
    );

    // Platform team: every Pusdata kind, but no CRDs, no Secrets, no wildcards.
    let platform = cluster_role_rules(&docs, "pusdata-platform");
    assert!(grants(&platform, "pusdata.io", "approvals", "create"));
    assert!(grants(&platform, "pusdata.io", "failovers", "create"));
    for v in WRITE {
        assert!(!grants(
            &platform,
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            v
        ));
        assert!(!grants(&platform, "", "secrets", v));
    }
    assert!(!grants(&platform, "", "secrets", "get"));
    // Bindings name the groups from the values.
    let crb: ClusterRoleBinding = one(&docs, "ClusterRoleBinding", "pusdata-auditor");
    assert_eq!(crb.subjects.unwrap()[0].name, "pusdata:auditor");
    let crb: ClusterRoleBinding = one(&docs, "ClusterRoleBinding", "pusdata-platform");
    assert_eq!(crb.subjects.unwrap()[0].name, "pusdata:platform");
    // Nobody in the chart gets a wildcard.
    for cr in all_of::<ClusterRole>(&docs, "ClusterRole") {
        for r in cr.rules.unwrap_or_default() {
            assert!(!r.verbs.iter().any(|v| v == "*"), "{:?}", cr.metadata.name);
        }
    }
}

fn pusdata_plurals() -> Vec<String> {
    let mut v: Vec<String> = pusdata_crds::render_all()
        .unwrap()
        .iter()
        .map(|f| f.file_name.trim_end_matches(".pusdata.io.yaml").to_string())
        .collect();
    v.sort();
    v
}

fn arg(pod: &PodSpec, container: &str, flag: &str) -> Option<String> {
    pod.containers
        .iter()
        .find(|c| c.name == container)?
        .args
        .as_ref()?
        .iter()
        .find_map(|a| a.strip_prefix(&format!("{flag}=")).map(str::to_string))
}

fn pod(docs: &[Value], name: &str) -> PodSpec {
    let d: Deployment = one(docs, "Deployment", name);
    d.spec.unwrap().template.spec.unwrap()
}

#[test]
fn webhook_configuration_and_certificate_wiring() {
    let docs = primary();
    let values = default_values();
    let vwc: ValidatingWebhookConfiguration =
        one(&docs, "ValidatingWebhookConfiguration", "pusdata");
    let hook = &vwc.webhooks.unwrap()[0];
    assert_eq!(hook.failure_policy.as_deref(), Some("Fail"));
    assert_eq!(hook.side_effects, "None");
    // Exempt namespaces come from the values, as a NotIn on the namespace name.
    let sel = hook
        .namespace_selector
        .clone()
        .unwrap()
        .match_expressions
        .unwrap();
    assert_eq!(sel[0].key, "kubernetes.io/metadata.name");
    assert_eq!(sel[0].operator, "NotIn");
    let exempt: Vec<String> =
        serde_json::from_value(values["webhook"]["exemptNamespaces"].clone()).unwrap();
    assert_eq!(sel[0].values.clone().unwrap(), exempt);
    assert!(exempt.iter().any(|n| n == "kube-system"));
    // Every Pusdata kind, and only those: the rules check nothing else.
    let rule = &hook.rules.clone().unwrap()[0];
    assert_eq!(
        rule.api_groups.as_deref(),
        Some(&["pusdata.io".to_string()][..])
    );
    let mut resources = rule.resources.clone().unwrap();
    resources.sort();
    assert_eq!(resources, pusdata_plurals());
    // The Service the API server calls is the webhook's, and the certificate the operator
    // issues names it and lands in the Secret the webhook mounts.
    let svc = hook.client_config.service.clone().unwrap();
    let service: Service = one(&docs, "Service", &svc.name);
    assert_eq!(svc.namespace, "pusdata-system");
    assert_eq!(svc.path.as_deref(), Some("/validate"));
    assert_eq!(
        service.spec.unwrap().ports.unwrap()[0].port,
        svc.port.unwrap()
    );
    let op = pod(&docs, "pusdata-operator");
    let wh = pod(&docs, "pusdata-webhook");
    assert_eq!(
        arg(&op, "operator", "--webhook-certs").as_deref(),
        Some("operator")
    );
    assert_eq!(
        arg(&op, "operator", "--webhook-service"),
        Some(svc.name.clone())
    );
    let secret = arg(&op, "operator", "--webhook-secret").unwrap();
    let tls = wh
        .volumes
        .unwrap()
        .into_iter()
        .find(|v| v.name == "tls")
        .unwrap();
    assert_eq!(tls.secret.unwrap().secret_name, Some(secret.clone()));
    // No bundle in the chart: the operator injects it, and nothing cert-manager's.
    assert!(hook.client_config.ca_bundle.is_none());
    assert!(vwc.metadata.annotations.is_none());
    let mwc: MutatingWebhookConfiguration = one(&docs, "MutatingWebhookConfiguration", "pusdata");
    let m = &mwc.webhooks.unwrap()[0];
    assert_eq!(
        m.client_config.service.as_ref().unwrap().path.as_deref(),
        Some("/mutate")
    );
    let rules = m.rules.clone().unwrap();
    assert_eq!(
        rules[0].resources.as_deref(),
        Some(&["approvals".to_string()][..])
    );
    assert_eq!(
        rules[0].operations.as_deref(),
        Some(&["CREATE".to_string()][..])
    );
    // Failover sign-offs (approval.pusdata.io/<step>) are stamped on create and update;
    // Failovers are cluster-scoped, so their rule must say so or it never matches.
    let failovers = rules
        .iter()
        .find(|r| r.resources.as_deref() == Some(&["failovers".to_string()][..]))
        .expect("a mutating rule for failovers");
    assert_eq!(
        failovers.operations.as_deref(),
        Some(&["CREATE".to_string(), "UPDATE".to_string()][..])
    );
    assert_eq!(failovers.scope.as_deref(), Some("Cluster"));
    assert_eq!(
        failovers.api_groups.as_deref(),
        Some(&["pusdata.io".to_string()][..])
    );
    // Not the status subresource: the controller's progress writes are not sign-offs.
    assert!(
        rules
            .iter()
            .flat_map(|r| r.resources.iter().flatten())
            .all(|r| !r.contains('/'))
    );

    // A softer policy is a value away.
    let soft = render_with(
        None,
        serde_json::json!({"webhook": {"failurePolicy": "Ignore"}}),
    );
    let vwc: ValidatingWebhookConfiguration =
        one(&soft, "ValidatingWebhookConfiguration", "pusdata");
    assert_eq!(
        vwc.webhooks.unwrap()[0].failure_policy.as_deref(),
        Some("Ignore")
    );

    // cert-manager: the Certificate names the Service and writes the same Secret; the CA
    // injector is pointed at it; the operator leaves certificates alone.
    let cm = render_with(None, serde_json::json!({"certManager": {"enabled": true}}));
    for kind in [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ] {
        let d = cm.iter().find(|d| d["kind"] == kind).unwrap();
        assert_eq!(
            d["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
            "pusdata-system/pusdata-webhook"
        );
    }
    let cert = cm
        .iter()
        .find(|d| d["kind"] == "Certificate" && d["metadata"]["name"] == "pusdata-webhook")
        .unwrap();
    assert_eq!(cert["spec"]["secretName"], secret.as_str());
    let dns: Vec<String> = serde_json::from_value(cert["spec"]["dnsNames"].clone()).unwrap();
    assert_eq!(
        dns,
        pusdata_core::certs::service_dns_names(&svc.name, "pusdata-system")
    );
    assert_eq!(
        arg(&pod(&cm, "pusdata-operator"), "operator", "--webhook-certs").as_deref(),
        Some("cert-manager")
    );
}

#[test]
fn labels_and_selectors() {
    for docs in [primary(), drc()] {
        for d in &docs {
            let l = &d["metadata"]["labels"];
            assert_eq!(
                l["app.kubernetes.io/name"], "pusdata",
                "{}",
                d["metadata"]["name"]
            );
            assert_eq!(l["app.kubernetes.io/part-of"], "pusdata");
            assert_eq!(l["app.kubernetes.io/instance"], RELEASE.name);
            assert_eq!(l["app.kubernetes.io/managed-by"], "Helm");
            assert_eq!(l["helm.sh/chart"], "pusdata-0.1.0");
        }
        // Selectors pick the pod templates they mean, and services find their pods.
        let mut pods = Vec::new();
        for dep in all_of::<Deployment>(&docs, "Deployment") {
            let spec = dep.spec.unwrap();
            let labels = spec.template.metadata.unwrap().labels.unwrap();
            for (k, v) in spec.selector.match_labels.unwrap() {
                assert_eq!(labels.get(&k), Some(&v));
            }
            pods.push(labels);
        }
        for sts in all_of::<StatefulSet>(&docs, "StatefulSet") {
            pods.push(sts.spec.unwrap().template.metadata.unwrap().labels.unwrap());
        }
        for svc in all_of::<Service>(&docs, "Service") {
            let sel = svc.spec.unwrap().selector.unwrap();
            let matching = pods
                .iter()
                .filter(|p| sel.iter().all(|(k, v)| p.get(k) == Some(v)))
                .count();
            assert_eq!(matching, 1, "service {:?}", svc.metadata.name);
        }
    }
}

#[test]
fn every_pod_runs_locked_down() {
    for docs in [
        primary(),
        drc(),
        render_with(Some(ALL_OPTIONS), Value::Null),
    ] {
        let pods = pod_specs(&docs);
        assert!(pods.len() >= 2);
        for (name, p) in pods {
            let psc = p.security_context.clone().unwrap();
            assert_eq!(psc.run_as_non_root, Some(true), "{name}");
            assert!(psc.run_as_user.unwrap() > 0, "{name}");
            assert_eq!(
                psc.seccomp_profile.unwrap().type_,
                "RuntimeDefault",
                "{name}"
            );
            // Only the operator, the webhook (read-only, its context) and the DRC agent
            // (restores into its cluster, ClusterRole pusdata-agent) call the API server.
            if !["pusdata-operator", "pusdata-webhook", "pusdata-agent"].contains(&name.as_str()) {
                assert_eq!(p.automount_service_account_token, Some(false), "{name}");
            }
            for c in &p.containers {
                let sc = c.security_context.clone().unwrap();
                assert_eq!(sc.allow_privilege_escalation, Some(false), "{name}");
                assert_eq!(sc.read_only_root_filesystem, Some(true), "{name}");
                assert_eq!(sc.privileged, Some(false), "{name}");
                assert_eq!(sc.run_as_non_root, Some(true), "{name}");
                let caps = sc.capabilities.unwrap();
                assert_eq!(caps.drop.unwrap(), ["ALL"], "{name}");
                assert!(caps.add.is_none_or(|a| a.is_empty()), "{name}");
                let r = c.resources.clone().unwrap();
                for k in ["cpu", "memory"] {
                    assert!(r.requests.as_ref().unwrap().contains_key(k), "{name} {k}");
                    assert!(r.limits.as_ref().unwrap().contains_key(k), "{name} {k}");
                }
            }
        }
    }
}

#[test]
fn roles_primary_and_drc() {
    let p = primary();
    let d = drc();
    let op = pod(&p, "pusdata-operator");
    assert_eq!(arg(&op, "operator", "--role").as_deref(), Some("primary"));
    // HA: two operator replicas share one Lease; every webhook replica serves.
    assert_eq!(
        arg(&op, "operator", "--lease-name").as_deref(),
        Some("pusdata-operator")
    );
    let dep: Deployment = one(&p, "Deployment", "pusdata-operator");
    assert_eq!(dep.spec.unwrap().replicas, Some(2));
    let dep: Deployment = one(&p, "Deployment", "pusdata-webhook");
    assert!(dep.spec.unwrap().replicas.unwrap() >= 2);
    let env = op.containers[0].env.clone().unwrap();
    assert!(env.iter().any(|e| e.name == "POD_NAME"));
    assert!(env.iter().any(|e| e.name == "POD_NAMESPACE"));

    let op = pod(&d, "pusdata-operator");
    assert_eq!(arg(&op, "operator", "--role").as_deref(), Some("drc"));
    let sts: StatefulSet = one(&d, "StatefulSet", "pusdata-agent");
    let spec = sts.spec.unwrap();
    // One agent: its fencing epoch lives on its own volume.
    assert_eq!(spec.replicas, Some(1));
    assert_eq!(
        spec.volume_claim_templates.unwrap()[0]
            .metadata
            .name
            .as_deref(),
        Some("state")
    );
    let ap = spec.template.spec.unwrap();
    assert_eq!(ap.containers[0].args.as_ref().unwrap()[0], "agent");
    assert_eq!(
        arg(&ap, "agent", "--client-ca").as_deref(),
        Some("/tls/ca.crt")
    );
    assert_eq!(arg(&ap, "agent", "--site").as_deref(), Some("drc"));
    let np: NetworkPolicy = one(&d, "NetworkPolicy", "pusdata-agent");
    let ing = np.spec.unwrap().ingress.unwrap();
    assert_eq!(
        ing[0].ports.as_ref().unwrap()[0].port,
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(9443))
    );
    // The agent restores into the DRC's cluster with exactly the permissions its code
    // declares (rbac::agent), bound to its own ServiceAccount.
    assert_eq!(arg(&ap, "agent", "--work").as_deref(), Some("kubernetes"));
    assert_eq!(ap.automount_service_account_token, Some(true));
    assert_eq!(ap.service_account_name.as_deref(), Some("pusdata-agent"));
    let role: k8s_openapi::api::rbac::v1::ClusterRole = one(&d, "ClusterRole", "pusdata-agent");
    let rules: Vec<(String, String, Vec<String>)> = role
        .rules
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.api_groups.unwrap()[0].clone(),
                r.resources.unwrap()[0].clone(),
                r.verbs,
            )
        })
        .collect();
    assert_eq!(rules, crate::controllers::rbac::agent());
    let binding: k8s_openapi::api::rbac::v1::ClusterRoleBinding =
        one(&d, "ClusterRoleBinding", "pusdata-agent");
    assert_eq!(binding.subjects.unwrap()[0].name, "pusdata-agent");
    assert!(names(&p, "ClusterRole").contains(&"pusdata-agent".to_string()));
    let pa: StatefulSet = one(&p, "StatefulSet", "pusdata-agent");
    let pa = pa.spec.unwrap().template.spec.unwrap();
    assert_eq!(arg(&pa, "agent", "--site").as_deref(), Some("primary"));
    // The API server, too, lets the agent create and delete only drill namespaces.
    let guard = d
        .iter()
        .find(|x| x["kind"] == "ValidatingAdmissionPolicy")
        .unwrap();
    let spec = &guard["spec"];
    assert_eq!(
        spec["matchConditions"][0]["expression"],
        "request.userInfo.username == 'system:serviceaccount:pusdata-system:pusdata-agent'"
    );
    let checks: Vec<&str> = spec["validations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["expression"].as_str().unwrap())
        .collect();
    assert!(
        checks
            .iter()
            .all(|c| c.contains("['pusdata.io/drill'] == 'true'"))
    );
    assert!(
        checks
            .iter()
            .any(|c| c.contains("oldObject") && c.contains("'DELETE'"))
    );
    // Secrets: the agent's role may create and update them (copies of a repository's
    // Secrets), never read them, and the policy lets the writes through only in a
    // namespace labelled pusdata.io/drill=true.
    let agent_secrets: Vec<_> = flatten(&cluster_role_rules(&d, "pusdata-agent"))
        .into_iter()
        .filter(|(g, r, _)| g.is_empty() && r == "secrets")
        .collect();
    assert_eq!(
        agent_secrets,
        [(
            "".to_string(),
            "secrets".to_string(),
            vec!["create".to_string(), "update".to_string()]
        )]
    );
    let secret_rule = spec["matchConstraints"]["resourceRules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resources"][0] == "secrets")
        .unwrap();
    assert_eq!(
        secret_rule["operations"],
        serde_json::json!(["CREATE", "UPDATE"])
    );
    let secret_check = checks
        .iter()
        .find(|c| c.starts_with("request.resource.resource != 'secrets'"))
        .unwrap();
    assert!(
        secret_check.contains("namespaceObject.metadata.labels['pusdata.io/drill'] == 'true'"),
        "{secret_check}"
    );
    // The namespace checks do not apply to Secrets (a Secret copy is judged by its
    // namespace, not its own labels).
    assert_eq!(
        checks
            .iter()
            .filter(|c| c.starts_with("request.resource.resource != 'namespaces'"))
            .count(),
        2
    );
    for docs in [&p, &d] {
        assert_eq!(
            names(docs, "ValidatingAdmissionPolicyBinding"),
            ["pusdata-agent-drill-namespaces"]
        );
    }
    // The DRC's values change only what they must: the same roles at both sites.
    assert_eq!(names(&d, "ClusterRole"), names(&p, "ClusterRole"));
}

#[test]
fn generated_files_are_committed() {
    // `pusdata chart --write` regenerates these; run it after changing a controller's
    // PERMISSIONS, a template or a values file. deploy/ is Helm's rendering of the chart.
    let helm = helm();
    for (path, text) in template_files(&root())
        .into_iter()
        .chain(deploy_files(&root(), &helm).unwrap())
    {
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "{} is out of date: run `cargo run -p pusdata -- chart --write`",
            path.display()
        );
    }
}

#[test]
fn both_charts_lint_clean_in_strict_mode() {
    let helm = helm();
    for values in [None, Some("values-drc.yaml"), Some(ALL_OPTIONS)] {
        let files: Vec<PathBuf> = values.map(|f| chart().join(f)).into_iter().collect();
        helm.lint(&chart(), &files)
            .unwrap_or_else(|e| panic!("charts/pusdata with {values:?}: {e}"));
    }
    helm.lint(&root().join(CRDS_CHART_DIR), &[])
        .unwrap_or_else(|e| panic!("charts/pusdata-crds: {e}"));
}

/// The image every pod and Job must run for a release's values, worked out here from the
/// values, not by the chart's helper.
fn expected_image(values: &Value) -> String {
    let repo = values["image"]["repository"].as_str().unwrap();
    match values["image"]["digest"].as_str().filter(|d| !d.is_empty()) {
        Some(digest) => format!("{repo}@{digest}"),
        None => match values["image"]["tag"].as_str().filter(|t| !t.is_empty()) {
            Some(tag) => format!("{repo}:{tag}"),
            None => format!("{repo}:{}", env!("CARGO_PKG_VERSION")),
        },
    }
}

/// Every `image` field anywhere in a document.
fn images_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("image", Value::String(s)) => out.push(s.clone()),
                    _ => images_in(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| images_in(x, out)),
        _ => {}
    }
}

/// Every pod template of the rendering (Deployments, the StatefulSet, the test Pod), by name.
fn pod_specs(docs: &[Value]) -> Vec<(String, PodSpec)> {
    let mut pods: Vec<(String, PodSpec)> = all_of::<Deployment>(docs, "Deployment")
        .into_iter()
        .map(|d| {
            (
                d.metadata.name.unwrap(),
                d.spec.unwrap().template.spec.unwrap(),
            )
        })
        .collect();
    pods.extend(
        all_of::<StatefulSet>(docs, "StatefulSet")
            .into_iter()
            .map(|s| {
                (
                    s.metadata.name.unwrap(),
                    s.spec.unwrap().template.spec.unwrap(),
                )
            }),
    );
    pods.extend(
        all_of::<Pod>(docs, "Pod")
            .into_iter()
            .map(|p| (p.metadata.name.unwrap(), p.spec.unwrap())),
    );
    pods
}

#[test]
fn one_image_for_every_pod_and_every_job_the_operator_builds() {
    // The chart's default tag is its appVersion, and the binary's own default image is the
    // same: an operator started without --mover-image still starts Jobs of its own version.
    let meta: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(chart().join("Chart.yaml")).unwrap())
            .unwrap();
    assert_eq!(meta["appVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        pusdata_core::backup::job::DEFAULT_IMAGE,
        expected_image(&default_values())
    );
    let all: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(chart().join(ALL_OPTIONS)).unwrap())
            .unwrap();
    let mut tagged = default_values();
    tagged["image"]["tag"] = "0.1.0-hotfix2".into();
    let cases = [
        (None, Value::Null, default_values()),
        (Some("values-drc.yaml"), Value::Null, default_values()),
        (
            None,
            serde_json::json!({"image": {"tag": "0.1.0-hotfix2"}}),
            tagged,
        ),
        (Some(ALL_OPTIONS), Value::Null, all),
    ];
    for (file, extra, values) in cases {
        let want = expected_image(&values);
        let docs = render_with(file, extra.clone());
        let mut images = Vec::new();
        docs.iter().for_each(|d| images_in(d, &mut images));
        // Operator, webhook, agent and the helm test pod.
        assert!(images.len() >= 4, "{file:?}: {images:?}");
        for image in &images {
            assert_eq!(image, &want, "{file:?} {extra}");
        }
        let text = serde_json::to_string(&docs).unwrap();
        assert!(!text.contains(":latest"), "{file:?}: a :latest reference");

        // The Jobs: the operator is told the same image, and its own argument parser turns
        // the rendered arguments into the settings every Job is built from.
        let op = pod(&docs, "pusdata-operator");
        assert_eq!(arg(&op, "operator", "--mover-image"), Some(want.clone()));
        let mut argv = vec!["pusdata".to_string()];
        argv.extend(op.containers[0].args.clone().unwrap());
        argv.push("--identity=pusdata-operator-0".into());
        let cli = <crate::cli::Cli as clap::Parser>::try_parse_from(&argv)
            .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        let crate::cli::Command::Operator(args) = cli.command else {
            panic!("not the operator: {argv:?}")
        };
        let options = crate::operator_options(args).unwrap();
        assert_eq!(options.mover.image, want, "{file:?}");
    }
}

#[test]
fn every_container_s_arguments_are_accepted_by_the_binary() {
    for file in [None, Some("values-drc.yaml"), Some(ALL_OPTIONS)] {
        for (name, p) in pod_specs(&render_with(file, Value::Null)) {
            for c in &p.containers {
                let mut argv = vec!["pusdata".to_string()];
                argv.extend(c.args.clone().unwrap_or_default());
                if let Err(e) = <crate::cli::Cli as clap::Parser>::try_parse_from(&argv) {
                    panic!("{file:?} {name}/{}: {argv:?}: {e}", c.name);
                }
            }
        }
    }
}

#[test]
fn every_option_reaches_the_pods_it_is_meant_for() {
    let values: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(chart().join(ALL_OPTIONS)).unwrap())
            .unwrap();
    let docs = render_with(Some(ALL_OPTIONS), Value::Null);
    assert_typed(&docs);
    type Labels = BTreeMap<String, String>;
    // Name → (pod spec, pod labels, pod annotations).
    let pods: BTreeMap<String, (PodSpec, Labels, Labels)> = ["Deployment", "StatefulSet"]
        .iter()
        .flat_map(|k| docs.iter().filter(move |d| d["kind"] == *k))
        .map(|d| {
            let t = &d["spec"]["template"];
            let spec: PodSpec = serde_json::from_value(t["spec"].clone()).unwrap();
            let labels = serde_json::from_value(t["metadata"]["labels"].clone()).unwrap();
            let annotations =
                serde_json::from_value(t["metadata"]["annotations"].clone()).unwrap_or_default();
            (
                d["metadata"]["name"].as_str().unwrap().to_string(),
                (spec, labels, annotations),
            )
        })
        .collect();
    for (component, container) in [
        ("operator", "operator"),
        ("webhook", "webhook"),
        ("agent", "agent"),
    ] {
        let v = &values[component];
        let (p, labels, annotations) = &pods[&format!("pusdata-{component}")];
        let c = p.containers.iter().find(|c| c.name == container).unwrap();
        assert_eq!(to(&p.node_selector), v["nodeSelector"], "{component}");
        assert_eq!(to(&p.tolerations), v["tolerations"], "{component}");
        assert_eq!(to(&p.affinity), v["affinity"], "{component}");
        assert_eq!(
            to(&p.topology_spread_constraints),
            v["topologySpreadConstraints"],
            "{component}"
        );
        assert_eq!(
            to(&p.priority_class_name),
            v["priorityClassName"],
            "{component}"
        );
        assert_eq!(
            to(&p.image_pull_secrets),
            values["imagePullSecrets"],
            "{component}"
        );
        assert_eq!(
            to(&p.security_context),
            v["podSecurityContext"],
            "{component}"
        );
        assert_eq!(to(&c.security_context), v["securityContext"], "{component}");
        assert_eq!(to(&c.resources), v["resources"], "{component}");
        assert_eq!(
            c.image_pull_policy.as_deref(),
            values["image"]["pullPolicy"].as_str()
        );
        for (k, want) in v["podLabels"].as_object().unwrap() {
            assert_eq!(
                labels.get(k).map(String::as_str),
                want.as_str(),
                "{component} {k}"
            );
        }
        for (k, want) in v["podAnnotations"].as_object().unwrap() {
            assert_eq!(
                annotations.get(k).map(String::as_str),
                want.as_str(),
                "{component} {k}"
            );
        }
        let args = c.args.clone().unwrap();
        let extra: Vec<String> = serde_json::from_value(v["extraArgs"].clone()).unwrap();
        assert!(args.ends_with(&extra), "{component}: {args:?}");
        let env = to(&c.env);
        for e in v["extraEnv"].as_array().unwrap() {
            assert!(env.as_array().unwrap().contains(e), "{component}: {env}");
        }
        // The selector still picks the pods, whatever podLabels add.
        assert_eq!(labels["app.kubernetes.io/component"], component);
    }
    // The rest of the values, where they belong.
    let op = &pods["pusdata-operator"].0;
    assert_eq!(arg(op, "operator", "--role").as_deref(), Some("drc"));
    assert_eq!(
        arg(op, "operator", "--platform-namespace").as_deref(),
        Some("platform")
    );
    assert_eq!(
        arg(op, "operator", "--webhook-certs").as_deref(),
        Some("cert-manager")
    );
    let agent = &pods["pusdata-agent"].0;
    assert_eq!(
        arg(agent, "agent", "--storage-class").as_deref(),
        Some("fast-ssd")
    );
    assert_eq!(
        arg(agent, "agent", "--restore-repository").as_deref(),
        Some("{agency}-drc")
    );
    let dep: Deployment = one(&docs, "Deployment", "pusdata-webhook");
    assert_eq!(dep.spec.unwrap().replicas, Some(3));
}

/// A typed value as JSON, for comparing with the values file (`None` is `null`).
fn to<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap()
}

#[test]
fn the_schema_refuses_wrong_values_naming_the_field() {
    let helm = helm();
    for (bad, field) in [
        (
            serde_json::json!({"operator": {"replicas": "two"}}),
            "/operator/replicas",
        ),
        (
            serde_json::json!({"image": {"tag": "latest"}}),
            "/image/tag",
        ),
        (serde_json::json!({"role": "backup"}), "/role"),
        (
            serde_json::json!({"operator": {"extraArgs": ["verbose"]}}),
            "/operator/extraArgs/0",
        ),
        (
            serde_json::json!({"agent": {"nodeSelector": {"zone": 1}}}),
            "/agent/nodeSelector/zone",
        ),
        (
            serde_json::json!({"webhook": {"failurePolicy": "Maybe"}}),
            "/webhook/failurePolicy",
        ),
    ] {
        let msg = match helm.render(&chart(), &[], Some(&bad), RELEASE, false) {
            Ok(_) => panic!("{bad} was rendered"),
            Err(e) => e.to_string(),
        };
        assert!(msg.contains(field), "{bad}: {msg}");
    }
}

#[test]
fn the_test_hook_probes_the_webhook_over_tls_and_the_operator_s_endpoints() {
    let docs = render_with(None, Value::Null);
    let hook = docs
        .iter()
        .find(|d| d["kind"] == "Pod")
        .expect("a helm test pod");
    assert_eq!(hook["metadata"]["annotations"]["helm.sh/hook"], "test");
    let p: Pod = serde_json::from_value(hook.clone()).unwrap();
    let spec = p.spec.unwrap();
    let args = spec.containers[0].args.clone().unwrap();
    assert_eq!(args[0], "probe");
    let webhook: Service = one(&docs, "Service", "pusdata-webhook");
    let metrics: Service = one(&docs, "Service", "pusdata-operator-metrics");
    let port = |s: &Service| s.spec.clone().unwrap().ports.unwrap()[0].port;
    assert!(args.contains(&format!(
        "https://pusdata-webhook.pusdata-system.svc:{}/healthz",
        port(&webhook)
    )));
    for path in ["/readyz", "/metrics"] {
        assert!(args.contains(&format!(
            "http://pusdata-operator-metrics.pusdata-system.svc:{}{path}",
            port(&metrics)
        )));
    }
    // Over TLS against the webhook's own CA, from the Secret the webhook serves with.
    assert_eq!(arg(&spec, "probe", "--ca").as_deref(), Some("/tls/ca.crt"));
    let secret = spec.volumes.unwrap()[0].secret.clone().unwrap();
    assert_eq!(secret.secret_name.as_deref(), Some("pusdata-webhook-tls"));
    // The operator's NetworkPolicy lets the test pod in.
    let np: NetworkPolicy = one(&docs, "NetworkPolicy", "pusdata-operator");
    let from = np.spec.unwrap().ingress.unwrap()[0].from.clone().unwrap();
    let labels = p.metadata.labels.unwrap();
    assert!(from.iter().any(|f| {
        f.pod_selector
            .as_ref()
            .and_then(|s| s.match_labels.as_ref())
            .is_some_and(|m| m.iter().all(|(k, v)| labels.get(k) == Some(v)))
    }));
    // Readiness is what the operator serves for it (controllers::http::route).
    let op = pod(&docs, "pusdata-operator");
    let ready = op.containers[0]
        .readiness_probe
        .clone()
        .unwrap()
        .http_get
        .unwrap();
    assert_eq!(ready.path.as_deref(), Some("/readyz"));
    assert_eq!(
        crate::controllers::http::route("/readyz"),
        crate::controllers::http::Route::Readyz
    );
    // deploy/ is for kubectl apply: no test hook there.
    let deployed = std::fs::read_to_string(root().join("deploy/primary/pusdata.yaml")).unwrap();
    assert!(!deployed.contains("helm.sh/hook"));
}

/// Issue 14, defect 9: `kubectl apply -f deploy/…` must meet each object's dependencies
/// first: ServiceAccounts and RBAC before the workloads that run as them, the agent's
/// admission policy before the agent, the webhook configurations after the webhook.
#[test]
fn deploy_lists_dependencies_first() {
    for dir in ["deploy/primary", "deploy/drc"] {
        let text = std::fs::read_to_string(root().join(dir).join("pusdata.yaml")).unwrap();
        let docs = pusdata_crds::yaml_documents(&text).unwrap();
        let kinds: Vec<String> = docs
            .iter()
            .map(|d| d["kind"].as_str().unwrap_or_default().to_string())
            .collect();
        let first = |k: &str| kinds.iter().position(|x| x == k);
        let last = |k: &str| kinds.iter().rposition(|x| x == k);
        let workloads = ["Deployment", "StatefulSet"]
            .iter()
            .filter_map(|k| first(k))
            .min()
            .unwrap();
        for dep in [
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
        ] {
            let at = last(dep).unwrap_or_else(|| panic!("{dir}: no {dep}"));
            assert!(
                at < workloads,
                "{dir}: a {dep} comes after a workload: {kinds:?}"
            );
        }
        let webhook_configs = first("MutatingWebhookConfiguration")
            .min(first("ValidatingWebhookConfiguration"))
            .unwrap();
        assert!(
            ["Deployment", "Service"]
                .iter()
                .all(|k| last(k).unwrap() < webhook_configs),
            "{dir}: webhook configurations before the webhook: {kinds:?}"
        );
    }
}

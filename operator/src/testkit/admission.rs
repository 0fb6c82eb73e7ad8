//! Admission routing in tests: which of the rendered webhook configurations and
//! ValidatingAdmissionPolicies the API server would call for a request, evaluated the way
//! k8s.io/apiserver's admission predicates do.
//!
//! Modelled: rules (`apiGroups`, `apiVersions`, `resources` with `*`, `r/sub`, `*/sub`,
//! `r/*`, `operations`, `scope`), `namespaceSelector` (matchLabels and matchExpressions
//! In/NotIn/Exists/DoesNotExist, against the namespace's labels with the
//! `kubernetes.io/metadata.name` label every namespace carries; a Namespace object is matched
//! by its own labels; any other cluster-scoped object is never excluded by it),
//! `objectSelector` (new or old object), `matchPolicy` (one served version here, so
//! Equivalent and Exact agree), `failurePolicy` (reported), and the one form of
//! `matchConditions` the chart uses (`request.userInfo.username == '…'`). Any other match
//! condition makes the evaluation panic: a test must not pass on a condition it cannot read.

use serde_json::Value;
use std::collections::BTreeMap;

/// One admission request, as far as routing needs it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// API group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Plural resource.
    pub resource: String,
    /// Subresource, "" for the object itself.
    pub subresource: String,
    /// CREATE, UPDATE, DELETE or CONNECT.
    pub operation: String,
    /// The object's namespace; `None` for a cluster-scoped object.
    pub namespace: Option<String>,
    /// Labels of the object's namespace (without the automatic name label, added here).
    pub namespace_labels: BTreeMap<String, String>,
    /// Labels of the object (for a Namespace: its own).
    pub object_labels: BTreeMap<String, String>,
    /// The requesting user's name.
    pub username: String,
}

/// Where a request is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// `ValidatingWebhookConfiguration`, `MutatingWebhookConfiguration` or
    /// `ValidatingAdmissionPolicy`.
    pub kind: String,
    /// The webhook's (or policy's) name.
    pub name: String,
    /// The service path a webhook is called on ("" for a policy).
    pub path: String,
    /// `Fail` or `Ignore`.
    pub failure_policy: String,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn any_or(list: &[String], x: &str) -> bool {
    list.iter().any(|l| l == "*" || l == x)
}

/// admissionregistration/v1 RuleWithOperations against the request.
fn rule_matches(rule: &Value, req: &Request, operations: bool) -> bool {
    if operations && !any_or(&strings(&rule["operations"]), &req.operation) {
        return false;
    }
    if !any_or(&strings(&rule["apiGroups"]), &req.group)
        || !any_or(&strings(&rule["apiVersions"]), &req.version)
    {
        return false;
    }
    let resource_ok = strings(&rule["resources"]).iter().any(|r| {
        let (res, sub) = r.split_once('/').unwrap_or((r.as_str(), ""));
        let res_ok = res == "*" || res == req.resource;
        let sub_ok = if r.contains('/') {
            sub == "*" || sub == req.subresource
        } else {
            // `r` alone (or `*`) is the object itself, never a subresource.
            req.subresource.is_empty()
        };
        res_ok && sub_ok
    });
    if !resource_ok {
        return false;
    }
    match rule["scope"].as_str().unwrap_or("*") {
        "Cluster" => req.namespace.is_none(),
        "Namespaced" => req.namespace.is_some(),
        _ => true,
    }
}

/// A metav1.LabelSelector against labels; an absent or empty selector matches everything.
pub fn selector_matches(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    if selector.is_null() {
        return true;
    }
    let by_label = selector["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
        })
        .unwrap_or(true);
    let by_expression = selector["matchExpressions"]
        .as_array()
        .map(|es| {
            es.iter().all(|e| {
                let key = e["key"].as_str().unwrap_or_default();
                let values = strings(&e["values"]);
                let value = labels.get(key);
                match e["operator"].as_str().unwrap_or_default() {
                    "In" => value.is_some_and(|v| values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    other => panic!("unknown selector operator {other}"),
                }
            })
        })
        .unwrap_or(true);
    by_label && by_expression
}

fn namespace_matches(selector: &Value, req: &Request) -> bool {
    if req.group.is_empty() && req.resource == "namespaces" {
        // A Namespace is matched by its own labels.
        return selector_matches(selector, &req.object_labels);
    }
    let Some(ns) = &req.namespace else {
        // Other cluster-scoped objects are never excluded by a namespaceSelector.
        return true;
    };
    let mut labels = req.namespace_labels.clone();
    labels.insert("kubernetes.io/metadata.name".into(), ns.clone());
    selector_matches(selector, &labels)
}

fn conditions_match(conditions: &Value, req: &Request) -> bool {
    conditions.as_array().into_iter().flatten().all(|c| {
        let expr = c["expression"].as_str().unwrap_or_default().trim();
        let Some(user) = expr
            .strip_prefix("request.userInfo.username == '")
            .and_then(|r| r.strip_suffix('\''))
        else {
            panic!("matchCondition not modelled by testkit::admission: {expr}");
        };
        req.username == user
    })
}

/// Every webhook and admission policy of `docs` that `req` reaches, in document order.
pub fn routes(docs: &[Value], req: &Request) -> Vec<Route> {
    let mut out = Vec::new();
    for d in docs {
        let kind = d["kind"].as_str().unwrap_or_default();
        match kind {
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
                for w in d["webhooks"].as_array().into_iter().flatten() {
                    let hit = w["rules"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|r| rule_matches(r, req, true))
                        && namespace_matches(&w["namespaceSelector"], req)
                        && selector_matches(&w["objectSelector"], &req.object_labels)
                        && conditions_match(&w["matchConditions"], req);
                    if hit {
                        out.push(Route {
                            kind: kind.into(),
                            name: w["name"].as_str().unwrap_or_default().into(),
                            path: w["clientConfig"]["service"]["path"]
                                .as_str()
                                .unwrap_or_default()
                                .into(),
                            failure_policy: w["failurePolicy"].as_str().unwrap_or("Fail").into(),
                        });
                    }
                }
            }
            "ValidatingAdmissionPolicy" => {
                let name = d["metadata"]["name"].as_str().unwrap_or_default();
                let c = &d["spec"]["matchConstraints"];
                let constrained = c["resourceRules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|r| rule_matches(r, req, true))
                    && !c["excludeResourceRules"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|r| rule_matches(r, req, false))
                    && namespace_matches(&c["namespaceSelector"], req)
                    && selector_matches(&c["objectSelector"], &req.object_labels)
                    && conditions_match(&d["spec"]["matchConditions"], req);
                if !constrained {
                    continue;
                }
                // A policy acts only through a binding whose matchResources (if any) also
                // match and whose actions include Deny.
                let bound = docs.iter().any(|b| {
                    b["kind"] == "ValidatingAdmissionPolicyBinding"
                        && b["spec"]["policyName"] == name
                        && strings(&b["spec"]["validationActions"])
                            .iter()
                            .any(|a| a == "Deny")
                        && {
                            let m = &b["spec"]["matchResources"];
                            m.is_null()
                                || ((m["resourceRules"].is_null()
                                    || m["resourceRules"]
                                        .as_array()
                                        .into_iter()
                                        .flatten()
                                        .any(|r| rule_matches(r, req, true)))
                                    && namespace_matches(&m["namespaceSelector"], req)
                                    && selector_matches(&m["objectSelector"], &req.object_labels))
                        }
                });
                if bound {
                    out.push(Route {
                        kind: kind.into(),
                        name: name.into(),
                        path: String::new(),
                        failure_policy: d["spec"]["failurePolicy"]
                            .as_str()
                            .unwrap_or("Fail")
                            .into(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The service paths `req` reaches (`/validate`, `/mutate`).
pub fn paths(docs: &[Value], req: &Request) -> Vec<String> {
    routes(docs, req)
        .into_iter()
        .filter(|r| !r.path.is_empty())
        .map(|r| r.path)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors_follow_label_selector_semantics() {
        let sel = json!({"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]},
            {"key": "pusdata.io/agency", "operator": "Exists"}]});
        assert!(selector_matches(
            &sel,
            &labels(&[
                ("kubernetes.io/metadata.name", "disdik"),
                ("pusdata.io/agency", "disdik")
            ])
        ));
        assert!(!selector_matches(
            &sel,
            &labels(&[
                ("kubernetes.io/metadata.name", "kube-system"),
                ("pusdata.io/agency", "x")
            ])
        ));
        assert!(!selector_matches(
            &sel,
            &labels(&[("kubernetes.io/metadata.name", "disdik")])
        ));
        assert!(selector_matches(&Value::Null, &labels(&[])));
        assert!(selector_matches(
            &json!({"matchLabels": {"a": "b"}}),
            &labels(&[("a", "b")])
        ));
    }

    #[test]
    fn rules_scope_and_subresources() {
        let rule = json!({"apiGroups": ["pusdata.io"], "apiVersions": ["v1alpha1"],
            "operations": ["CREATE"], "resources": ["approvals"], "scope": "Namespaced"});
        let mut req = Request {
            group: "pusdata.io".into(),
            version: "v1alpha1".into(),
            resource: "approvals".into(),
            operation: "CREATE".into(),
            namespace: Some("pusdata-system".into()),
            ..Request::default()
        };
        assert!(rule_matches(&rule, &req, true));
        req.subresource = "status".into();
        assert!(!rule_matches(&rule, &req, true), "status is not the object");
        req.subresource.clear();
        req.namespace = None;
        assert!(!rule_matches(&rule, &req, true), "scope Namespaced");
        req.namespace = Some("x".into());
        req.operation = "UPDATE".into();
        assert!(!rule_matches(&rule, &req, true));
    }
}

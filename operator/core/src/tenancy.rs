//! What an agency gets in the city cluster (CLOUD-CITY, NET-PORTS): its namespaces, quota,
//! default limits, a default-deny network policy with the standard egress ports, and edit
//! rights for its own groups in its own namespaces only. Pure: the Agency controller applies
//! exactly what [`agency_children`] returns.

use crate::i18n::Text;
use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec,
};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::api::rbac::v1::{RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use pusdata_crds::v1alpha1::{Agency, EgressPort, Protocol};
use std::collections::BTreeMap;

/// Label carried by everything Pusdata creates for an agency.
pub const AGENCY_LABEL: &str = "pusdata.io/agency";
/// Label marking objects managed by Pusdata.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Namespaces with this label set to `"true"` may send traffic into agency namespaces (the
/// ingress controller's).
pub const INGRESS_LABEL: &str = "pusdata.io/ingress";
/// Name of the quota, limit range, policies and role binding in each agency namespace.
pub const QUOTA_NAME: &str = "pusdata-quota";
/// Name of the default limits.
pub const LIMITS_NAME: &str = "pusdata-defaults";
/// Name of the default-deny policy.
pub const DENY_NAME: &str = "pusdata-default-deny";
/// Name of the egress allow-list policy.
pub const EGRESS_NAME: &str = "pusdata-egress-standard";
/// Name of the agency's edit role binding.
pub const EDIT_BINDING_NAME: &str = "pusdata-agency-edit";
/// The RoleBinding in each agency namespace that lets the operator read that agency's
/// repository Secrets (by name) — never Secrets cluster-wide.
pub const OPERATOR_SECRETS_BINDING: &str = "pusdata-operator-secrets";
/// The ClusterRole that binding refers to (secrets: get), shipped by the chart.
pub const OPERATOR_SECRETS_ROLE: &str = "pusdata-operator-agency-namespace";
/// The operator's service account (the chart's).
pub const OPERATOR_SERVICE_ACCOUNT: &str = "pusdata-operator";
/// The RoleBinding in each agency namespace that lets the DRC agent read that agency's
/// repository Secrets (to copy them into a drill's isolated namespace) — never Secrets
/// cluster-wide.
pub const AGENT_SECRETS_BINDING: &str = "pusdata-agent-secrets";
/// The ClusterRole that binding refers to (secrets: get), shipped by the chart.
pub const AGENT_SECRETS_ROLE: &str = "pusdata-agent-agency-namespace";
/// The DRC agent's service account (the chart's, in the operator's namespace).
pub const AGENT_SERVICE_ACCOUNT: &str = "pusdata-agent";

/// Everything an agency should have.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgencyChildren {
    /// Namespaces (never owned by the Agency: deleting an agency must not delete data).
    pub namespaces: Vec<Namespace>,
    /// One quota per namespace.
    pub quotas: Vec<ResourceQuota>,
    /// One limit range per namespace.
    pub limit_ranges: Vec<LimitRange>,
    /// Default-deny and egress allow-list per namespace.
    pub network_policies: Vec<NetworkPolicy>,
    /// Edit rights for the agency's groups, per namespace.
    pub role_bindings: Vec<RoleBinding>,
}

/// The agency's namespaces: its list, or one named after its code.
pub fn namespaces_of(agency: &Agency) -> Vec<String> {
    if agency.spec.namespaces.is_empty() {
        vec![agency.spec.code.clone()]
    } else {
        agency.spec.namespaces.clone()
    }
}

fn labels(code: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (AGENCY_LABEL.to_string(), code.to_string()),
        (MANAGED_BY_LABEL.to_string(), "pusdata".to_string()),
    ])
}

fn meta(name: &str, namespace: Option<&str>, code: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(labels(code)),
        ..ObjectMeta::default()
    }
}

fn put(map: &mut BTreeMap<String, Quantity>, key: &str, q: &Option<Quantity>) {
    if let Some(q) = q {
        map.insert(key.to_string(), q.clone());
    }
}

fn port(p: &EgressPort) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(p.port))),
        protocol: Some(match p.protocol {
            Protocol::TCP => "TCP".to_string(),
            Protocol::UDP => "UDP".to_string(),
        }),
        end_port: None,
    }
}

/// Everything the agency should have, given the allowed standard ports and the extra ports
/// whose approval the caller has checked.
pub fn agency_children(
    agency: &Agency,
    standard_ports: &[EgressPort],
    approved_extra: &[EgressPort],
    operator_namespace: &str,
) -> AgencyChildren {
    let code = agency.spec.code.as_str();
    let q = &agency.spec.quota;
    let mut out = AgencyChildren::default();
    for ns in namespaces_of(agency) {
        let mut ns_labels = labels(code);
        // Agencies run ordinary web workloads: nothing needs privileged pods.
        ns_labels.insert(
            "pod-security.kubernetes.io/enforce".into(),
            "baseline".into(),
        );
        ns_labels.insert(
            "pod-security.kubernetes.io/warn".into(),
            "restricted".into(),
        );
        out.namespaces.push(Namespace {
            metadata: ObjectMeta {
                name: Some(ns.clone()),
                labels: Some(ns_labels),
                ..ObjectMeta::default()
            },
            ..Namespace::default()
        });

        let mut hard = BTreeMap::new();
        put(&mut hard, "requests.cpu", &q.cpu);
        put(&mut hard, "requests.memory", &q.memory);
        put(&mut hard, "requests.storage", &q.storage);
        if let Some(pods) = q.pods {
            hard.insert("pods".to_string(), Quantity(pods.to_string()));
        }
        out.quotas.push(ResourceQuota {
            metadata: meta(QUOTA_NAME, Some(&ns), code),
            spec: Some(ResourceQuotaSpec {
                hard: Some(hard),
                ..ResourceQuotaSpec::default()
            }),
            status: None,
        });

        let mut default_request = BTreeMap::new();
        put(&mut default_request, "cpu", &q.default_cpu_request);
        put(&mut default_request, "memory", &q.default_memory_request);
        let mut default_limit = BTreeMap::new();
        put(&mut default_limit, "cpu", &q.default_cpu_limit);
        put(&mut default_limit, "memory", &q.default_memory_limit);
        out.limit_ranges.push(LimitRange {
            metadata: meta(LIMITS_NAME, Some(&ns), code),
            spec: Some(LimitRangeSpec {
                limits: vec![LimitRangeItem {
                    type_: "Container".to_string(),
                    default_request: (!default_request.is_empty()).then_some(default_request),
                    default: (!default_limit.is_empty()).then_some(default_limit),
                    ..LimitRangeItem::default()
                }],
            }),
        });

        out.network_policies.push(NetworkPolicy {
            metadata: meta(DENY_NAME, Some(&ns), code),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector::default()),
                policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
                // Traffic inside the agency's namespace and from the ingress controller only:
                // agencies are isolated from each other.
                ingress: Some(vec![NetworkPolicyIngressRule {
                    from: Some(vec![
                        NetworkPolicyPeer {
                            pod_selector: Some(LabelSelector::default()),
                            ..NetworkPolicyPeer::default()
                        },
                        NetworkPolicyPeer {
                            namespace_selector: Some(LabelSelector {
                                match_labels: Some(BTreeMap::from([(
                                    INGRESS_LABEL.to_string(),
                                    "true".to_string(),
                                )])),
                                ..LabelSelector::default()
                            }),
                            ..NetworkPolicyPeer::default()
                        },
                    ]),
                    ports: None,
                }]),
                egress: None,
            }),
        });

        let mut ports: Vec<NetworkPolicyPort> = standard_ports
            .iter()
            .chain(approved_extra)
            .map(port)
            .collect();
        ports.dedup();
        let dns = vec![
            NetworkPolicyPort {
                port: Some(IntOrString::Int(53)),
                protocol: Some("UDP".into()),
                end_port: None,
            },
            NetworkPolicyPort {
                port: Some(IntOrString::Int(53)),
                protocol: Some("TCP".into()),
                end_port: None,
            },
        ];
        out.network_policies.push(NetworkPolicy {
            metadata: meta(EGRESS_NAME, Some(&ns), code),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector::default()),
                policy_types: Some(vec!["Egress".into()]),
                ingress: None,
                egress: Some(vec![
                    NetworkPolicyEgressRule {
                        to: Some(vec![NetworkPolicyPeer {
                            pod_selector: Some(LabelSelector::default()),
                            ..NetworkPolicyPeer::default()
                        }]),
                        ports: None,
                    },
                    NetworkPolicyEgressRule {
                        to: None,
                        ports: Some(dns),
                    },
                    NetworkPolicyEgressRule {
                        to: None,
                        ports: Some(ports),
                    },
                ]),
            }),
        });

        out.role_bindings.push(RoleBinding {
            metadata: meta(EDIT_BINDING_NAME, Some(&ns), code),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: "edit".into(),
            },
            subjects: Some(
                agency
                    .spec
                    .groups
                    .iter()
                    .map(|g| Subject {
                        api_group: Some("rbac.authorization.k8s.io".into()),
                        kind: "Group".into(),
                        name: g.clone(),
                        namespace: None,
                    })
                    .collect(),
            ),
        });
        for (binding, role, account) in [
            (
                OPERATOR_SECRETS_BINDING,
                OPERATOR_SECRETS_ROLE,
                OPERATOR_SERVICE_ACCOUNT,
            ),
            (
                AGENT_SECRETS_BINDING,
                AGENT_SECRETS_ROLE,
                AGENT_SERVICE_ACCOUNT,
            ),
        ] {
            out.role_bindings.push(RoleBinding {
                metadata: meta(binding, Some(&ns), code),
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: role.into(),
                },
                subjects: Some(vec![Subject {
                    api_group: None,
                    kind: "ServiceAccount".into(),
                    name: account.into(),
                    namespace: Some(operator_namespace.into()),
                }]),
            });
        }
    }
    out
}

/// Namespaces no agency may claim: the cluster's own and the platform team's.
pub fn reserved_namespace(ns: &str, platform_namespace: &str) -> bool {
    ns == platform_namespace
        || ns == "default"
        || ns.starts_with("kube-")
        || ns.starts_with("pusdata-")
}

/// Checks what the CRD cannot: the agency claims no reserved namespace. Two agencies
/// claiming one namespace is caught by the shell, which sees both.
pub fn validate(agency: &Agency, platform_namespace: &str) -> Result<(), Text> {
    match namespaces_of(agency)
        .into_iter()
        .find(|ns| reserved_namespace(ns, platform_namespace))
    {
        None => Ok(()),
        Some(ns) => Err(crate::t!(
            "common-tenancy-namespace-reserved-cluster-platform",
            ns = &ns
        )),
    }
}

/// Why an agency cannot be removed yet, if it cannot: it still has hosted systems or
/// backup repositories. Removing an agency never deletes data silently.
pub fn deletion_blocked(hosted_systems: usize, repositories: usize) -> Option<Text> {
    if hosted_systems == 0 && repositories == 0 {
        return None;
    }
    Some(crate::t!(
        "common-tenancy-agency-still-hosted-system",
        hosted_systems = &hosted_systems,
        repositories = &repositories
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::allowed_ports;
    use pusdata_crds::fixtures;

    #[test]
    fn every_namespace_gets_quota_limits_policies_and_binding() {
        let mut a = fixtures::agency("disdukcapil");
        a.spec.namespaces = vec!["disdukcapil".into(), "disdukcapil-apps".into()];
        a.spec.quota.cpu = Some(Quantity("8".into()));
        a.spec.quota.pods = Some(50);
        let c = agency_children(&a, &allowed_ports(&[]), &[], "pusdata-system");
        assert_eq!(c.namespaces.len(), 2);
        assert_eq!(c.quotas.len(), 2);
        assert_eq!(c.limit_ranges.len(), 2);
        assert_eq!(c.network_policies.len(), 4);
        // Per namespace: the agency's edit binding and the Secret readers of the operator
        // and of the DRC agent (which copies them into a drill namespace), each one
        // ServiceAccount bound to its own role and nothing more.
        assert_eq!(c.role_bindings.len(), 6);
        for (binding, role, account) in [
            (
                OPERATOR_SECRETS_BINDING,
                OPERATOR_SECRETS_ROLE,
                OPERATOR_SERVICE_ACCOUNT,
            ),
            (
                AGENT_SECRETS_BINDING,
                AGENT_SECRETS_ROLE,
                AGENT_SERVICE_ACCOUNT,
            ),
        ] {
            let readers: Vec<_> = c
                .role_bindings
                .iter()
                .filter(|b| b.role_ref.name == role)
                .collect();
            let mut in_ns: Vec<_> = readers
                .iter()
                .map(|b| b.metadata.namespace.clone().unwrap())
                .collect();
            in_ns.sort();
            assert_eq!(in_ns, ["disdukcapil", "disdukcapil-apps"], "{role}");
            for b in readers {
                assert_eq!(b.metadata.name.as_deref(), Some(binding));
                assert_eq!(b.role_ref.kind, "ClusterRole");
                let subjects = b.subjects.as_ref().unwrap();
                assert_eq!(subjects.len(), 1);
                let s = &subjects[0];
                assert_eq!(
                    (s.kind.as_str(), s.name.as_str(), s.namespace.as_deref()),
                    ("ServiceAccount", account, Some("pusdata-system"))
                );
            }
        }
        let hard = c.quotas[0].spec.as_ref().unwrap().hard.as_ref().unwrap();
        assert_eq!(hard["requests.cpu"], Quantity("8".into()));
        assert_eq!(hard["pods"], Quantity("50".into()));
        assert!(
            !hard.contains_key("requests.memory"),
            "unset quota fields stay unlimited"
        );
        for ns in &c.namespaces {
            assert_eq!(
                ns.metadata.labels.as_ref().unwrap()[AGENCY_LABEL],
                "disdukcapil"
            );
        }
    }

    #[test]
    fn binding_names_only_the_agencys_own_groups_in_its_own_namespaces() {
        let a = fixtures::agency("disdik");
        let c = agency_children(&a, &allowed_ports(&[]), &[], "pusdata-system");
        let rb = &c.role_bindings[0];
        assert_eq!(rb.metadata.namespace.as_deref(), Some("disdik"));
        assert_eq!(rb.role_ref.name, "edit");
        let subjects = rb.subjects.as_ref().unwrap();
        assert_eq!(subjects.len(), 1);
        assert_eq!(subjects[0].name, "agency:disdik");
    }

    #[test]
    fn egress_lists_the_standard_ports_and_only_approved_extras() {
        let a = fixtures::agency("disdik");
        let extra = EgressPort {
            port: 6379,
            ..EgressPort::default()
        };
        let c = agency_children(
            &a,
            &allowed_ports(&[]),
            std::slice::from_ref(&extra),
            "pusdata-system",
        );
        let egress = c
            .network_policies
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(EGRESS_NAME))
            .unwrap();
        let rules = egress.spec.as_ref().unwrap().egress.as_ref().unwrap();
        let ports: Vec<i32> = rules[2]
            .ports
            .as_ref()
            .unwrap()
            .iter()
            .filter_map(|p| match p.port {
                Some(IntOrString::Int(n)) => Some(n),
                _ => None,
            })
            .collect();
        assert!(ports.contains(&443) && ports.contains(&5432) && ports.contains(&6379));
        assert!(!ports.contains(&25), "SMTP is not in Perwal 6(7)");
        let c = agency_children(&a, &allowed_ports(&[]), &[], "pusdata-system");
        let egress = c
            .network_policies
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(EGRESS_NAME))
            .unwrap();
        let n = egress.spec.as_ref().unwrap().egress.as_ref().unwrap()[2]
            .ports
            .as_ref()
            .unwrap()
            .len();
        assert_eq!(n, crate::ports::STANDARD_PORTS.len());
    }

    #[test]
    fn default_deny_covers_ingress_and_egress() {
        let c = agency_children(
            &fixtures::agency("disdik"),
            &allowed_ports(&[]),
            &[],
            "pusdata-system",
        );
        let deny = c
            .network_policies
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(DENY_NAME))
            .unwrap();
        let spec = deny.spec.as_ref().unwrap();
        assert_eq!(
            spec.policy_types.as_deref(),
            Some(&["Ingress".to_string(), "Egress".to_string()][..])
        );
        assert_eq!(spec.pod_selector, Some(LabelSelector::default()));
    }

    #[test]
    fn reserved_namespaces_cannot_be_claimed() {
        let mut a = fixtures::agency("disdik");
        assert!(validate(&a, "pusdata-system").is_ok());
        for ns in ["kube-system", "default", "pusdata-system", "platform"] {
            a.spec.namespaces = vec!["disdik".into(), ns.into()];
            assert!(validate(&a, "platform").is_err(), "{ns}");
        }
    }

    #[test]
    fn deletion_is_blocked_while_anything_remains() {
        assert!(deletion_blocked(0, 0).is_none());
        let t = deletion_blocked(2, 0).unwrap();
        assert!(t.en.contains("2 hosted system"));
        assert!(t.id.contains("tidak ada yang dihapus otomatis"));
        assert!(deletion_blocked(0, 1).is_some());
    }
}

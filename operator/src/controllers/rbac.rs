//! The API permissions the operator uses, declared next to the code that uses them.
//!
//! Each controller module declares `PERMISSIONS`, the calls it makes; `all()` merges them.
//! The chart's ClusterRole is compared with `all()` in a test, so the role can neither lag
//! behind the code (a forbidden call in production) nor grant more than the code uses
//! (least privilege, SEC-CIA).

use std::collections::BTreeMap;

pub use super::permission::{POLICY_CONTEXT, Permission};

/// Every controller's declared permissions, merged per (group, resource) with sorted,
/// unique verbs.
pub fn all() -> Vec<(String, String, Vec<String>)> {
    let sets: &[&[Permission]] = &[
        super::agency::PERMISSIONS,
        super::failover::PERMISSIONS,
        super::backup::PERMISSIONS,
        super::bucket::PERMISSIONS,
        super::audit::PERMISSIONS,
        super::cache::PERMISSIONS,
        POLICY_CONTEXT,
        super::hosting::PERMISSIONS,
        super::schedule::PERMISSIONS,
        super::racks_view::PERMISSIONS,
        super::http::PERMISSIONS,
        super::events::PERMISSIONS,
        super::webhook_certs::PERMISSIONS,
        super::repository::PERMISSIONS,
        super::restore::PERMISSIONS,
        super::retention::PERMISSIONS,
        super::site::PERMISSIONS,
    ];
    merge(sets.iter().flat_map(|s| s.iter()))
}

/// What `pusdata webhook --from-cluster` reads: granted to the webhook's own service
/// account, so that a compromised webhook pod can read the rule context and nothing else.
pub fn webhook() -> Vec<(String, String, Vec<String>)> {
    merge(crate::webhook::cluster::PERMISSIONS.iter())
}

/// What the DRC site agent calls with `--work kubernetes` (`agent::kube_work`): granted to
/// the agent's own service account (ClusterRole `pusdata-agent`, role drc), never to the
/// operator.
pub fn agent() -> Vec<(String, String, Vec<String>)> {
    merge_tuples(pusdata::agent::kube_work::PERMISSIONS)
}

/// [`merge`] over (group, resource, verbs) tuples (the agent declares its permissions so,
/// having no `Permission` type in the library).
fn merge_tuples(
    perms: &'static [(&'static str, &'static str, &'static [&'static str])],
) -> Vec<(String, String, Vec<String>)> {
    let perms: Vec<Permission> = perms
        .iter()
        .map(|&(group, resource, verbs)| Permission {
            group,
            resource,
            verbs,
        })
        .collect();
    merge(perms.iter())
}

/// Permissions the DRC agent holds only in agencies' namespaces, through the RoleBinding
/// the Agency controller creates there (ClusterRole `pusdata-agent-agency-namespace`): read
/// the repository Secrets a drill namespace needs a copy of.
pub fn agent_agency_namespaces() -> Vec<(String, String, Vec<String>)> {
    merge_tuples(pusdata::agent::kube_work::AGENCY_NAMESPACE_PERMISSIONS)
}

/// Permissions the operator holds only in agencies' namespaces, through the RoleBinding the
/// Agency controller creates there (ClusterRole `pusdata-operator-agency-namespace`).
pub fn agency_namespaces() -> Vec<(String, String, Vec<String>)> {
    merge(super::repository::AGENCY_NAMESPACE_PERMISSIONS.iter())
}

/// Permissions used only in the operator's own namespace (the lease, the webhook
/// certificate Secret): granted by a Role there, never cluster-wide.
pub fn own_namespace() -> Vec<(String, String, Vec<String>)> {
    let sets: &[&[Permission]] = &[
        super::leader::NAMESPACE_PERMISSIONS,
        super::webhook_certs::NAMESPACE_PERMISSIONS,
        super::failover::NAMESPACE_PERMISSIONS,
        super::site::NAMESPACE_PERMISSIONS,
    ];
    merge(sets.iter().flat_map(|s| s.iter()))
}

/// Cluster-scoped resources the operator may touch only by name: the chart's ClusterRole
/// restricts them with `resourceNames`.
pub fn resource_names(group: &str, resource: &str) -> Option<&'static [&'static str]> {
    const WEBHOOKS: &[&str] = &[super::webhook_certs::WEBHOOK_CONFIGURATION];
    // The Agency controller binds agencies to `edit` only (pusdata_core::tenancy); `bind`
    // on any other ClusterRole would let the operator hand out cluster-admin.
    const BINDABLE: &[&str] = &[
        "edit",
        pusdata_core::tenancy::OPERATOR_SECRETS_ROLE,
        pusdata_core::tenancy::AGENT_SECRETS_ROLE,
    ];
    match (group, resource) {
        ("rbac.authorization.k8s.io", "clusterroles") => Some(BINDABLE),
        (
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations" | "mutatingwebhookconfigurations",
        ) => Some(WEBHOOKS),
        _ => None,
    }
}

/// Merges permissions per (group, resource); verbs sorted and unique.
pub fn merge<'a>(
    perms: impl Iterator<Item = &'a Permission>,
) -> Vec<(String, String, Vec<String>)> {
    let mut map: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for p in perms {
        let verbs = map
            .entry((p.group.to_string(), p.resource.to_string()))
            .or_default();
        verbs.extend(p.verbs.iter().map(|v| v.to_string()));
    }
    map.into_iter()
        .map(|((g, r), mut v)| {
            v.sort();
            v.dedup();
            (g, r, v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_permissions_are_unique_and_sorted() {
        let all = all();
        let mut keys: Vec<_> = all.iter().map(|(g, r, _)| (g, r)).collect();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
        for (_, _, verbs) in &all {
            let mut sorted = verbs.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(&sorted, verbs);
        }
    }

    #[test]
    fn backups_never_touch_secrets() {
        // Mover Jobs reference Secrets by name; the kubelet reads them, not the operator.
        let sets = [
            super::super::backup::PERMISSIONS,
            super::super::schedule::PERMISSIONS,
        ];
        assert!(
            sets.iter()
                .flat_map(|s| s.iter())
                .all(|p| !(p.group.is_empty() && p.resource == "secrets"))
        );
    }

    #[test]
    fn the_agent_reads_workloads_and_cannot_read_secrets_cluster_wide() {
        let agent = agent();
        // Cluster-wide it may only write Secrets (the chart's admission policy confines
        // that to drill namespaces), never read, list or watch them.
        let secrets = agent
            .iter()
            .find(|(g, r, _)| g.is_empty() && r == "secrets");
        assert_eq!(
            secrets.unwrap().2,
            ["create".to_string(), "update".to_string()]
        );
        // Reading is granted per agency namespace only, and nothing else is.
        assert_eq!(
            agent_agency_namespaces(),
            [(
                "".to_string(),
                "secrets".to_string(),
                vec!["get".to_string()]
            )]
        );
        // PVCs: only deleted (a failed drill attempt's copy), never read or created.
        let pvc = agent
            .iter()
            .find(|(g, r, _)| g.is_empty() && r == "persistentvolumeclaims");
        assert_eq!(pvc.unwrap().2, ["delete".to_string()]);
        for (g, r, verbs) in &agent {
            if g == "apps" {
                assert_eq!(verbs, &["list".to_string()], "{r}: read only");
            }
        }
    }

    #[test]
    fn the_operator_never_writes_crds() {
        // CRDs come from the CRD chart; upgrades are explicit (issue #7).
        assert!(
            all()
                .iter()
                .all(|(g, r, _)| !(g == "apiextensions.k8s.io" && r == "customresourcedefinitions"))
        );
    }
}

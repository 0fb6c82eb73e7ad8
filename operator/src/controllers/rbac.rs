//! The API permissions the operator uses, declared next to the code that uses them.
//!
//! Each controller module declares `PERMISSIONS`, the calls it makes; `all()` merges them.
//! The chart's ClusterRole is compared with `all()` in a test, so the role can neither lag
//! behind the code (a forbidden call in production) nor grant more than the code uses
//! (least privilege, SEC-CIA).

// Read by the RBAC test now and by the chart generator (issue #7).
#![cfg_attr(not(test), allow(dead_code))]

use std::collections::BTreeMap;

/// One resource and the verbs used on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    /// API group ("" for the core group).
    pub group: &'static str,
    /// Plural resource name, with `/status` for the status subresource.
    pub resource: &'static str,
    /// Verbs, e.g. `get`, `list`, `watch`, `patch`.
    pub verbs: &'static [&'static str],
}

/// Every controller's declared permissions, merged per (group, resource) with sorted,
/// unique verbs.
pub fn all() -> Vec<(String, String, Vec<String>)> {
    let sets: &[&[Permission]] = &[
        super::agency::PERMISSIONS,
        super::failover::PERMISSIONS,
        super::backup::PERMISSIONS,
        super::audit::PERMISSIONS,
        super::hosting::PERMISSIONS,
        super::schedule::PERMISSIONS,
        super::racks_view::PERMISSIONS,
        super::http::PERMISSIONS,
        super::events::PERMISSIONS,
        // `pusdata webhook --from-cluster` runs under the same service account.
        crate::webhook::cluster::PERMISSIONS,
    ];
    merge(sets.iter().flat_map(|s| s.iter()))
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
    fn the_operator_never_writes_crds() {
        // CRDs come from the CRD chart; upgrades are explicit (issue #7).
        assert!(
            all()
                .iter()
                .all(|(g, r, _)| !(g == "apiextensions.k8s.io" && r == "customresourcedefinitions"))
        );
    }
}

//! From a child's watch event to the parent to reconcile.
//!
//! kube-runtime's `Controller::owns` maps a child to its owner with the CHILD's namespace
//! (`ObjectRef::from_owner_ref(child_ns, …)`). For a cluster-scoped parent (Agency,
//! DisasterRecoveryPlan) that key names an object that does not exist
//! (`agencies.pusdata.io "x" not found`), and one parent is queued under as many keys as it
//! has child namespaces — so it is reconciled concurrently with itself (409 runs, counters
//! added twice). These mappers give cluster-scoped parents a key without a namespace, so the
//! controller's queue deduplicates them into one.

use kube::Resource;
use kube::runtime::reflector::ObjectRef;

/// The cluster-scoped owners of kind `P` of `child`, keyed without a namespace.
pub fn cluster_owners<P, C>(child: &C) -> Vec<ObjectRef<P>>
where
    P: Resource<DynamicType = (), Scope = k8s_openapi::ClusterResourceScope>,
    C: Resource,
{
    let api_version = P::api_version(&());
    let kind = P::kind(&());
    let mut out: Vec<ObjectRef<P>> = child
        .meta()
        .owner_references
        .iter()
        .flatten()
        .filter(|o| o.api_version == api_version && o.kind == kind)
        .map(|o| ObjectRef::new(&o.name))
        .collect();
    out.dedup();
    out
}

/// [`cluster_owners`] as a `Controller::watches` mapper.
pub fn to_cluster_owners<P, C>(child: C) -> Vec<ObjectRef<P>>
where
    P: Resource<DynamicType = (), Scope = k8s_openapi::ClusterResourceScope>,
    C: Resource,
{
    cluster_owners(&child)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ResourceQuota;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    use kube::ResourceExt;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{Agency, DisasterRecoveryPlan};

    fn owned_by<K: Resource<DynamicType = ()>, C: Resource>(mut child: C, owners: &[&K]) -> C {
        child.meta_mut().owner_references = Some(
            owners
                .iter()
                .map(|o| OwnerReference {
                    api_version: K::api_version(&()).into(),
                    kind: K::kind(&()).into(),
                    name: o.meta().name.clone().unwrap_or_default(),
                    uid: "u-1".into(),
                    controller: Some(true),
                    ..OwnerReference::default()
                })
                .collect(),
        );
        child
    }

    #[test]
    fn a_child_in_any_namespace_maps_to_its_cluster_scoped_agency_without_a_namespace() {
        let agency = fixtures::agency("disdukcapil");
        let mut keys = Vec::new();
        for ns in ["disdukcapil", "disdukcapil-sipp", "other"] {
            let mut quota = ResourceQuota::default();
            quota.meta_mut().name = Some("quota".into());
            quota.meta_mut().namespace = Some(ns.into());
            let quota = owned_by::<Agency, _>(quota, &[&agency]);
            let refs: Vec<ObjectRef<Agency>> = cluster_owners(&quota);
            assert_eq!(refs.len(), 1);
            assert_eq!(
                refs[0].namespace, None,
                "a cluster-scoped key has no namespace"
            );
            assert_eq!(refs[0].name, "disdukcapil");
            keys.extend(refs);
        }
        // One key for all three children: the controller's queue holds the Agency once.
        keys.dedup();
        assert_eq!(keys, vec![ObjectRef::<Agency>::new("disdukcapil")]);
        assert_eq!(keys[0], ObjectRef::from_obj(&agency));
    }

    #[test]
    fn a_backup_maps_to_its_plan_and_foreign_owners_are_ignored() {
        let plan = fixtures::plan();
        let b = fixtures::backup("dinkes", "data");
        let b = owned_by::<DisasterRecoveryPlan, _>(b, &[&plan]);
        let refs: Vec<ObjectRef<DisasterRecoveryPlan>> = cluster_owners(&b);
        assert_eq!(refs, vec![ObjectRef::new(&plan.name_any())]);
        assert_eq!(refs[0].namespace, None);
        // An owner of another kind (here: an Agency) is not a plan.
        let agency = fixtures::agency("dinkes");
        let mut q = ResourceQuota::default();
        q.meta_mut().namespace = Some("dinkes".into());
        let q = owned_by::<Agency, _>(q, &[&agency]);
        assert!(cluster_owners::<DisasterRecoveryPlan, _>(&q).is_empty());
    }

    #[test]
    fn the_owns_mapping_of_kube_runtime_would_queue_a_namespaced_key() {
        // What this module replaces: kube-runtime's mapping keeps the child's namespace.
        let mut agency = fixtures::agency("dinkes");
        agency.meta_mut().uid = Some("u-1".into());
        let owner = agency.controller_owner_ref(&()).unwrap();
        let r = ObjectRef::<Agency>::from_owner_ref(Some("dinkes"), &owner, ());
        assert_eq!(
            r.as_ref().and_then(|r| r.namespace.as_deref()),
            Some("dinkes")
        );
        assert_ne!(r, Some(ObjectRef::from_obj(&agency)));
    }
}

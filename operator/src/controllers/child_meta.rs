//! What the caches keep of an agency's child (its ResourceQuota, LimitRange, NetworkPolicies
//! and RoleBindings): its name and namespace, the Agency that owns it, and the fingerprint
//! of what Pusdata applied. That is all the agency controller reads of a cached child
//! (`agency::ssa_namespaced` compares the fingerprint, `mappers::cluster_owners` maps the
//! child to its Agency).
//!
//! Not the metadata as the API server sends it: at 1 000 agencies there are ~12 000
//! children, and each kept as `PartialObjectMeta` also held its apiVersion and kind strings,
//! uid and resourceVersion (twice: in the object and in the store's key), and an annotation
//! map whose one entry costs a 544-byte B-tree node.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Resource;
use kube::core::PartialObjectMeta;
use pusdata_crds::v1alpha1::Agency;
use std::borrow::Cow;
use std::marker::PhantomData;

/// An agency child of kind `K`, as cached.
pub struct ChildMeta<K> {
    /// Name, namespace and the owner references to Agencies (without their uid); nothing
    /// else is set.
    metadata: ObjectMeta,
    /// The `apply::APPLIED` fingerprint, only while no one but Pusdata has written the
    /// child's fields.
    applied: Option<Box<str>>,
    kind: PhantomData<fn() -> K>,
}

impl<K> ChildMeta<K> {
    /// What the cache keeps of `meta`. A child someone else edited (a managedFields entry
    /// of another manager outside the `status` subresource, as the API server records
    /// every write) keeps no fingerprint, so that it is compared in full and repaired.
    pub fn from_meta(meta: ObjectMeta) -> Self {
        let foreign = meta.managed_fields.iter().flatten().any(|e| {
            e.subresource.as_deref().unwrap_or_default().is_empty()
                && e.manager.as_deref() != Some(super::FIELD_MANAGER)
        });
        let applied = if foreign {
            None
        } else {
            meta.annotations
                .and_then(|mut a| a.remove(super::apply::APPLIED))
                .map(String::into_boxed_str)
        };
        let (api_version, kind) = (Agency::api_version(&()), Agency::kind(&()));
        let owners: Vec<OwnerReference> = meta
            .owner_references
            .into_iter()
            .flatten()
            .filter(|o| o.api_version == api_version && o.kind == kind)
            .map(|o| OwnerReference {
                uid: String::new(),
                ..o
            })
            .collect();
        ChildMeta {
            metadata: ObjectMeta {
                name: meta.name,
                namespace: meta.namespace,
                owner_references: (!owners.is_empty()).then_some(owners),
                ..ObjectMeta::default()
            },
            applied,
            kind: PhantomData,
        }
    }

    /// The fingerprint of what Pusdata applied, while only Pusdata has written the child.
    pub fn applied(&self) -> Option<&str> {
        self.applied.as_deref()
    }
}

impl<K> From<PartialObjectMeta<K>> for ChildMeta<K> {
    fn from(p: PartialObjectMeta<K>) -> Self {
        ChildMeta::from_meta(p.metadata)
    }
}

// Written out rather than derived: a derive would require `K: Clone + Debug`.
impl<K> Clone for ChildMeta<K> {
    fn clone(&self) -> Self {
        ChildMeta {
            metadata: self.metadata.clone(),
            applied: self.applied.clone(),
            kind: PhantomData,
        }
    }
}

// kube's `Controller::watches_stream` asks for it, though a child arrives already
// decoded; from JSON it is decoded as the cache keeps it.
impl<'de, K> serde::Deserialize<'de> for ChildMeta<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Wire {
            #[serde(default)]
            metadata: ObjectMeta,
        }
        Wire::deserialize(d).map(|w| ChildMeta::from_meta(w.metadata))
    }
}

impl<K> std::fmt::Debug for ChildMeta<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildMeta")
            .field("metadata", &self.metadata)
            .field("applied", &self.applied)
            .finish()
    }
}

impl<K: Resource<DynamicType = ()>> Resource for ChildMeta<K> {
    type DynamicType = ();
    type Scope = K::Scope;

    fn kind(dt: &()) -> Cow<'_, str> {
        K::kind(dt)
    }
    fn group(dt: &()) -> Cow<'_, str> {
        K::group(dt)
    }
    fn version(dt: &()) -> Cow<'_, str> {
        K::version(dt)
    }
    fn plural(dt: &()) -> Cow<'_, str> {
        K::plural(dt)
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ResourceQuota;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
    use kube::ResourceExt;

    fn quota_meta(writers: &[(&str, Option<&str>)]) -> ObjectMeta {
        let mut agency = pusdata_crds::fixtures::agency("dinkes");
        agency.metadata.uid = Some("5d1f0e02-8c1b-4a53-a3a4-1f6f4c1b2e7d".into());
        let mut foreign = agency.controller_owner_ref(&()).expect("owner reference");
        foreign.kind = "Deployment".into();
        foreign.api_version = "apps/v1".into();
        ObjectMeta {
            name: Some("quota".into()),
            namespace: Some("dinkes".into()),
            uid: Some("0b7c1a9e-5f55-4a43-9d0e-0d1bd5a3f1a2".into()),
            resource_version: Some("4711".into()),
            labels: Some([(pusdata_core::tenancy::AGENCY_LABEL.into(), "dinkes".into())].into()),
            annotations: Some(
                [
                    (
                        super::super::apply::APPLIED.to_string(),
                        "print".to_string(),
                    ),
                    ("note".to_string(), "kept by no one".to_string()),
                ]
                .into(),
            ),
            owner_references: Some(vec![
                agency.controller_owner_ref(&()).expect("owner reference"),
                foreign,
            ]),
            managed_fields: Some(
                writers
                    .iter()
                    .map(|(manager, subresource)| ManagedFieldsEntry {
                        manager: Some((*manager).into()),
                        subresource: subresource.map(Into::into),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    /// A cached child keeps what the agency controller reads (its name, namespace,
    /// fingerprint and Agency owner) and nothing else.
    #[test]
    fn a_cached_child_keeps_its_fingerprint_and_agency_owner_only() {
        let c: ChildMeta<ResourceQuota> =
            ChildMeta::from_meta(quota_meta(&[(super::super::FIELD_MANAGER, None)]));
        assert_eq!(c.applied(), Some("print"));
        assert_eq!(c.name_any(), "quota");
        assert_eq!(c.namespace().as_deref(), Some("dinkes"));
        let owners: Vec<_> = super::super::mappers::cluster_owners::<Agency, _>(&c);
        assert_eq!(
            owners,
            vec![kube::runtime::reflector::ObjectRef::new("dinkes")]
        );
        assert_eq!(
            c.owner_references().len(),
            1,
            "only the Agency owner is kept"
        );
        let m = c.meta();
        assert_eq!(m.uid, None);
        assert_eq!(m.resource_version, None);
        assert_eq!(m.labels, None);
        assert_eq!(m.annotations, None);
        assert_eq!(m.managed_fields, None);
        // The key the store files it under is the child's, whatever kind wraps it.
        let key = kube::runtime::reflector::ObjectRef::from_obj(&c);
        assert_eq!(
            key,
            kube::runtime::reflector::ObjectRef::<ChildMeta<ResourceQuota>>::new("quota")
                .within("dinkes")
        );
        assert_eq!(ChildMeta::<ResourceQuota>::plural(&()), "resourcequotas");
        // Decoded from the wire, it is the same.
        let wire = serde_json::json!({
            "apiVersion": "v1",
            "kind": "PartialObjectMetadata",
            "metadata": quota_meta(&[(super::super::FIELD_MANAGER, None)]),
        });
        let decoded: ChildMeta<ResourceQuota> = serde_json::from_value(wire).expect("decodes");
        assert_eq!(decoded.meta(), c.meta());
        assert_eq!(decoded.applied(), c.applied());
    }

    /// A child someone else wrote loses its fingerprint (it is then compared in full and
    /// repaired); a status write by another manager does not count.
    #[test]
    fn a_child_written_by_someone_else_keeps_no_fingerprint() {
        let edited: ChildMeta<ResourceQuota> = ChildMeta::from_meta(quota_meta(&[
            (super::super::FIELD_MANAGER, None),
            ("kubectl-edit", None),
        ]));
        assert_eq!(edited.applied(), None);
        let status: ChildMeta<ResourceQuota> = ChildMeta::from_meta(quota_meta(&[
            (super::super::FIELD_MANAGER, None),
            ("kube-controller-manager", Some("status")),
        ]));
        assert_eq!(status.applied(), Some("print"));
    }
}

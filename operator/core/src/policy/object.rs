//! Kind, namespace and name of any Pusdata object (a leaf of `policy`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use pusdata_crds::Object;

/// Kind, namespace and name of an object.
pub fn identity(object: &Object) -> (&'static str, Option<&str>, &str) {
    let m = meta(object);
    (
        object.kind(),
        m.namespace.as_deref(),
        m.name.as_deref().unwrap_or_default(),
    )
}

/// The metadata of any Pusdata object.
pub fn meta(object: &Object) -> &ObjectMeta {
    match object {
        Object::Site(o) => &o.metadata,
        Object::Rack(o) => &o.metadata,
        Object::Agency(o) => &o.metadata,
        Object::HostingRequest(o) => &o.metadata,
        Object::Approval(o) => &o.metadata,
        Object::ResidencyPolicy(o) => &o.metadata,
        Object::ExternalCloudService(o) => &o.metadata,
        Object::BackupRepository(o) => &o.metadata,
        Object::DisasterRecoveryPlan(o) => &o.metadata,
        Object::Backup(o) => &o.metadata,
        Object::Restore(o) => &o.metadata,
        Object::Failover(o) => &o.metadata,
    }
}

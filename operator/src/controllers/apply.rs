//! Server-side apply that first compares: a child whose stored copy already holds every
//! field Pusdata would apply is left alone. Without it, every reconcile — and every restart,
//! for every unchanged Agency — re-applies namespaces, quotas, network policies and role
//! bindings (on a real cluster: thousands of writes in the minute after a restart).

use super::{Error, FIELD_MANAGER};
use kube::Resource;
use kube::api::{Api, Patch, PatchParams};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt::Debug;

/// The annotation in which a child carries the fingerprint of what Pusdata applied to it
/// ([`fingerprint`]). The shared cache watches children metadata only; a child whose
/// fingerprint is the one Pusdata would apply now (and that no one else wrote, see
/// `child_meta::ChildMeta::from_meta`) is left alone without reading it — a restart compares every
/// agency's children from the cache, with no GET per child.
pub const APPLIED: &str = "pusdata.io/applied";

/// SHA-256 of the desired object (its JSON, keys sorted), first 16 bytes in hex.
pub fn fingerprint(desired: &Value) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(desired.to_string().as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// `desired` with its fingerprint in the [`APPLIED`] annotation, and the fingerprint.
pub fn stamped(mut desired: Value) -> (Value, String) {
    let print = fingerprint(&desired);
    desired["metadata"]["annotations"][APPLIED] = Value::String(print.clone());
    (desired, print)
}

/// Whether every field of `desired` is in `stored` with the same value (objects compared
/// key by key, recursively; lists and scalars as a whole). Fields the server adds (status,
/// defaults, managedFields) do not count as differences.
pub fn holds(stored: &Value, desired: &Value) -> bool {
    match (stored, desired) {
        (Value::Object(s), Value::Object(d)) => d
            .iter()
            .all(|(k, dv)| s.get(k).is_some_and(|sv| holds(sv, dv)) || dv.is_null()),
        (Value::Array(s), Value::Array(d)) => {
            s.len() == d.len() && s.iter().zip(d).all(|(sv, dv)| holds(sv, dv))
        }
        (s, d) => s == d,
    }
}

/// Applies `desired` (apiVersion and kind set) through `api` unless the stored object
/// already holds it. Returns whether a write was sent.
pub async fn apply_if_changed<K>(api: &Api<K>, name: &str, desired: &Value) -> Result<bool, Error>
where
    K: Resource + Clone + Serialize + DeserializeOwned + Debug,
{
    if let Some(stored) = api.get_opt(name).await? {
        let mut stored = serde_json::to_value(&stored)?;
        // Compared without the type fields (the typed round trip may drop them).
        let mut want = desired.clone();
        for v in [&mut stored, &mut want] {
            if let Some(o) = v.as_object_mut() {
                o.remove("apiVersion");
                o.remove("kind");
            }
        }
        if holds(&stored, &want) {
            return Ok(false);
        }
    }
    apply(api, name, desired).await?;
    Ok(true)
}

/// Applies `desired` (apiVersion and kind set) through `api`, under Pusdata's field manager.
pub async fn apply<K>(api: &Api<K>, name: &str, desired: &Value) -> Result<(), Error>
where
    K: Resource + Clone + Serialize + DeserializeOwned + Debug,
{
    api.patch(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(desired),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stored_object_with_more_fields_holds_the_desired_one() {
        let stored = json!({"metadata": {"name": "q", "uid": "1", "labels": {"a": "1", "b": "2"}},
                            "spec": {"hard": {"cpu": "8"}}, "status": {"used": {"cpu": "1"}}});
        assert!(holds(
            &stored,
            &json!({"metadata": {"name": "q", "labels": {"a": "1"}}, "spec": {"hard": {"cpu": "8"}}})
        ));
        // A changed value, a missing key, or a list that differs is a difference.
        assert!(!holds(&stored, &json!({"spec": {"hard": {"cpu": "16"}}})));
        assert!(!holds(
            &stored,
            &json!({"spec": {"hard": {"memory": "1Gi"}}})
        ));
        assert!(!holds(&json!({"l": [1, 2]}), &json!({"l": [1]})));
        assert!(!holds(&json!({"l": [1, 2]}), &json!({"l": [2, 1]})));
        assert!(holds(
            &json!({"l": [{"a": 1, "b": 2}]}),
            &json!({"l": [{"a": 1}]})
        ));
        // A null in the desired object (an unset optional) asks for nothing.
        assert!(holds(&stored, &json!({"spec": {"scopes": null}})));
    }
}

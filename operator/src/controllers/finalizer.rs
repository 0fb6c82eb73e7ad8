//! Adding and removing Pusdata's finalizers without dropping anyone else's.
//!
//! A merge patch of the whole `metadata.finalizers` list, written from the list as read,
//! silently drops a finalizer another controller added in between. These JSON patches carry
//! a `test` operation on the list (or the one entry) as read: if it changed, the API server
//! refuses the patch (422) and the next reconcile reads the list again — the way
//! kube-runtime's finalizer helper does it.

use super::Error;
use json_patch::{
    AddOperation, Patch as JsonPatch, PatchOperation, RemoveOperation, TestOperation,
};
use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// The patch that appends `name` to a non-empty `current`, valid only while the list is
/// still `current`.
pub fn add_patch(current: &[String], name: &str) -> JsonPatch {
    JsonPatch(vec![
        PatchOperation::Test(TestOperation {
            path: "/metadata/finalizers".parse().unwrap_or_default(),
            value: serde_json::json!(current),
        }),
        PatchOperation::Add(AddOperation {
            path: "/metadata/finalizers/-".parse().unwrap_or_default(),
            value: serde_json::json!(name),
        }),
    ])
}

/// The patch that removes `name` from `current` by its index, valid only while that index
/// still holds `name` (entries added after it are kept either way); `None` when absent.
pub fn remove_patch(current: &[String], name: &str) -> Option<JsonPatch> {
    let index = current.iter().position(|f| f == name)?;
    let path = || {
        format!("/metadata/finalizers/{index}")
            .parse()
            .unwrap_or_default()
    };
    Some(JsonPatch(vec![
        PatchOperation::Test(TestOperation {
            path: path(),
            value: serde_json::json!(name),
        }),
        PatchOperation::Remove(RemoveOperation { path: path() }),
    ]))
}

/// Adds `name` to the object's finalizers unless it is there.
pub async fn add<K>(api: &Api<K>, obj: &K, name: &str) -> Result<(), Error>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    if obj.finalizers().iter().any(|f| f == name) {
        return Ok(());
    }
    if obj.finalizers().is_empty() {
        // No list to test against (a JSON patch `test` of an absent path fails in some
        // implementations and passes in others): the object's resourceVersion is the
        // precondition instead, so any write in between makes this a 409 Conflict.
        let patch = serde_json::json!({"metadata": {
            "finalizers": [name],
            "resourceVersion": obj.resource_version(),
        }});
        api.patch(
            &obj.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
        return Ok(());
    }
    let patch: Patch<()> = Patch::Json(add_patch(obj.finalizers(), name));
    api.patch(&obj.name_any(), &PatchParams::default(), &patch)
        .await?;
    Ok(())
}

/// Removes `name` from the object's finalizers if it is there.
pub async fn remove<K>(api: &Api<K>, obj: &K, name: &str) -> Result<(), Error>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    let Some(patch) = remove_patch(obj.finalizers(), name) else {
        return Ok(());
    };
    let patch: Patch<()> = Patch::Json(patch);
    api.patch(&obj.name_any(), &PatchParams::default(), &patch)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testing::{context, seed_cluster};
    use kube_fake_client::ClientBuilder;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::Agency;

    const OURS: &str = "pusdata.io/agency-protection";
    const FOREIGN: &str = "example.com/keep-me";

    async fn finalizers(api: &Api<Agency>, name: &str) -> Vec<String> {
        api.get(name).await.unwrap().finalizers().to_vec()
    }

    async fn add_foreign(api: &Api<Agency>, name: &str) {
        let now = api.get(name).await.unwrap();
        let mut list = now.finalizers().to_vec();
        list.push(FOREIGN.into());
        let patch = serde_json::json!({"metadata": {"finalizers": list}});
        api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_foreign_finalizer_added_between_read_and_add_is_kept() {
        let ctx = context(ClientBuilder::new().with_resource::<Agency>()).await;
        let agency = fixtures::agency("disdukcapil");
        seed_cluster(&ctx, &agency).await;
        let api: Api<Agency> = Api::all(ctx.client.clone());
        let read = api.get("disdukcapil").await.unwrap();

        add_foreign(&api, "disdukcapil").await;
        // Written from the stale read: refused, nothing dropped.
        assert!(add(&api, &read, OURS).await.is_err());
        assert_eq!(finalizers(&api, "disdukcapil").await, [FOREIGN]);
        // The next pass reads again and adds ours after theirs.
        let fresh = api.get("disdukcapil").await.unwrap();
        add(&api, &fresh, OURS).await.unwrap();
        assert_eq!(finalizers(&api, "disdukcapil").await, [FOREIGN, OURS]);
    }

    #[tokio::test]
    async fn a_foreign_finalizer_added_between_read_and_remove_is_kept() {
        let ctx = context(ClientBuilder::new().with_resource::<Agency>()).await;
        let mut agency = fixtures::agency("disdukcapil");
        agency.metadata.finalizers = Some(vec![OURS.into()]);
        seed_cluster(&ctx, &agency).await;
        let api: Api<Agency> = Api::all(ctx.client.clone());
        let read = api.get("disdukcapil").await.unwrap();

        add_foreign(&api, "disdukcapil").await;
        remove(&api, &read, OURS).await.unwrap();
        assert_eq!(finalizers(&api, "disdukcapil").await, [FOREIGN]);
        // Removing again is a no-op, not an error.
        let fresh = api.get("disdukcapil").await.unwrap();
        remove(&api, &fresh, OURS).await.unwrap();
        assert_eq!(finalizers(&api, "disdukcapil").await, [FOREIGN]);
    }

    #[tokio::test]
    async fn a_removal_whose_index_moved_is_refused_and_keeps_everything() {
        let ctx = context(ClientBuilder::new().with_resource::<Agency>()).await;
        let mut agency = fixtures::agency("disdukcapil");
        agency.metadata.finalizers = Some(vec![OURS.into()]);
        seed_cluster(&ctx, &agency).await;
        let api: Api<Agency> = Api::all(ctx.client.clone());
        let read = api.get("disdukcapil").await.unwrap();

        // Another controller rewrote the list with its own entry first.
        let patch = serde_json::json!({"metadata": {"finalizers": [FOREIGN, OURS]}});
        api.patch(
            "disdukcapil",
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await
        .unwrap();
        assert!(remove(&api, &read, OURS).await.is_err());
        assert_eq!(finalizers(&api, "disdukcapil").await, [FOREIGN, OURS]);
    }

    #[test]
    fn patches_test_what_was_read() {
        let p = serde_json::to_value(add_patch(&["a".into()], "b")).unwrap();
        assert_eq!(
            p,
            serde_json::json!([
                {"op": "test", "path": "/metadata/finalizers", "value": ["a"]},
                {"op": "add", "path": "/metadata/finalizers/-", "value": "b"},
            ])
        );
        assert!(remove_patch(&["a".into()], "b").is_none());
    }
}

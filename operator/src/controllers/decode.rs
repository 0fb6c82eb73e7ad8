//! Objects that do not decode as their kind are reported and skipped, never allowed to stall
//! the others.
//!
//! A typed watch (`watcher(Api::<K>)`) decodes each list page whole: one custom resource that
//! fails to deserialize (written before a schema change, or edited past validation) fails
//! the list, the watcher retries with backoff for ever, and no object of that kind is ever
//! seen — every controller waiting on the cache stalls. So the watched caches list and watch
//! the kind as `DynamicObject`s (any valid Kubernetes object decodes) and decode each one
//! here: a malformed one is logged (kind, namespace, name, the decode error) and counted in
//! `pusdata_malformed_objects_total{kind}`, and the rest go on.

use super::metrics::Metrics;
use futures::{Stream, StreamExt};
use kube::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::Arc;

/// `obj` as a `K`, or `None` after reporting why it is not one.
pub fn typed<K>(obj: DynamicObject, metrics: &Metrics) -> Option<K>
where
    K: kube::Resource<DynamicType = ()> + DeserializeOwned,
{
    let (ns, name) = (
        obj.metadata.namespace.clone().unwrap_or_default(),
        obj.metadata.name.clone().unwrap_or_default(),
    );
    match obj.try_parse::<K>() {
        Ok(k) => Some(k),
        Err(e) => {
            let kind = K::kind(&());
            tracing::error!(%kind, namespace = %ns, object = %name, error = %e,
                "object does not decode as its kind: skipped until it is fixed");
            metrics.malformed_object(&kind);
            None
        }
    }
}

/// A watch event of dynamic objects as one of `K`s: malformed objects are left out (an
/// object that turns malformed keeps its last good version in the store until it is fixed
/// or deleted; a malformed object's deletion is lost only when it never was good).
pub fn typed_event<K>(
    ev: watcher::Event<DynamicObject>,
    metrics: &Metrics,
) -> Option<watcher::Event<K>>
where
    K: kube::Resource<DynamicType = ()> + DeserializeOwned,
{
    Some(match ev {
        watcher::Event::Init => watcher::Event::Init,
        watcher::Event::InitDone => watcher::Event::InitDone,
        watcher::Event::InitApply(o) => watcher::Event::InitApply(typed(o, metrics)?),
        watcher::Event::Apply(o) => watcher::Event::Apply(typed(o, metrics)?),
        watcher::Event::Delete(o) => watcher::Event::Delete(typed(o, metrics)?),
    })
}

/// Every object of kind `K`, watched as dynamic objects and decoded one by one.
pub fn watch_all<K>(
    client: &kube::Client,
    metrics: Arc<Metrics>,
) -> impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let api = Api::<DynamicObject>::all_with(client.clone(), &ApiResource::erase::<K>(&()));
    watcher(api, watcher::Config::default())
        .default_backoff()
        .filter_map(move |ev| {
            futures::future::ready(match ev {
                Ok(e) => typed_event(e, &metrics).map(Ok),
                Err(e) => Some(Err(e)),
            })
        })
}

#[cfg(test)]
mod tests;

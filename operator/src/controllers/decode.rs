//! Objects that do not decode as their kind are reported and skipped, never allowed to stall
//! the others.
//!
//! A typed watch (`watcher(Api::<K>)`) decodes each list page whole: one custom resource that
//! fails to deserialize (written before a schema change, or edited past validation) fails
//! the list, the watcher retries with backoff for ever, and no object of that kind is ever
//! seen — the controller of that kind stalls, and so does every controller waiting on the
//! cache. So the watched caches and the controllers' own watches of Pusdata kinds list and
//! watch them as `DynamicObject`s (any valid Kubernetes object decodes) and decode each one
//! here. A malformed one is logged (kind, namespace, name, the field serde refused), counted
//! in `pusdata_malformed_objects_total{kind}` and reported by a `Warning` Event with reason
//! `Malformed` on the object — once per resourceVersion, however many watches see it and
//! however often they relist — and the rest go on.

use super::metrics::Metrics;
use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::ObjectReference;
use kube::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use pusdata_core::i18n::Text;
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::Arc;

/// The reason of the Event on a malformed object (docs/reference/conditions.md).
pub const MALFORMED: &str = "Malformed";

/// A malformed object at a version not reported before: what its Event says.
#[derive(Clone, Debug)]
pub struct Malformed {
    /// The object (kind, name, namespace, uid, resourceVersion).
    pub regarding: ObjectReference,
    /// The field serde refused, as a path (`spec.code`; `.` for the object itself).
    pub field: String,
    /// serde's words.
    pub error: String,
}

impl Malformed {
    /// The Event's note, in both languages.
    pub fn text(&self) -> Text {
        let r = &self.regarding;
        let object = match r.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => format!("{ns}/{}", r.name.as_deref().unwrap_or("")),
            _ => r.name.clone().unwrap_or_default(),
        };
        pusdata_core::t!(
            "shell-decode-malformed",
            kind = r.kind.as_deref().unwrap_or(""),
            object = object,
            field = self.field.as_str(),
            error = self.error.as_str()
        )
    }
}

/// `obj` as a `K`; else `Err`, after logging and counting it, with `Some` when this version
/// of it was not reported before (the caller publishes the Event).
pub fn decode<K>(obj: DynamicObject, metrics: &Metrics) -> Result<K, Option<Box<Malformed>>>
where
    K: kube::Resource<DynamicType = ()> + DeserializeOwned,
{
    let ar = ApiResource::erase::<K>(&());
    let key = format!(
        "{}/{}",
        obj.metadata.namespace.as_deref().unwrap_or_default(),
        obj.metadata.name.as_deref().unwrap_or_default()
    );
    let value = match serde_json::to_value(&obj) {
        Ok(v) => v,
        Err(e) => {
            return Err(malformed(
                &obj,
                &ar,
                &key,
                ".".into(),
                e.to_string(),
                metrics,
            ));
        }
    };
    match serde_path_to_error::deserialize::<_, K>(value) {
        Ok(k) => {
            metrics.malformed_gone(&ar.kind, &key);
            Ok(k)
        }
        Err(e) => {
            let field = e.path().to_string();
            let error = e.into_inner().to_string();
            Err(malformed(&obj, &ar, &key, field, error, metrics))
        }
    }
}

fn malformed(
    obj: &DynamicObject,
    ar: &ApiResource,
    key: &str,
    field: String,
    error: String,
    metrics: &Metrics,
) -> Option<Box<Malformed>> {
    let version = obj.metadata.resource_version.as_deref().unwrap_or_default();
    let new = metrics.malformed_object(&ar.kind, key, version);
    if new {
        tracing::error!(kind = %ar.kind, object = %key, %field, %error,
            "object does not decode as its kind: skipped until it is fixed");
    }
    new.then(|| {
        Box::new(Malformed {
            regarding: kube::Resource::object_ref(obj, ar),
            field,
            error,
        })
    })
}

/// A watch event of dynamic objects as one of `K`s, and the malformed object to report.
/// Malformed objects are left out: one that turns malformed keeps its last good version in
/// the store until it is fixed or deleted (a finalizer then holds it until it is fixed); the
/// deletion of an object that does not decode is not seen, and forgets it.
pub fn typed_event_reported<K>(
    ev: watcher::Event<DynamicObject>,
    metrics: &Metrics,
) -> (Option<watcher::Event<K>>, Option<Box<Malformed>>)
where
    K: kube::Resource<DynamicType = ()> + DeserializeOwned,
{
    let applied = |o, wrap: fn(K) -> watcher::Event<K>| match decode::<K>(o, metrics) {
        Ok(k) => (Some(wrap(k)), None),
        Err(report) => (None, report),
    };
    match ev {
        watcher::Event::Init => (Some(watcher::Event::Init), None),
        watcher::Event::InitDone => (Some(watcher::Event::InitDone), None),
        watcher::Event::InitApply(o) => applied(o, watcher::Event::InitApply),
        watcher::Event::Apply(o) => applied(o, watcher::Event::Apply),
        watcher::Event::Delete(o) => {
            let key = format!(
                "{}/{}",
                o.metadata.namespace.as_deref().unwrap_or_default(),
                o.metadata.name.as_deref().unwrap_or_default()
            );
            let kind = K::kind(&());
            let gone = serde_json::to_value(&o)
                .ok()
                .and_then(|v| serde_json::from_value::<K>(v).ok());
            metrics.malformed_gone(&kind, &key);
            (gone.map(watcher::Event::Delete), None)
        }
    }
}

/// [`typed_event_reported`] without the report (its log line and metric are written).
#[cfg(test)]
pub fn typed_event<K>(
    ev: watcher::Event<DynamicObject>,
    metrics: &Metrics,
) -> Option<watcher::Event<K>>
where
    K: kube::Resource<DynamicType = ()> + DeserializeOwned,
{
    typed_event_reported(ev, metrics).0
}

/// Where the decoded watches report: the metrics, and the client their Events go through.
#[derive(Clone)]
pub struct Reporting {
    /// Metrics (and the record of versions already reported).
    pub metrics: Arc<Metrics>,
    /// Client for the Events.
    pub client: kube::Client,
}

/// The objects `api` lists and watches (`wc`), decoded as `K` one by one; each malformed
/// version is reported once (`Malformed`) and skipped. Watch errors pass through.
pub fn watch<K>(
    api: Api<DynamicObject>,
    wc: watcher::Config,
    to: Reporting,
) -> impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + 'static,
{
    watcher(api, wc).default_backoff().filter_map(move |ev| {
        let to = to.clone();
        async move {
            match ev {
                Err(e) => Some(Err(e)),
                Ok(e) => {
                    let (typed, report) = typed_event_reported::<K>(e, &to.metrics);
                    if let Some(m) = report {
                        // Best effort, as every Event: a refused one is logged.
                        super::events::warn(
                            &to.client,
                            &m.regarding,
                            MALFORMED,
                            "Decode",
                            m.text().to_string(),
                        )
                        .await;
                    }
                    typed.map(Ok)
                }
            }
        }
    })
}

/// The dynamic API of kind `K`: in `namespace`, or in all namespaces (and cluster-scoped).
pub fn api_of<K>(client: &kube::Client, namespace: Option<&str>) -> Api<DynamicObject>
where
    K: kube::Resource<DynamicType = ()>,
{
    let ar = ApiResource::erase::<K>(&());
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    }
}

/// Every object of kind `K`, watched as dynamic objects and decoded one by one.
pub fn watch_all<K>(
    client: &kube::Client,
    metrics: Arc<Metrics>,
    config: watcher::Config,
) -> impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + 'static,
{
    watch(
        api_of::<K>(client, None),
        config,
        Reporting {
            metrics,
            client: client.clone(),
        },
    )
}

/// A controller's primary kind `K` (`Controller::for_stream`): the decoded objects of every
/// namespace, and the store the controller reads them from.
pub fn primary<K>(
    to: &Reporting,
) -> (
    impl Stream<Item = Result<K, watcher::Error>> + Send + 'static,
    Store<K>,
)
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let (reader, writer) = reflector::store();
    let stream = watch::<K>(
        api_of::<K>(&to.client, None),
        watcher::Config::default(),
        to.clone(),
    )
    .reflect(writer)
    .applied_objects();
    (stream, reader)
}

/// Objects of kind `K` that trigger a controller (`Controller::watches_stream`), decoded.
pub fn related<K>(
    to: &Reporting,
    namespace: Option<&str>,
    wc: watcher::Config,
) -> impl Stream<Item = Result<K, watcher::Error>> + Send + 'static
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + 'static,
{
    watch::<K>(api_of::<K>(&to.client, namespace), wc, to.clone()).touched_objects()
}

#[cfg(test)]
mod tests;

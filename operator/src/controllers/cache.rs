//! Watched caches the reconcilers read instead of listing from the API server: one reflector
//! store per kind, started once and shared by every controller. A settled operator then
//! sends nothing but its watches; a reconcile's lookups cost no request.
//!
//! Namespaces are watched metadata-only (their labels are all that is read; the API server
//! sends `PartialObjectMetadata`). No store keeps managedFields ([`slim`]). Approvals only
//! in the platform namespace (the only ones that count). Tests fill the stores once from the
//! in-memory API ([`Caches::from_api`]), since kube-fake-client has no watch; without caches
//! (`Context::caches` is `None`) the reads go to the API, as before.

use super::{Context, Error};
use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim};
use kube::Api;
use kube::api::ListParams;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use pusdata_crds::v1alpha1::{
    Agency, Approval, Backup, BackupRepository, DisasterRecoveryPlan, HostingRequest, Rack,
    ResidencyPolicy, Site,
};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::Arc;

/// API calls of the caches (see `rbac`) besides the kinds of `rbac::POLICY_CONTEXT`, which
/// they watch as well.
pub const PERMISSIONS: &[super::permission::Permission] = &[
    super::permission::Permission {
        group: "pusdata.io",
        resource: "hostingrequests",
        verbs: &["list", "watch"],
    },
    super::permission::Permission {
        group: "",
        resource: "namespaces",
        verbs: &["list", "watch"],
    },
    // The schedule controller's runs and sources (metadata only for the claims).
    super::permission::Permission {
        group: "pusdata.io",
        resource: "backups",
        verbs: &["list", "watch"],
    },
    super::permission::Permission {
        group: "",
        resource: "persistentvolumeclaims",
        verbs: &["list", "watch"],
    },
];

/// Read handles of the shared stores.
#[derive(Clone)]
pub struct Caches {
    /// Agencies.
    pub agencies: Store<Agency>,
    /// Sites.
    pub sites: Store<Site>,
    /// Racks.
    pub racks: Store<Rack>,
    /// Residency policies.
    pub policies: Store<ResidencyPolicy>,
    /// Disaster recovery plans.
    pub plans: Store<DisasterRecoveryPlan>,
    /// Backup repositories.
    pub repositories: Store<BackupRepository>,
    /// Hosting requests, all namespaces.
    pub requests: Store<HostingRequest>,
    /// Approvals in the platform namespace.
    pub approvals: Store<Approval>,
    /// Namespaces, metadata only.
    pub namespaces: Store<PartialObjectMeta<Namespace>>,
    /// Backup runs, all namespaces.
    pub backups: Store<Backup>,
    /// PersistentVolumeClaims, metadata only (names and labels are all that is read).
    pub claims: Store<PartialObjectMeta<PersistentVolumeClaim>>,
}

/// A kind with a shared store.
pub trait Cached:
    kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
    /// Its store.
    fn store(c: &Caches) -> &Store<Self>;
}

macro_rules! cached {
    ($kind:ty, $field:ident) => {
        impl Cached for $kind {
            fn store(c: &Caches) -> &Store<Self> {
                &c.$field
            }
        }
    };
}
cached!(Agency, agencies);
cached!(Site, sites);
cached!(Rack, racks);
cached!(ResidencyPolicy, policies);
cached!(DisasterRecoveryPlan, plans);
cached!(BackupRepository, repositories);
cached!(HostingRequest, requests);
cached!(Backup, backups);

/// Keeps one store current; its events are not needed (the controllers have their own
/// triggers), only the store.
fn reflect<K>(
    stream: impl futures::Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static,
) -> (Store<K>, BoxStream<'static, ()>)
where
    K: kube::Resource<DynamicType = ()> + Clone + Send + Sync + 'static,
{
    let (reader, writer) = reflector::store();
    let run = reflector::reflector(writer, stream)
        .filter_map(|_| futures::future::ready(None::<()>))
        .boxed();
    (reader, run)
}

/// What a store keeps of an object: neither its managedFields (one entry per writer, often
/// as large as the object itself, and read by no reconciler) nor kubectl's copy of the last
/// applied object.
pub fn slim<K: kube::Resource>(object: &mut K) {
    let meta = object.meta_mut();
    meta.managed_fields = None;
    if let Some(a) = meta.annotations.as_mut() {
        a.remove(LAST_APPLIED);
        if a.is_empty() {
            meta.annotations = None;
        }
    }
}

/// The annotation in which `kubectl apply` keeps the whole object it applied.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Every object of a Pusdata kind; one that does not decode is reported and skipped
/// (`decode`), so it cannot keep the store from being ready.
fn all<K>(
    client: &kube::Client,
    metrics: &Arc<super::metrics::Metrics>,
) -> impl futures::Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    // Streaming lists page by 500 (the default) and keep no list in memory beyond the store.
    super::decode::watch_all::<K>(client, metrics.clone()).modify(slim::<K>)
}

impl Caches {
    /// Starts the watches: the stores, and the future that keeps them current (it runs
    /// until dropped). Await [`Caches::ready`] before reconciling.
    pub fn watch(
        client: &kube::Client,
        platform_namespace: &str,
        metrics: &Arc<super::metrics::Metrics>,
    ) -> (
        Caches,
        impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let (agencies, a) = reflect(all::<Agency>(client, metrics));
        let (sites, b) = reflect(all::<Site>(client, metrics));
        let (racks, c) = reflect(all::<Rack>(client, metrics));
        let (policies, d) = reflect(all::<ResidencyPolicy>(client, metrics));
        let (plans, e) = reflect(all::<DisasterRecoveryPlan>(client, metrics));
        let (repositories, f) = reflect(all::<BackupRepository>(client, metrics));
        let (requests, g) = reflect(all::<HostingRequest>(client, metrics));
        let (approvals, h) = reflect(
            watcher(
                Api::<Approval>::namespaced(client.clone(), platform_namespace),
                watcher::Config::default(),
            )
            .default_backoff()
            .modify(slim::<Approval>),
        );
        let (namespaces, i) = reflect(
            watcher(
                Api::<PartialObjectMeta<Namespace>>::all(client.clone()),
                watcher::Config::default(),
            )
            .default_backoff()
            .modify(slim::<PartialObjectMeta<Namespace>>),
        );
        let (backups, j) = reflect(all::<Backup>(client, metrics));
        let (claims, k) = reflect(
            watcher(
                Api::<PartialObjectMeta<PersistentVolumeClaim>>::all(client.clone()),
                watcher::Config::default(),
            )
            .default_backoff(),
        );
        let caches = Caches {
            agencies,
            sites,
            racks,
            policies,
            plans,
            repositories,
            requests,
            approvals,
            namespaces,
            backups,
            claims,
        };
        let run =
            futures::stream::select_all([a, b, c, d, e, f, g, h, i, j, k]).for_each(|()| async {});
        (caches, run)
    }

    /// Waits until every store has its first full list.
    pub async fn ready(&self) -> Result<(), reflector::store::WriterDropped> {
        self.agencies.wait_until_ready().await?;
        self.sites.wait_until_ready().await?;
        self.racks.wait_until_ready().await?;
        self.policies.wait_until_ready().await?;
        self.plans.wait_until_ready().await?;
        self.repositories.wait_until_ready().await?;
        self.requests.wait_until_ready().await?;
        self.approvals.wait_until_ready().await?;
        self.backups.wait_until_ready().await?;
        self.claims.wait_until_ready().await?;
        self.namespaces.wait_until_ready().await
    }
}

/// Every object of kind `K`: from its store when the context has caches, else listed.
pub async fn all_of<K: Cached>(ctx: &Context) -> Result<Vec<K>, Error> {
    match &ctx.caches {
        Some(c) => Ok(K::store(c).state().iter().map(|o| (**o).clone()).collect()),
        None => Ok(Api::<K>::all(ctx.client.clone())
            .list(&ListParams::default())
            .await?
            .items),
    }
}

/// Every object of kind `K`, shared with the store (no copy) when the context has caches,
/// else listed.
pub async fn shared<K: Cached>(ctx: &Context) -> Result<Vec<Arc<K>>, Error> {
    match &ctx.caches {
        Some(c) => Ok(K::store(c).state()),
        None => Ok(Api::<K>::all(ctx.client.clone())
            .list(&ListParams::default())
            .await?
            .items
            .into_iter()
            .map(Arc::new)
            .collect()),
    }
}

/// The objects of kind `K` that `keep` selects: from the store when the context has caches
/// (only those are copied, not the whole store), else listed.
pub async fn matching<K: Cached>(
    ctx: &Context,
    keep: impl Fn(&K) -> bool,
) -> Result<Vec<K>, Error> {
    match &ctx.caches {
        Some(c) => Ok(K::store(c)
            .state_filter(|o| keep(o))
            .iter()
            .map(|o| (**o).clone())
            .collect()),
        None => Ok(Api::<K>::all(ctx.client.clone())
            .list(&ListParams::default())
            .await?
            .items
            .into_iter()
            .filter(|o| keep(o))
            .collect()),
    }
}

/// The approvals of the platform namespace.
pub async fn approvals(ctx: &Context) -> Result<Vec<Approval>, Error> {
    match &ctx.caches {
        Some(c) => Ok(c.approvals.state().iter().map(|o| (**o).clone()).collect()),
        None => Ok(
            Api::<Approval>::namespaced(ctx.client.clone(), &ctx.platform_namespace)
                .list(&ListParams::default())
                .await?
                .items,
        ),
    }
}

/// One approval of the platform namespace by name.
pub async fn approval(ctx: &Context, name: &str) -> Result<Option<Approval>, Error> {
    match &ctx.caches {
        Some(c) => Ok(c
            .approvals
            .get(&reflector::ObjectRef::new(name).within(&ctx.platform_namespace))
            .map(|a| (*a).clone())),
        None => Ok(
            Api::<Approval>::namespaced(ctx.client.clone(), &ctx.platform_namespace)
                .get_opt(name)
                .await?,
        ),
    }
}

/// The labels of namespace `name`, or `None` when it does not exist.
pub async fn namespace_labels(
    ctx: &Context,
    name: &str,
) -> Result<Option<std::collections::BTreeMap<String, String>>, Error> {
    match &ctx.caches {
        Some(c) => Ok(c
            .namespaces
            .get(&reflector::ObjectRef::new(name))
            .map(|n| n.metadata.labels.clone().unwrap_or_default())),
        None => Ok(Api::<Namespace>::all(ctx.client.clone())
            .get_opt(name)
            .await?
            .map(|n| n.metadata.labels.unwrap_or_default())),
    }
}

/// The hosting requests of one namespace.
pub async fn requests_in(ctx: &Context, namespace: &str) -> Result<Vec<HostingRequest>, Error> {
    match &ctx.caches {
        Some(c) => Ok(c
            .requests
            .state()
            .iter()
            .filter(|r| r.metadata.namespace.as_deref() == Some(namespace))
            .map(|r| (**r).clone())
            .collect()),
        None => Ok(
            Api::<HostingRequest>::namespaced(ctx.client.clone(), namespace)
                .list(&ListParams::default())
                .await?
                .items,
        ),
    }
}

/// The names of the PersistentVolumeClaims in `namespace` that `selector` selects (every
/// one without a selector), sorted.
pub async fn claims_in(
    ctx: &Context,
    namespace: &str,
    selector: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
) -> Result<Vec<String>, Error> {
    use kube::core::{Selector, SelectorExt};
    let selector = selector
        .map(|s| Selector::try_from(s.clone()))
        .transpose()
        .map_err(|e| Error::InvalidSpec(format!("pvcSelector: {e}")))?;
    let mut names: Vec<String> = match &ctx.caches {
        Some(c) => c
            .claims
            .state()
            .iter()
            .filter(|p| p.metadata.namespace.as_deref() == Some(namespace))
            .filter(|p| {
                selector
                    .as_ref()
                    .is_none_or(|s| s.matches(&p.metadata.labels.clone().unwrap_or_default()))
            })
            .filter_map(|p| p.metadata.name.clone())
            .collect(),
        None => {
            let mut lp = ListParams::default();
            if let Some(s) = &selector {
                lp = lp.labels_from(s);
            }
            Api::<PersistentVolumeClaim>::namespaced(ctx.client.clone(), namespace)
                .list(&lp)
                .await?
                .items
                .into_iter()
                .filter_map(|p| p.metadata.name)
                .collect()
        }
    };
    names.sort();
    Ok(names)
}

/// Test support: caches filled once from the (in-memory) API, as the watches' first list
/// would fill them.
#[cfg(test)]
pub async fn from_api(ctx: &Context) -> Arc<Caches> {
    use kube::core::PartialObjectMetaExt;
    use kube::runtime::reflector::store::Writer;
    use kube::runtime::watcher::Event;
    // Listed as dynamic objects and decoded one by one, as the watches do (`decode`).
    async fn fill<K>(ctx: &Context, namespace: Option<&str>) -> (Store<K>, Writer<K>)
    where
        K: kube::Resource<DynamicType = ()>
            + Clone
            + DeserializeOwned
            + Debug
            + Send
            + Sync
            + 'static,
    {
        use kube::core::{ApiResource, DynamicObject};
        let ar = ApiResource::erase::<K>(&());
        let api = match namespace {
            Some(ns) => Api::<DynamicObject>::namespaced_with(ctx.client.clone(), ns, &ar),
            None => Api::<DynamicObject>::all_with(ctx.client.clone(), &ar),
        };
        let (reader, mut writer) = reflector::store();
        // A kind the test's in-memory API does not serve has no objects.
        let items = api
            .list(&ListParams::default())
            .await
            .map(|l| l.items)
            .unwrap_or_default();
        writer.apply_watcher_event(&Event::Init);
        for o in items {
            if let Some(mut e) = super::decode::typed_event(Event::InitApply(o), &ctx.metrics) {
                if let Event::InitApply(k) = &mut e {
                    slim(k);
                }
                writer.apply_watcher_event(&e);
            }
        }
        writer.apply_watcher_event(&Event::InitDone);
        (reader, writer)
    }
    let c = &ctx.client;
    let ns_meta: Vec<PartialObjectMeta<Namespace>> = Api::<Namespace>::all(c.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.metadata.into_response_partial::<Namespace>())
        .collect();
    let (namespaces, mut nw) = reflector::store();
    nw.apply_watcher_event(&Event::Init);
    for n in ns_meta {
        nw.apply_watcher_event(&Event::InitApply(n));
    }
    nw.apply_watcher_event(&Event::InitDone);
    let claim_meta: Vec<PartialObjectMeta<PersistentVolumeClaim>> =
        Api::<PersistentVolumeClaim>::all(c.clone())
            .list(&ListParams::default())
            .await
            .map(|l| l.items)
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.metadata.into_response_partial::<PersistentVolumeClaim>())
            .collect();
    let (claims, mut cw) = reflector::store();
    cw.apply_watcher_event(&Event::Init);
    for p in claim_meta {
        cw.apply_watcher_event(&Event::InitApply(p));
    }
    cw.apply_watcher_event(&Event::InitDone);
    // The writers are dropped: the stores keep what they hold (a restart would refill them).
    Arc::new(Caches {
        agencies: fill(ctx, None).await.0,
        sites: fill(ctx, None).await.0,
        racks: fill(ctx, None).await.0,
        policies: fill(ctx, None).await.0,
        plans: fill(ctx, None).await.0,
        repositories: fill(ctx, None).await.0,
        requests: fill(ctx, None).await.0,
        approvals: fill(ctx, Some(&ctx.platform_namespace)).await.0,
        namespaces,
        backups: fill(ctx, None).await.0,
        claims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
    use kube::ResourceExt;

    #[test]
    fn a_cached_object_keeps_neither_managed_fields_nor_the_last_applied_copy() {
        let mut a = pusdata_crds::fixtures::agency("dinkes");
        a.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
            manager: Some("kubectl".into()),
            ..Default::default()
        }]);
        a.annotations_mut()
            .insert(LAST_APPLIED.into(), "{\"big\": \"copy\"}".into());
        a.annotations_mut().insert("owner".into(), "dinkes".into());
        let spec = a.spec.clone();
        slim(&mut a);
        assert_eq!(a.metadata.managed_fields, None);
        assert_eq!(
            a.annotations().keys().collect::<Vec<_>>(),
            vec!["owner"],
            "other annotations stay"
        );
        assert_eq!(a.spec, spec);
        let mut b = pusdata_crds::fixtures::agency("disdik");
        b.annotations_mut().insert(LAST_APPLIED.into(), "{}".into());
        slim(&mut b);
        assert_eq!(b.metadata.annotations, None);
    }
}

//! Watched caches the reconcilers read instead of listing from the API server: one reflector
//! store per kind, started once and shared by every controller. A settled operator then
//! sends nothing but its watches; a reconcile's lookups cost no request.
//!
//! The controllers whose primary kind is cached run on the same store: each subscribes to
//! its changes ([`Fanout`]) instead of keeping a watch and a store of its own (at 1 000
//! agencies a store of each kind per controller was most of the operator's memory), and the
//! policy audit learns of changes from the same watches ([`Caches::changed`]).
//!
//! Namespaces are watched metadata-only (their labels are all that is read; the API server
//! sends `PartialObjectMetadata`); the agencies' children are watched metadata-only too and
//! kept as [`ChildMeta`] (what the agency controller reads of them, nothing else). No store
//! keeps managedFields ([`slim`]). Approvals only
//! in the platform namespace (the only ones that count). Tests fill the stores once from the
//! in-memory API ([`Caches::from_api`]), since kube-fake-client has no watch; without caches
//! (`Context::caches` is `None`) the reads go to the API, as before.

use super::child_meta::ChildMeta;
use super::policyreport::{CompactClusterPolicyReport, CompactPolicyReport, MANAGED_BY};
use super::{Context, Error};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{LimitRange, Namespace, PersistentVolumeClaim, ResourceQuota};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::Api;
use kube::api::ListParams;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use pusdata_core::policy;
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    Agency, Approval, Backup, BackupRepository, DisasterRecoveryPlan, ExternalCloudService,
    HostingRequest, Rack, ResidencyPolicy, Site,
};
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, mpsc};

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
    /// External cloud services, all namespaces.
    pub external: Store<ExternalCloudService>,
    /// The agencies' children, selected by the agency label, metadata only, kept as
    /// [`ChildMeta`] (`children`).
    pub quotas: Store<ChildMeta<ResourceQuota>>,
    /// See `quotas`.
    pub limit_ranges: Store<ChildMeta<LimitRange>>,
    /// See `quotas`.
    pub network_policies: Store<ChildMeta<NetworkPolicy>>,
    /// See `quotas`.
    pub role_bindings: Store<ChildMeta<RoleBinding>>,
    /// The policy audit's reports (labelled as Pusdata's), the previous pass it builds on,
    /// read straight into their compact form (`report::Compact`: a digest and a time per
    /// result).
    pub reports: Store<CompactPolicyReport>,
    /// The audit's cluster report (only the one Pusdata writes, by name), compact.
    pub cluster_reports: Store<CompactClusterPolicyReport>,
    /// The changes of each store, for the controllers that share it.
    pub fanouts: Arc<Fanouts>,
    /// Woken when an object the policy rules read changes its spec, labels or annotations,
    /// appears or goes ([`trigger_key`]); status writes do not wake it.
    pub changed: Arc<Notify>,
    /// The rules' context built from the stores, shared by every reconcile until one of
    /// the objects it holds is replaced in its store or the policy changes
    /// ([`RulesContext::changed`]).
    pub rules: Arc<RulesContext>,
}

/// The rules' context (`policy::Context`) from the shared stores, built once per change and
/// shared: a HostingRequest's reconcile used to copy every Agency into a context of its own,
/// so a first start at 1 000 agencies copied them once per request (5 000 times), up to
/// eight at a time.
#[derive(Default)]
pub struct RulesContext {
    /// Bumped after a change to an object the rules read has reached its store.
    version: std::sync::atomic::AtomicU64,
    /// The context last built, and the version it was built at.
    built: Mutex<Option<(u64, Arc<policy::Context>)>>,
}

impl RulesContext {
    /// An object the context holds was replaced or removed in its store: the context is
    /// rebuilt when next asked for, and the one built is dropped now, so that it does not
    /// keep the replaced objects alive beside the store's new ones (at 1 000 agencies every
    /// Agency and BackupRepository whose status the first start wrote, twice over until
    /// the next rule change; heaptrack, thirteenth session).
    fn changed(&self) {
        // Under the lock: a build that read the stores before this change finishes first
        // and is dropped here, never kept as current.
        let mut built = self
            .built
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        *built = None;
    }
}

/// One [`Fanout`] per cached kind.
#[derive(Default)]
pub struct Fanouts {
    agencies: Fanout<Agency>,
    sites: Fanout<Site>,
    racks: Fanout<Rack>,
    policies: Fanout<ResidencyPolicy>,
    plans: Fanout<DisasterRecoveryPlan>,
    repositories: Fanout<BackupRepository>,
    requests: Fanout<HostingRequest>,
    approvals: Fanout<Approval>,
    backups: Fanout<Backup>,
    external: Fanout<ExternalCloudService>,
    quotas: Fanout<ChildMeta<ResourceQuota>>,
    limit_ranges: Fanout<ChildMeta<LimitRange>>,
    network_policies: Fanout<ChildMeta<NetworkPolicy>>,
    role_bindings: Fanout<ChildMeta<RoleBinding>>,
}

/// The changes of one store, sent to every subscriber: the key of each object applied, and
/// every key after each full list. A subscriber reads the objects from the store when it
/// gets to them (an object deleted meanwhile is skipped), so no subscriber holds a copy of
/// the store, and a slow one costs only keys. kube's own `store_shared` was not used: its
/// subscription waits for a key whose object is gone without asking to be woken again, and
/// stalls that controller until something else wakes its task.
pub struct Fanout<K: kube::Resource<DynamicType = ()>> {
    subscribers: Mutex<Vec<mpsc::UnboundedSender<ObjectRef<K>>>>,
}

impl<K: kube::Resource<DynamicType = ()>> Default for Fanout<K> {
    fn default() -> Self {
        Fanout {
            subscribers: Mutex::new(Vec::new()),
        }
    }
}

impl<K> Fanout<K>
where
    K: kube::Resource<DynamicType = ()> + Clone + Send + Sync + 'static,
{
    /// Sends `key` to every subscriber still listening.
    fn send(&self, keys: impl IntoIterator<Item = ObjectRef<K>>) {
        let Ok(mut subs) = self.subscribers.lock() else {
            return;
        };
        for key in keys {
            subs.retain(|s| s.send(key.clone()).is_ok());
        }
    }

    /// The objects of `store` that change from now on, and first every object it holds
    /// (a controller that subscribes after the first list still reconciles everything).
    pub fn subscribe(&self, store: &Store<K>) -> BoxStream<'static, Arc<K>> {
        let (tx, rx) = mpsc::unbounded_channel();
        if let Ok(mut subs) = self.subscribers.lock() {
            for o in store.state() {
                let _ = tx.send(ObjectRef::from_obj(o.as_ref()));
            }
            subs.push(tx);
        }
        futures::stream::unfold((rx, store.clone()), |(mut rx, store)| async move {
            loop {
                let key = rx.recv().await?;
                if let Some(o) = store.get(&key) {
                    return Some((o, (rx, store)));
                }
            }
        })
        .boxed()
    }
}

/// A kind with a shared store.
pub trait Cached:
    kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
    /// Its store.
    fn store(c: &Caches) -> &Store<Self>;
    /// Its changes.
    fn fanout(c: &Caches) -> &Fanout<Self>;
}

macro_rules! cached {
    ($kind:ty, $field:ident) => {
        impl Cached for $kind {
            fn store(c: &Caches) -> &Store<Self> {
                &c.$field
            }
            fn fanout(c: &Caches) -> &Fanout<Self> {
                &c.fanouts.$field
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
cached!(Approval, approvals);
cached!(ExternalCloudService, external);

/// A kind of agency child (`agency`), with its metadata store.
pub trait Child:
    kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
    + Clone
    + DeserializeOwned
    + Debug
    + Send
    + Sync
    + 'static
{
    /// Its metadata store.
    fn cached(c: &Caches) -> &Store<ChildMeta<Self>>;
    /// Its changes.
    fn fanout(c: &Caches) -> &Fanout<ChildMeta<Self>>;
}

macro_rules! child {
    ($kind:ty, $field:ident) => {
        impl Child for $kind {
            fn cached(c: &Caches) -> &Store<ChildMeta<Self>> {
                &c.$field
            }
            fn fanout(c: &Caches) -> &Fanout<ChildMeta<Self>> {
                &c.fanouts.$field
            }
        }
    };
}
child!(ResourceQuota, quotas);
child!(LimitRange, limit_ranges);
child!(NetworkPolicy, network_policies);
child!(RoleBinding, role_bindings);

/// The children of kind `K` of every agency (the agency label selects them), metadata only,
/// each kept as a [`ChildMeta`].
fn children<K>(
    client: &kube::Client,
) -> impl futures::Stream<Item = Result<watcher::Event<ChildMeta<K>>, watcher::Error>> + Send + 'static
where
    K: Child,
{
    watcher(
        Api::<PartialObjectMeta<K>>::all(client.clone()),
        lists().labels(pusdata_core::tenancy::AGENCY_LABEL),
    )
    .default_backoff()
    .map_ok(|ev| child_event(ev, ChildMeta::from))
}

/// `ev` with its object converted by `f`.
fn child_event<A, B>(ev: watcher::Event<A>, f: impl Fn(A) -> B) -> watcher::Event<B> {
    match ev {
        watcher::Event::Apply(o) => watcher::Event::Apply(f(o)),
        watcher::Event::Delete(o) => watcher::Event::Delete(f(o)),
        watcher::Event::Init => watcher::Event::Init,
        watcher::Event::InitApply(o) => watcher::Event::InitApply(f(o)),
        watcher::Event::InitDone => watcher::Event::InitDone,
    }
}

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

/// Where a store of a kind the policy rules read reports its changes.
struct Audited {
    /// The audit's trigger.
    changed: Arc<Notify>,
    /// The shared rules' context.
    rules: Arc<RulesContext>,
    /// Whether the rules' context holds this kind's objects ([`rules_from`]): then any
    /// replacement in the store, a status write too, drops the context built from the old
    /// object. The audit is woken only by what the rules read ([`trigger_key`]).
    held: bool,
}

/// Keeps one shared store current, sends its changes to the store's subscribers and, for the
/// kinds the policy rules read (`audit`), wakes the audit when an object's spec, labels or
/// annotations change. The change is found by comparing with the store before the event is
/// applied, so no other copy of the keys is kept.
fn reflect_shared<K>(
    stream: impl futures::Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static,
    fanouts: &Arc<Fanouts>,
    fanout: fn(&Fanouts) -> &Fanout<K>,
    audited: Option<Audited>,
) -> (Store<K>, BoxStream<'static, ()>)
where
    K: kube::Resource<DynamicType = ()> + Clone + Send + Sync + 'static,
{
    let (reader, writer) = reflector::store();
    let before = reader.clone();
    let after = reader.clone();
    let fanouts = fanouts.clone();
    let rules = audited.as_ref().map(|a| a.rules.clone());
    // Set when an event changes what the rules read; the rules' context is marked stale
    // once the event is in the store (after `reflector` applied it), so a context built
    // in between is not kept as current.
    let pending = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = pending.clone();
    // During a relist: whether an object differs from the store, and how many were listed.
    let mut relist = (false, 0usize);
    let watched = stream.inspect(move |ev| {
        let Some(audited) = &audited else { return };
        let differs = |o: &K| {
            before
                .get(&ObjectRef::from_obj(o))
                .is_none_or(|old| trigger_key(old.as_ref()) != trigger_key(o))
        };
        let changed = match ev {
            Ok(watcher::Event::Apply(o)) => differs(o),
            Ok(watcher::Event::Delete(_)) => true,
            Ok(watcher::Event::Init) => {
                relist = (false, 0);
                false
            }
            Ok(watcher::Event::InitApply(o)) => {
                relist = (relist.0 || differs(o), relist.1 + 1);
                false
            }
            Ok(watcher::Event::InitDone) => relist.0 || relist.1 != before.state().len(),
            _ => false,
        };
        if changed {
            audited.changed.notify_one();
        }
        let replaced = matches!(
            ev,
            Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_) | watcher::Event::InitDone)
        );
        if changed || (audited.held && replaced) {
            seen.store(true, std::sync::atomic::Ordering::Release);
        }
    });
    let run = reflector::reflector(writer, watched)
        .filter_map(move |ev| {
            if pending.swap(false, std::sync::atomic::Ordering::AcqRel)
                && let Some(r) = &rules
            {
                r.changed();
            }
            let out = fanout(&fanouts);
            match ev {
                Ok(watcher::Event::Apply(o)) => out.send([ObjectRef::from_obj(&o)]),
                Ok(watcher::Event::InitDone) => out.send(
                    after
                        .state()
                        .iter()
                        .map(|o| ObjectRef::from_obj(o.as_ref())),
                ),
                _ => {}
            }
            futures::future::ready(None::<()>)
        })
        .boxed();
    (reader, run)
}

/// What the policy rules (`audit`) can see of an object besides its spec: a change of generation (the spec),
/// labels or annotations wakes the audit; a status-only change does not, since no rule reads
/// status.
pub fn trigger_key<K: kube::Resource>(obj: &K) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let m = obj.meta();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    m.uid.hash(&mut h);
    m.generation.hash(&mut h);
    m.labels.hash(&mut h);
    m.annotations.hash(&mut h);
    Some(h.finish())
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

/// What the HostingRequest store keeps: what every store keeps ([`slim`]), and the status
/// without the texts the hosting decision rewrites (`request_cache`).
pub fn slim_request(hr: &mut HostingRequest) {
    slim(hr);
    super::request_cache::slim_status(hr);
}

/// What the namespace store keeps: labels and annotations (an agency's namespace is
/// compared by them, `agency::apply_children`) and the name; not the uid and
/// resourceVersion, which no reader needs and the store's key would hold a second copy of,
/// nor the apiVersion and kind strings.
pub fn slim_namespace(ns: &mut PartialObjectMeta<Namespace>) {
    ns.types = None;
    ns.metadata.uid = None;
    ns.metadata.resource_version = None;
    slim(ns);
}

/// What the claims' store keeps: name, namespace and labels, which is all a backup's
/// volume selector reads (`claims_in`).
pub fn slim_claim(claim: &mut PartialObjectMeta<PersistentVolumeClaim>) {
    let meta = std::mem::take(&mut claim.metadata);
    claim.types = None;
    claim.metadata = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: meta.name,
        namespace: meta.namespace,
        labels: meta.labels,
        ..Default::default()
    };
}

/// The annotation in which `kubectl apply` keeps the whole object it applied.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Objects per page of the caches' lists. All eighteen watches list at once when the operator
/// starts, and a page is decoded whole (`decode`) before its objects reach the store; at
/// kube's default of 500 the pages being decoded were the largest transient of a start at
/// 1 000 agencies (~14 MB of a 76 MB heap peak, heaptrack). The cost is more list requests
/// (one per 100 objects) on a start.
pub const LIST_PAGE: u32 = 100;

/// The watch configuration of every cache: lists paged by [`LIST_PAGE`].
fn lists() -> watcher::Config {
    watcher::Config::default().page_size(LIST_PAGE)
}

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
    super::decode::watch_all::<K>(client, metrics.clone(), lists()).modify(slim::<K>)
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
        let fanouts = Arc::new(Fanouts::default());
        let changed = Arc::new(Notify::new());
        let rules = Arc::new(RulesContext::default());
        let audited = |held: bool| {
            Some(Audited {
                changed: changed.clone(),
                rules: rules.clone(),
                held,
            })
        };
        let (agencies, a) = reflect_shared(
            all::<Agency>(client, metrics),
            &fanouts,
            |f| &f.agencies,
            audited(true),
        );
        let (sites, b) = reflect_shared(
            all::<Site>(client, metrics),
            &fanouts,
            |f| &f.sites,
            audited(true),
        );
        let (racks, c) = reflect_shared(
            all::<Rack>(client, metrics),
            &fanouts,
            |f| &f.racks,
            audited(true),
        );
        let (policies, d) = reflect_shared(
            all::<ResidencyPolicy>(client, metrics),
            &fanouts,
            |f| &f.policies,
            // The context keeps the policy's settings, not the object.
            audited(false),
        );
        let (plans, e) = reflect_shared(
            all::<DisasterRecoveryPlan>(client, metrics),
            &fanouts,
            |f| &f.plans,
            audited(true),
        );
        let (repositories, f) = reflect_shared(
            all::<BackupRepository>(client, metrics),
            &fanouts,
            |f| &f.repositories,
            audited(true),
        );
        let (requests, g) = reflect_shared(
            // Kept without the status texts the hosting controller rewrites (`request_cache`).
            super::decode::watch_all::<HostingRequest>(client, metrics.clone(), lists())
                .modify(slim_request),
            &fanouts,
            |f| &f.requests,
            audited(false),
        );
        let (approvals, h) = reflect_shared(
            watcher(
                Api::<Approval>::namespaced(client.clone(), platform_namespace),
                lists(),
            )
            .default_backoff()
            .modify(slim::<Approval>),
            &fanouts,
            |f| &f.approvals,
            audited(true),
        );
        let (namespaces, i) = reflect(
            watcher(
                Api::<PartialObjectMeta<Namespace>>::all(client.clone()),
                lists(),
            )
            .default_backoff()
            .modify(slim_namespace),
        );
        let (backups, j) = reflect_shared(
            all::<Backup>(client, metrics),
            &fanouts,
            |f| &f.backups,
            None,
        );
        let (claims, k) = reflect(
            watcher(
                Api::<PartialObjectMeta<PersistentVolumeClaim>>::all(client.clone()),
                lists(),
            )
            .default_backoff()
            .modify(slim_claim),
        );
        let (external, l) = reflect_shared(
            all::<ExternalCloudService>(client, metrics),
            &fanouts,
            |f| &f.external,
            audited(false),
        );
        let (quotas, m) = reflect_shared(
            children::<ResourceQuota>(client),
            &fanouts,
            |f| &f.quotas,
            None,
        );
        let (limit_ranges, n) = reflect_shared(
            children::<LimitRange>(client),
            &fanouts,
            |f| &f.limit_ranges,
            None,
        );
        let (network_policies, o) = reflect_shared(
            children::<NetworkPolicy>(client),
            &fanouts,
            |f| &f.network_policies,
            None,
        );
        let (role_bindings, p) = reflect_shared(
            children::<RoleBinding>(client),
            &fanouts,
            |f| &f.role_bindings,
            None,
        );
        let (reports, q) = reflect(
            watcher(
                Api::<CompactPolicyReport>::all(client.clone()),
                lists().labels(&format!("{}={}", MANAGED_BY.0, MANAGED_BY.1)),
            )
            .default_backoff()
            .modify(|r: &mut CompactPolicyReport| slim(r)),
        );
        let (cluster_reports, r) = reflect(
            watcher(
                Api::<CompactClusterPolicyReport>::all(client.clone()),
                lists().fields(&format!(
                    "metadata.name={}",
                    pusdata_core::policy::report::REPORT_NAME
                )),
            )
            .default_backoff()
            .modify(|r: &mut CompactClusterPolicyReport| slim(r)),
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
            external,
            quotas,
            limit_ranges,
            network_policies,
            role_bindings,
            reports,
            cluster_reports,
            fanouts,
            changed,
            rules,
        };
        let run =
            futures::stream::select_all([a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r])
                .for_each(|()| async {});
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
        self.external.wait_until_ready().await?;
        self.quotas.wait_until_ready().await?;
        self.limit_ranges.wait_until_ready().await?;
        self.network_policies.wait_until_ready().await?;
        self.role_bindings.wait_until_ready().await?;
        self.reports.wait_until_ready().await?;
        self.cluster_reports.wait_until_ready().await?;
        self.namespaces.wait_until_ready().await
    }
}

/// The rules' context (`policy::Context`): with caches, the one built from the stores since
/// the last change to what the rules read (built now if there is none); else from lists.
pub async fn rules_context(ctx: &Context) -> Result<Arc<policy::Context>, Error> {
    let Some(c) = &ctx.caches else {
        let approvals: Vec<Arc<Approval>> =
            approvals(ctx).await?.into_iter().map(Arc::new).collect();
        return Ok(Arc::new(rules_from(
            &shared(ctx).await?,
            &shared(ctx).await?,
            &shared(ctx).await?,
            &shared(ctx).await?,
            &approvals,
            &shared(ctx).await?,
            &shared(ctx).await?,
        )));
    };
    let version = c.rules.version.load(std::sync::atomic::Ordering::Acquire);
    // Built under the lock: reconciles that find it stale at the same time wait for one
    // build instead of each making a copy of the world.
    // A panic while building leaves nothing half-written that matters: it is a cache.
    let mut built = c
        .rules
        .built
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((at, rules)) = built.as_ref()
        && *at == version
    {
        return Ok(rules.clone());
    }
    let rules = Arc::new(rules_from(
        &c.policies.state(),
        &c.sites.state(),
        &c.racks.state(),
        &c.agencies.state(),
        &c.approvals.state(),
        &c.repositories.state(),
        &c.plans.state(),
    ));
    *built = Some((version, rules.clone()));
    Ok(rules)
}

/// The ResidencyPolicy whose settings the rules apply, among shared ones: the core's choice
/// (`policy::active_policy`), so the reconciles, the audit and the webhook agree.
pub fn active_policy_of(policies: &[Arc<ResidencyPolicy>]) -> Option<ResidencyPolicy> {
    let candidates: Vec<Object> = policies
        .iter()
        .map(|p| Object::ResidencyPolicy(ResidencyPolicy::clone(p)))
        .collect();
    policy::active_policy(&candidates).cloned()
}

/// What the rules learn from: the active policy's settings (`policy::active_policy`) and
/// every registered object, as `policy::Context::from_objects` takes them.
fn rules_from(
    policies: &[Arc<ResidencyPolicy>],
    sites: &[Arc<Site>],
    racks: &[Arc<Rack>],
    agencies: &[Arc<Agency>],
    approvals: &[Arc<Approval>],
    repositories: &[Arc<BackupRepository>],
    plans: &[Arc<DisasterRecoveryPlan>],
) -> policy::Context {
    let active = active_policy_of(policies);
    let mut rules = policy::Context::with_policy(active.as_ref().map(|p| &p.spec));
    // The stores' own objects, shared: the context adds no copy of them.
    rules.sites = sites.to_vec();
    rules.racks = racks.to_vec();
    rules.agencies = agencies.to_vec();
    rules.approvals = approvals.to_vec();
    rules.repositories = repositories.to_vec();
    rules.plans = plans.to_vec();
    rules
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

/// The cluster-scoped object of kind `K` named `name`: from its store when the context has
/// caches, else read.
pub async fn named<K: Cached>(ctx: &Context, name: &str) -> Result<Option<K>, Error> {
    match &ctx.caches {
        Some(c) => Ok(K::store(c).get(&ObjectRef::new(name)).map(|o| (*o).clone())),
        None => Ok(Api::<K>::all(ctx.client.clone()).get_opt(name).await?),
    }
}

/// The objects of kind `K` in `namespace`: from its store when the context has caches, else
/// listed there.
pub async fn in_namespace<K>(ctx: &Context, namespace: &str) -> Result<Vec<K>, Error>
where
    K: Cached + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
{
    match &ctx.caches {
        Some(c) => Ok(K::store(c)
            .state_filter(|o| o.meta().namespace.as_deref() == Some(namespace))
            .iter()
            .map(|o| (**o).clone())
            .collect()),
        None => Ok(Api::<K>::namespaced(ctx.client.clone(), namespace)
            .list(&ListParams::default())
            .await?
            .items),
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
    // `keep`: what the watch keeps of each object (`slim`, or the kind's own).
    async fn fill<K>(
        ctx: &Context,
        namespace: Option<&str>,
        keep: fn(&mut K),
    ) -> (Store<K>, Writer<K>)
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
                    keep(k);
                }
                writer.apply_watcher_event(&e);
            }
        }
        writer.apply_watcher_event(&Event::InitDone);
        (reader, writer)
    }
    // The agencies' children as their metadata watch sees them (`children`).
    async fn child_meta<K: Child>(ctx: &Context) -> Store<ChildMeta<K>> {
        let items: Vec<K> = Api::<K>::all(ctx.client.clone())
            .list(&ListParams::default().labels(pusdata_core::tenancy::AGENCY_LABEL))
            .await
            .map(|l| l.items)
            .unwrap_or_default();
        let (reader, mut writer) = reflector::store();
        writer.apply_watcher_event(&Event::Init);
        for o in items {
            writer.apply_watcher_event(&Event::InitApply(ChildMeta::from_meta(o.meta().clone())));
        }
        writer.apply_watcher_event(&Event::InitDone);
        reader
    }
    let c = &ctx.client;
    let ns_meta: Vec<PartialObjectMeta<Namespace>> = Api::<Namespace>::all(c.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| {
            let mut m = n.metadata.into_response_partial::<Namespace>();
            slim_namespace(&mut m);
            m
        })
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
            .map(|p| {
                let mut m = p.metadata.into_response_partial::<PersistentVolumeClaim>();
                slim_claim(&mut m);
                m
            })
            .collect();
    let (claims, mut cw) = reflector::store();
    cw.apply_watcher_event(&Event::Init);
    for p in claim_meta {
        cw.apply_watcher_event(&Event::InitApply(p));
    }
    cw.apply_watcher_event(&Event::InitDone);
    // The writers are dropped: the stores keep what they hold (a restart would refill them).
    Arc::new(Caches {
        agencies: fill(ctx, None, slim).await.0,
        sites: fill(ctx, None, slim).await.0,
        racks: fill(ctx, None, slim).await.0,
        policies: fill(ctx, None, slim).await.0,
        plans: fill(ctx, None, slim).await.0,
        repositories: fill(ctx, None, slim).await.0,
        requests: fill(ctx, None, slim_request).await.0,
        approvals: fill(ctx, Some(&ctx.platform_namespace), slim).await.0,
        namespaces,
        backups: fill(ctx, None, slim).await.0,
        claims,
        external: fill(ctx, None, slim).await.0,
        quotas: child_meta(ctx).await,
        limit_ranges: child_meta(ctx).await,
        network_policies: child_meta(ctx).await,
        role_bindings: child_meta(ctx).await,
        reports: fill(ctx, None, slim).await.0,
        cluster_reports: fill(ctx, None, slim).await.0,
        fanouts: Default::default(),
        changed: Default::default(),
        rules: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
    use kube::ResourceExt;

    /// The rules' context shares the stores' objects; when the store replaces one (a
    /// status write, which does not change what the rules read and does not wake the
    /// audit), the context built from the old one is dropped, so the old object is freed
    /// instead of living on beside the new one until the next rule change.
    #[tokio::test]
    async fn a_status_write_frees_the_replaced_object_from_the_rules_context() {
        use futures::StreamExt;
        use kube::runtime::watcher::Event;
        for (held, freed) in [(true, true), (false, false)] {
            let (tx, rx) = futures::channel::mpsc::unbounded();
            let rules = Arc::new(RulesContext::default());
            let changed = Arc::new(Notify::new());
            let audited = Audited {
                changed: changed.clone(),
                rules: rules.clone(),
                held,
            };
            let (store, mut run) = reflect_shared(
                rx,
                &Arc::new(Fanouts::default()),
                |f| &f.agencies,
                Some(audited),
            );
            let step = |run: &mut BoxStream<'static, ()>| {
                // The stream yields nothing; poll it until the events sent so far are in.
                futures::FutureExt::now_or_never(run.next()).flatten()
            };
            let old = pusdata_crds::fixtures::agency("dinkes");
            for e in [Event::Init, Event::InitApply(old.clone()), Event::InitDone] {
                tx.unbounded_send(Ok(e)).unwrap();
            }
            step(&mut run);
            assert_eq!(store.state().len(), 1);
            // The first list woke the audit; take that wake-up.
            assert!(futures::FutureExt::now_or_never(changed.notified()).is_some());
            let built = rules_from(&[], &[], &[], &store.state(), &[], &[], &[]);
            let version = rules.version.load(std::sync::atomic::Ordering::Acquire);
            *rules.built.lock().unwrap() = Some((version, Arc::new(built)));
            let held_old = Arc::downgrade(&store.state()[0]);

            let mut new = old.clone();
            new.metadata.resource_version = Some("2".into());
            new.status = Some(Default::default());
            tx.unbounded_send(Ok(Event::Apply(new))).unwrap();
            step(&mut run);
            let in_store = store.state();
            assert_eq!(in_store[0].metadata.resource_version.as_deref(), Some("2"));
            assert_eq!(
                held_old.upgrade().is_none(),
                freed,
                "held by the context: {held}"
            );
            assert_eq!(rules.built.lock().unwrap().is_none(), freed);
            // A status write is not a rule change: the audit sleeps on.
            assert!(
                futures::FutureExt::now_or_never(changed.notified()).is_none(),
                "the audit was woken by a status write"
            );
        }
    }

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

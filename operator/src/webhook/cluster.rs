//! The webhook's context from the cluster: one reflector store per kind the rules learn from
//! (`ResidencyPolicy`, `Site`, `Rack`, `Agency`, `Approval`, `BackupRepository`,
//! `DisasterRecoveryPlan`), kept current by watches. When any store changes, the context is
//! rebuilt with `policy::Context::from_objects` — the same function `--context DIR` and the
//! controllers use — and swapped into [`State`] whole. An admission request only loads the
//! current context: no API call on the request path.

use super::State;
use crate::controllers::permission::Permission;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use kube::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use pusdata_core::policy::{self, Context};
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    Agency, Approval, BackupRepository, DisasterRecoveryPlan, Rack, ResidencyPolicy, Site,
};
use std::sync::Arc;

/// API calls of the webhook with `--from-cluster` (see `controllers::rbac`).
pub const PERMISSIONS: &[Permission] = crate::controllers::permission::POLICY_CONTEXT;

/// Read handles of the stores the context is built from.
#[derive(Clone)]
pub struct Stores {
    /// Residency policies (the first by name applies).
    pub policies: Store<ResidencyPolicy>,
    /// Sites.
    pub sites: Store<Site>,
    /// Racks.
    pub racks: Store<Rack>,
    /// Agencies.
    pub agencies: Store<Agency>,
    /// Approvals, all namespaces (the rules only trust the platform namespace's).
    pub approvals: Store<Approval>,
    /// Backup repositories.
    pub repositories: Store<BackupRepository>,
    /// Disaster recovery plans.
    pub plans: Store<DisasterRecoveryPlan>,
}

impl Stores {
    /// Everything the stores hold, sorted by kind, namespace and name so that the context
    /// does not depend on the stores' hash order.
    pub fn objects(&self) -> Vec<Object> {
        fn all<K>(store: &Store<K>, wrap: fn(K) -> Object) -> impl Iterator<Item = Object>
        where
            K: kube::Resource + Clone + 'static,
            K::DynamicType: Eq + std::hash::Hash + Clone,
        {
            store.state().into_iter().map(move |k| wrap((*k).clone()))
        }
        let mut objects: Vec<Object> = all(&self.policies, Object::ResidencyPolicy)
            .chain(all(&self.sites, Object::Site))
            .chain(all(&self.racks, Object::Rack))
            .chain(all(&self.agencies, Object::Agency))
            .chain(all(&self.approvals, Object::Approval))
            .chain(all(&self.repositories, Object::BackupRepository))
            .chain(all(&self.plans, Object::DisasterRecoveryPlan))
            .collect();
        objects.sort_by(|a, b| policy::identity(a).cmp(&policy::identity(b)));
        objects
    }

    /// The rules' context from what the stores hold now.
    pub fn context(&self) -> Context {
        Context::from_objects(&self.objects())
    }

    /// Waits until every store has its first full list.
    pub async fn ready(&self) -> Result<(), reflector::store::WriterDropped> {
        self.policies.wait_until_ready().await?;
        self.sites.wait_until_ready().await?;
        self.racks.wait_until_ready().await?;
        self.agencies.wait_until_ready().await?;
        self.approvals.wait_until_ready().await?;
        self.repositories.wait_until_ready().await?;
        self.plans.wait_until_ready().await
    }
}

/// A reflector for one kind: its store, and its events as a stream of "something changed".
fn reflect<K>(api: Api<K>) -> (Store<K>, BoxStream<'static, ()>)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (reader, writer) = reflector::store();
    let events = reflector::reflector(
        writer,
        watcher(api, watcher::Config::default()).default_backoff(),
    )
    // Watch errors are retried with backoff inside the watcher; they change nothing here.
    .filter_map(|e| futures::future::ready(e.ok().map(|_| ())))
    .boxed();
    (reader, events)
}

/// Starts the watches. The returned future keeps the stores current and swaps a rebuilt
/// context into `state` after every change (a burst of events is one rebuild); it runs
/// until the process stops. Await [`Stores::ready`] before serving.
pub fn watch(
    client: kube::Client,
    state: Arc<State>,
) -> (Stores, impl std::future::Future<Output = ()>) {
    let (policies, e1) = reflect(Api::<ResidencyPolicy>::all(client.clone()));
    let (sites, e2) = reflect(Api::<Site>::all(client.clone()));
    let (racks, e3) = reflect(Api::<Rack>::all(client.clone()));
    let (agencies, e4) = reflect(Api::<Agency>::all(client.clone()));
    let (approvals, e5) = reflect(Api::<Approval>::all(client.clone()));
    let (repositories, e6) = reflect(Api::<BackupRepository>::all(client.clone()));
    let (plans, e7) = reflect(Api::<DisasterRecoveryPlan>::all(client));
    let stores = Stores {
        policies,
        sites,
        racks,
        agencies,
        approvals,
        repositories,
        plans,
    };
    let mut events = futures::stream::select_all([e1, e2, e3, e4, e5, e6, e7]);
    let rebuild = stores.clone();
    let run = async move {
        while events.next().await.is_some() {
            while let Some(Some(())) = events.next().now_or_never() {}
            let ctx = rebuild.context();
            tracing::debug!(
                sites = ctx.sites.len(),
                agencies = ctx.agencies.len(),
                approvals = ctx.approvals.len(),
                "webhook context rebuilt"
            );
            state.set_context(ctx);
        }
    };
    (stores, run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::{Outcome, review};
    use kube::runtime::reflector::store::Writer;
    use pusdata_crds::fixtures;

    struct Writers {
        policies: Writer<ResidencyPolicy>,
        sites: Writer<Site>,
        agencies: Writer<Agency>,
        approvals: Writer<Approval>,
    }

    fn stores() -> (Stores, Writers) {
        let (policies, pw) = reflector::store();
        let (sites, sw) = reflector::store();
        let (racks, _) = reflector::store();
        let (agencies, aw) = reflector::store();
        let (approvals, apw) = reflector::store();
        let (repositories, _) = reflector::store();
        let (plans, _) = reflector::store();
        (
            Stores {
                policies,
                sites,
                racks,
                agencies,
                approvals,
                repositories,
                plans,
            },
            Writers {
                policies: pw,
                sites: sw,
                agencies: aw,
                approvals: apw,
            },
        )
    }

    fn now() -> jiff::Timestamp {
        "2026-11-25T00:00:00Z".parse().unwrap()
    }

    fn body(region: &str) -> Vec<u8> {
        serde_json::json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "u1",
                "kind": {"group": "pusdata.io", "version": "v1alpha1", "kind": "ExternalCloudService"},
                "resource": {"group": "pusdata.io", "version": "v1alpha1", "resource": "externalcloudservices"},
                "name": "lms", "namespace": "disdik", "operation": "CREATE",
                "userInfo": {"username": "guru@disdik"},
                "object": serde_json::to_value(fixtures::external_cloud("disdik", "aws", region)).unwrap(),
            }
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn the_context_follows_the_stores_and_decisions_follow_the_context() {
        let (stores, mut w) = stores();
        let state = State::new(stores.context());
        // Nothing known yet: the agency is not registered, no approval — denied.
        let (outcome, _, _) = review(&body("ap-southeast-3"), &state, now());
        assert_eq!(outcome, Outcome::Denied);

        let mut approval = fixtures::approval("disdik", "lms");
        approval.spec.target.kind = "ExternalCloudService".into();
        w.policies
            .apply_watcher_event(&watcher::Event::Apply(fixtures::residency_policy()));
        w.sites
            .apply_watcher_event(&watcher::Event::Apply(fixtures::primary_site()));
        w.agencies
            .apply_watcher_event(&watcher::Event::Apply(fixtures::agency("disdik")));
        w.approvals
            .apply_watcher_event(&watcher::Event::Apply(approval.clone()));
        state.set_context(stores.context());
        let ctx = state.context();
        assert_eq!(
            (ctx.sites.len(), ctx.agencies.len(), ctx.approvals.len()),
            (1, 1, 1)
        );
        let (outcome, _, _) = review(&body("ap-southeast-3"), &state, now());
        assert_eq!(outcome, Outcome::Allowed);
        // Still the rules: a foreign region is denied with the same context.
        let (outcome, _, _) = review(&body("ap-southeast-1"), &state, now());
        assert_eq!(outcome, Outcome::Denied);

        // The approval is withdrawn: denied again after the rebuild.
        w.approvals
            .apply_watcher_event(&watcher::Event::Delete(approval));
        state.set_context(stores.context());
        let (outcome, _, _) = review(&body("ap-southeast-3"), &state, now());
        assert_eq!(outcome, Outcome::Denied);
    }

    #[test]
    fn the_policy_in_the_store_sets_the_mode_unless_the_flag_does() {
        let (stores, mut w) = stores();
        let mut policy = fixtures::residency_policy();
        policy.spec.mode = pusdata_crds::v1alpha1::EnforcementMode::Monitor;
        w.policies
            .apply_watcher_event(&watcher::Event::Apply(policy));
        let ctx = stores.context();
        let state = State::new(stores.context());
        assert_eq!(
            state.mode(&ctx),
            pusdata_crds::v1alpha1::EnforcementMode::Monitor
        );
        let (outcome, _, _) = review(&body("ap-southeast-1"), &state, now());
        assert_eq!(outcome, Outcome::Warned);
        let forced = State::new(stores.context())
            .with_mode(Some(pusdata_crds::v1alpha1::EnforcementMode::Enforce));
        let (outcome, _, _) = review(&body("ap-southeast-1"), &forced, now());
        assert_eq!(outcome, Outcome::Denied);
    }

    #[test]
    fn objects_come_out_in_a_stable_order() {
        let (stores, mut w) = stores();
        for code in ["disdukcapil", "bapenda", "disdik"] {
            w.agencies
                .apply_watcher_event(&watcher::Event::Apply(fixtures::agency(code)));
        }
        let names: Vec<_> = stores
            .objects()
            .iter()
            .map(|o| policy::identity(o).2.to_string())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), 3);
    }

    /// The webhook's stores fill from the API as the webhook's own ServiceAccount, with
    /// exactly the RBAC the chart renders for it: every list and watch it sends is
    /// authorized (testkit::authz), and the context it builds sees the seeded objects.
    #[tokio::test(start_paused = true)]
    async fn the_stores_fill_with_the_webhooks_own_rights() {
        use crate::testkit::{authz, manifests::Site as Install};
        let admin = kube_fake_client::ClientBuilder::new()
            .with_resource::<ResidencyPolicy>()
            .with_resource::<Site>()
            .with_resource::<Rack>()
            .with_resource::<Agency>()
            .with_resource::<Approval>()
            .with_resource::<BackupRepository>()
            .with_resource::<DisasterRecoveryPlan>()
            .build()
            .await
            .unwrap();
        kube::Api::<Agency>::all(admin.clone())
            .create(&Default::default(), &fixtures::agency("disdukcapil"))
            .await
            .unwrap();
        let client = authz::client_for(&admin, Install::Primary, authz::Identity::webhook());
        let state = Arc::new(State::new(Context::from_objects(&[])));
        let (stores, run) = watch(client, state.clone());
        tokio::select! {
            _ = run => panic!("the watches ended"),
            ready = stores.ready() => ready.unwrap(),
        }
        assert_eq!(stores.context().agencies.len(), 1);
    }
}

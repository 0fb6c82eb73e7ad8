//! The webhook's context from the cluster: one watch per kind the rules learn from
//! (`ResidencyPolicy`, `Site`, `Rack`, `Agency`, `Approval`, `BackupRepository`,
//! `DisasterRecoveryPlan`), whose events are folded straight into the `policy::Context` the
//! webhook serves ([`Folder`]). An admission request only loads the current context: no API
//! call on the request path.
//!
//! The context is the only copy of the objects (issue 14: the webhook's context is held to
//! the operator's memory budget). No reflector store sits beside it, and a burst of changes
//! is folded into one copy of the context being served, swapped in whole; the objects
//! keep neither managedFields nor kubectl's last-applied copy (`cache::slim`). Settled, the
//! webhook holds the world once; while a burst is folded, twice.
//!
//! The context holds what `policy::Context::from_objects` builds from the same objects —
//! each kind sorted by namespace and name, the settings from the first policy by name — so
//! a decision does not depend on whether the context came from manifests or watches.

use super::State;
use crate::controllers::cache::slim;
use crate::controllers::permission::Permission;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use kube::Api;
use kube::runtime::{WatchStreamExt, watcher};
use pusdata_core::policy::Context;
use pusdata_crds::v1alpha1::{
    Agency, Approval, BackupRepository, DisasterRecoveryPlan, Rack, ResidencyPolicy, Site,
};
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// API calls of the webhook with `--from-cluster` (see `controllers::rbac`).
pub const PERMISSIONS: &[Permission] = crate::controllers::permission::POLICY_CONTEXT;

/// The kinds watched, each of which must have its first full list before the context is
/// served.
const KINDS: usize = 7;

/// A kind the rules learn from, and where the folded world keeps it.
pub trait Kept:
    kube::Resource<DynamicType = ()>
    + Clone
    + serde::de::DeserializeOwned
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
    /// Its kind.
    const KIND: &'static str;
    /// Its objects: in the context, or (the policies) beside it.
    fn kept<'a>(
        ctx: &'a mut Context,
        policies: &'a mut Vec<Arc<ResidencyPolicy>>,
    ) -> &'a mut Vec<Arc<Self>>;
}

macro_rules! kept {
    ($kind:ident, $field:ident) => {
        impl Kept for $kind {
            const KIND: &'static str = stringify!($kind);
            fn kept<'a>(
                ctx: &'a mut Context,
                _: &'a mut Vec<Arc<ResidencyPolicy>>,
            ) -> &'a mut Vec<Arc<Self>> {
                &mut ctx.$field
            }
        }
    };
}
kept!(Site, sites);
kept!(Rack, racks);
kept!(Agency, agencies);
kept!(Approval, approvals);
kept!(BackupRepository, repositories);
kept!(DisasterRecoveryPlan, plans);

impl Kept for ResidencyPolicy {
    const KIND: &'static str = "ResidencyPolicy";
    fn kept<'a>(
        _: &'a mut Context,
        policies: &'a mut Vec<Arc<ResidencyPolicy>>,
    ) -> &'a mut Vec<Arc<Self>> {
        policies
    }
}

/// Where an object sorts within its kind: namespace, then name (`policy::identity`).
fn key<K: kube::Resource>(o: &K) -> (Option<&str>, &str) {
    let m = o.meta();
    (
        m.namespace.as_deref(),
        m.name.as_deref().unwrap_or_default(),
    )
}

/// Folds watch events into a context. Besides the context it keeps the policies (only the
/// settings of the active one are in the context) and, while a kind is being listed again,
/// that kind's objects until its list is complete (`watcher::Event::InitDone`), as a
/// reflector store would.
#[derive(Default)]
pub struct Folder {
    /// Residency policies, sorted by name: the first is the active one.
    policies: Vec<Arc<ResidencyPolicy>>,
    /// A kind's objects during its (re)list, by kind.
    relisting: BTreeMap<&'static str, Box<dyn Any + Send>>,
    /// Kinds whose first list is complete.
    listed: BTreeSet<&'static str>,
    /// A policy changed since the settings were last derived.
    policy_changed: bool,
}

impl Folder {
    /// Folds one event of kind `K` into `ctx`.
    pub fn fold<K: Kept>(&mut self, ctx: &mut Context, event: watcher::Event<K>) {
        let kind = K::KIND;
        if kind == ResidencyPolicy::KIND {
            self.policy_changed = true;
        }
        match event {
            watcher::Event::Apply(o) => {
                let objects = K::kept(ctx, &mut self.policies);
                match objects.binary_search_by(|x| key(x.as_ref()).cmp(&key(&o))) {
                    Ok(i) => objects[i] = Arc::new(o),
                    Err(i) => objects.insert(i, Arc::new(o)),
                }
            }
            watcher::Event::Delete(o) => {
                let objects = K::kept(ctx, &mut self.policies);
                if let Ok(i) = objects.binary_search_by(|x| key(x.as_ref()).cmp(&key(&o))) {
                    objects.remove(i);
                }
            }
            watcher::Event::Init => {
                self.relisting.insert(kind, Box::new(Vec::<K>::new()));
            }
            watcher::Event::InitApply(o) => {
                if let Some(list) = self
                    .relisting
                    .get_mut(kind)
                    .and_then(|l| l.downcast_mut::<Vec<K>>())
                {
                    list.push(o);
                }
            }
            watcher::Event::InitDone => {
                // The watcher always starts a list with `Init`; without one there is nothing
                // to replace the kind with.
                if let Some(mut list) = self
                    .relisting
                    .remove(kind)
                    .and_then(|l| l.downcast::<Vec<K>>().ok())
                {
                    list.sort_by(|a, b| key(a).cmp(&key(b)));
                    *K::kept(ctx, &mut self.policies) = list.into_iter().map(Arc::new).collect();
                }
                self.listed.insert(kind);
            }
        }
    }

    /// After a burst of events: the settings and catalogue of the active policy (the first
    /// by name), when a policy changed.
    pub fn settle(&mut self, ctx: &mut Context) {
        if std::mem::take(&mut self.policy_changed) {
            let fresh = Context::with_policy(self.policies.first().map(|p| &p.spec));
            ctx.settings = fresh.settings;
            ctx.catalogue = fresh.catalogue;
        }
    }

    /// Whether every kind has had its first full list.
    pub fn ready(&self) -> bool {
        self.listed.len() == KINDS
    }
}

/// One event of some kind, to be folded.
type Change = Box<dyn FnOnce(&mut Folder, &mut Context) + Send>;

/// The events of kind `K`, slimmed.
fn changes<K: Kept>(client: &kube::Client) -> BoxStream<'static, Change> {
    watcher(
        Api::<K>::all(client.clone()),
        // Pages as small as the operator's caches' (`cache::LIST_PAGE`): a page is held
        // whole while it is decoded.
        watcher::Config::default().page_size(crate::controllers::cache::LIST_PAGE),
    )
    .default_backoff()
    .modify(slim::<K>)
    // Watch errors are retried with backoff inside the watcher; they change nothing here.
    .filter_map(|e| futures::future::ready(e.ok()))
    .map(|event| -> Change {
        Box::new(move |f: &mut Folder, ctx: &mut Context| f.fold(ctx, event))
    })
    .boxed()
}

/// Starts the watches. The returned future folds every burst of changes into a copy of the
/// context being served and swaps it into `state`; it runs until the process stops. The
/// receiver turns `true` once every kind has had its first full list: serve only then.
pub fn watch(
    client: kube::Client,
    state: Arc<State>,
) -> (
    tokio::sync::watch::Receiver<bool>,
    impl std::future::Future<Output = ()>,
) {
    let (ready_tx, ready) = tokio::sync::watch::channel(false);
    let mut events = futures::stream::select_all([
        changes::<ResidencyPolicy>(&client),
        changes::<Site>(&client),
        changes::<Rack>(&client),
        changes::<Agency>(&client),
        changes::<Approval>(&client),
        changes::<BackupRepository>(&client),
        changes::<DisasterRecoveryPlan>(&client),
    ]);
    let run = async move {
        let mut folder = Folder::default();
        while let Some(first) = events.next().await {
            // The copy the burst is folded into; requests keep the one they loaded.
            let mut next = (*state.context()).clone();
            first(&mut folder, &mut next);
            while let Some(Some(change)) = events.next().now_or_never() {
                change(&mut folder, &mut next);
            }
            folder.settle(&mut next);
            tracing::debug!(
                sites = next.sites.len(),
                agencies = next.agencies.len(),
                approvals = next.approvals.len(),
                "webhook context rebuilt"
            );
            state.set_context(next);
            if folder.ready() {
                ready_tx.send_if_modified(|r| !std::mem::replace(r, true));
            }
        }
    };
    (ready, run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::{Outcome, review};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry;
    use pusdata_core::policy;
    use pusdata_crds::{Object, fixtures};
    use watcher::Event;

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

    /// Folds `events` as one burst into the context `state` serves, as `watch` does.
    fn burst(state: &State, folder: &mut Folder, events: Vec<Change>) {
        let mut next = (*state.context()).clone();
        for e in events {
            e(folder, &mut next);
        }
        folder.settle(&mut next);
        state.set_context(next);
    }

    fn ev<K: Kept>(e: Event<K>) -> Change {
        Box::new(move |f: &mut Folder, c: &mut Context| f.fold(c, e))
    }

    /// The first list of every kind, with those of `objects` in it.
    fn listed(objects: &[Object]) -> Vec<Change> {
        fn list<K: Kept>(
            out: &mut Vec<Change>,
            objects: &[Object],
            pick: fn(&Object) -> Option<&K>,
        ) {
            out.push(ev(Event::<K>::Init));
            out.extend(
                objects
                    .iter()
                    .filter_map(pick)
                    .map(|o| ev(Event::InitApply(o.clone()))),
            );
            out.push(ev(Event::<K>::InitDone));
        }
        let mut out = Vec::new();
        list(&mut out, objects, |o| match o {
            Object::ResidencyPolicy(x) => Some(x),
            _ => None,
        });
        list(&mut out, objects, |o| match o {
            Object::Site(x) => Some(x),
            _ => None,
        });
        list(&mut out, objects, |o| match o {
            Object::Rack(x) => Some(x),
            _ => None,
        });
        list(&mut out, objects, |o| match o {
            Object::Agency(x) => Some(x),
            _ => None,
        });
        list(&mut out, objects, |o| match o {
            Object::Approval(x) => Some(x),
            _ => None,
        });
        list(&mut out, objects, |o| match o {
            Object::BackupRepository(x) => Some(x),
            _ => None,
        });
        list(&mut out, objects, |o| match o {
            Object::DisasterRecoveryPlan(x) => Some(x),
            _ => None,
        });
        out
    }

    #[test]
    fn the_context_follows_the_events_and_decisions_follow_the_context() {
        let state = State::new(Context::empty());
        let mut folder = Folder::default();
        burst(&state, &mut folder, listed(&[]));
        assert!(folder.ready());
        // Nothing known yet: the agency is not registered, no approval — denied.
        let (outcome, _, _) = review(&body("ap-southeast-3"), &state, now());
        assert_eq!(outcome, Outcome::Denied);

        let mut approval = fixtures::approval("disdik", "lms");
        approval.spec.target.kind = "ExternalCloudService".into();
        burst(
            &state,
            &mut folder,
            vec![
                ev(Event::Apply(fixtures::residency_policy())),
                ev(Event::Apply(fixtures::primary_site())),
                ev(Event::Apply(fixtures::agency("disdik"))),
                ev(Event::Apply(approval.clone())),
            ],
        );
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

        // The approval is withdrawn: denied again after the next burst.
        burst(&state, &mut folder, vec![ev(Event::Delete(approval))]);
        let (outcome, _, _) = review(&body("ap-southeast-3"), &state, now());
        assert_eq!(outcome, Outcome::Denied);
    }

    #[test]
    fn the_policy_folded_in_sets_the_mode_unless_the_flag_does() {
        let mut policy = fixtures::residency_policy();
        policy.spec.mode = pusdata_crds::v1alpha1::EnforcementMode::Monitor;
        let state = State::new(Context::empty());
        let mut folder = Folder::default();
        burst(
            &state,
            &mut folder,
            listed(&[Object::ResidencyPolicy(policy.clone())]),
        );
        let ctx = state.context();
        assert_eq!(
            state.mode(&ctx),
            pusdata_crds::v1alpha1::EnforcementMode::Monitor
        );
        let (outcome, _, _) = review(&body("ap-southeast-1"), &state, now());
        assert_eq!(outcome, Outcome::Warned);
        let forced = State::new((*ctx).clone())
            .with_mode(Some(pusdata_crds::v1alpha1::EnforcementMode::Enforce));
        let (outcome, _, _) = review(&body("ap-southeast-1"), &forced, now());
        assert_eq!(outcome, Outcome::Denied);
        // The policy goes: the defaults (Enforce) are back.
        burst(&state, &mut folder, vec![ev(Event::Delete(policy))]);
        assert_eq!(
            state.context().settings.mode,
            pusdata_crds::v1alpha1::EnforcementMode::Enforce
        );
    }

    /// Whatever order the events came in — a first list in one order, applies, a delete, a
    /// relist in another order — the folded context equals the one
    /// `policy::Context::from_objects` builds from what is there (sorted by identity, as
    /// `--context DIR` builds it), objects slimmed.
    #[test]
    fn the_folded_context_is_the_one_built_from_the_same_objects() {
        let mut agencies: Vec<Agency> = ["disdukcapil", "bapenda", "disdik", "dinkes"]
            .into_iter()
            .map(fixtures::agency)
            .collect();
        let mut policy_b = fixtures::residency_policy();
        policy_b.metadata.name = Some("b-policy".into());
        policy_b.spec.city_domain = "other.go.id".into();
        let mut policy_a = fixtures::residency_policy();
        policy_a.metadata.name = Some("a-policy".into());
        let state = State::new(Context::empty());
        let mut folder = Folder::default();
        let mut first: Vec<Object> = agencies.iter().cloned().map(Object::Agency).collect();
        first.push(Object::ResidencyPolicy(policy_b.clone()));
        first.push(Object::Site(fixtures::primary_site()));
        burst(&state, &mut folder, listed(&first));
        let extra = fixtures::agency("bappeda");
        burst(
            &state,
            &mut folder,
            vec![
                ev(Event::Apply(extra.clone())),
                ev(Event::Delete(agencies.remove(1))),
                ev(Event::Apply(policy_a.clone())),
                ev(Event::Apply(fixtures::rack("R00001", "dc-bekasi"))),
            ],
        );
        // A relist of the agencies (after a watch expired), in reverse order, each with
        // managedFields as the API server sends them.
        agencies.push(extra);
        let mut relisted = agencies.clone();
        relisted.reverse();
        let mut relist = vec![ev(Event::<Agency>::Init)];
        for mut a in relisted {
            a.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
                manager: Some("kubectl".into()),
                ..Default::default()
            }]);
            slim(&mut a);
            relist.push(ev(Event::InitApply(a)));
        }
        relist.push(ev(Event::<Agency>::InitDone));
        burst(&state, &mut folder, relist);

        let mut objects: Vec<Object> = agencies.into_iter().map(Object::Agency).collect();
        objects.push(Object::ResidencyPolicy(policy_b));
        objects.push(Object::ResidencyPolicy(policy_a));
        objects.push(Object::Site(fixtures::primary_site()));
        objects.push(Object::Rack(fixtures::rack("R00001", "dc-bekasi")));
        objects.sort_by(|a, b| policy::identity(a).cmp(&policy::identity(b)));
        let want = Context::from_objects(&objects);
        assert_eq!(*state.context(), want);
        assert_eq!(
            want.settings.city_domain,
            fixtures::residency_policy().spec.city_domain
        );
        assert!(
            state
                .context()
                .agencies
                .iter()
                .all(|a| a.metadata.managed_fields.is_none())
        );
    }

    /// The context fills from the API as the webhook's own ServiceAccount, with exactly the
    /// RBAC the chart renders for it: every list and watch it sends is authorized
    /// (testkit::authz); it is ready once every kind is listed, and sees the seeded objects
    /// without their managedFields.
    #[tokio::test(start_paused = true)]
    async fn the_context_fills_with_the_webhooks_own_rights() {
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
        let state = Arc::new(State::new(Context::empty()));
        let (mut ready, run) = watch(client, state.clone());
        tokio::select! {
            _ = run => panic!("the watches ended"),
            r = ready.wait_for(|r| *r) => { r.unwrap(); }
        }
        assert_eq!(state.context().agencies.len(), 1);
    }
}

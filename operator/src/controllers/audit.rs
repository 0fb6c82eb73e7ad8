//! The background audit: every object a rule looks at is evaluated with the same
//! `policy::evaluate` the admission webhook uses, periodically and when a Pusdata object
//! changes, and the results are written as `wgpolicyk8s.io/v1alpha2` reports — one
//! `PolicyReport` named `pusdata-policy` per namespace, one `ClusterPolicyReport` of the same
//! name — so existing viewers (Policy Reporter, Kyverno's UI) show them.
//!
//! Pipeline: dereference (list the kinds and our previous reports) → build (pure:
//! `policy::report::build`) → apply (server-side apply under `pusdata`, only reports whose
//! content changed) → delete reports of namespaces left with no audited object. Objects that
//! were fixed or deleted drop out of the next pass; an exception's expiry wakes the audit up
//! so the object reappears on time.

use super::permission::Permission;
use super::policyreport::{
    ClusterPolicyReport, CompactClusterPolicyReport, CompactPolicyReport, MANAGED_BY, PolicyReport,
};
use super::{Context, Error, FIELD_MANAGER};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use pusdata_core::policy::{self, report};
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    Agency, Approval, BackupRepository, DisasterRecoveryPlan, ExternalCloudService, HostingRequest,
    Rack, ResidencyPolicy, Site,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How often the audit runs without any change (Kyverno's background scan default is 1 h;
/// Pusdata's objects are few, so 10 min).
pub const PERIOD: Duration = Duration::from_secs(600);

/// Passes woken by changes start at least this long after the previous pass started, so
/// a busy cluster costs at most two passes a minute.
pub const MIN_GAP: Duration = Duration::from_secs(30);

/// API calls of the audit (see `rbac`) besides the rules' context kinds it shares with the
/// webhook (`rbac::POLICY_CONTEXT`). `watch` on the Pusdata kinds is for the run loop's
/// "on change" trigger.
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "hostingrequests",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "externalcloudservices",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "wgpolicyk8s.io",
        resource: "policyreports",
        // create: the first apply of a report creates it. list, watch: the shared cache of
        // the previous reports (`cache`).
        verbs: &["list", "watch", "create", "patch", "delete"],
    },
    Permission {
        group: "wgpolicyk8s.io",
        resource: "clusterpolicyreports",
        verbs: &["get", "list", "watch", "create", "patch"],
    },
];

/// What one audit pass did, for tests and logs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Reports written (created or changed), as `namespace` or `""` for the cluster report.
    pub applied: Vec<String>,
    /// Namespaces whose report was deleted (no audited object left there).
    pub deleted: Vec<String>,
    /// The earliest exception expiry still ahead, when one is.
    pub next_expiry: Option<jiff::Timestamp>,
}

impl Outcome {
    /// When to run again without a change: after [`PERIOD`], or as soon as an exception
    /// expires, whichever is first.
    pub fn next_run(&self, now: jiff::Timestamp) -> Duration {
        self.next_expiry
            .and_then(|t| Duration::try_from(now.duration_until(t)).ok())
            .map_or(PERIOD, |d| d.min(PERIOD))
    }
}

/// One audit pass over the whole cluster.
pub async fn audit_once(ctx: &Context) -> Result<Outcome, Error> {
    let world = dereference(ctx).await?;
    let (namespaced, cluster) = previous_reports(ctx).await?;
    let now = (ctx.clock)();

    let policy_ctx = super::cache::rules_context(ctx).await?;
    let mut previous: report::Previous = namespaced
        .iter()
        .map(|(ns, r)| (Some(ns.clone()), &r.0.content))
        .collect();
    if let Some(c) = &cluster {
        previous.insert(None, &c.0.content);
    }
    let policy_name = report::policy_name(world.policy.as_ref());
    let reports = report::build(world.objects(), &policy_name, &policy_ctx, now, &previous);
    let active = world.policy.clone();
    drop(world);
    ctx.metrics.policy_findings(&reports.finding_counts());

    let mut outcome = Outcome {
        next_expiry: policy::next_expiry(&policy_ctx.settings.exceptions, now),
        ..Outcome::default()
    };
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let policy = active.as_ref();
    // The kept reports are compact (`cache`): a digest and a time per result.
    if !cluster
        .as_ref()
        .is_some_and(|c| reports.compact.get(&None) == Some(&c.0.content))
    {
        let r = ClusterPolicyReport::new(report::REPORT_NAME, None, reports.cluster.clone());
        let applied = Api::<ClusterPolicyReport>::all(ctx.client.clone())
            .patch(report::REPORT_NAME, &params, &Patch::Apply(&r))
            .await;
        let what = format!("ClusterPolicyReport {}", report::REPORT_NAME);
        surfaced(ctx, policy, &what, applied).await?;
        outcome.applied.push(String::new());
    }
    for (ns, content) in &reports.namespaced {
        if namespaced
            .get(ns)
            .is_some_and(|r| reports.compact.get(&Some(ns.clone())) == Some(&r.0.content))
        {
            continue;
        }
        let r = PolicyReport::new(report::REPORT_NAME, Some(ns), content.clone());
        let applied = Api::<PolicyReport>::namespaced(ctx.client.clone(), ns)
            .patch(report::REPORT_NAME, &params, &Patch::Apply(&r))
            .await;
        let what = format!("PolicyReport {ns}/{}", report::REPORT_NAME);
        surfaced(ctx, policy, &what, applied).await?;
        outcome.applied.push(ns.clone());
    }
    for ns in namespaced.keys() {
        if reports.namespaced.contains_key(ns) {
            continue;
        }
        let deleted = Api::<PolicyReport>::namespaced(ctx.client.clone(), ns)
            .delete(report::REPORT_NAME, &DeleteParams::default())
            .await;
        let what = format!("PolicyReport {ns}/{}", report::REPORT_NAME);
        surfaced(ctx, policy, &what, deleted).await?;
        outcome.deleted.push(ns.clone());
    }
    Ok(outcome)
}

/// The Event reason of a report the audit could not write.
pub const REPORT_NOT_WRITTEN: &str = "ReportNotWritten";

/// A write of the audit's reports, passed through; when it failed (on a real cluster: a 403
/// when the role lacks `create` on the report kinds) a `Warning` Event on the active
/// ResidencyPolicy names the refused request — the audit has no status of its own, and
/// without it the only sign would be reports that never appear. The pass stops there and
/// is tried again with backoff (`run::audit_loop`).
async fn surfaced<T>(
    ctx: &Context,
    policy: Option<&ResidencyPolicy>,
    what: &str,
    written: Result<T, kube::Error>,
) -> Result<T, Error> {
    let error = match written {
        Ok(t) => return Ok(t),
        Err(e) => Error::from(e),
    };
    if let Some(p) = policy {
        use kube::Resource;
        let note = pusdata_core::t!(
            "shell-audit-report-not-written",
            report = what,
            error = error.to_string()
        );
        super::events::warn(
            &ctx.client,
            &p.object_ref(&()),
            REPORT_NOT_WRITTEN,
            "WriteReport",
            note.to_string(),
        )
        .await;
    }
    Err(error)
}

/// Every object the rules look at, shared with the stores: a pass copies one object at a
/// time to evaluate it ([`World::objects`]) and reads the rules' context the reconciles
/// share (`cache::rules_context`). A pass that copied the whole cluster first held three
/// copies of it at once at city scale (the objects, the context, the previous reports).
struct World {
    /// The policy whose settings apply (`cache::active_policy_of`).
    policy: Option<ResidencyPolicy>,
    policies: Vec<Arc<ResidencyPolicy>>,
    sites: Vec<Arc<Site>>,
    racks: Vec<Arc<Rack>>,
    agencies: Vec<Arc<Agency>>,
    repositories: Vec<Arc<BackupRepository>>,
    plans: Vec<Arc<DisasterRecoveryPlan>>,
    requests: Vec<Arc<HostingRequest>>,
    external: Vec<Arc<ExternalCloudService>>,
    approvals: Vec<Approval>,
}

impl World {
    /// Every object, each copied when the report builder gets to it.
    fn objects(&self) -> impl Iterator<Item = Object> + '_ {
        fn each<'a, K: Clone + 'a>(
            items: &'a [Arc<K>],
            wrap: fn(K) -> Object,
        ) -> impl Iterator<Item = Object> + 'a {
            items.iter().map(move |o| wrap(K::clone(o)))
        }
        each(&self.policies, Object::ResidencyPolicy)
            .chain(each(&self.sites, Object::Site))
            .chain(each(&self.racks, Object::Rack))
            .chain(each(&self.agencies, Object::Agency))
            .chain(each(&self.repositories, Object::BackupRepository))
            .chain(each(&self.plans, Object::DisasterRecoveryPlan))
            .chain(each(&self.requests, Object::HostingRequest))
            .chain(each(&self.external, Object::ExternalCloudService))
            .chain(self.approvals.iter().cloned().map(Object::Approval))
    }
}

async fn dereference(ctx: &Context) -> Result<World, Error> {
    use super::cache::shared;
    let policies: Vec<Arc<ResidencyPolicy>> = shared(ctx).await?;
    let policy = super::cache::active_policy_of(&policies);
    Ok(World {
        policy,
        policies,
        sites: shared(ctx).await?,
        racks: shared(ctx).await?,
        agencies: shared(ctx).await?,
        repositories: shared(ctx).await?,
        plans: shared(ctx).await?,
        requests: shared(ctx).await?,
        external: shared(ctx).await?,
        // Only approvals in the platform namespace count (the rules check that too).
        approvals: super::cache::approvals(ctx).await?,
    })
}

/// Our reports as they stand (compact): per namespace, and the cluster report. From the
/// shared caches when the context has them (no list per pass), else read.
type Previous = (
    BTreeMap<String, Arc<CompactPolicyReport>>,
    Option<Arc<CompactClusterPolicyReport>>,
);

async fn previous_reports(ctx: &Context) -> Result<Previous, Error> {
    let ours = |r: &CompactPolicyReport| {
        r.name_any() == report::REPORT_NAME
            && r.labels().get(MANAGED_BY.0).map(String::as_str) == Some(MANAGED_BY.1)
    };
    let by_namespace =
        |items: Vec<Arc<CompactPolicyReport>>| -> BTreeMap<String, Arc<CompactPolicyReport>> {
            items
                .into_iter()
                .filter(|r| ours(r))
                .filter_map(|r| Some((r.namespace()?, r)))
                .collect()
        };
    if let Some(c) = &ctx.caches {
        let namespaced = by_namespace(c.reports.state());
        let cluster = c
            .cluster_reports
            .get(&kube::runtime::reflector::ObjectRef::new(
                report::REPORT_NAME,
            ));
        return Ok((namespaced, cluster));
    }
    let selector = format!("{}={}", MANAGED_BY.0, MANAGED_BY.1);
    let namespaced = by_namespace(
        Api::<CompactPolicyReport>::all(ctx.client.clone())
            .list(&ListParams::default().labels(&selector))
            .await?
            .items
            .into_iter()
            .map(Arc::new)
            .collect(),
    );
    let cluster = Api::<CompactClusterPolicyReport>::all(ctx.client.clone())
        .get_opt(report::REPORT_NAME)
        .await?
        .map(Arc::new);
    Ok((namespaced, cluster))
}

#[cfg(test)]
mod tests;

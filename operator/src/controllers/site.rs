//! The Site controller: this side's view of the peer site, and the DRP's automatic-failover
//! rule.
//!
//! Which side does what (`pusdata_core::peer::peers`): the operator at the primary watches
//! the DRC site of every plan, the operator in the DRC role watches the primary site of every
//! plan. For each such peer `Site` it sends a heartbeat to the peer's agent every
//! [`SiteContext::interval`] (mTLS, the failover controller's [`GrpcAgents`]) and writes into
//! that Site's status, in this cluster: `lastPeerHeartbeat` (the last answer), the `epoch`
//! and `active` the peer reported, and the `PeerReady` condition
//! (`pusdata_core::peer::peer_ready`). The heartbeat carries epoch 0: it only observes and
//! never moves the peer's fence — fencing is the Failover controller's work. Each answer
//! changes the status, which wakes this controller's own watch: a reconcile less than an
//! interval after the last answer does nothing (`pusdata_core::peer::heartbeat_due`), so
//! there is one heartbeat and at most one status write per interval and peer.
//!
//! A peer that does not answer is not a reconcile error: the condition turns `False`, the
//! metric `pusdata_peer_ready` drops to 0 (alert `PusdataPeerLost`), and the controller asks
//! again at the next interval. Losing the peer never fails over by itself — except at the
//! DRC, when a plan's `spec.peerLoss.automaticFailover` says so and the primary has been lost
//! for `spec.peerLoss.after` (`pusdata_core::peer::auto_failover`): then this controller
//! creates one `Failover` named after the plan and the start of the outage, so a restarted
//! controller finds it instead of creating a second. The Failover controller executes it
//! like any other (its runbook's approval steps still wait for a person).

use super::failover::{GrpcAgents, SiteAgents};
use super::permission::Permission;
use super::{Context, Error};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use kube::api::{Api, ListParams, PostParams};
use kube::runtime::controller::Action;
use pusdata_core::conditions::{self, Transition};
use pusdata_core::peer::{self, AutoFailover, Execution, PlanSites, Side};
use pusdata_crds::v1alpha1::{
    DisasterRecoveryPlan, Failover, FailoverSpec, FailoverType, Scope, Site,
};
use std::sync::Arc;
use std::time::Duration;

/// API calls of this controller (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["get", "list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "sites/status",
        verbs: &["patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "failovers",
        verbs: &["list", "create"],
    },
];

/// Calls made only in the platform namespace: the peer's agent TLS Secret, read by
/// [`GrpcAgents`] exactly as the Failover controller reads it.
pub const NAMESPACE_PERMISSIONS: &[Permission] = &[Permission {
    group: "",
    resource: "secrets",
    verbs: &["get"],
}];

/// Default time between two heartbeats to a peer.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

/// The Event reason on the peer Site when the DRP's rule started a Failover.
pub const AUTOMATIC_FAILOVER: &str = "AutomaticFailover";

/// The controller's context.
#[derive(Clone)]
pub struct SiteContext {
    /// API client, clock, metrics.
    pub base: Context,
    /// How the peer's agent is reached.
    pub agents: Arc<dyn SiteAgents>,
    /// The side this operator runs at.
    pub side: Side,
    /// Heartbeat age after which the peer is not ready.
    pub max_age: Duration,
    /// Time between heartbeats.
    pub interval: Duration,
}

impl SiteContext {
    /// The real context: agents reached with the Sites' TLS Secrets in `platform_namespace`.
    pub fn new(base: Context, side: Side) -> SiteContext {
        let agents = GrpcAgents::from_secrets(base.client.clone(), &base.platform_namespace);
        SiteContext {
            base,
            agents: Arc::new(agents),
            side,
            max_age: peer::DEFAULT_MAX_AGE,
            interval: DEFAULT_INTERVAL,
        }
    }
}

/// What one reconcile found and did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The Site is no peer of this side: nothing written.
    NotAPeer,
    /// The peer answered less than an interval ago: nothing to do before `wait`.
    NotDue {
        /// Time until the next heartbeat.
        wait: Duration,
    },
    /// The peer was asked; `PeerReady` is `ready` (`None`: unknown) for `reason`, and these
    /// Failovers were created by the plans' peer-loss rule.
    Observed {
        /// The condition's status.
        ready: Option<bool>,
        /// The condition's reason.
        reason: &'static str,
        /// Failovers created in this pass.
        created: Vec<String>,
    },
}

/// Reconciles one Site.
pub async fn reconcile(site: Arc<Site>, ctx: Arc<SiteContext>) -> Result<Action, Error> {
    Ok(match reconcile_once(&site, &ctx).await? {
        // A plan naming the site later requeues through the plan watch in `run.rs`.
        Outcome::NotAPeer => Action::requeue(Duration::from_secs(300)),
        Outcome::NotDue { wait } => Action::requeue(wait),
        Outcome::Observed { .. } => Action::requeue(ctx.interval),
    })
}

/// The two sites of every plan.
fn plan_sites(plans: &[DisasterRecoveryPlan]) -> Vec<PlanSites> {
    plans
        .iter()
        .map(|p| PlanSites {
            plan: p.name_any(),
            primary: p.spec.primary_site.clone(),
            drc: p.spec.drc_site.clone(),
        })
        .collect()
}

/// One pass: heartbeat, status, and at the DRC the plans' peer-loss rule.
pub async fn reconcile_once(site: &Site, ctx: &SiteContext) -> Result<Outcome, Error> {
    let base = &ctx.base;
    let name = site.name_any();
    // From the shared cache on the primary (listed at the DRC, which keeps none).
    let plans = super::cache::all_of::<DisasterRecoveryPlan>(base).await?;
    let duties = peer::peers(ctx.side, &plan_sites(&plans));
    let Some(duty) = duties.get(&name) else {
        return Ok(Outcome::NotAPeer);
    };
    let old = site.status.clone().unwrap_or_default();
    let last_answer = old.last_peer_heartbeat.as_ref().map(|t| t.0);
    if let Some(wait) = peer::heartbeat_due(last_answer, (base.clock)(), ctx.interval) {
        return Ok(Outcome::NotDue { wait });
    }
    let mut new = old.clone();
    let view = if site.spec.endpoints.agent.is_none() {
        peer::no_endpoint(&name)
    } else {
        let answer = match ctx.agents.agent(site).await {
            Ok(c) => c.heartbeat(&duty.me, 0).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        // The time of the answer is read after the call, so a slow answer is not older.
        let now = (base.clock)();
        match answer {
            Ok(h) => {
                new.last_peer_heartbeat = Some(Time(now));
                new.epoch = Some(h.epoch);
                new.active = Some(h.active);
            }
            Err(e) => tracing::info!(site = %name, error = %e, "peer does not answer"),
        }
        peer::peer_ready(
            new.last_peer_heartbeat.as_ref().map(|t| t.0),
            now,
            ctx.max_age,
        )
    };
    let now = (base.clock)();
    let desired = [view.condition()];
    new.conditions = conditions::merge(
        &old.conditions,
        &desired,
        site.metadata.generation,
        Time(now),
    );
    new.observed_generation = site.metadata.generation;
    super::patch_status_if_changed::<Site, _>(base, &name, &old, &new).await?;
    super::events::publish(base, site, &old.conditions, &new.conditions).await;
    let age = new
        .last_peer_heartbeat
        .as_ref()
        .map(|t| now.duration_since(t.0).as_secs_f64().max(0.0));
    base.metrics.peer(&name, view.status(), age);

    let mut created = Vec::new();
    if ctx.side == Side::Drc {
        let cond = new
            .conditions
            .iter()
            .find(|c| c.type_ == peer::CONDITION_TYPE);
        let failovers = Api::<Failover>::all(base.client.clone());
        let all = failovers.list(&ListParams::default()).await?.items;
        for plan in plans.iter().filter(|p| duty.plans.contains(&p.name_any())) {
            let plan_name = plan.name_any();
            let executions: Vec<Execution> = all
                .iter()
                .filter(|f| f.spec.plan == plan_name)
                .map(|f| Execution {
                    name: f.name_any(),
                    kind: f.spec.kind,
                    phase: f.status.as_ref().and_then(|s| s.phase),
                    created: f.metadata.creation_timestamp.as_ref().map(|t| t.0),
                })
                .collect();
            let decision = peer::auto_failover(
                ctx.side,
                &plan_name,
                &plan.spec.peer_loss,
                cond,
                &executions,
                now,
            );
            if let AutoFailover::Create { name: fo, reason } = decision {
                create_failover(ctx, site, &plan_name, &fo, &reason).await?;
                created.push(fo);
            }
        }
    }
    Ok(Outcome::Observed {
        ready: view.status(),
        reason: view.reason.as_str(),
        created,
    })
}

/// Creates the automatic Failover; one that already exists (a concurrent or earlier pass)
/// is the same one.
async fn create_failover(
    ctx: &SiteContext,
    site: &Site,
    plan: &str,
    name: &str,
    reason: &str,
) -> Result<(), Error> {
    let fo = Failover::new(
        name,
        FailoverSpec {
            plan: plan.to_string(),
            kind: FailoverType::Failover,
            scope: Scope::default(),
            reason: reason.into(),
            accept_data_loss: false,
            requested_by: None,
        },
    );
    match Api::<Failover>::all(ctx.base.client.clone())
        .create(&PostParams::default(), &fo)
        .await
    {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    tracing::warn!(
        plan,
        failover = name,
        "automatic failover started by the plan's peer-loss rule"
    );
    super::events::publish_transitions(
        &ctx.base,
        site,
        vec![Transition {
            type_: peer::CONDITION_TYPE.to_string(),
            status: "False".to_string(),
            reason: AUTOMATIC_FAILOVER.to_string(),
            message: format!("Failover {name}: {reason}"),
            warning: true,
        }],
    )
    .await;
    Ok(())
}

#[cfg(test)]
mod tests;

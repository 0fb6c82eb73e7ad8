//! The HostingRequest controller: checks a request against the rules, waits for the platform
//! team's approval of its current generation, places it (a namespace for web hosting; a
//! rack, U position and A+B feeds, with an escorted install work order, for colocation) and
//! records all of it in the status (HOST-PLACE, WEB-DC, HOST-SITE, HOST-ACCESS,
//! SEC-REGISTER).
//!
//! Pipeline: dereference → decide (pure: `policy::evaluate`, `hosting::place_for`,
//! `hosting::decide`) → update status. Nothing outside the status is written: the web
//! namespace itself is the Agency controller's.

use super::permission::Permission;
use super::{Context, Error, status_patch};
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use pusdata_core::hosting::{self, ApprovalState, HostingInput, WebFacts};
use pusdata_core::placement::{self, Inventory, Settings};
use pusdata_core::policy;
use pusdata_core::tenancy;
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    Agency, Approval, HostingMode, HostingPhase, HostingRequest, Rack, Site,
};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

/// What the reconcile decided, for tests and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The phase written.
    pub phase: HostingPhase,
    /// Whether the status changed.
    pub written: bool,
}

/// Reconciles one HostingRequest. Requests still moving are looked at again every five
/// minutes (an approval can expire, a rack can free up); settled ones every hour.
/// API calls of this controller (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "hostingrequests",
        verbs: &["get", "list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "hostingrequests/status",
        verbs: &["patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "agencies",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "approvals",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "racks",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "residencypolicies",
        verbs: &["list"],
    },
    Permission {
        group: "",
        resource: "namespaces",
        verbs: &["get"],
    },
];

pub async fn reconcile(request: Arc<HostingRequest>, ctx: Arc<Context>) -> Result<Action, Error> {
    let outcome = reconcile_once(&request, &ctx).await?;
    Ok(match outcome.phase {
        HostingPhase::Placed | HostingPhase::Active | HostingPhase::Rejected => {
            Action::requeue(Duration::from_secs(3600))
        }
        _ => Action::requeue(Duration::from_secs(300)),
    })
}

/// Everything read from the cluster for one decision.
struct World {
    agency: Option<Agency>,
    approvals: Vec<Approval>,
    sites: Vec<Site>,
    /// Shared with the store, not copied (a colocation request reads every rack).
    racks: Vec<Arc<Rack>>,
    /// Other requests, for the rack inventory, the addresses already assigned and the web
    /// quota; shared with the store.
    others: Vec<Arc<HostingRequest>>,
    namespace_exists: bool,
}

/// The other requests of `hr`'s namespace: the only ones its web quota is shared with.
fn neighbours(hr: &HostingRequest, all: Vec<Arc<HostingRequest>>) -> Vec<Arc<HostingRequest>> {
    let (namespace, me) = (hr.namespace(), hr.name_any());
    all.into_iter()
        .filter(|o| o.namespace() == namespace && o.name_any() != me)
        .collect()
}

/// What the placed or active web requests among `neighbours` (see [`neighbours`]) use of
/// the quota.
fn web_usage(neighbours: &[Arc<HostingRequest>]) -> hosting::Usage {
    neighbours
        .iter()
        .filter(|o| {
            matches!(
                o.status.as_ref().and_then(|s| s.phase),
                Some(HostingPhase::Placed | HostingPhase::Active)
            )
        })
        .filter_map(|o| o.spec.web.as_ref())
        .map(hosting::Usage::of)
        .fold(hosting::Usage::default(), |a, u| hosting::Usage {
            cpu: a.cpu + u.cpu,
            memory: a.memory + u.memory,
            storage: a.storage + u.storage,
        })
}

/// One pass of the pipeline.
pub async fn reconcile_once(hr: &HostingRequest, ctx: &Context) -> Result<Outcome, Error> {
    let world = dereference(hr, ctx).await?;
    let now = (ctx.clock)();

    // Shared by every reconcile until what the rules read changes (`cache::rules_context`).
    let policy_ctx = super::cache::rules_context(ctx).await?;
    let findings = policy::evaluate(&Object::HostingRequest(hr.clone()), &policy_ctx, now);

    let placement = match hosting::approval_state(hr, &world.approvals, now) {
        ApprovalState::InForce(a) if hr.spec.mode == HostingMode::Colocation => {
            let inventory = inventory(&world.racks, &world.others)?;
            hosting::place_for(hr, a, &inventory, &Settings::default())
        }
        _ => None,
    };
    let assigned = assigned_addresses(&world.others);
    let decision = hosting::decide(&HostingInput {
        request: hr,
        findings: &findings,
        approvals: &world.approvals,
        agency: world.agency.as_ref(),
        placement,
        sites: &world.sites,
        assigned_addresses: &assigned,
        web: WebFacts {
            namespace_exists: world.namespace_exists,
            // A colocation request's `others` are every request (for the racks).
            used: if hr.spec.mode != HostingMode::Colocation {
                web_usage(&world.others)
            } else {
                hosting::Usage::default()
            },
        },
        now,
    });

    let old = hr.status.clone().unwrap_or_default();
    let new = decision.status(&old, hr.metadata.generation, ctx.now());
    // The cached copy keeps no status texts; it compares by digest (`request_cache`).
    let written = !super::request_cache::unchanged(&old, &new);
    if written {
        let api: Api<HostingRequest> =
            Api::namespaced(ctx.client.clone(), &hr.namespace().unwrap_or_default());
        let patch = serde_json::json!({"status": status_patch(&old, &new)?});
        api.patch_status(
            &hr.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
        super::events::publish(ctx, hr, &old.conditions, &new.conditions).await;
    }
    if hr.spec.mode == HostingMode::Colocation {
        // Capacity left per rack, from the same inventory the engine placed into (this
        // request as just written counts too).
        let mut me = hr.clone();
        me.status = Some(new);
        let requests: Vec<Arc<HostingRequest>> =
            world.others.into_iter().chain([Arc::new(me)]).collect();
        if let Ok(inv) = inventory(&world.racks, &requests) {
            ctx.metrics.capacity(&placement::capacity(&inv));
        }
    }
    Ok(Outcome {
        phase: decision.phase,
        written,
    })
}

async fn dereference(hr: &HostingRequest, ctx: &Context) -> Result<World, Error> {
    let ns = hr.namespace().unwrap_or_default();
    let agencies: Vec<Arc<Agency>> = super::cache::shared(ctx).await?;

    // The agency owning the namespace: the namespace's label, else the one the request names.
    let code = super::cache::namespace_labels(ctx, &ns)
        .await?
        .and_then(|l| l.get(tenancy::AGENCY_LABEL).cloned())
        .unwrap_or_else(|| hr.spec.system.agency.clone());
    let agency = agencies
        .iter()
        .find(|a| a.spec.code == code)
        .map(|a| Agency::clone(a));

    // All of them: the policy also checks egress approvals named by the request (NET-PORTS),
    // which may target the agency; `hosting::decide` picks those targeting this request.
    let approvals = super::cache::approvals(ctx).await?;

    let (sites, racks, others) = if hr.spec.mode == HostingMode::Colocation {
        let me = placement::request_id(hr);
        let others = super::cache::shared::<HostingRequest>(ctx)
            .await?
            .into_iter()
            .filter(|o| placement::request_id(o) != me)
            .collect();
        (
            super::cache::all_of::<Site>(ctx).await?,
            super::cache::shared::<Rack>(ctx).await?,
            others,
        )
    } else {
        // The other web requests of the namespace: what they use counts against the
        // agency's quota (`web_usage`). Before, a web request saw no others, so the quota
        // check never counted what was already placed.
        let others = neighbours(hr, super::cache::shared::<HostingRequest>(ctx).await?);
        (Vec::new(), Vec::new(), others)
    };

    let namespace_exists = match (&hr.spec.web, &agency) {
        (Some(web), Some(a)) if hr.spec.mode == HostingMode::WebHosting => {
            let target = web
                .namespace
                .clone()
                .or_else(|| tenancy::namespaces_of(a).first().cloned())
                .unwrap_or_default();
            super::cache::namespace_labels(ctx, &target)
                .await?
                .is_some()
        }
        _ => false,
    };

    Ok(World {
        agency,
        approvals,
        sites,
        racks,
        others,
        namespace_exists,
    })
}

/// The racks with their existing devices and every other placed request.
pub(crate) fn inventory<R, H>(racks: &[R], others: &[H]) -> Result<Inventory, Error>
where
    R: std::borrow::Borrow<Rack>,
    H: std::borrow::Borrow<HostingRequest>,
{
    let mut inv = Inventory::from_racks(racks).map_err(|e| Error::InvalidSpec(e.to_string()))?;
    for o in others {
        // A request placed in a rack that was since removed cannot hold units anywhere.
        if let Err(e) = inv.record_hosting_request(o.borrow()) {
            tracing::warn!(%e, "placed request outside the inventory");
        }
    }
    Ok(inv)
}

/// Addresses on other requests' work orders (SEC-REGISTER: never handed out twice).
fn assigned_addresses(others: &[Arc<HostingRequest>]) -> BTreeSet<Ipv4Addr> {
    others
        .iter()
        .filter_map(|o| o.status.as_ref()?.work_order.as_ref())
        .flat_map(|w| w.addresses.iter().filter_map(|a| a.parse().ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testing::{seed_cluster, seed_namespaced};
    use k8s_openapi::api::core::v1::Namespace;
    use pusdata_crds::v1alpha1::ResidencyPolicy;

    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
    use kube_fake_client::ClientBuilder;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::Decision;

    async fn context() -> Context {
        crate::controllers::testing::context(
            ClientBuilder::new()
                .with_resource::<Agency>()
                .with_resource::<HostingRequest>()
                .with_status_subresource::<HostingRequest>()
                .with_resource::<Approval>()
                .with_resource::<ResidencyPolicy>()
                .with_resource::<Site>()
                .with_resource::<Rack>()
                // The rest of what the rules read (`cache::rules_context`).
                .with_resource::<pusdata_crds::v1alpha1::BackupRepository>()
                .with_resource::<pusdata_crds::v1alpha1::DisasterRecoveryPlan>(),
        )
        .await
    }

    /// An agency, its namespace (as the Agency controller leaves it), the policy, the
    /// primary site with its address pool and two racks.
    async fn world(ctx: &Context) {
        seed_cluster(ctx, &fixtures::residency_policy()).await;
        for code in ["disdukcapil", "disdik"] {
            seed_cluster(ctx, &fixtures::agency(code)).await;
            let mut ns = Namespace::default();
            ns.metadata.name = Some(code.into());
            ns.metadata.labels =
                Some([(tenancy::AGENCY_LABEL.to_string(), code.to_string())].into());
            seed_cluster(ctx, &ns).await;
        }
        seed_cluster(ctx, &fixtures::primary_site()).await;
        seed_cluster(ctx, &fixtures::rack("R01", "dc-bekasi")).await;
        seed_cluster(ctx, &fixtures::rack("R02", "dc-bekasi")).await;
    }

    async fn get(ctx: &Context, ns: &str, name: &str) -> HostingRequest {
        Api::<HostingRequest>::namespaced(ctx.client.clone(), ns)
            .get(name)
            .await
            .unwrap()
    }

    /// Reconciles the stored object and returns it as stored afterwards.
    async fn step(ctx: &Context, ns: &str, name: &str) -> (Outcome, HostingRequest) {
        let hr = get(ctx, ns, name).await;
        let out = reconcile_once(&hr, ctx).await.unwrap();
        (out, get(ctx, ns, name).await)
    }

    fn cond(hr: &HostingRequest, type_: &str) -> Condition {
        hr.status
            .as_ref()
            .unwrap()
            .conditions
            .iter()
            .find(|c| c.type_ == type_)
            .cloned()
            .unwrap()
    }

    fn approval_of(name: &str, generation: i64) -> Approval {
        let mut a = fixtures::approval("disdukcapil", name);
        a.metadata.name = Some(format!("{name}-g{generation}"));
        a.spec.target_generation = generation;
        a
    }

    async fn events_in(ctx: &Context, ns: &str) -> Vec<k8s_openapi::api::events::v1::Event> {
        crate::controllers::testing::as_harness(
            Api::<k8s_openapi::api::events::v1::Event>::namespaced(ctx.client.clone(), ns)
                .list(&kube::api::ListParams::default()),
        )
        .await
        .unwrap()
        .items
    }

    #[tokio::test]
    async fn state_changes_become_events_on_the_request_and_steady_state_adds_none() {
        let ctx = context().await;
        world(&ctx).await;
        seed_namespaced(
            &ctx,
            &fixtures::web_request("disdukcapil", "www.disdukcapil.bekasikota.go.id"),
        )
        .await;
        step(&ctx, "disdukcapil", "website").await;
        let first = events_in(&ctx, "disdukcapil").await;
        let awaiting = first
            .iter()
            .find(|e| e.reason.as_deref() == Some("AwaitingApproval"))
            .expect("an event says the request waits for approval");
        assert_eq!(awaiting.type_.as_deref(), Some("Warning"));
        assert_eq!(
            awaiting.regarding.as_ref().and_then(|r| r.name.as_deref()),
            Some("website")
        );
        assert_eq!(
            awaiting.reporting_controller.as_deref(),
            Some(super::super::events::REPORTER)
        );
        assert!(
            awaiting.note.as_deref().unwrap_or("").contains(" / "),
            "both languages"
        );

        seed_namespaced(&ctx, &approval_of("website", 1)).await;
        step(&ctx, "disdukcapil", "website").await;
        let placed = events_in(&ctx, "disdukcapil").await;
        assert!(
            placed
                .iter()
                .any(|e| e.reason.as_deref() == Some("Placed")
                    && e.type_.as_deref() == Some("Normal")),
            "{:?}",
            placed.iter().map(|e| &e.reason).collect::<Vec<_>>()
        );
        step(&ctx, "disdukcapil", "website").await;
        assert_eq!(events_in(&ctx, "disdukcapil").await.len(), placed.len());
    }

    #[tokio::test]
    async fn web_request_awaits_approval_then_is_placed_in_its_namespace() {
        let ctx = context().await;
        world(&ctx).await;
        seed_namespaced(
            &ctx,
            &fixtures::web_request("disdukcapil", "www.disdukcapil.bekasikota.go.id"),
        )
        .await;

        let (out, hr) = step(&ctx, "disdukcapil", "website").await;
        assert_eq!(out.phase, HostingPhase::AwaitingApproval);
        let status = hr.status.clone().unwrap();
        assert_eq!(status.phase, Some(HostingPhase::AwaitingApproval));
        assert_eq!(status.observed_generation, Some(1));
        assert_eq!(cond(&hr, "Validated").status, "True");
        assert_eq!(cond(&hr, "Approved").reason, "AwaitingApproval");
        assert!(cond(&hr, "Approved").message.contains(" / "));

        seed_namespaced(&ctx, &approval_of("website", 1)).await;
        let (out, hr) = step(&ctx, "disdukcapil", "website").await;
        assert_eq!(out.phase, HostingPhase::Placed);
        let status = hr.status.clone().unwrap();
        assert_eq!(
            status.web_placement.map(|w| w.namespace),
            Some("disdukcapil".to_string())
        );
        assert_eq!(status.placement_summary.as_deref(), Some("ns/disdukcapil"));
        assert_eq!(status.approval.map(|a| a.generation), Some(1));
        assert_eq!(status.security_level.as_deref(), Some("medium"));
        assert_eq!(cond(&hr, "Ready").status, "True");

        // Steady state: nothing rewritten.
        let (out, again) = step(&ctx, "disdukcapil", "website").await;
        assert!(!out.written);
        assert_eq!(again.resource_version(), hr.resource_version());
    }

    /// CLOUD-CITY: a web request is refused what is left of its agency's quota after the
    /// requests already placed in the namespace. Before, a web request's reconcile saw no
    /// other requests, so every one fitted on its own and the quota was never summed.
    #[tokio::test]
    async fn a_second_web_request_over_what_the_first_left_of_the_quota_is_refused() {
        use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
        let ctx = context().await;
        world(&ctx).await;
        crate::controllers::testing::as_harness(Api::<Agency>::all(ctx.client.clone()).patch(
            "disdukcapil",
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({"spec": {"quota": {"cpu": "4"}}})),
        ))
        .await
        .unwrap();
        let web = |name: &str, host: &str| {
            let mut hr = fixtures::web_request("disdukcapil", host);
            hr.metadata.name = Some(name.into());
            if let Some(w) = hr.spec.web.as_mut() {
                w.cpu = Some(Quantity("3".into()));
            }
            hr
        };
        for (name, host) in [
            ("portal", "portal.disdukcapil.bekasikota.go.id"),
            ("antrian", "antrian.disdukcapil.bekasikota.go.id"),
        ] {
            seed_namespaced(&ctx, &web(name, host)).await;
            seed_namespaced(&ctx, &approval_of(name, 1)).await;
        }
        let (out, _) = step(&ctx, "disdukcapil", "portal").await;
        assert_eq!(out.phase, HostingPhase::Placed, "3 of 4 CPUs fit");
        let (out, second) = step(&ctx, "disdukcapil", "antrian").await;
        assert_ne!(out.phase, HostingPhase::Placed, "3 more do not");
        let placed = cond(&second, "Placed");
        assert_eq!(placed.reason, "QuotaExceeded", "{placed:?}");
        assert!(
            placed
                .message
                .contains("cpu: 3 requested + 3 in use > quota 4"),
            "{placed:?}"
        );
    }

    #[tokio::test]
    async fn colocation_gets_a_rack_feeds_and_an_escorted_work_order() {
        let ctx = context().await;
        world(&ctx).await;
        seed_namespaced(&ctx, &fixtures::colocation_request("disdukcapil")).await;
        seed_namespaced(&ctx, &approval_of("db-server", 1)).await;

        let (out, hr) = step(&ctx, "disdukcapil", "db-server").await;
        assert_eq!(out.phase, HostingPhase::Placed, "{:#?}", hr.status);
        let status = hr.status.unwrap();
        let p = status.rack_placement.unwrap();
        assert_eq!(
            (p.site.as_str(), p.position_u, p.height_u),
            ("dc-bekasi", 1, 1)
        );
        assert_eq!(p.feed_a, format!("{}-A", p.rack));
        assert_eq!(p.feed_b, format!("{}-B", p.rack));
        assert!(!status.alternatives.is_empty());
        let wo = status.work_order.unwrap();
        assert!(wo.escort_required);
        assert_eq!(wo.addresses, vec!["10.30.8.2".to_string()]);
        assert_eq!(
            status.placement_summary,
            Some(format!("dc-bekasi/{} U1", p.rack))
        );

        // The capacity gauges count the device where the engine put it: 41 free U less
        // one, each 5920 W feed budget less its 450 W (either feed carries it all).
        let other_rack = if p.rack == "R01" { "R02" } else { "R01" };
        let text = ctx.metrics.encode();
        for line in [
            format!(
                "pusdata_rack_free_units{{site=\"dc-bekasi\",rack=\"{}\"}} 40",
                p.rack
            ),
            format!("pusdata_rack_free_units{{site=\"dc-bekasi\",rack=\"{other_rack}\"}} 41"),
            format!(
                "pusdata_feed_headroom_watts{{site=\"dc-bekasi\",rack=\"{}\",feed=\"A\"}} 5470",
                p.rack
            ),
            format!(
                "pusdata_feed_headroom_watts{{site=\"dc-bekasi\",rack=\"{}\",feed=\"B\"}} 5470",
                p.rack
            ),
            format!(
                "pusdata_rack_cooling_headroom_watts{{site=\"dc-bekasi\",rack=\"{}\"}} 5550",
                p.rack
            ),
        ] {
            assert!(text.contains(&line), "{line} not in {text}");
        }

        // A second device of another agency goes around the first and gets the next
        // address.
        let mut other = fixtures::colocation_request("disdik");
        other.spec.colocation.as_mut().unwrap().site = Some("dc-bekasi".into());
        seed_namespaced(&ctx, &other).await;
        let mut a = fixtures::approval("disdik", "db-server");
        a.metadata.name = Some("disdik-db".into());
        seed_namespaced(&ctx, &a).await;
        let (out, second) = step(&ctx, "disdik", "db-server").await;
        assert_eq!(out.phase, HostingPhase::Placed);
        let s = second.status.unwrap();
        let q = s.rack_placement.unwrap();
        assert!(
            q.rack != p.rack || q.position_u != p.position_u,
            "units are never shared: {q:?} vs {p:?}"
        );
        assert_eq!(
            s.work_order.unwrap().addresses,
            vec!["10.30.8.3".to_string()]
        );
    }

    #[tokio::test]
    async fn a_spec_change_goes_back_to_approval() {
        let ctx = context().await;
        world(&ctx).await;
        seed_namespaced(
            &ctx,
            &fixtures::web_request("disdukcapil", "www.disdukcapil.bekasikota.go.id"),
        )
        .await;
        seed_namespaced(&ctx, &approval_of("website", 1)).await;
        let (out, _) = step(&ctx, "disdukcapil", "website").await;
        assert_eq!(out.phase, HostingPhase::Placed);

        let api = Api::<HostingRequest>::namespaced(ctx.client.clone(), "disdukcapil");
        let patch = serde_json::json!({"spec": {"web": {"hostnames": ["portal.disdukcapil.bekasikota.go.id"]}}});
        crate::controllers::testing::as_harness(api.patch(
            "website",
            &PatchParams::default(),
            &Patch::Merge(&patch),
        ))
        .await
        .unwrap();
        let mut hr = get(&ctx, "disdukcapil", "website").await;
        // A real API server bumps the generation on a spec change; make sure it is 2.
        hr.metadata.generation = Some(2);
        reconcile_once(&hr, &ctx).await.unwrap();
        let hr = get(&ctx, "disdukcapil", "website").await;
        let status = hr.status.clone().unwrap();
        assert_eq!(status.phase, Some(HostingPhase::AwaitingApproval));
        assert_eq!(status.observed_generation, Some(2));
        assert!(status.approval.is_none());
        let approved = cond(&hr, "Approved");
        assert_eq!(approved.reason, "ApprovalOutdated");
        assert!(
            approved.message.contains("generation 2"),
            "{}",
            approved.message
        );
    }

    #[tokio::test]
    async fn a_hostname_of_another_agency_is_rejected_with_the_rule() {
        let ctx = context().await;
        world(&ctx).await;
        seed_namespaced(
            &ctx,
            &fixtures::web_request("disdukcapil", "www.disdik.bekasikota.go.id"),
        )
        .await;
        seed_namespaced(&ctx, &approval_of("website", 1)).await;
        let (out, hr) = step(&ctx, "disdukcapil", "website").await;
        assert_eq!(out.phase, HostingPhase::Rejected);
        let validated = cond(&hr, "Validated");
        assert_eq!(
            (validated.status.as_str(), validated.reason.as_str()),
            ("False", "PolicyDenied")
        );
        assert!(
            validated.message.contains("WEB-DC"),
            "{}",
            validated.message
        );
        assert!(
            validated.message.contains("disdik"),
            "{}",
            validated.message
        );
        let status = hr.status.unwrap();
        assert!(status.findings.iter().any(|f| f.rule == "WEB-DC"));
        assert!(status.web_placement.is_none());
    }

    #[tokio::test]
    async fn an_approval_that_rejects_rejects() {
        let ctx = context().await;
        world(&ctx).await;
        seed_namespaced(&ctx, &fixtures::colocation_request("disdukcapil")).await;
        let mut no = approval_of("db-server", 1);
        no.spec.decision = Decision::Rejected;
        no.spec.comment = Some("no rack budget this year".into());
        seed_namespaced(&ctx, &no).await;
        let (out, hr) = step(&ctx, "disdukcapil", "db-server").await;
        assert_eq!(out.phase, HostingPhase::Rejected);
        let approved = cond(&hr, "Approved");
        assert_eq!(approved.reason, "RejectedByApproval");
        assert!(approved.message.contains("no rack budget"));
        assert!(hr.status.unwrap().rack_placement.is_none());
    }

    #[tokio::test]
    async fn an_approval_outside_the_platform_namespace_does_not_count() {
        let ctx = context().await;
        world(&ctx).await;
        seed_namespaced(
            &ctx,
            &fixtures::web_request("disdukcapil", "www.disdukcapil.bekasikota.go.id"),
        )
        .await;
        let mut forged = approval_of("website", 1);
        forged.metadata.namespace = Some("disdukcapil".into());
        seed_namespaced(&ctx, &forged).await;
        let (out, _) = step(&ctx, "disdukcapil", "website").await;
        assert_eq!(out.phase, HostingPhase::AwaitingApproval);
    }
}

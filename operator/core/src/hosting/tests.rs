#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::policy;
use pusdata_crds::Object;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::Rack;

const NOW: &str = "2026-11-25T00:00:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

/// Everything a decision needs, built the way the controller builds it.
struct World {
    request: HostingRequest,
    agencies: Vec<Agency>,
    approvals: Vec<Approval>,
    racks: Vec<Rack>,
    sites: Vec<Site>,
    assigned: BTreeSet<Ipv4Addr>,
    namespace_exists: bool,
    used: Usage,
}

impl World {
    fn web() -> World {
        World::with(fixtures::web_request(
            "disdukcapil",
            "www.disdukcapil.bekasikota.go.id",
        ))
    }

    fn colo() -> World {
        World::with(fixtures::colocation_request("disdukcapil"))
    }

    fn with(request: HostingRequest) -> World {
        World {
            request,
            agencies: vec![fixtures::agency("disdukcapil"), fixtures::agency("disdik")],
            approvals: Vec::new(),
            racks: vec![
                fixtures::rack("R01", "dc-bekasi"),
                fixtures::rack("R02", "dc-bekasi"),
            ],
            sites: vec![fixtures::primary_site()],
            assigned: BTreeSet::new(),
            namespace_exists: true,
            used: Usage::default(),
        }
    }

    fn approve(mut self, generation: i64) -> World {
        let name = self.request.metadata.name.clone().unwrap();
        let mut a = fixtures::approval("disdukcapil", &name);
        a.metadata.name = Some(format!("{name}-g{generation}"));
        a.spec.target_generation = generation;
        self.approvals.push(a);
        self
    }

    fn decide(&self) -> HostingDecision {
        let mut objects: Vec<Object> = vec![Object::ResidencyPolicy(fixtures::residency_policy())];
        objects.extend(self.agencies.iter().cloned().map(Object::Agency));
        objects.extend(self.racks.iter().cloned().map(Object::Rack));
        objects.extend(self.sites.iter().cloned().map(Object::Site));
        objects.extend(self.approvals.iter().cloned().map(Object::Approval));
        let ctx = policy::Context::from_objects(&objects);
        let findings = policy::evaluate(&Object::HostingRequest(self.request.clone()), &ctx, now());
        let inventory = Inventory::from_racks(&self.racks).unwrap();
        let placement = match approval_state(&self.request, &self.approvals, now()) {
            ApprovalState::InForce(a) => {
                place_for(&self.request, a, &inventory, &Settings::default())
            }
            _ => None,
        };
        let agency = self
            .agencies
            .iter()
            .find(|a| a.spec.code == self.request.spec.system.agency);
        decide(&HostingInput {
            request: &self.request,
            findings: &findings,
            approvals: &self.approvals,
            agency,
            placement,
            sites: &self.sites,
            assigned_addresses: &self.assigned,
            web: WebFacts {
                namespace_exists: self.namespace_exists,
                used: self.used,
            },
            now: now(),
        })
    }

    /// Applies a decision as the controller would, for multi-step scenarios.
    fn settle(&mut self) -> HostingDecision {
        let d = self.decide();
        let old = self.request.status.clone().unwrap_or_default();
        self.request.status =
            Some(d.status(&old, self.request.metadata.generation, fixtures::time(NOW)));
        d
    }
}

fn condition<'a>(d: &'a HostingDecision, type_: &str) -> &'a Desired {
    d.conditions.iter().find(|c| c.type_ == type_).unwrap()
}

fn assert_bilingual(d: &HostingDecision) {
    for c in &d.conditions {
        if !c.message.is_empty() {
            assert!(c.message.contains(" / "), "{}: {}", c.type_, c.message);
        }
    }
    // Every decision sets the same four types (`CONDITIONS`): the operator's cache drops
    // their messages, which the next status rewrites (`controllers::request_cache`).
    let mut types: Vec<&str> = d.conditions.iter().map(|c| c.type_).collect();
    types.sort_unstable();
    let mut set = super::CONDITIONS;
    set.sort_unstable();
    assert_eq!(types, set);
    assert_eq!(types, ["Approved", "Placed", "Ready", "Validated"]);
}

/// Name, world, phase, (Approved status, reason), (Placed status, reason), text expected in
/// some condition message.
type Case = (
    &'static str,
    World,
    HostingPhase,
    (&'static str, &'static str),
    (&'static str, &'static str),
    &'static str,
);

#[test]
fn transitions_table() {
    let deny_host = {
        let mut w = World::web();
        w.request.spec.web.as_mut().unwrap().hostnames = vec!["www.disdik.bekasikota.go.id".into()];
        w.approve(1)
    };
    let rejected = {
        let mut w = World::web();
        let mut a = fixtures::approval("disdukcapil", "website");
        a.spec.decision = Decision::Rejected;
        a.spec.comment = Some("duplicate of SIAK".into());
        w.approvals.push(a);
        w
    };
    let older = {
        let mut w = World::web().approve(1);
        w.request.metadata.generation = Some(2);
        w
    };
    let expired = {
        let mut w = World::web().approve(1);
        w.approvals[0].spec.valid_until = Some(fixtures::time("2026-11-24T00:00:00Z"));
        w
    };
    let future_only = World::web().approve(3);
    let unplaceable = {
        let mut w = World::colo().approve(1);
        for r in &mut w.racks {
            r.spec.cordoned = true;
        }
        w
    };
    let no_namespace = {
        let mut w = World::web().approve(1);
        w.namespace_exists = false;
        w
    };
    let no_agency = {
        let mut w = World::colo();
        w.agencies.clear();
        w
    };
    let no_addresses = {
        let mut w = World::colo().approve(1);
        w.sites[0].spec.address_pools[0].cidr = "10.30.8.0/30".into();
        w.assigned.insert(Ipv4Addr::new(10, 30, 8, 2));
        w
    };
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        ("new web request", World::web(), HostingPhase::AwaitingApproval,
            ("False", reason::AWAITING_APPROVAL), ("False", reason::NOT_APPROVED), "generation 1"),
        ("approved web request", World::web().approve(1), HostingPhase::Placed,
            ("True", reason::APPROVED), ("True", reason::PLACED), "namespace disdukcapil"),
        ("approved colocation", World::colo().approve(1), HostingPhase::Placed,
            ("True", reason::APPROVED), ("True", reason::PLACED), "HOST-ACCESS"),
        ("hostname of another agency", deny_host, HostingPhase::Rejected,
            ("False", reason::NOT_VALIDATED), ("False", reason::NOT_VALIDATED), "WEB-DC"),
        ("rejected by approval", rejected, HostingPhase::Rejected,
            ("False", reason::REJECTED_BY_APPROVAL), ("False", reason::NOT_APPROVED), "duplicate of SIAK"),
        ("approval for an older generation", older, HostingPhase::AwaitingApproval,
            ("False", reason::APPROVAL_OUTDATED), ("False", reason::NOT_APPROVED), "generation 2"),
        ("expired approval", expired, HostingPhase::AwaitingApproval,
            ("False", reason::APPROVAL_EXPIRED), ("False", reason::NOT_APPROVED), "kedaluwarsa"),
        ("approval for a generation that does not exist", future_only, HostingPhase::AwaitingApproval,
            ("False", reason::AWAITING_APPROVAL), ("False", reason::NOT_APPROVED), "Approval"),
        ("unplaceable colocation", unplaceable, HostingPhase::Approved,
            ("True", reason::APPROVED), ("False", reason::UNPLACEABLE), "0/2 racks fit: 2 cordoned"),
        ("namespace not created yet", no_namespace, HostingPhase::Approved,
            ("True", reason::APPROVED), ("False", reason::NAMESPACE_MISSING), "CLOUD-CITY"),
        ("agency not registered", no_agency, HostingPhase::Submitted,
            ("False", reason::NOT_VALIDATED), ("False", reason::NOT_VALIDATED), "not registered"),
        ("address pool exhausted", no_addresses, HostingPhase::Approved,
            ("True", reason::APPROVED), ("False", reason::ADDRESSES_UNAVAILABLE), "SEC-REGISTER"),
    ];
    for (name, world, phase, approved, placed, needle) in cases {
        let d = world.decide();
        assert_eq!(d.phase, phase, "{name}: {:#?}", d.conditions);
        assert_bilingual(&d);
        let a = condition(&d, conditions::APPROVED);
        let p = condition(&d, conditions::PLACED);
        assert_eq!(
            (conditions::status_str(a.status), a.reason),
            approved,
            "{name}: {a:?}"
        );
        assert_eq!(
            (conditions::status_str(p.status), p.reason),
            placed,
            "{name}: {p:?}"
        );
        let all: String = d.conditions.iter().map(|c| c.message.clone()).collect();
        assert!(all.contains(needle), "{name}: {needle:?} not in {all}");
        let ready = condition(&d, conditions::READY);
        assert_eq!(
            ready.status == Some(true),
            phase == HostingPhase::Placed,
            "{name}: Ready iff placed"
        );
    }
}

#[test]
fn a_deny_finding_names_the_rule_in_validated() {
    let mut w = World::web().approve(1);
    w.request.spec.web.as_mut().unwrap().hostnames = vec!["www.disdik.bekasikota.go.id".into()];
    let d = w.decide();
    let v = condition(&d, conditions::VALIDATED);
    assert_eq!(v.reason, reason::POLICY_DENIED);
    assert!(v.message.starts_with("denied by WEB-DC:"), "{}", v.message);
    assert!(v.message.contains("ditolak oleh WEB-DC"), "{}", v.message);
    assert!(d.findings.iter().any(|f| f.rule == "WEB-DC"));
    assert!(d.approval.is_none() && d.web_placement.is_none());
}

#[test]
fn web_placement_is_the_namespace_with_pool_and_zone() {
    let mut w = World::web().approve(1);
    let web = w.request.spec.web.as_mut().unwrap();
    web.node_pool = Some("web".into());
    web.zone = Some("bekasi-a".into());
    let d = w.decide();
    assert_eq!(
        d.web_placement,
        Some(WebPlacement {
            namespace: "disdukcapil".into(),
            node_pool: Some("web".into()),
            zone: Some("bekasi-a".into()),
        })
    );
    assert_eq!(d.placement_summary.as_deref(), Some("ns/disdukcapil"));
    assert_eq!(d.security_level.as_deref(), Some("medium"));
    assert_eq!(
        d.approval,
        Some(ApprovalRecord {
            name: "website-g1".into(),
            generation: 1,
            approved_by: None
        })
    );
}

#[test]
fn colocation_gets_rack_feeds_work_order_with_escort_and_pool_address() {
    let d = World::colo().approve(1).decide();
    let p = d.rack_placement.clone().unwrap();
    assert_eq!((p.site.as_str(), p.position_u), ("dc-bekasi", 1));
    assert_eq!(p.feed_a, format!("{}-A", p.rack));
    assert_eq!(p.feed_b, format!("{}-B", p.rack));
    assert_eq!(d.alternatives.len(), 1, "the other rack is offered");
    let wo = d.work_order.unwrap();
    assert!(wo.escort_required);
    assert_eq!(wo.state, "Open");
    assert_eq!(
        wo.addresses,
        vec!["10.30.8.2".to_string()],
        "gateway skipped"
    );
    assert_eq!(
        d.placement_summary,
        Some(format!("dc-bekasi/{} U1", p.rack))
    );
}

#[test]
fn addresses_of_other_requests_are_not_reused() {
    let mut w = World::colo().approve(1);
    w.assigned.insert(Ipv4Addr::new(10, 30, 8, 2));
    let wo = w.decide().work_order.unwrap();
    assert_eq!(wo.addresses, vec!["10.30.8.3".to_string()]);
}

#[test]
fn pinned_placement_is_honoured() {
    let mut w = World::colo().approve(1);
    w.approvals[0].spec.pinned_placement = Some(PinnedPlacement {
        rack: "R02".into(),
        position_u: 20,
    });
    let d = w.decide();
    let p = d.rack_placement.clone().unwrap();
    assert_eq!((p.rack.as_str(), p.position_u), ("R02", 20));
    assert!(condition(&d, conditions::PLACED).message.contains("pinned"));

    // A pin on a reserved unit is refused with the reason, not silently moved.
    w.approvals[0].spec.pinned_placement = Some(PinnedPlacement {
        rack: "R02".into(),
        position_u: 42,
    });
    let d = w.decide();
    assert_eq!(d.phase, HostingPhase::Approved);
    let placed = condition(&d, conditions::PLACED);
    assert_eq!(placed.reason, reason::UNPLACEABLE);
    assert!(
        placed.message.contains("0/1 racks fit"),
        "{}",
        placed.message
    );
}

#[test]
fn an_existing_placement_is_never_moved() {
    let mut w = World::colo().approve(1);
    let first = w.settle();
    let placed = first.rack_placement.clone().unwrap();
    // The inventory changes under it (another device arrives in the same rack, a better
    // rack appears): later reconciles keep the device where it is, work order included.
    w.racks.push(fixtures::rack("R00", "dc-bekasi"));
    w.assigned.insert(Ipv4Addr::new(10, 30, 8, 2));
    for _ in 0..3 {
        let again = w.settle();
        assert_eq!(again.rack_placement.as_ref(), Some(&placed));
        assert_eq!(again.work_order, first.work_order);
        assert_eq!(again.phase, HostingPhase::Placed);
    }
}

#[test]
fn a_spec_change_goes_back_to_approval_and_keeps_the_device_in_place() {
    let mut w = World::colo().approve(1);
    let first = w.settle();
    assert_eq!(first.phase, HostingPhase::Placed);
    let placed = first.rack_placement.clone().unwrap();

    w.request.metadata.generation = Some(2);
    let waiting = w.settle();
    assert_eq!(waiting.phase, HostingPhase::AwaitingApproval);
    assert_eq!(
        condition(&waiting, conditions::APPROVED).reason,
        reason::APPROVAL_OUTDATED
    );
    assert!(waiting.approval.is_none());
    assert_eq!(
        waiting.rack_placement.as_ref(),
        Some(&placed),
        "the installed device still holds its units while the change is reviewed"
    );

    // Re-approved: the device stays where it is because it still fits there, even though a
    // new, emptier rack sorts first.
    w.racks.push(fixtures::rack("R00", "dc-bekasi"));
    let w2 = w.approve(2);
    let mut w = w2;
    let again = w.settle();
    assert_eq!(again.phase, HostingPhase::Placed);
    assert_eq!(
        again
            .rack_placement
            .as_ref()
            .map(|p| (&p.rack, p.position_u)),
        Some((&placed.rack, placed.position_u))
    );
    assert_eq!(again.approval.unwrap().generation, 2);
    assert_eq!(
        again.work_order.map(|w| w.addresses),
        first.work_order.map(|w| w.addresses),
        "same position, same addresses"
    );
}

#[test]
fn the_latest_decision_for_the_generation_wins() {
    let mut w = World::web();
    let mut no = fixtures::approval("disdukcapil", "website");
    no.metadata.name = Some("a-no".into());
    no.metadata.creation_timestamp = Some(fixtures::time("2026-11-20T00:00:00Z"));
    no.spec.decision = Decision::Rejected;
    let mut yes = fixtures::approval("disdukcapil", "website");
    yes.metadata.name = Some("b-yes".into());
    yes.metadata.creation_timestamp = Some(fixtures::time("2026-11-21T00:00:00Z"));
    w.approvals = vec![no.clone(), yes.clone()];
    assert_eq!(w.decide().phase, HostingPhase::Placed);
    // A later refusal revokes.
    no.metadata.creation_timestamp = Some(fixtures::time("2026-11-22T00:00:00Z"));
    w.approvals = vec![no, yes];
    assert_eq!(w.decide().phase, HostingPhase::Rejected);
}

#[test]
fn a_rejection_of_an_older_generation_does_not_bind_the_new_spec() {
    let mut w = World::web();
    let mut no = fixtures::approval("disdukcapil", "website");
    no.spec.decision = Decision::Rejected;
    w.approvals.push(no);
    w.request.metadata.generation = Some(2);
    assert_eq!(w.decide().phase, HostingPhase::AwaitingApproval);
}

#[test]
fn approvals_of_other_targets_are_ignored() {
    let mut w = World::web();
    let mut other = fixtures::approval("disdik", "website");
    other.metadata.name = Some("other".into());
    w.approvals.push(other);
    assert_eq!(w.decide().phase, HostingPhase::AwaitingApproval);
}

#[test]
fn an_active_request_stays_active() {
    let mut w = World::web().approve(1);
    w.settle();
    if let Some(s) = w.request.status.as_mut() {
        s.phase = Some(HostingPhase::Active);
    }
    assert_eq!(w.decide().phase, HostingPhase::Active);
}

#[test]
fn a_settled_decision_is_a_fixed_point() {
    let mut w = World::colo().approve(1);
    w.settle();
    let before = w.request.status.clone();
    w.settle();
    assert_eq!(before, w.request.status, "nothing to write at steady state");
}

#[test]
fn web_hosting_must_fit_in_what_is_left_of_the_agency_quota() {
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    let mut w = World::web().approve(1);
    w.agencies[0].spec.quota.cpu = Some(Quantity("8".into()));
    w.agencies[0].spec.quota.memory = Some(Quantity("16Gi".into()));
    let web = w.request.spec.web.as_mut().unwrap();
    web.cpu = Some(Quantity("2".into()));
    web.memory = Some(Quantity("4Gi".into()));
    // 6.5 cores already in use: 2 more do not fit in 8.
    w.used = Usage {
        cpu: 6.5,
        memory: 0.0,
        storage: 0.0,
    };
    let d = w.decide();
    assert_eq!(d.phase, HostingPhase::Approved);
    let placed = d
        .conditions
        .iter()
        .find(|c| c.type_ == conditions::PLACED)
        .unwrap();
    assert_eq!(placed.reason, reason::QUOTA_EXCEEDED);
    assert!(
        placed.message.contains("CLOUD-CITY") && placed.message.contains("cpu"),
        "{}",
        placed.message
    );
    assert!(
        !placed.message.contains("memory:"),
        "memory fits: {}",
        placed.message
    );
    assert!(placed.message.contains("kuota"), "{}", placed.message);
    // Exactly at the limit fits.
    w.used.cpu = 6.0;
    assert_eq!(w.decide().phase, HostingPhase::Placed);
}

#[test]
fn quota_exceeded_counts_only_set_limits() {
    let request = Usage {
        cpu: 100.0,
        memory: 1e12,
        storage: 1e15,
    };
    assert!(
        quota_exceeded(request, Usage::default(), &AgencyQuota::default()).is_empty(),
        "no quota set: unlimited"
    );
}

#[test]
fn the_in_service_annotation_makes_a_placed_request_active_and_closes_the_work_order() {
    let w = World::colo().approve(1);
    let placed = w.decide();
    assert_eq!(placed.phase, HostingPhase::Placed);
    assert_eq!(placed.work_order.as_ref().unwrap().state, "Open");
    let mut w = w;
    w.request.metadata.annotations = Some(
        [(
            IN_SERVICE_ANNOTATION.to_string(),
            "2026-11-30 installed, escort: budi".to_string(),
        )]
        .into(),
    );
    let active = w.decide();
    assert_eq!(active.phase, HostingPhase::Active);
    assert_eq!(active.work_order.as_ref().unwrap().state, "Done");
    assert_eq!(
        active.rack_placement, placed.rack_placement,
        "going live moves nothing"
    );
    // Not placed (no approval): the annotation alone does not make it active.
    let mut unapproved = World::colo();
    unapproved.request.metadata.annotations = w.request.metadata.annotations.clone();
    assert_eq!(unapproved.decide().phase, HostingPhase::AwaitingApproval);
}

//! The `HostingRequest` lifecycle as one pure decision (HOST-PLACE, WEB-DC, HOST-SITE,
//! HOST-ACCESS, SEC-REGISTER).
//!
//! The shell reads the request, its policy findings, the approvals targeting it, the agency,
//! and — for colocation — the placement computed with [`place_for`] against the inventory;
//! [`decide`] returns the phase, the conditions and every status field. Nothing here reads a
//! clock: "now" is part of the input.
//!
//! Transitions (documented in `docs/reference/hostingrequest-lifecycle.md`):
//!
//! * a denying finding → `Rejected` (the condition names the rule IDs);
//! * no agency yet → `Submitted`;
//! * the latest approval for the current generation decides: `Rejected` → `Rejected`;
//!   none (or only for an older generation, or expired) → `AwaitingApproval`;
//! * approved → placed: `Placed`, or `Approved` with `Placed=False` and the reasons;
//! * a placement is never moved while the approval in force stays the same; after a
//!   re-approval the device keeps its position when it still fits there.

use crate::conditions::{self, Desired};
use crate::finding::{Finding, Severity};
use crate::i18n::Text;
use crate::placement::{
    self, AddressError, DeviceRequest, Inventory, Placement, Settings, Unplaceable,
};
use crate::tenancy;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::{
    Agency, AgencyQuota, Approval, ApprovalRecord, Decision, FindingSummary, HostingMode,
    HostingPhase, HostingRequest, HostingRequestStatus, PinnedPlacement, RackPlacement, Site,
    WebHosting, WebPlacement, WorkOrder,
};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Condition reasons, stable for alerts and `kubectl wait`.
pub mod reason {
    /// Validated=True.
    pub const POLICY_PASSED: &str = "PolicyPassed";
    /// Validated=False: a denying finding.
    pub const POLICY_DENIED: &str = "PolicyDenied";
    /// Validated=Unknown: the owning agency is not registered yet.
    pub const AGENCY_NOT_FOUND: &str = "AgencyNotFound";
    /// Approved=True.
    pub const APPROVED: &str = "Approved";
    /// Approved=False: no approval for the current generation yet.
    pub const AWAITING_APPROVAL: &str = "AwaitingApproval";
    /// Approved=False: the only approval reviewed an older spec.
    pub const APPROVAL_OUTDATED: &str = "ApprovalOutdated";
    /// Approved=False: the approval passed its `validUntil`.
    pub const APPROVAL_EXPIRED: &str = "ApprovalExpired";
    /// Approved=False: the platform team refused the request.
    pub const REJECTED_BY_APPROVAL: &str = "RejectedByApproval";
    /// Approved / Placed = False: an earlier step did not pass.
    pub const NOT_VALIDATED: &str = "NotValidated";
    /// Placed=False: waiting for the approval.
    pub const NOT_APPROVED: &str = "NotApproved";
    /// Placed=True.
    pub const PLACED: &str = "Placed";
    /// Placed=False: no rack fits (kube-scheduler style counts in the message).
    pub const UNPLACEABLE: &str = "Unplaceable";
    /// Placed=False: the site's address pool is exhausted or malformed (SEC-REGISTER).
    pub const ADDRESSES_UNAVAILABLE: &str = "AddressesUnavailable";
    /// Placed=False: the target namespace does not exist yet.
    pub const NAMESPACE_MISSING: &str = "NamespaceMissing";
    /// Placed=False: the target namespace is not one of the agency's.
    pub const NAMESPACE_NOT_OWNED: &str = "NamespaceNotOwned";
    /// Placed=False: the request does not fit in what is left of the agency's quota.
    pub const QUOTA_EXCEEDED: &str = "QuotaExceeded";
    /// Placed=Unknown: the shell has not computed a placement yet.
    pub const PLACEMENT_PENDING: &str = "PlacementPending";
    /// Ready=False: the request is refused.
    pub const REJECTED: &str = "Rejected";
    /// Ready=False: still in progress (the phase says where).
    pub const IN_PROGRESS: &str = "InProgress";
}

/// Annotation the platform team puts on a placed request when the system is in service
/// (value: the date, or who confirmed it). The request becomes `Active` and its install work
/// order `Done`.
pub const IN_SERVICE_ANNOTATION: &str = "pusdata.io/in-service";

/// Facts about web hosting the shell observed in the cluster.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WebFacts {
    /// Whether the target namespace exists (created by the Agency controller).
    pub namespace_exists: bool,
    /// CPU (cores), memory and storage (bytes) of the other web requests already placed in
    /// the namespace, counted against the agency's quota.
    pub used: Usage,
}

/// Resources in base units.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Usage {
    /// Cores.
    pub cpu: f64,
    /// Bytes.
    pub memory: f64,
    /// Bytes.
    pub storage: f64,
}

impl Usage {
    /// What a web request asks for (unset or unreadable quantities count as zero).
    pub fn of(web: &WebHosting) -> Usage {
        let q = |v: &Option<k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
            v.as_ref()
                .and_then(|q| crate::quantity::parse(&q.0))
                .unwrap_or(0.0)
        };
        Usage {
            cpu: q(&web.cpu),
            memory: q(&web.memory),
            storage: q(&web.storage),
        }
    }
}

/// Which quota dimensions the request would exceed, with the figures (CLOUD-CITY).
pub fn quota_exceeded(request: Usage, used: Usage, quota: &AgencyQuota) -> Vec<String> {
    let q = |v: &Option<k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
        v.as_ref().and_then(|q| crate::quantity::parse(&q.0))
    };
    let mut out = Vec::new();
    for (name, want, have, limit) in [
        ("cpu", request.cpu, used.cpu, q(&quota.cpu)),
        ("memory", request.memory, used.memory, q(&quota.memory)),
        ("storage", request.storage, used.storage, q(&quota.storage)),
    ] {
        if let Some(limit) = limit
            && want + have > limit * (1.0 + 1e-9)
        {
            out.push(format!(
                "{name}: {want} requested + {have} in use > quota {limit}"
            ));
        }
    }
    out
}

/// Everything [`decide`] looks at.
#[derive(Clone, Debug)]
pub struct HostingInput<'a> {
    /// The request: spec, `metadata.generation`, current status.
    pub request: &'a HostingRequest,
    /// Its findings from `policy::evaluate`.
    pub findings: &'a [Finding],
    /// Approvals in the platform namespace (approvals of other targets are ignored).
    pub approvals: &'a [Approval],
    /// The agency owning the request's namespace, if registered.
    pub agency: Option<&'a Agency>,
    /// Colocation: the placement from [`place_for`] (`None` when not computed).
    pub placement: Option<Result<Placement, Unplaceable>>,
    /// Colocation: the sites, for their address pools.
    pub sites: &'a [Site],
    /// Colocation: addresses already assigned to other requests.
    pub assigned_addresses: &'a BTreeSet<Ipv4Addr>,
    /// Web hosting: what the cluster shows.
    pub web: WebFacts,
    /// Now.
    pub now: Timestamp,
}

/// The condition types every decision sets, each time (the messages of these, unlike those
/// of any other type a request may carry, are rewritten by every status the operator writes).
pub const CONDITIONS: [&str; 4] = [
    conditions::VALIDATED,
    conditions::APPROVED,
    conditions::PLACED,
    conditions::READY,
];

/// What the request's status should say.
#[derive(Clone, Debug, PartialEq)]
pub struct HostingDecision {
    /// New phase.
    pub phase: HostingPhase,
    /// Validated, Approved, Placed and Ready.
    pub conditions: Vec<Desired>,
    /// Findings for the current spec.
    pub findings: Vec<FindingSummary>,
    /// The approval in force.
    pub approval: Option<ApprovalRecord>,
    /// Security level set by the approval (SEC-REGISTER).
    pub security_level: Option<String>,
    /// One-line placement.
    pub placement_summary: Option<String>,
    /// Web hosting placement.
    pub web_placement: Option<WebPlacement>,
    /// Colocation placement.
    pub rack_placement: Option<RackPlacement>,
    /// Next best racks.
    pub alternatives: Vec<RackPlacement>,
    /// Install work order (HOST-ACCESS).
    pub work_order: Option<WorkOrder>,
}

impl HostingDecision {
    /// The status this decision writes, with conditions merged into `old`'s.
    pub fn status(
        &self,
        old: &HostingRequestStatus,
        generation: Option<i64>,
        now: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
    ) -> HostingRequestStatus {
        HostingRequestStatus {
            phase: Some(self.phase),
            conditions: conditions::merge(&old.conditions, &self.conditions, generation, now),
            observed_generation: generation,
            findings: self.findings.clone(),
            approval: self.approval.clone().map(Box::new),
            security_level: self.security_level.clone(),
            placement_summary: self.placement_summary.clone(),
            web_placement: self.web_placement.clone().map(Box::new),
            rack_placement: self.rack_placement.clone().map(Box::new),
            alternatives: self.alternatives.clone(),
            work_order: self.work_order.clone().map(Box::new),
            text_digest: None,
        }
    }
}

/// Where the request stands with its approvals.
#[derive(Clone, Debug, PartialEq)]
pub enum ApprovalState<'a> {
    /// Approved for the current generation and not expired.
    InForce(&'a Approval),
    /// Refused for the current generation.
    Rejected(&'a Approval),
    /// Only approvals of an older generation exist (the spec changed since).
    Outdated(&'a Approval),
    /// The approval for the current generation expired.
    Expired(&'a Approval),
    /// Nothing yet.
    None,
}

fn targets(a: &Approval, hr: &HostingRequest) -> bool {
    let t = &a.spec.target;
    t.kind == "HostingRequest"
        && Some(t.name.as_str()) == hr.metadata.name.as_deref()
        && t.namespace == hr.metadata.namespace
}

/// The approval state of `hr`: among approvals for its current generation that have not
/// expired, the latest (creation time, then name) decides — so a refusal can be answered
/// with a new approval, and an approval revoked with a new refusal.
pub fn approval_state<'a>(
    hr: &HostingRequest,
    approvals: &'a [Approval],
    now: Timestamp,
) -> ApprovalState<'a> {
    let generation = hr.metadata.generation.unwrap_or(1);
    let mine: Vec<&Approval> = approvals.iter().filter(|a| targets(a, hr)).collect();
    let expired = |a: &Approval| a.spec.valid_until.as_ref().is_some_and(|v| v.0 <= now);
    let current = mine
        .iter()
        .copied()
        .filter(|a| a.spec.target_generation == generation && !expired(a))
        .max_by(|a, b| {
            let key = |x: &Approval| {
                (
                    x.metadata.creation_timestamp.as_ref().map(|t| t.0),
                    x.metadata.name.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
    if let Some(a) = current {
        return match a.spec.decision {
            Decision::Approved => ApprovalState::InForce(a),
            Decision::Rejected => ApprovalState::Rejected(a),
        };
    }
    if let Some(a) = mine
        .iter()
        .copied()
        .find(|a| a.spec.target_generation == generation && a.spec.decision == Decision::Approved)
    {
        return ApprovalState::Expired(a);
    }
    mine.iter()
        .copied()
        .filter(|a| a.spec.target_generation < generation && a.spec.decision == Decision::Approved)
        .max_by_key(|a| a.spec.target_generation)
        .map_or(ApprovalState::None, ApprovalState::Outdated)
}

fn record(a: &Approval) -> ApprovalRecord {
    ApprovalRecord {
        name: a.metadata.name.clone().unwrap_or_default(),
        generation: a.spec.target_generation,
        approved_by: a.spec.recorded_by.clone(),
    }
}

/// Whether the existing rack placement stands: the approval in force is the one recorded
/// when the request was placed. A placed device is never moved by a later reconcile.
pub fn keeps_placement(hr: &HostingRequest, approval: &Approval) -> bool {
    hr.status.as_ref().is_some_and(|s| {
        s.rack_placement.is_some()
            && s.approval
                .as_ref()
                .is_some_and(|r| same_approval(r, approval))
    })
}

fn same_approval(r: &ApprovalRecord, a: &Approval) -> bool {
    Some(r.name.as_str()) == a.metadata.name.as_deref() && r.generation == a.spec.target_generation
}

/// The placement the shell should hand to [`decide`] for a colocation request, against an
/// inventory that does not contain the request itself. `None` when nothing is to be placed
/// (web hosting, not approved, or the existing placement stands).
///
/// Order: the DC manager's pinned position (HOST-SITE: the manager decides); else the
/// position the device already has, when it still fits; else the engine's choice.
pub fn place_for(
    hr: &HostingRequest,
    approval: &Approval,
    inventory: &Inventory,
    settings: &Settings,
) -> Option<Result<Placement, Unplaceable>> {
    let device = DeviceRequest::from_hosting_request(hr)?;
    if keeps_placement(hr, approval) {
        return None;
    }
    if let Some(pin) = &approval.spec.pinned_placement {
        return Some(placement::place_pinned(&device, inventory, pin, settings));
    }
    let existing = hr.status.as_ref().and_then(|s| s.rack_placement.as_ref());
    if let Some(p) = existing {
        let pin = PinnedPlacement {
            rack: p.rack.clone(),
            position_u: p.position_u,
        };
        if let Ok(mut kept) = placement::place_pinned(&device, inventory, &pin, settings) {
            kept.pinned = false;
            return Some(Ok(kept));
        }
    }
    Some(placement::place_with(&device, inventory, settings))
}

fn rule_ids(findings: &[&Finding]) -> String {
    let mut ids: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join(", ")
}

fn cond(type_: &'static str, status: Option<bool>, reason: &'static str, text: Text) -> Desired {
    Desired {
        type_,
        status,
        reason,
        message: if text.en.is_empty() {
            String::new()
        } else {
            text.to_string()
        },
    }
}

/// Decides the status of a hosting request.
pub fn decide(input: &HostingInput<'_>) -> HostingDecision {
    let hr = input.request;
    let old = hr.status.clone().unwrap_or_default();
    let generation = hr.metadata.generation.unwrap_or(1);
    // Placements are carried over unless replaced: the device is where it is.
    let mut d = HostingDecision {
        phase: HostingPhase::Submitted,
        conditions: Vec::new(),
        findings: input.findings.iter().map(Finding::summary).collect(),
        approval: None,
        security_level: old.security_level.clone(),
        placement_summary: old.placement_summary.clone(),
        web_placement: old.web_placement.as_deref().cloned(),
        rack_placement: old.rack_placement.as_deref().cloned(),
        alternatives: old.alternatives.clone(),
        work_order: old.work_order.as_deref().cloned(),
    };
    let denies: Vec<&Finding> = input
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Deny)
        .collect();
    let warnings = input.findings.len() - denies.len();

    // 1. Validated.
    if !denies.is_empty() {
        let ids = rule_ids(&denies);
        let first = &denies[0].message;
        d.phase = HostingPhase::Rejected;
        d.conditions = vec![
            cond(
                conditions::VALIDATED,
                Some(false),
                reason::POLICY_DENIED,
                crate::t!("hosting-denied-by", ids = &ids, first = first),
            ),
            cond(
                conditions::APPROVED,
                Some(false),
                reason::NOT_VALIDATED,
                crate::t!("hosting-reviewed-request-breaks-rules"),
            ),
            not_placed(reason::NOT_VALIDATED),
            ready_false(
                reason::REJECTED,
                crate::t!("hosting-rejected-fix-findings", ids = &ids),
            ),
        ];
        return d;
    }
    let Some(agency) = input.agency else {
        d.phase = HostingPhase::Submitted;
        let code = &hr.spec.system.agency;
        d.conditions = vec![
            cond(
                conditions::VALIDATED,
                None,
                reason::AGENCY_NOT_FOUND,
                crate::t!("hosting-agency-owning-namespace-registered", code = &code),
            ),
            cond(
                conditions::APPROVED,
                Some(false),
                reason::NOT_VALIDATED,
                Text::default(),
            ),
            not_placed(reason::NOT_VALIDATED),
            ready_false(reason::IN_PROGRESS, crate::t!("hosting-waiting-agency")),
        ];
        return d;
    };
    let validated = cond(
        conditions::VALIDATED,
        Some(true),
        reason::POLICY_PASSED,
        crate::t!("hosting-denying-finding-warning-s", warnings = &warnings),
    );

    // 2. Approved.
    let approval = match approval_state(hr, input.approvals, input.now) {
        ApprovalState::InForce(a) => a,
        ApprovalState::Rejected(a) => {
            let name = a.metadata.name.clone().unwrap_or_default();
            let comment = a.spec.comment.clone().unwrap_or_default();
            d.phase = HostingPhase::Rejected;
            d.conditions = vec![
                validated,
                cond(
                    conditions::APPROVED,
                    Some(false),
                    reason::REJECTED_BY_APPROVAL,
                    crate::t!(
                        "hosting-refused-platform-team",
                        name = &name,
                        comment = &comment
                    ),
                ),
                not_placed(reason::NOT_APPROVED),
                ready_false(
                    reason::REJECTED,
                    crate::t!("hosting-refused-approval", name = &name),
                ),
            ];
            return d;
        }
        other => {
            let (why, text) = match other {
                ApprovalState::Outdated(a) => (
                    reason::APPROVAL_OUTDATED,
                    crate::t!(
                        "hosting-approval-reviewed-generation-spec",
                        name = &a.metadata.name.as_deref().unwrap_or_default(),
                        target_generation = &a.spec.target_generation,
                        generation = &generation
                    ),
                ),
                ApprovalState::Expired(a) => (
                    reason::APPROVAL_EXPIRED,
                    crate::t!(
                        "hosting-approval-expired",
                        name = &a.metadata.name.as_deref().unwrap_or_default()
                    ),
                ),
                _ => (
                    reason::AWAITING_APPROVAL,
                    crate::t!("hosting-waiting-platform-team-s", generation = &generation),
                ),
            };
            d.phase = HostingPhase::AwaitingApproval;
            d.conditions = vec![
                validated,
                cond(conditions::APPROVED, Some(false), why, text),
                not_placed(reason::NOT_APPROVED),
                ready_false(reason::IN_PROGRESS, crate::t!("hosting-awaiting-approval")),
            ];
            return d;
        }
    };
    d.approval = Some(record(approval));
    if approval.spec.security_level.is_some() {
        d.security_level = approval.spec.security_level.clone();
    }
    let approved = cond(
        conditions::APPROVED,
        Some(true),
        reason::APPROVED,
        crate::t!(
            "hosting-approved-generation",
            name = &approval.metadata.name.as_deref().unwrap_or_default(),
            generation = &generation
        ),
    );

    // 3. Placed.
    let placed = match hr.spec.mode {
        HostingMode::WebHosting => place_web(input, agency, &mut d),
        HostingMode::Colocation => place_colocation(input, approval, &mut d),
    };
    let ok = placed.status == Some(true);
    // In service once the platform team says so (after the escorted installation for
    // colocation, after go-live for web hosting), and only while the placement holds.
    let in_service = hr
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(IN_SERVICE_ANNOTATION));
    d.phase = match (ok, old.phase) {
        (true, _) if in_service => HostingPhase::Active,
        (true, Some(HostingPhase::Active)) => HostingPhase::Active,
        (true, _) => HostingPhase::Placed,
        (false, _) => HostingPhase::Approved,
    };
    if d.phase == HostingPhase::Active
        && let Some(wo) = d.work_order.as_mut()
    {
        wo.state = "Done".to_string();
    }
    let ready = if ok {
        cond(
            conditions::READY,
            Some(true),
            reason::PLACED,
            crate::t!(
                "hosting-placed",
                placement_summary = &d.placement_summary.clone().unwrap_or_default()
            ),
        )
    } else {
        ready_false(placed.reason, crate::t!("hosting-approved-placed-yet"))
    };
    d.conditions = vec![validated, approved, placed, ready];
    d
}

fn not_placed(why: &'static str) -> Desired {
    cond(conditions::PLACED, Some(false), why, Text::default())
}

fn ready_false(why: &'static str, text: Text) -> Desired {
    cond(conditions::READY, Some(false), why, text)
}

/// Web hosting: the namespace (one of the agency's) plus the requested node pool and zone.
fn place_web(input: &HostingInput<'_>, agency: &Agency, d: &mut HostingDecision) -> Desired {
    let hr = input.request;
    let owned = tenancy::namespaces_of(agency);
    let web = hr.spec.web.clone().unwrap_or_default();
    let namespace = web
        .namespace
        .clone()
        .or_else(|| owned.first().cloned())
        .unwrap_or_default();
    if !owned.contains(&namespace) {
        return cond(
            conditions::PLACED,
            Some(false),
            reason::NAMESPACE_NOT_OWNED,
            crate::t!(
                "hosting-namespace-one-agency-s",
                namespace = &namespace,
                code = &agency.spec.code
            ),
        );
    }
    if !input.web.namespace_exists {
        return cond(
            conditions::PLACED,
            Some(false),
            reason::NAMESPACE_MISSING,
            crate::t!("hosting-namespace-does-exist-yet", namespace = &namespace),
        );
    }
    let over = quota_exceeded(Usage::of(&web), input.web.used, &agency.spec.quota);
    if !over.is_empty() {
        return cond(
            conditions::PLACED,
            Some(false),
            reason::QUOTA_EXCEEDED,
            crate::t!(
                "hosting-does-fit-agency-s",
                code = &agency.spec.code,
                namespace = &namespace,
                over = &over.join("; ")
            ),
        );
    }
    let placement = WebPlacement {
        namespace: namespace.clone(),
        node_pool: web.node_pool.clone(),
        zone: web.zone.clone(),
    };
    d.placement_summary = Some(format!("ns/{namespace}"));
    d.web_placement = Some(placement);
    d.rack_placement = None;
    d.alternatives = Vec::new();
    d.work_order = None;
    let mut labels = Vec::new();
    if let Some(p) = &web.node_pool {
        labels.push(format!("node pool {p}"));
    }
    if let Some(z) = &web.zone {
        labels.push(format!("zone {z}"));
    }
    let extra = if labels.is_empty() {
        String::new()
    } else {
        format!(", {}", labels.join(", "))
    };
    cond(
        conditions::PLACED,
        Some(true),
        reason::PLACED,
        crate::t!(
            "hosting-web-hosting-namespace",
            namespace = &namespace,
            extra = &extra
        ),
    )
}

/// Colocation: the placement handed in, or the one already recorded; then the work order
/// with escort and addresses from the site's pool.
fn place_colocation(
    input: &HostingInput<'_>,
    approval: &Approval,
    d: &mut HostingDecision,
) -> Desired {
    let hr = input.request;
    if keeps_placement(hr, approval)
        && let Some(p) = d.rack_placement.clone()
    {
        d.placement_summary = Some(placement::placement_summary(&p));
        return placed_cond(&p, false, d.work_order.as_ref());
    }
    let placement = match &input.placement {
        None => {
            return cond(
                conditions::PLACED,
                None,
                reason::PLACEMENT_PENDING,
                crate::t!("hosting-placement-computed-yet"),
            );
        }
        Some(Err(u)) => {
            let s = u.summary();
            return cond(conditions::PLACED, Some(false), reason::UNPLACEABLE, s);
        }
        Some(Ok(p)) => p,
    };
    let chosen = &placement.chosen;
    let want = hr.spec.colocation.as_ref().map_or(0, |c| c.addresses);
    // Addresses already on the work order of the same position are kept.
    let previous = d
        .work_order
        .as_ref()
        .filter(|w| same_position(&w.placement, chosen))
        .map(|w| {
            w.addresses
                .iter()
                .filter_map(|a| a.parse::<Ipv4Addr>().ok())
                .collect::<Vec<_>>()
        })
        .filter(|a| a.len() == usize::from(want));
    let addresses = match previous {
        Some(a) => Ok(a),
        None => {
            let pools = input
                .sites
                .iter()
                .find(|s| s.metadata.name.as_deref() == Some(chosen.site.as_str()))
                .map(|s| s.spec.address_pools.as_slice())
                .unwrap_or(&[]);
            placement::allocate_addresses(pools, input.assigned_addresses, usize::from(want))
        }
    };
    let addresses = match addresses {
        Ok(a) => a,
        Err(e) => {
            let text = match &e {
                AddressError::Exhausted { needed, free } => crate::t!(
                    "hosting-sec-register-address-es",
                    needed = &needed,
                    site = &chosen.site,
                    free = &free
                ),
                AddressError::BadPool { .. } => {
                    crate::t!(
                        "hosting-address-pool-invalid",
                        site = &chosen.site,
                        error = &e
                    )
                }
            };
            return cond(
                conditions::PLACED,
                Some(false),
                reason::ADDRESSES_UNAVAILABLE,
                text,
            );
        }
    };
    let id = placement::request_id(hr);
    let work_order = placement::build_work_order(&id, chosen, &addresses);
    d.rack_placement = Some(chosen.clone());
    d.alternatives = placement.alternatives.clone();
    d.placement_summary = Some(placement::placement_summary(chosen));
    d.web_placement = None;
    d.work_order = Some(work_order);
    placed_cond(chosen, placement.pinned, d.work_order.as_ref())
}

fn same_position(a: &RackPlacement, b: &RackPlacement) -> bool {
    a.site == b.site && a.rack == b.rack && a.position_u == b.position_u && a.height_u == b.height_u
}

fn placed_cond(p: &RackPlacement, pinned: bool, wo: Option<&WorkOrder>) -> Desired {
    let summary = placement::placement_summary(p);
    let pinned = if pinned { "yes" } else { "no" };
    let wo_id = wo.map(|w| w.id.clone()).unwrap_or_default();
    cond(
        conditions::PLACED,
        Some(true),
        reason::PLACED,
        crate::t!(
            "hosting-placed-work-order",
            summary = &summary,
            pinned = pinned,
            feed_a = &p.feed_a,
            feed_b = &p.feed_b,
            work_order = &wo_id
        ),
    )
}

#[cfg(test)]
mod tests;

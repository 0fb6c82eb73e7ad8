//! The plan checker: is the written DRP executable and does it keep its own promises?
//!
//! Dependencies form a DAG of known members, every member sits in exactly one tier, each
//! schedule is frequent enough for its RPO, each RTO is reachable at the restore speed
//! measured (or assumed), the two sites satisfy DR-FAR and DR-NKRI, every repository is at a
//! registered site in Indonesia, and the runbook can be followed. The webhook, the plan
//! controller and `pusdata plan check` all call [`check_plan`].

use super::compile::{self, EntryKind};
use crate::duration;
use crate::finding::Finding;
use crate::i18n::Text;
use crate::sites::{self, SiteRules};
use jiff::Timestamp;
use pusdata_crds::v1alpha1::{
    BackupRepository, DisasterRecoveryPlan, FailoverType, Site, StepKind, StepStage,
};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// What drills and backups have measured so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measurements {
    /// Restore throughput measured by the last drills, per restore stream, in bytes/second.
    /// When absent, the plan's `assumedRestoreBytesPerSecond` is used.
    pub restore_bytes_per_second: Option<u64>,
    /// Size of each member's latest snapshot, in bytes, by member name. When absent, the
    /// member's `sizeHintBytes` is used.
    pub member_bytes: BTreeMap<String, u64>,
}

/// Settings of the checker (from the `ResidencyPolicy` and operator flags).
#[derive(Clone, Debug, PartialEq)]
pub struct CheckSettings {
    /// DR-FAR and DR-NKRI settings.
    pub site_rules: SiteRules,
    /// Share of the RTO above which an estimated restore time is a warning (default 0.8):
    /// restores rarely run at the measured speed on the day of a disaster.
    pub rto_warning_share: f64,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            site_rules: SiteRules::default(),
            rto_warning_share: 0.8,
        }
    }
}

/// A fixed start for the schedule gap computation, so the verdict does not depend on the day
/// the check runs (a year from here sees every month and weekday).
const GAP_FROM: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// Checks a plan with the default settings.
pub fn check_plan(
    plan: &DisasterRecoveryPlan,
    sites: &[Site],
    repositories: &[BackupRepository],
    measurements: &Measurements,
) -> Vec<Finding> {
    check_plan_with(
        plan,
        sites,
        repositories,
        measurements,
        &CheckSettings::default(),
    )
}

/// Checks a plan. Findings come in a stable order: structure, schedules, RTO, sites and
/// repositories, runbook.
pub fn check_plan_with(
    plan: &DisasterRecoveryPlan,
    sites: &[Site],
    repositories: &[BackupRepository],
    measurements: &Measurements,
    settings: &CheckSettings,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let dag_ok = structure(plan, &mut out);
    schedules(plan, &mut out);
    if dag_ok {
        rto(plan, measurements, settings, &mut out);
    }
    site_rules(plan, sites, repositories, settings, &mut out);
    buckets(plan, sites, settings, &mut out);
    runbook(plan, &mut out);
    out.extend(super::languages::check(plan));
    out
}

fn structure(plan: &DisasterRecoveryPlan, out: &mut Vec<Finding>) -> bool {
    let spec = &plan.spec;
    let mut ok = true;
    let mut seen: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for (ti, tier) in spec.tiers.iter().enumerate() {
        if tier.members.is_empty() {
            out.push(Finding::warn(
                "DR-PLAN",
                &format!("spec.tiers[{ti}].members"),
                crate::t!("dr-check-tier-members", name = &tier.name),
                crate::t!("dr-check-add-services-tier-remove"),
            ));
        }
        for (mi, m) in tier.members.iter().enumerate() {
            if let Some((_, other_tier)) = seen.get(m.name.as_str()) {
                ok = false;
                let message = if *other_tier == tier.name {
                    crate::t!(
                        "dr-check-member-twice-in-tier",
                        member = &m.name,
                        tier = &tier.name
                    )
                } else {
                    crate::t!(
                        "dr-check-member-in-two-tiers",
                        member = &m.name,
                        other = other_tier,
                        tier = &tier.name
                    )
                };
                out.push(Finding::deny(
                    "DR-PLAN",
                    &format!("spec.tiers[{ti}].members[{mi}].name"),
                    message,
                    crate::t!("dr-check-member-names-must-unique"),
                ));
            } else {
                seen.insert(&m.name, (ti, &tier.name));
            }
        }
    }
    for (ti, tier) in spec.tiers.iter().enumerate() {
        for (mi, m) in tier.members.iter().enumerate() {
            for (di, d) in m.depends_on.iter().enumerate() {
                if !seen.contains_key(d.as_str()) {
                    ok = false;
                    out.push(Finding::deny(
                        "APP-BACKUP",
                        &format!("spec.tiers[{ti}].members[{mi}].dependsOn[{di}]"),
                        crate::t!(
                            "dr-check-depends-which-tier-covers",
                            name = &m.name,
                            dependency = &d
                        ),
                        crate::t!("dr-check-add-member-tier-fix", dependency = &d),
                    ));
                }
            }
        }
    }
    // A service restored to a 15-minute point that needs data only saved daily comes back
    // inconsistent: the dependency's tier sets the real RPO.
    let rpo_of: BTreeMap<&str, Option<Duration>> = spec
        .tiers
        .iter()
        .flat_map(|t| {
            let rpo = duration::parse(&t.rpo).ok();
            t.members.iter().map(move |m| (m.name.as_str(), rpo))
        })
        .collect();
    for (ti, tier) in spec.tiers.iter().enumerate() {
        let Ok(own) = duration::parse(&tier.rpo) else {
            continue;
        };
        for (mi, m) in tier.members.iter().enumerate() {
            for (di, d) in m.depends_on.iter().enumerate() {
                if let Some(Some(dep_rpo)) = rpo_of.get(d.as_str())
                    && *dep_rpo > own
                {
                    out.push(Finding::warn(
                        "DR-PLAN",
                        &format!("spec.tiers[{ti}].members[{mi}].dependsOn[{di}]"),
                        crate::t!(
                            "dr-check-rpo-depends-which-longer",
                            name = &m.name,
                            rpo = &tier.rpo,
                            dependency = &d,
                            dep_rpo = &duration::human(*dep_rpo)
                        ),
                        crate::t!(
                            "dr-check-move-into-tier-more",
                            dependency = &d,
                            name = &tier.name
                        ),
                    ));
                }
            }
        }
    }
    if let Err(cycle) = super::order::dependency_order(spec) {
        ok = false;
        let path = cycle.join(" → ");
        out.push(Finding::deny(
            "DR-PLAN",
            "spec.tiers[].members[].dependsOn",
            crate::t!("dr-check-dependency-cycle-restore-order", path = &path),
            crate::t!("dr-check-remove-one-dependson-entry"),
        ));
    }
    ok
}

fn bad_duration(path: &str, e: &duration::DurationError) -> Finding {
    Finding::deny(
        "DR-PLAN",
        path,
        crate::t!("dr-check-invalid-duration", error = e),
        crate::t!("dr-check-write-go-duration-such"),
    )
}

fn schedules(plan: &DisasterRecoveryPlan, out: &mut Vec<Finding>) {
    let compiled = compile::compile(plan);
    for (_, path, err) in &compiled.invalid {
        out.push(Finding::deny(
            "DR-PLAN",
            path,
            crate::t!("dr-check-invalid-schedule", error = err),
            crate::t!("dr-check-write-field-cron-expression"),
        ));
    }
    let from = Timestamp::from_second(GAP_FROM).unwrap_or(Timestamp::UNIX_EPOCH);
    for (ti, tier) in plan.spec.tiers.iter().enumerate() {
        let rpo = match duration::parse(&tier.rpo) {
            Ok(d) => d,
            Err(e) => {
                out.push(bad_duration(&format!("spec.tiers[{ti}].rpo"), &e));
                continue;
            }
        };
        if let Err(e) = duration::parse(&tier.rto) {
            out.push(bad_duration(&format!("spec.tiers[{ti}].rto"), &e));
        }
        if let Some(Err(e)) = tier.max_tolerable_downtime.as_deref().map(duration::parse) {
            out.push(bad_duration(
                &format!("spec.tiers[{ti}].maxTolerableDowntime"),
                &e,
            ));
        }
        for (hi, h) in tier.hooks.iter().enumerate() {
            if let Err(e) = duration::parse(&h.timeout) {
                out.push(bad_duration(
                    &format!("spec.tiers[{ti}].hooks[{hi}].timeout"),
                    &e,
                ));
            }
        }
        for (mi, m) in tier.members.iter().enumerate() {
            if let Some(Err(e)) = m
                .readiness
                .as_ref()
                .and_then(|r| r.timeout.as_deref())
                .map(duration::parse)
            {
                out.push(bad_duration(
                    &format!("spec.tiers[{ti}].members[{mi}].readiness.timeout"),
                    &e,
                ));
            }
        }
        let Some(entry) = compiled
            .entries
            .iter()
            .find(|e| e.kind == EntryKind::Backup && e.tiers.first() == Some(&tier.name))
        else {
            continue;
        };
        let gap = entry.spec.largest_gap(from);
        let too_sparse = gap.is_none_or(|g| g > rpo);
        if too_sparse {
            let gap = match gap {
                Some(g) => {
                    let h = duration::human(g);
                    Text::new(h.clone(), h)
                }
                None => crate::t!("dr-check-gap-never"),
            };
            out.push(Finding::deny(
                "DR-PLAN",
                &format!("spec.tiers[{ti}].schedule"),
                crate::t!(
                    "dr-check-schedule-sparser-than-rpo",
                    tier = &tier.name,
                    schedule = &format!("{:?}", entry.text),
                    gap = &gap,
                    rpo = &tier.rpo
                ),
                crate::t!("dr-check-back-up-least-often"),
            ));
        }
    }
    let tier_names: BTreeSet<&str> = plan.spec.tiers.iter().map(|t| t.name.as_str()).collect();
    for (di, d) in plan.spec.drills.iter().enumerate() {
        if let Some(Err(e)) = d.tolerance.as_deref().map(crate::duration::parse) {
            out.push(Finding::deny(
                "DR-PLAN",
                &format!("spec.drills[{di}].tolerance"),
                crate::t!(
                    "dr-check-drill-tolerance",
                    name = &d.name,
                    error = e.to_string()
                ),
                crate::t!("dr-check-drill-tolerance-hint"),
            ));
        }
        for (i, t) in d.tiers.iter().enumerate() {
            if !tier_names.contains(t.as_str()) {
                out.push(Finding::deny(
                    "DR-PLAN",
                    &format!("spec.drills[{di}].tiers[{i}]"),
                    crate::t!(
                        "dr-check-drill-names-unknown-tier",
                        name = &d.name,
                        tier = &t
                    ),
                    crate::t!("dr-check-use-tier-name-plan"),
                ));
            }
        }
    }
}

/// The restore time a tier needs: every member restores as soon as its dependencies are
/// verified, branches in parallel, so the tier is back when its slowest chain (critical path)
/// is; dependencies in other tiers count, since the service cannot start without them.
fn rto(
    plan: &DisasterRecoveryPlan,
    m: &Measurements,
    settings: &CheckSettings,
    out: &mut Vec<Finding>,
) {
    let Some(bps) = m
        .restore_bytes_per_second
        .or(plan.spec.assumed_restore_bytes_per_second)
        .filter(|b| *b > 0)
    else {
        out.push(Finding::warn(
            "DR-PLAN",
            "spec.assumedRestoreBytesPerSecond",
            crate::t!("dr-check-measured-assumed-restore-throughput"),
            crate::t!("dr-check-run-drill-set-assumedrestorebytespersecond"),
        ));
        return;
    };
    let Ok(order) = super::order::dependency_order(&plan.spec) else {
        return;
    };
    let all = super::order::members(&plan.spec);
    let by_name: BTreeMap<&str, _> = all
        .iter()
        .map(|(t, mm)| (mm.name.as_str(), (*t, *mm)))
        .collect();
    let mut finish: BTreeMap<&str, f64> = BTreeMap::new();
    let mut unknown: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in &order {
        let Some((tier, member)) = by_name.get(name.as_str()) else {
            continue;
        };
        let bytes = m.member_bytes.get(name).copied().or(member.size_hint_bytes);
        if bytes.is_none() {
            unknown
                .entry(tier.name.as_str())
                .or_default()
                .push(&member.name);
        }
        let own = bytes.unwrap_or(0) as f64 / bps as f64;
        let start = member
            .depends_on
            .iter()
            .filter_map(|d| finish.get(d.as_str()))
            .fold(0.0f64, |a, b| a.max(*b));
        finish.insert(&member.name, start + own);
    }
    for (ti, tier) in plan.spec.tiers.iter().enumerate() {
        let Ok(target) = duration::parse(&tier.rto) else {
            continue;
        };
        let needed = tier
            .members
            .iter()
            .filter_map(|mm| finish.get(mm.name.as_str()))
            .fold(0.0f64, |a, b| a.max(*b));
        // Absurd sizes must not panic the checker; they are simply "too slow".
        let needed_d = Duration::try_from_secs_f64(needed.max(0.0)).unwrap_or(Duration::MAX);
        let target_s = target.as_secs_f64();
        let path = format!("spec.tiers[{ti}].rto");
        let speed = bps as f64 / 1e6;
        let took = duration::human(needed_d);
        if needed > target_s {
            out.push(Finding::deny(
                "DR-PLAN",
                &path,
                crate::t!(
                    "dr-check-restore-over-rto",
                    tier = &tier.name,
                    took = &took,
                    speed = speed,
                    rto = &tier.rto
                ),
                crate::t!("dr-check-raise-rto-split-data"),
            ));
        } else if needed > target_s * settings.rto_warning_share {
            out.push(Finding::warn(
                "DR-PLAN",
                &path,
                crate::t!(
                    "dr-check-restore-near-rto",
                    tier = &tier.name,
                    took = &took,
                    speed = speed,
                    share = settings.rto_warning_share * 100.0,
                    rto = &tier.rto
                ),
                crate::t!("dr-check-leave-margin-real-disaster"),
            ));
        }
        if let Some(names) = unknown.get(tier.name.as_str()) {
            out.push(Finding {
                severity: crate::finding::Severity::Info,
                ..Finding::warn(
                    "DR-PLAN",
                    &format!("spec.tiers[{ti}].members"),
                    crate::t!(
                        "dr-check-tier-size-unknown-counted",
                        name = &tier.name,
                        names = &names.join(", ")
                    ),
                    crate::t!("dr-check-set-sizehintbytes-until-first"),
                )
            });
        }
    }
}

fn prefixed(kind: &str, name: &str, mut f: Finding) -> Finding {
    f.path = format!("{kind}/{name} {}", f.path);
    f
}

fn site_rules(
    plan: &DisasterRecoveryPlan,
    sites: &[Site],
    repositories: &[BackupRepository],
    settings: &CheckSettings,
    out: &mut Vec<Finding>,
) {
    let find = |name: &str| {
        sites
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some(name))
    };
    let spec = &plan.spec;
    let missing = |field: &str, name: &str| {
        Finding::deny(
            "DR-PLAN",
            field,
            crate::t!("dr-check-site-among-sites-given", name = &name),
            crate::t!("dr-check-declare-site-check-name"),
        )
    };
    let primary = find(&spec.primary_site);
    let drc = find(&spec.drc_site);
    if primary.is_none() {
        out.push(missing("spec.primarySite", &spec.primary_site));
    }
    if drc.is_none() {
        out.push(missing("spec.drcSite", &spec.drc_site));
    }
    if let (Some(p), Some(d)) = (primary, drc) {
        for f in sites::check_drc_pair(
            &spec.primary_site,
            &p.spec,
            &spec.drc_site,
            &d.spec,
            &settings.site_rules,
        ) {
            out.push(prefixed("Site", &spec.drc_site, f));
        }
    }
    for r in repositories {
        let name = r.metadata.name.as_deref().unwrap_or_default();
        match find(&r.spec.site) {
            None => out.push(Finding::deny(
                "DATA-DC",
                &format!("BackupRepository/{name} spec.site"),
                crate::t!(
                    "dr-check-repository-site-which-registered",
                    name = &name,
                    site = &r.spec.site
                ),
                crate::t!("dr-check-backups-go-only-repositories"),
            )),
            Some(site) => {
                for f in sites::check_site_country(&r.spec.site, &site.spec, &settings.site_rules) {
                    out.push(prefixed("BackupRepository", name, f));
                }
            }
        }
    }
    // Every agency with a member needs a repository at the DRC, or its backups have nowhere
    // to go (APP-BACKUP) except unregistered storage (DATA-DC).
    let mut agencies: BTreeMap<&str, &str> = BTreeMap::new();
    for (_, m) in super::order::members(spec) {
        agencies.entry(&m.agency).or_insert(&m.name);
    }
    for (agency, first) in agencies {
        let has = repositories
            .iter()
            .any(|r| r.spec.agency == agency && r.spec.site == spec.drc_site);
        if !has {
            out.push(Finding::deny(
                "APP-BACKUP",
                "spec.tiers[].members[].agency",
                crate::t!(
                    "dr-check-agency-member-backuprepository-drc",
                    agency = &agency,
                    first = &first,
                    drc_site = &spec.drc_site
                ),
                crate::t!("dr-check-create-agency-s-repository"),
            ));
        }
    }
}

/// Bucket members: mirrored between the object storage of the plan's two Sites, so both
/// must be registered with an S3 endpoint (DATA-DC) inside the allowed countries (DR-NKRI),
/// with the keys of each side in the member's own namespace (SEC-CIA).
fn buckets(
    plan: &DisasterRecoveryPlan,
    sites: &[Site],
    settings: &CheckSettings,
    out: &mut Vec<Finding>,
) {
    let spec = &plan.spec;
    let mut first: Option<String> = None;
    for (ti, tier) in spec.tiers.iter().enumerate() {
        for (mi, m) in tier.members.iter().enumerate() {
            if m.buckets.is_empty() {
                continue;
            }
            let path = format!("spec.tiers[{ti}].members[{mi}]");
            first.get_or_insert_with(|| m.name.clone());
            let Some(cfg) = &m.bucket_mirror else {
                out.push(Finding::deny(
                    "DR-PLAN",
                    &format!("{path}.bucketMirror"),
                    crate::t!("dr-check-member-lists-buckets-but", name = &m.name),
                    crate::t!("dr-check-set-bucketmirror-primarycredentials-secret"),
                ));
                continue;
            };
            let refs = [
                ("primaryCredentials", Some(&cfg.primary_credentials)),
                ("drcCredentials", cfg.drc_credentials.as_ref()),
            ];
            for (field, r) in refs {
                let Some(ns) = r.and_then(|r| r.namespace.as_deref()) else {
                    continue;
                };
                if ns != m.namespace {
                    out.push(Finding::deny(
                        "SEC-CIA",
                        &format!("{path}.bucketMirror.{field}.namespace"),
                        crate::t!(
                            "dr-check-member-takes-bucket-keys",
                            name = &m.name,
                            ns = &ns,
                            namespace = &m.namespace
                        ),
                        crate::t!("dr-check-keep-each-agency-s"),
                    ));
                }
            }
        }
    }
    let Some(first) = first else { return };
    for site_name in [&spec.primary_site, &spec.drc_site] {
        // A Site that is not given is already a DR-PLAN finding.
        let Some(site) = sites
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some(site_name.as_str()))
        else {
            continue;
        };
        if site
            .spec
            .endpoints
            .s3
            .as_deref()
            .is_none_or(|e| e.trim().is_empty())
        {
            out.push(Finding::deny(
                "DATA-DC",
                &format!("Site/{site_name} spec.endpoints.s3"),
                crate::t!(
                    "dr-check-bucket-members-member-mirrored",
                    first = &first,
                    site_name = &site_name
                ),
                crate::t!("dr-check-register-site-s-object"),
            ));
        }
        // The DRC's country is already checked with the pair (DR-FAR, DR-NKRI).
        if site_name == &spec.primary_site {
            for f in sites::check_site_country(site_name, &site.spec, &settings.site_rules) {
                out.push(prefixed("Site", site_name, f));
            }
        }
    }
}

fn applies(step: &pusdata_crds::v1alpha1::RunbookStep, kind: FailoverType) -> bool {
    step.applies_to.is_empty() || step.applies_to.contains(&kind)
}

fn runbook(plan: &DisasterRecoveryPlan, out: &mut Vec<Finding>) {
    let spec = &plan.spec;
    let roles: BTreeSet<&str> = spec.contacts.iter().map(|c| c.role.as_str()).collect();
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for (i, s) in spec.runbook.iter().enumerate() {
        if !ids.insert(&s.id) {
            out.push(Finding::deny(
                "DR-PLAN",
                &format!("spec.runbook[{i}].id"),
                crate::t!("dr-check-runbook-step-id-used", id = &s.id),
                crate::t!("dr-check-give-every-step-own"),
            ));
        }
        if !roles.contains(s.owner_role.as_str()) {
            out.push(Finding::deny(
                "DR-PLAN",
                &format!("spec.runbook[{i}].ownerRole"),
                crate::t!(
                    "dr-check-step-owned-role-which",
                    id = &s.id,
                    owner_role = &s.owner_role
                ),
                crate::t!("dr-check-add-contact-role-fix"),
            ));
        }
        if matches!(s.kind, StepKind::Manual | StepKind::Approval)
            && crate::policy::signoff::role_groups(spec, &s.owner_role).is_none()
        {
            out.push(Finding::deny(
                "DR-PLAN",
                &format!("spec.runbook[{i}].ownerRole"),
                crate::t!(
                    "dr-check-step-waits-sign-off",
                    id = &s.id,
                    owner_role = &s.owner_role
                ),
                crate::t!("dr-check-add-name-groups-spec", owner_role = &s.owner_role),
            ));
        }
        if let Some(t) = &s.timeout
            && let Err(e) = duration::parse(t)
        {
            out.push(bad_duration(&format!("spec.runbook[{i}].timeout"), &e));
        }
    }
    let approval_before_failover = spec.runbook.iter().any(|s| {
        s.kind == StepKind::Approval
            && s.stage == StepStage::Before
            && applies(s, FailoverType::Failover)
    });
    if !approval_before_failover {
        out.push(Finding::deny(
            "DR-PLAN",
            "spec.runbook",
            crate::t!("dr-check-approval-step-before-failover"),
            crate::t!("dr-check-add-runbook-step-kind"),
        ));
    }
    if spec.peer_loss.automatic_failover {
        match spec.peer_loss.after.as_deref().map(duration::parse) {
            None => out.push(Finding::deny(
                "DR-PLAN",
                "spec.peerLoss.after",
                crate::t!("dr-check-automatic-failover-without-after"),
                crate::t!("dr-check-set-peerloss-after-e"),
            )),
            Some(Err(e)) => out.push(bad_duration("spec.peerLoss.after", &e)),
            Some(Ok(_)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{Contact, RunbookRole, RunbookStep};

    fn good_plan() -> DisasterRecoveryPlan {
        let mut p = fixtures::plan();
        p.spec.assumed_restore_bytes_per_second = Some(50_000_000);
        p.spec.tiers[0].members[0].size_hint_bytes = Some(1_000_000_000);
        p.spec.contacts = vec![Contact {
            role: "head".into(),
            name: "Kepala".into(),
            email: None,
            details_secret: None,
        }];
        p.spec.runbook = vec![RunbookStep {
            id: "declare".into(),
            title: pusdata_crds::v1alpha1::LocalizedText::both("Declare", "Nyatakan bencana"),
            kind: StepKind::Approval,
            owner_role: "head".into(),
            stage: StepStage::Before,
            applies_to: vec![FailoverType::Failover],
            timeout: Some("30m".into()),
        }];
        p.spec.roles = vec![RunbookRole {
            name: "head".into(),
            groups: vec!["bekasi:kepala-dinas".into()],
        }];
        p
    }

    fn world() -> (Vec<Site>, Vec<BackupRepository>) {
        (
            vec![
                fixtures::primary_site(),
                fixtures::drc_site("Kota Bandung", fixtures::BANDUNG),
            ],
            vec![fixtures::backup_repository("disdukcapil", "drc-bandung")],
        )
    }

    fn rules(f: &[Finding]) -> Vec<(&str, Severity)> {
        f.iter().map(|x| (x.rule.as_str(), x.severity)).collect()
    }

    fn check(p: &DisasterRecoveryPlan) -> Vec<Finding> {
        let (s, r) = world();
        check_plan(p, &s, &r, &Measurements::default())
    }

    #[test]
    fn fixture_names_match_the_plan() {
        let (s, _) = world();
        assert_eq!(s[0].metadata.name.as_deref(), Some("dc-bekasi"));
        assert_eq!(s[1].metadata.name.as_deref(), Some("drc-bandung"));
    }

    #[test]
    fn a_good_plan_passes() {
        let f = check(&good_plan());
        assert!(f.is_empty(), "{f:#?}");
    }

    #[test]
    fn cycle_is_named() {
        let mut p = good_plan();
        let mut b = p.spec.tiers[0].members[0].clone();
        b.name = "b".into();
        b.depends_on = vec!["tier-1-critical-svc".into()];
        p.spec.tiers[0].members[0].depends_on = vec!["b".into()];
        p.spec.tiers[0].members.push(b);
        let f = check(&p);
        assert_eq!(rules(&f), vec![("DR-PLAN", Severity::Deny)]);
        assert!(
            f[0].message
                .en
                .contains("tier-1-critical-svc → b → tier-1-critical-svc"),
            "{}",
            f[0].message.en
        );
        assert!(f[0].message.id.contains("siklus"));
    }

    #[test]
    fn unknown_dependency_and_duplicates() {
        let mut p = good_plan();
        p.spec.tiers[0].members[0].depends_on = vec!["ghost".into()];
        let dup = p.spec.tiers[0].members[0].clone();
        let mut t2 = fixtures::tier("tier-2", "1h", "8h");
        t2.members = vec![dup];
        p.spec.tiers.push(t2);
        let f = check(&p);
        let r = rules(&f);
        assert!(r.contains(&("APP-BACKUP", Severity::Deny)), "{f:#?}");
        assert!(f.iter().any(|x| x.message.en.contains("is in two tiers")));
        assert!(
            f.iter()
                .any(|x| x.path == "spec.tiers[0].members[0].dependsOn[0]")
        );
    }

    #[test]
    fn a_critical_service_depending_on_a_daily_tier_is_warned() {
        let mut p = good_plan();
        let mut t3 = fixtures::tier("tier-3", "24h", "72h");
        t3.members[0].size_hint_bytes = Some(1);
        p.spec.tiers.push(t3);
        p.spec.tiers[0].members[0].depends_on = vec!["tier-3-svc".into()];
        let f = check(&p);
        assert_eq!(rules(&f), vec![("DR-PLAN", Severity::Warn)], "{f:#?}");
        assert!(
            f[0].message.en.contains("longer RPO 1d"),
            "{}",
            f[0].message.en
        );
        p.spec.tiers[1].hooks.push(pusdata_crds::v1alpha1::Hook {
            name: "dump".into(),
            command: vec!["true".into()],
            timeout: "10 minutes".into(),
            ..Default::default()
        });
        assert!(
            check(&p)
                .iter()
                .any(|x| x.path == "spec.tiers[1].hooks[0].timeout")
        );
    }

    #[test]
    fn an_unreadable_readiness_timeout_is_a_finding() {
        let mut p = good_plan();
        let path = "spec.tiers[0].members[0].readiness.timeout";
        for (timeout, found) in [
            (None, false),
            (Some("10m"), false),
            (Some("ten minutes"), true),
        ] {
            p.spec.tiers[0].members[0].readiness = Some(pusdata_crds::v1alpha1::MemberReadiness {
                selector: None,
                timeout: timeout.map(str::to_string),
            });
            assert_eq!(
                check(&p).iter().any(|x| x.path == path),
                found,
                "{timeout:?}"
            );
        }
    }

    #[test]
    fn sparse_schedule_for_rpo() {
        let mut p = good_plan();
        p.spec.tiers[0].schedule = Some("0 * * * *".into());
        let f = check(&p);
        assert_eq!(rules(&f), vec![("DR-PLAN", Severity::Deny)]);
        assert_eq!(f[0].path, "spec.tiers[0].schedule");
        assert!(f[0].message.en.contains("up to 1h"), "{}", f[0].message.en);
        p.spec.tiers[0].schedule = Some("@every 15m".into());
        assert!(check(&p).is_empty());
        p.spec.tiers[0].schedule = Some("*/15 9-17 * * 1-5".into());
        assert_eq!(
            check(&p).len(),
            1,
            "office hours only leaves nights uncovered"
        );
        p.spec.tiers[0].schedule = Some("not cron".into());
        assert_eq!(check(&p)[0].path, "spec.tiers[0].schedule");
    }

    #[test]
    fn rto_critical_path_and_margin() {
        let mut p = good_plan();
        // 1 GB at 50 MB/s = 20 s per member; a chain of three is 60 s.
        let base = p.spec.tiers[0].members[0].clone();
        let mut b = base.clone();
        b.name = "b".into();
        b.depends_on = vec![base.name.clone()];
        let mut c = base.clone();
        c.name = "c".into();
        c.depends_on = vec!["b".into()];
        let mut d = base.clone();
        d.name = "d".into();
        p.spec.tiers[0].members.extend([b, c, d]);
        p.spec.tiers[0].rto = "59s".into();
        let f = check(&p);
        assert_eq!(rules(&f), vec![("DR-PLAN", Severity::Deny)], "{f:#?}");
        assert!(f[0].message.en.contains("1m"), "{}", f[0].message.en);
        p.spec.tiers[0].rto = "70s".into();
        assert_eq!(rules(&check(&p)), vec![("DR-PLAN", Severity::Warn)]);
        p.spec.tiers[0].rto = "80s".into();
        assert!(check(&p).is_empty(), "parallel branch d does not add up");
        // A measured slower throughput wins over the assumption.
        let (s, r) = world();
        let m = Measurements {
            restore_bytes_per_second: Some(10_000_000),
            ..Measurements::default()
        };
        assert_eq!(check_plan(&p, &s, &r, &m)[0].severity, Severity::Deny);
    }

    #[test]
    fn drc_in_bekasi_and_repository_abroad() {
        let p = good_plan();
        let sites = vec![
            fixtures::primary_site(),
            fixtures::drc_site("Kota Bekasi", fixtures::BEKASI),
        ];
        let mut abroad = fixtures::drc_site("Singapore", fixtures::BANDUNG);
        abroad.metadata.name = Some("sg".into());
        abroad.spec.country = "SG".into();
        let mut sites2 = sites.clone();
        sites2.push(abroad);
        let repos = vec![
            fixtures::backup_repository("disdukcapil", "drc-bandung"),
            fixtures::backup_repository("disdukcapil", "sg"),
            fixtures::backup_repository("disdukcapil", "nowhere"),
        ];
        let f = check_plan(&p, &sites2, &repos, &Measurements::default());
        let r: Vec<_> = f.iter().map(|x| x.rule.as_str()).collect();
        assert_eq!(r, vec!["DR-FAR", "DR-FAR", "DR-NKRI", "DATA-DC"], "{f:#?}");
        assert!(f[0].path.starts_with("Site/drc-bandung "));
    }

    #[test]
    fn bucket_members_need_both_sites_s3_in_indonesia_and_their_own_keys() {
        use pusdata_crds::v1alpha1::{BucketMirror, SecretRef};
        let mut p = good_plan();
        p.spec.tiers[0].members[0].buckets = vec!["arsip".into()];
        let (mut s, r) = world();
        let run =
            |p: &DisasterRecoveryPlan, s: &[Site]| check_plan(p, s, &r, &Measurements::default());
        // No bucketMirror: the buckets would never be mirrored; no S3 endpoint at either site.
        let f = run(&p, &s);
        assert_eq!(
            rules(&f),
            vec![
                ("DR-PLAN", Severity::Deny),
                ("DATA-DC", Severity::Deny),
                ("DATA-DC", Severity::Deny)
            ],
            "{f:#?}"
        );
        assert_eq!(f[0].path, "spec.tiers[0].members[0].bucketMirror");
        assert_eq!(f[1].path, "Site/dc-bekasi spec.endpoints.s3");
        assert_eq!(f[2].path, "Site/drc-bandung spec.endpoints.s3");
        // Registered endpoints and keys in the member's namespace: clean.
        s[0].spec.endpoints.s3 = Some("https://s3.bekasikota.go.id".into());
        s[1].spec.endpoints.s3 = Some("https://s3.drc.bekasikota.go.id".into());
        p.spec.tiers[0].members[0].bucket_mirror = Some(BucketMirror {
            primary_credentials: SecretRef {
                name: "s3-primary".into(),
                namespace: Some("disdukcapil".into()),
            },
            delete_after: "24h".into(),
            ..BucketMirror::default()
        });
        assert!(run(&p, &s).is_empty(), "{:#?}", run(&p, &s));
        // Another agency's keys; a primary abroad.
        p.spec.tiers[0].members[0]
            .bucket_mirror
            .as_mut()
            .unwrap()
            .drc_credentials = Some(SecretRef {
            name: "s3".into(),
            namespace: Some("dinkes".into()),
        });
        s[0].spec.country = "SG".into();
        let f = run(&p, &s);
        assert_eq!(
            rules(&f),
            vec![("SEC-CIA", Severity::Deny), ("DR-NKRI", Severity::Deny)],
            "{f:#?}"
        );
        assert_eq!(
            f[0].path,
            "spec.tiers[0].members[0].bucketMirror.drcCredentials.namespace"
        );
        assert!(f[1].path.starts_with("Site/dc-bekasi "));
        // Without buckets none of this applies.
        p.spec.tiers[0].members[0].buckets.clear();
        assert!(run(&p, &s).is_empty());
    }

    #[test]
    fn runbook_sanity() {
        let mut p = good_plan();
        p.spec.runbook[0].owner_role = "nobody".into();
        p.spec.runbook.push(RunbookStep {
            id: "declare".into(),
            title: pusdata_crds::v1alpha1::LocalizedText::both("Declare", "Nyatakan"),
            kind: StepKind::Manual,
            owner_role: "head".into(),
            ..RunbookStep::default()
        });
        let f = check(&p);
        let paths: Vec<&str> = f.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.runbook[0].ownerRole",
                "spec.runbook[0].ownerRole",
                "spec.runbook[1].id"
            ],
            "{f:#?}"
        );
        assert!(
            f[1].message
                .en
                .contains("spec.roles maps to no Kubernetes group")
        );
        assert!(
            f[1].message
                .id
                .contains("tidak dipetakan ke grup Kubernetes")
        );
        assert!(f[1].hint.en.contains("{name: nobody, groups: [...]}"));
        p.spec.runbook[0].stage = StepStage::After;
        assert!(
            check(&p)
                .iter()
                .any(|x| x.message.en.contains("no Approval step"))
        );
        p.spec.runbook.clear();
        assert_eq!(check(&p).len(), 1);
    }

    #[test]
    fn every_signed_off_step_needs_its_role_mapped_to_groups() {
        let mut p = good_plan();
        let step = |id: &str, role: &str, kind| RunbookStep {
            id: id.into(),
            title: pusdata_crds::v1alpha1::LocalizedText::both(id, id),
            kind,
            owner_role: role.into(),
            ..RunbookStep::default()
        };
        p.spec.contacts.push(Contact {
            role: "ops".into(),
            name: "Operator".into(),
            email: None,
            details_secret: None,
        });
        p.spec.runbook.extend([
            // Automated steps have an owner but no sign-off: no mapping needed.
            step("auto", "ops", StepKind::Automated),
            step("manual", "ops", StepKind::Manual),
        ]);
        // (roles) → ownerRole paths reported
        let cases: Vec<(Vec<RunbookRole>, Vec<&str>)> = vec![
            (
                vec![],
                vec!["spec.runbook[0].ownerRole", "spec.runbook[2].ownerRole"],
            ),
            (
                vec![RunbookRole {
                    name: "head".into(),
                    groups: vec!["g".into()],
                }],
                vec!["spec.runbook[2].ownerRole"],
            ),
            (
                vec![
                    RunbookRole {
                        name: "head".into(),
                        groups: vec!["g".into()],
                    },
                    // No group at all maps to nobody.
                    RunbookRole {
                        name: "ops".into(),
                        groups: vec![],
                    },
                ],
                vec!["spec.runbook[2].ownerRole"],
            ),
            (
                vec![
                    RunbookRole {
                        name: "head".into(),
                        groups: vec!["g".into()],
                    },
                    RunbookRole {
                        name: "ops".into(),
                        groups: vec!["h".into()],
                    },
                ],
                vec![],
            ),
        ];
        for (roles, want) in cases {
            p.spec.roles = roles.clone();
            let f = check(&p);
            let got: Vec<&str> = f.iter().map(|x| x.path.as_str()).collect();
            assert_eq!(got, want, "{roles:?}: {f:#?}");
            assert!(
                f.iter()
                    .all(|x| x.rule == "DR-PLAN" && x.severity == Severity::Deny)
            );
        }
    }

    #[test]
    fn missing_repository_and_unknown_throughput() {
        let mut p = good_plan();
        p.spec.assumed_restore_bytes_per_second = None;
        let (s, _) = world();
        let f = check_plan(&p, &s, &[], &Measurements::default());
        assert_eq!(
            rules(&f),
            vec![("DR-PLAN", Severity::Warn), ("APP-BACKUP", Severity::Deny)]
        );
    }

    #[test]
    fn the_reference_plan_passes_and_drills_in_dependency_order() {
        let mut objects = Vec::new();
        for text in [
            include_str!("../../../../dr-plans/bekasi.yaml"),
            include_str!("../../../../dr-plans/repositories.yaml"),
        ] {
            for doc in pusdata_crds::yaml_documents(text).unwrap() {
                objects.push(pusdata_crds::Object::from_value(doc).unwrap());
            }
        }
        let (mut sites, mut repos, mut plans) = (vec![], vec![], vec![]);
        for o in objects {
            match o {
                pusdata_crds::Object::Site(s) => sites.push(s),
                pusdata_crds::Object::BackupRepository(r) => repos.push(r),
                pusdata_crds::Object::DisasterRecoveryPlan(p) => plans.push(p),
                _ => {}
            }
        }
        let plan = &plans[0];
        let f = check_plan(plan, &sites, &repos, &Measurements::default());
        assert!(f.is_empty(), "{f:#?}");
        let mut spec = fixtures::drill().spec;
        spec.kind = FailoverType::Failover;
        let steps = super::super::steps(plan, &spec).unwrap();
        let ids: Vec<_> = steps.steps.iter().map(|s| s.id.as_str()).collect();
        let pos = |id: &str| ids.iter().position(|x| *x == id).unwrap();
        assert!(pos("declare-disaster") < pos("fence"));
        assert!(pos("verify/siak-db") < pos("restore/siak-app"));
        assert!(pos("switch-traffic") < pos("incident-report"));
    }

    /// A text in one language reaches `plan check` (the warning itself is
    /// `languages::tests`).
    #[test]
    fn plan_check_warns_on_a_text_in_one_language() {
        let mut p = good_plan();
        p.spec.runbook[0].title = "Declare the disaster".into();
        let all = check_plan(&p, &[], &[], &Default::default());
        assert!(
            all.iter().any(|x| x.path == "spec.runbook[0].title"
                && x.rule == "DR-PLAN"
                && x.severity == Severity::Warn),
            "{all:?}"
        );
    }

    #[test]
    fn a_drill_tolerance_that_is_no_duration_is_refused() {
        let mut p = good_plan();
        p.spec.drills = vec![pusdata_crds::v1alpha1::DrillSchedule {
            name: "quarterly".into(),
            schedule: "0 1 15 1,4,7,10 *".into(),
            tolerance: Some("2 weeks".into()),
            ..Default::default()
        }];
        let all = check_plan(&p, &[], &[], &Default::default());
        let f = all
            .iter()
            .find(|x| x.path == "spec.drills[0].tolerance")
            .unwrap_or_else(|| panic!("{all:?}"));
        assert_eq!((f.rule.as_str(), f.severity), ("DR-PLAN", Severity::Deny));
        assert!(f.message.id.contains("quarterly"), "{:?}", f.message);
        p.spec.drills[0].tolerance = Some("72h".into());
        let all = check_plan(&p, &[], &[], &Default::default());
        assert!(
            !all.iter().any(|x| x.path.ends_with(".tolerance")),
            "{all:?}"
        );
    }
}

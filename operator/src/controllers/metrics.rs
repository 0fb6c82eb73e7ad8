//! The operator's metrics registry. Each controller registers its own families here (in
//! `Metrics::new`), so that one `/metrics` endpoint serves them all.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

type FloatGauge = Gauge<f64, AtomicU64>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TierLabels {
    plan: String,
    tier: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabels {
    plan: String,
    tier: String,
    phase: String,
}

/// The backup and RPO families (`pusdata_backup_*`, `pusdata_rpo_*`).
#[derive(Debug)]
struct BackupMetrics {
    runs: Family<PhaseLabels, Counter>,
    restore_tests: Family<PhaseLabels, Counter>,
    skipped: Family<TierLabels, Counter>,
    bytes_read: Family<TierLabels, Counter>,
    bytes_added: Family<TierLabels, Counter>,
    dedup_ratio: Family<TierLabels, FloatGauge>,
    duration: Family<TierLabels, Histogram>,
    last_success: Family<TierLabels, FloatGauge>,
    last_verified: Family<TierLabels, FloatGauge>,
    rpo_ratio: Family<TierLabels, FloatGauge>,
    rpo_verified_ratio: Family<TierLabels, FloatGauge>,
    rpo_target: Family<TierLabels, FloatGauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BucketLabels {
    plan: String,
    tier: String,
    member: String,
    bucket: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BucketPhaseLabels {
    plan: String,
    tier: String,
    member: String,
    bucket: String,
    phase: String,
}

/// The bucket mirror families (`pusdata_mirror_*`).
#[derive(Debug, Default)]
struct MirrorMetrics {
    runs: Family<BucketPhaseLabels, Counter>,
    objects_copied: Family<BucketLabels, Counter>,
    bytes_copied: Family<BucketLabels, Counter>,
    objects_deleted: Family<BucketLabels, Counter>,
    last_success: Family<BucketLabels, FloatGauge>,
}

/// One bucket of a plan (metric labels).
#[derive(Clone, Copy, Debug)]
pub struct BucketRef<'a> {
    /// Plan name.
    pub plan: &'a str,
    /// Tier name.
    pub tier: &'a str,
    /// Plan member.
    pub member: &'a str,
    /// Bucket (primary name).
    pub bucket: &'a str,
}

impl BucketRef<'_> {
    fn labels(&self) -> BucketLabels {
        BucketLabels {
            plan: self.plan.into(),
            tier: self.tier.into(),
            member: self.member.into(),
            bucket: self.bucket.into(),
        }
    }
}

/// Freshness of one tier, as the schedule controller computed it.
#[derive(Clone, Debug, PartialEq)]
pub struct TierFigures<'a> {
    /// Plan name.
    pub plan: &'a str,
    /// Tier name.
    pub tier: &'a str,
    /// Unix seconds of the oldest last successful backup among members.
    pub last_success: Option<f64>,
    /// Unix seconds of the oldest last verified backup among members.
    pub last_verified: Option<f64>,
    /// Achieved ÷ target RPO; `None` (exported as +Inf) when a member was never backed up.
    pub ratio: Option<f64>,
    /// The same from verified backups.
    pub verified_ratio: Option<f64>,
    /// Target RPO in seconds.
    pub target_seconds: f64,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReconcileLabels {
    controller: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    controller: &'static str,
    category: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FindingLabels {
    rule: String,
    severity: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RetentionLabels {
    plan: String,
    tier: String,
    repository: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RetentionRunLabels {
    plan: String,
    tier: String,
    repository: String,
    result: String,
}

/// The retention families (`pusdata_retention_*`).
#[derive(Debug, Default)]
struct RetentionMetrics {
    runs: Family<RetentionRunLabels, Counter>,
    forgotten: Family<RetentionLabels, Counter>,
    last_success: Family<RetentionLabels, FloatGauge>,
    waits: Family<RetentionLabels, Counter>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RepositoryLabels {
    repository: String,
    agency: String,
    site: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    plan: String,
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FailoverTierLabels {
    plan: String,
    kind: &'static str,
    tier: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RackLabels {
    site: String,
    rack: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FeedLabels {
    site: String,
    rack: String,
    feed: &'static str,
}

/// The placement capacity families (`pusdata_rack_*`, `pusdata_feed_*`).
#[derive(Debug, Default)]
struct CapacityMetrics {
    free_units: Family<RackLabels, Gauge>,
    feed_headroom: Family<FeedLabels, Gauge>,
    cooling_headroom: Family<RackLabels, Gauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RestoreLabels {
    phase: String,
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SiteLabels {
    site: String,
}

/// The peer families (`pusdata_peer_*`), written by the Site controller.
#[derive(Debug, Default)]
struct PeerMetrics {
    ready: Family<SiteLabels, Gauge>,
    heartbeat_age: Family<SiteLabels, FloatGauge>,
}

/// The restore families (`pusdata_restore_*`).
#[derive(Debug)]
struct RestoreMetrics {
    runs: Family<RestoreLabels, Counter>,
    duration: Histogram,
    bytes: Counter,
}

/// Metrics of all controllers.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    duration: Family<ReconcileLabels, Histogram>,
    malformed: Family<KindLabels, Counter>,
    /// The version of each malformed object last counted (`kind/namespace/name` → its
    /// resourceVersion): each bad version counts once, however often a relist or a second
    /// watch of the kind sees it. Holds only objects that are malformed now.
    malformed_seen: std::sync::Mutex<std::collections::HashMap<String, String>>,
    backup: BackupMetrics,
    findings: Family<FindingLabels, Gauge>,
    leading: Gauge,
    repository_available: Family<RepositoryLabels, Gauge>,
    repository_snapshots: Family<RepositoryLabels, Gauge>,
    repository_stored_bytes: Family<RepositoryLabels, Gauge>,
    failovers: Family<OutcomeLabels, Counter>,
    rto: Family<FailoverTierLabels, FloatGauge>,
    rto_target: Family<FailoverTierLabels, FloatGauge>,
    mirror: MirrorMetrics,
    capacity: CapacityMetrics,
    restore: RestoreMetrics,
    retention: RetentionMetrics,
    peer: PeerMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with the reconcile families (`pusdata_reconcile_*`).
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("pusdata");
        let reconciles = Family::<ReconcileLabels, Counter>::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        let duration = Family::<ReconcileLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0])
        });
        registry.register(
            "reconcile_runs",
            "Reconcile runs by controller",
            reconciles.clone(),
        );
        registry.register(
            "reconcile_errors",
            "Reconcile errors by controller and category (kube, invalid-spec, internal)",
            errors.clone(),
        );
        registry.register(
            "reconcile_duration_seconds",
            "Duration of one reconcile run by controller",
            duration.clone(),
        );
        let malformed = Family::<KindLabels, Counter>::default();
        registry.register(
            "malformed_objects",
            "Objects seen that do not decode as their kind, skipped (by kind)",
            malformed.clone(),
        );
        let backup = BackupMetrics {
            runs: Family::default(),
            restore_tests: Family::default(),
            skipped: Family::default(),
            bytes_read: Family::default(),
            bytes_added: Family::default(),
            dedup_ratio: Family::default(),
            duration: Family::new_with_constructor(|| {
                Histogram::new([5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0])
            }),
            last_success: Family::default(),
            last_verified: Family::default(),
            rpo_ratio: Family::default(),
            rpo_verified_ratio: Family::default(),
            rpo_target: Family::default(),
        };
        let b = &backup;
        registry.register(
            "backup_runs",
            "Finished backup runs by plan, tier and phase",
            b.runs.clone(),
        );
        registry.register(
            "backup_restore_tests",
            "Finished restore tests by plan, tier and result (Verified, VerificationFailed)",
            b.restore_tests.clone(),
        );
        registry.register(
            "backup_skipped",
            "Backup runs skipped because the previous run of the same source was still going",
            b.skipped.clone(),
        );
        registry.register(
            "backup_bytes_read",
            "Bytes read from sources by completed backups",
            b.bytes_read.clone(),
        );
        registry.register(
            "backup_bytes_added",
            "Bytes added to repositories by completed backups (after deduplication and compression)",
            b.bytes_added.clone(),
        );
        registry.register(
            "backup_dedup_ratio",
            "Bytes read ÷ bytes added over the completed backups of a tier",
            b.dedup_ratio.clone(),
        );
        registry.register(
            "backup_duration_seconds",
            "Duration of completed backups",
            b.duration.clone(),
        );
        registry.register(
            "backup_last_success_timestamp_seconds",
            "Oldest last successful backup among the tier's members (Unix seconds)",
            b.last_success.clone(),
        );
        registry.register(
            "backup_last_verified_timestamp_seconds",
            "Oldest last verified backup among the tier's members (Unix seconds)",
            b.last_verified.clone(),
        );
        registry.register(
            "rpo_ratio",
            "Achieved RPO ÷ target RPO per tier (+Inf when a member was never backed up); alerts at 2 and 3",
            b.rpo_ratio.clone(),
        );
        registry.register(
            "rpo_verified_ratio",
            "Age of the last verified backup ÷ target RPO per tier",
            b.rpo_verified_ratio.clone(),
        );
        registry.register(
            "rpo_target_seconds",
            "Target RPO per tier, from the DisasterRecoveryPlan",
            b.rpo_target.clone(),
        );
        let findings = Family::<FindingLabels, Gauge>::default();
        registry.register(
            "policy_findings",
            "Standing findings of the background audit (fail and warn results) by rule and report severity",
            findings.clone(),
);
        let leading = Gauge::default();
        registry.register(
            "leader",
            "1 while this replica holds the operator's Lease and runs the controllers",
            leading.clone(),
        );
        let repository_available = Family::<RepositoryLabels, Gauge>::default();
        let repository_snapshots = Family::<RepositoryLabels, Gauge>::default();
        let repository_stored_bytes = Family::<RepositoryLabels, Gauge>::default();
        registry.register(
            "repository_available",
            "1 when the BackupRepository opened with its key on the last validation, else 0",
            repository_available.clone(),
        );
        registry.register(
            "repository_snapshots",
            "Snapshots in the BackupRepository at the last validation",
            repository_snapshots.clone(),
        );
        registry.register(
            "repository_stored_bytes",
            "Bytes stored by the BackupRepository at the last validation",
            repository_stored_bytes.clone(),
        );
        let failovers = Family::<OutcomeLabels, Counter>::default();
        let rto = Family::<FailoverTierLabels, FloatGauge>::default();
        let rto_target = Family::<FailoverTierLabels, FloatGauge>::default();
        registry.register(
            "failover_executions",
            "Finished drills, failovers and failbacks by plan, type and outcome",
            failovers.clone(),
        );
        registry.register(
            "failover_rto_achieved_seconds",
            "RTO achieved per tier by the last finished execution of the type",
            rto.clone(),
        );
        registry.register(
            "failover_rto_target_seconds",
            "RTO target per tier from the plan, beside the achieved one",
            rto_target.clone(),
        );
        let mirror = MirrorMetrics::default();
        registry.register(
            "mirror_runs",
            "Finished bucket mirror passes by plan, tier, member, bucket and phase",
            mirror.runs.clone(),
        );
        registry.register(
            "mirror_objects_copied",
            "Objects copied (new or changed) and verified by bucket mirror passes",
            mirror.objects_copied.clone(),
        );
        registry.register(
            "mirror_bytes_copied",
            "Bytes copied and verified by bucket mirror passes",
            mirror.bytes_copied.clone(),
        );
        registry.register(
            "mirror_objects_deleted",
            "Objects deleted at the destination after their deletion delay",
            mirror.objects_deleted.clone(),
        );
        registry.register(
            "mirror_last_success_timestamp_seconds",
            "Last successful mirror pass of the bucket (Unix seconds)",
            mirror.last_success.clone(),
        );
        let capacity = CapacityMetrics::default();
        registry.register(
            "rack_free_units",
            "Units neither used nor reserved per rack (0 when cordoned), from the placement inventory",
            capacity.free_units.clone(),
        );
        registry.register(
            "feed_headroom_watts",
            "Power feed budget (rating x max utilisation) minus the whole rack load, per feed (N+N: either feed carries it all); negative when over",
            capacity.feed_headroom.clone(),
        );
        registry.register(
            "rack_cooling_headroom_watts",
            "Cooling budget minus the heat of every device per rack; negative when over",
            capacity.cooling_headroom.clone(),
        );
        let restore = RestoreMetrics {
            runs: Family::default(),
            duration: Histogram::new([5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0]),
            bytes: Counter::default(),
        };
        registry.register(
            "restore_runs",
            "Finished or refused Restore runs by phase (Completed, Failed) and Ready reason",
            restore.runs.clone(),
        );
        registry.register(
            "restore_duration_seconds",
            "Restore and verification time of finished Restore runs, as the mover measured it",
            restore.duration.clone(),
        );
        registry.register(
            "restore_bytes",
            "Bytes of file contents written by finished Restore runs",
            restore.bytes.clone(),
        );
        let retention = RetentionMetrics::default();
        registry.register(
            "retention_runs",
            "Finished retention runs (forget + prune) by plan, tier, repository and result (RetentionSucceeded, RetentionFailed, RepositoryLocked)",
            retention.runs.clone(),
        );
        registry.register(
            "retention_snapshots_forgotten",
            "Snapshots forgotten by retention runs",
            retention.forgotten.clone(),
        );
        registry.register(
            "retention_last_success_timestamp_seconds",
            "When a retention run of the tier in the repository last succeeded",
            retention.last_success.clone(),
        );
        registry.register(
            "retention_waits",
            "Due retention runs postponed because a backup or another maintenance Job of the repository was running",
            retention.waits.clone(),
        );
        let peer = PeerMetrics::default();
        registry.register(
            "peer_ready",
            "1 while the peer site answers heartbeats (its Site's PeerReady condition), 0 when lost; alert PusdataPeerLost",
            peer.ready.clone(),
        );
        registry.register(
            "peer_heartbeat_age_seconds",
            "Age of the peer site's last answered heartbeat (+Inf when it never answered)",
            peer.heartbeat_age.clone(),
        );
        Metrics {
            registry,
            reconciles,
            errors,
            duration,
            malformed,
            malformed_seen: Default::default(),
            backup,
            findings,
            leading,
            repository_available,
            repository_snapshots,
            repository_stored_bytes,
            failovers,
            rto,
            rto_target,
            mirror,
            capacity,
            restore,
            retention,
            peer,
        }
    }

    /// The view of the peer `site`: `ready` (`None` when it cannot be asked: the series
    /// disappear, so an unknown peer raises no alert) and the age of its last answered
    /// heartbeat in seconds (`None`: never answered, exported as +Inf).
    pub fn peer(&self, site: &str, ready: Option<bool>, age_seconds: Option<f64>) {
        let l = SiteLabels { site: site.into() };
        match ready {
            Some(ok) => {
                self.peer.ready.get_or_create(&l).set(i64::from(ok));
                self.peer
                    .heartbeat_age
                    .get_or_create(&l)
                    .set(age_seconds.unwrap_or(f64::INFINITY));
            }
            None => {
                self.peer.ready.remove(&l);
                self.peer.heartbeat_age.remove(&l);
            }
        }
    }

    /// Records a finished (or refused) Restore: its phase and reason, and the mover's
    /// figures (seconds, bytes) when it ran.
    pub fn restore_finished(&self, phase: &str, reason: &str, figures: Option<(f64, u64)>) {
        self.restore
            .runs
            .get_or_create(&RestoreLabels {
                phase: phase.into(),
                reason: reason.into(),
            })
            .inc();
        if let Some((secs, bytes)) = figures {
            self.restore.duration.observe(secs);
            self.restore.bytes.inc_by(bytes);
        }
    }

    /// Records a finished retention run; `at` is when it finished, for a success.
    pub fn retention_finished(
        &self,
        plan: &str,
        tier: &str,
        repository: &str,
        result: &str,
        forgotten: Option<u32>,
        success_at: Option<f64>,
    ) {
        let r = &self.retention;
        r.runs
            .get_or_create(&RetentionRunLabels {
                plan: plan.into(),
                tier: tier.into(),
                repository: repository.into(),
                result: result.into(),
            })
            .inc();
        let l = RetentionLabels {
            plan: plan.into(),
            tier: tier.into(),
            repository: repository.into(),
        };
        if let Some(n) = forgotten {
            r.forgotten.get_or_create(&l).inc_by(u64::from(n));
        }
        if let Some(t) = success_at {
            r.last_success.get_or_create(&l).set(t);
        }
    }

    /// Counts a due retention run postponed by a busy repository.
    pub fn retention_waited(&self, plan: &str, tier: &str, repository: &str) {
        self.retention
            .waits
            .get_or_create(&RetentionLabels {
                plan: plan.into(),
                tier: tier.into(),
                repository: repository.into(),
            })
            .inc();
    }

    /// Replaces the placement capacity figures: racks no longer in the inventory disappear.
    pub fn capacity(&self, racks: &[pusdata_core::placement::RackCapacity]) {
        let c = &self.capacity;
        c.free_units.clear();
        c.feed_headroom.clear();
        c.cooling_headroom.clear();
        for r in racks {
            let l = RackLabels {
                site: r.site.clone(),
                rack: r.rack.clone(),
            };
            c.free_units.get_or_create(&l).set(i64::from(r.free_units));
            c.cooling_headroom
                .get_or_create(&l)
                .set(r.cooling_headroom_watts);
            for (side, watts) in &r.feed_headroom_watts {
                c.feed_headroom
                    .get_or_create(&FeedLabels {
                        site: r.site.clone(),
                        rack: r.rack.clone(),
                        feed: side.as_str(),
                    })
                    .set(*watts);
            }
        }
    }

    /// Records a finished backup run; figures only for a written snapshot.
    pub fn backup_finished(
        &self,
        plan: &str,
        tier: &str,
        phase: &str,
        figures: Option<(u64, u64, f64)>,
    ) {
        let b = &self.backup;
        b.runs
            .get_or_create(&PhaseLabels {
                plan: plan.into(),
                tier: tier.into(),
                phase: phase.into(),
            })
            .inc();
        if let Some((read, added, secs)) = figures {
            let l = TierLabels {
                plan: plan.into(),
                tier: tier.into(),
            };
            let read_total = b.bytes_read.get_or_create(&l).inc_by(read) + read;
            let added_total = b.bytes_added.get_or_create(&l).inc_by(added) + added;
            if added_total > 0 {
                b.dedup_ratio
                    .get_or_create(&l)
                    .set(read_total as f64 / added_total as f64);
            }
            b.duration.get_or_create(&l).observe(secs);
        }
    }

    /// A bucket mirror pass finished with `phase`; its figures when it left a summary.
    pub fn mirror_finished(
        &self,
        at: BucketRef<'_>,
        phase: &str,
        figures: Option<(u64, u64, u64)>,
    ) {
        let m = &self.mirror;
        let l = at.labels();
        m.runs
            .get_or_create(&BucketPhaseLabels {
                plan: l.plan.clone(),
                tier: l.tier.clone(),
                member: l.member.clone(),
                bucket: l.bucket.clone(),
                phase: phase.into(),
            })
            .inc();
        if let Some((copied, bytes, deleted)) = figures {
            m.objects_copied.get_or_create(&l).inc_by(copied);
            m.bytes_copied.get_or_create(&l).inc_by(bytes);
            m.objects_deleted.get_or_create(&l).inc_by(deleted);
        }
    }

    /// The last successful pass of a bucket (Unix seconds), from the plan's status.
    pub fn mirror_last_success(&self, at: BucketRef<'_>, unix_seconds: f64) {
        self.mirror
            .last_success
            .get_or_create(&at.labels())
            .set(unix_seconds);
    }

    /// Records a finished restore test (`phase` is its verification status).
    pub fn restore_test_finished(&self, plan: &str, tier: &str, phase: &str) {
        self.backup
            .restore_tests
            .get_or_create(&PhaseLabels {
                plan: plan.into(),
                tier: tier.into(),
                phase: phase.into(),
            })
            .inc();
    }

    /// Counts skipped runs of a tier.
    pub fn backup_skipped(&self, plan: &str, tier: &str, n: u64) {
        self.backup
            .skipped
            .get_or_create(&TierLabels {
                plan: plan.into(),
                tier: tier.into(),
            })
            .inc_by(n);
    }

    /// Sets the freshness gauges of a tier.
    pub fn tier_freshness(&self, f: &TierFigures<'_>) {
        let b = &self.backup;
        let l = TierLabels {
            plan: f.plan.into(),
            tier: f.tier.into(),
        };
        let set = |fam: &Family<TierLabels, FloatGauge>, v: Option<f64>| match v {
            Some(v) => {
                fam.get_or_create(&l).set(v);
            }
            None => {
                fam.remove(&l);
            }
        };
        set(&b.last_success, f.last_success);
        set(&b.last_verified, f.last_verified);
        b.rpo_ratio
            .get_or_create(&l)
            .set(f.ratio.unwrap_or(f64::INFINITY));
        b.rpo_verified_ratio
            .get_or_create(&l)
            .set(f.verified_ratio.unwrap_or(f64::INFINITY));
        b.rpo_target.get_or_create(&l).set(f.target_seconds);
    }

    /// Records one reconcile run.
    pub fn reconciled(
        &self,
        controller: &'static str,
        took: Duration,
        error: Option<&'static str>,
    ) {
        let l = ReconcileLabels { controller };
        self.reconciles.get_or_create(&l).inc();
        self.duration.get_or_create(&l).observe(took.as_secs_f64());
        if let Some(category) = error {
            self.errors
                .get_or_create(&ErrorLabels {
                    controller,
                    category,
                })
                .inc();
        }
    }

    /// Version `version` of object `object` (`namespace/name`) of `kind` did not decode and
    /// was skipped. Counted once per version; true when this version is new (the caller then
    /// reports it with an Event).
    pub fn malformed_object(&self, kind: &str, object: &str, version: &str) -> bool {
        let key = format!("{kind}/{object}");
        let mut seen = self
            .malformed_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.get(&key).is_some_and(|v| v == version) {
            return false;
        }
        seen.insert(key, version.to_string());
        self.malformed
            .get_or_create(&KindLabels {
                kind: kind.to_string(),
            })
            .inc();
        true
    }

    /// Object `object` of `kind` decoded again or is gone: a later bad version counts anew.
    pub fn malformed_gone(&self, kind: &str, object: &str) {
        let mut seen = self
            .malformed_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !seen.is_empty() {
            seen.remove(&format!("{kind}/{object}"));
        }
    }

    /// Replaces the audit's finding counts: rules with no standing finding disappear.
    pub fn policy_findings(&self, counts: &std::collections::BTreeMap<(String, String), u64>) {
        self.findings.clear();
        for ((rule, severity), n) in counts {
            self.findings
                .get_or_create(&FindingLabels {
                    rule: rule.clone(),
                    severity: severity.clone(),
                })
                .set(i64::try_from(*n).unwrap_or(i64::MAX));
        }
    }

    /// Records whether this replica leads (`pusdata_leader`).
    pub fn set_leading(&self, leading: bool) {
        self.leading.set(i64::from(leading));
    }

    /// Records one repository validation; counts only when the repository was opened.
    pub fn repository(
        &self,
        repository: &str,
        agency: &str,
        site: &str,
        available: bool,
        counts: Option<(u64, u64)>,
    ) {
        let l = RepositoryLabels {
            repository: repository.to_string(),
            agency: agency.to_string(),
            site: site.to_string(),
        };
        self.repository_available
            .get_or_create(&l)
            .set(i64::from(available));
        if let Some((snapshots, bytes)) = counts {
            let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            self.repository_snapshots
                .get_or_create(&l)
                .set(clamp(snapshots));
            self.repository_stored_bytes
                .get_or_create(&l)
                .set(clamp(bytes));
        }
    }

    /// Records a finished drill, failover or failback: its outcome, and per tier the RTO
    /// achieved (when measured) and the target.
    pub fn failover_finished(
        &self,
        plan: &str,
        kind: &'static str,
        outcome: &'static str,
        tiers: &[(String, Option<u64>, u64)],
    ) {
        self.failovers
            .get_or_create(&OutcomeLabels {
                plan: plan.to_string(),
                kind,
                outcome,
            })
            .inc();
        for (tier, achieved, target) in tiers {
            let l = FailoverTierLabels {
                plan: plan.to_string(),
                kind,
                tier: tier.clone(),
            };
            self.rto_target.get_or_create(&l).set(*target as f64);
            if let Some(a) = achieved {
                self.rto.get_or_create(&l).set(*a as f64);
            }
        }
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests;

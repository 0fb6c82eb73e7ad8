//! The labels Pusdata puts on the objects it creates, each defined here once: the core builds
//! them and the controllers select by them, so a second definition could drift, and a shared
//! constant must not tie unrelated modules together.

/// The Agency an object belongs to (namespaces, Secrets, mover Jobs, restores).
pub const AGENCY_LABEL: &str = "pusdata.io/agency";
/// The DisasterRecoveryPlan a Backup or Job runs for.
pub const PLAN_LABEL: &str = "pusdata.io/plan";
/// The plan's tier.
pub const TIER_LABEL: &str = "pusdata.io/tier";
/// The plan member (service) a Backup or restore is of.
pub const MEMBER_LABEL: &str = "pusdata.io/member";
/// The Backup a mover Job runs.
pub const BACKUP_LABEL: &str = "pusdata.io/backup";
/// The Failover an object was made for (final-sync Backups, restores, the report).
pub const FAILOVER_LABEL: &str = "pusdata.io/failover";
/// The BackupRepository a maintenance Job works on.
pub const REPOSITORY_LABEL: &str = "pusdata.io/repository";
/// The kind of maintenance a Job does (value: [`MAINTENANCE_RETENTION`]).
pub const MAINTENANCE_LABEL: &str = "pusdata.io/maintenance";
/// [`MAINTENANCE_LABEL`] of a retention (forget and prune) Job.
pub const MAINTENANCE_RETENTION: &str = "retention";

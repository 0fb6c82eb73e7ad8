//! The BackupRepository controller: checks a repository's site with the policy engine
//! (DATA-DC, DR-NKRI), reads its S3 credentials and the agency's repository key (only from
//! the platform namespace or the agency's own namespaces, SEC-CIA), creates the restic
//! repository on first use, validates it every `validationInterval` (open, count snapshots
//! and stored bytes, repository id), runs the tiers' scheduled `check --read-data-subset`,
//! and on deletion keeps the data unless `deletionPolicy: Delete` says otherwise.
//!
//! Pipeline: dereference → decide (pure: `policy::evaluate`, `pusdata_core::repository`) →
//! call the mover (blocking, in `spawn_blocking`) → update status. Secret values live only in
//! the `RepoConfig` handed to the mover; its errors are scrubbed, and neither status nor logs
//! carry them.

use super::permission::Permission;
use super::{Context, Error};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret as KubeSecret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use pusdata::mirror::RateLimit;
use pusdata::mover::{
    self, CheckReport, CheckRequest, MoverError, RepoConfig, RepoLocation, RepoStats, S3Location,
    Secret,
};
use pusdata_core::conditions::{self, Desired};
use pusdata_core::policy;
use pusdata_core::repository::{self as decide, Deletion, Observation, Refusal, SecretUse};
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    Agency, BackupRepository, BackupRepositoryStatus, DisasterRecoveryPlan, RepositoryPhase,
};
use std::sync::Arc;
use std::time::Duration;

/// Finalizer that keeps a BackupRepository until its deletion policy has been applied.
pub const FINALIZER: &str = "pusdata.io/repository-data";

/// Shortest and longest wait between passes.
const REQUEUE_FLOOR: Duration = Duration::from_secs(5);
const REQUEUE_CEILING: Duration = Duration::from_secs(3600);

/// API calls of this controller (see `rbac`). Secrets are read with `get` by name only, and
/// only in the platform namespace or one of the repository's agency's namespaces
/// (`pusdata_core::repository::secret_namespace`); never listed or watched.
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories",
        verbs: &["get", "list", "watch", "patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories/status",
        verbs: &["patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "agencies",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "residencypolicies",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans",
        verbs: &["list"],
    },
];

/// Secrets are read by name only, and never cluster-wide: in the operator's own namespace
/// through its Role, and in each agency's namespaces through the RoleBinding the Agency
/// controller puts there (`tenancy::OPERATOR_SECRETS_BINDING`). Which namespace may hold a
/// repository's Secrets is decided in `pusdata_core::repository::secret_namespace`.
pub const AGENCY_NAMESPACE_PERMISSIONS: &[Permission] = &[Permission {
    group: "",
    resource: "secrets",
    verbs: &["get"],
}];

/// What one pass did, for tests and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was due; nothing was opened.
    Waiting,
    /// The repository was looked at.
    Validated {
        /// The phase written.
        phase: RepositoryPhase,
        /// `Ready` reason.
        reason: &'static str,
        /// Whether a scheduled check ran, and whether it passed.
        checked: Option<bool>,
    },
    /// Deleted: the finalizer was removed; `objects` were deleted from S3 (0 with Retain).
    Released {
        /// Objects removed.
        objects: u64,
    },
    /// Deleted, but the data could not be deleted as asked; the finalizer stays.
    DeletionBlocked {
        /// Why.
        reason: &'static str,
    },
}

/// Reconciles one BackupRepository.
pub async fn reconcile(repo: Arc<BackupRepository>, ctx: Arc<Context>) -> Result<Action, Error> {
    let (outcome, wait) = reconcile_once(&repo, &ctx).await?;
    // A repository that stays unavailable (no agency, no Secret, S3 down) is looked at after
    // one minute, then two, four, … at most an hour; its status is not rewritten meanwhile.
    let key = format!("unavailable/{}", super::backoff::key_of(repo.as_ref()));
    let wait = match outcome {
        Outcome::Validated { phase, .. } if phase != RepositoryPhase::Available => ctx
            .backoff
            .failed(&key, decide::UNAVAILABLE_RETRY, REQUEUE_CEILING),
        Outcome::Validated { .. } => {
            ctx.backoff.succeeded(&key);
            wait
        }
        _ => wait,
    };
    Ok(Action::requeue(wait))
}

/// Everything read from the cluster for one decision.
struct World {
    agency: Option<Agency>,
    findings: Vec<pusdata_core::finding::Finding>,
    plans: Vec<DisasterRecoveryPlan>,
}

/// One pass of the pipeline: what happened and when to look again.
pub async fn reconcile_once(
    repo: &BackupRepository,
    ctx: &Context,
) -> Result<(Outcome, Duration), Error> {
    let now = (ctx.clock)();
    let world = dereference(repo, ctx, now).await?;

    if repo.meta().deletion_timestamp.is_some() {
        return finalize(repo, ctx, &world).await;
    }
    if !repo.finalizers().iter().any(|f| f == FINALIZER) {
        let api: Api<BackupRepository> = Api::all(ctx.client.clone());
        super::finalizer::add(&api, repo, FINALIZER).await?;
    }

    let old = repo.status.clone().unwrap_or_default();
    let interval = match pusdata_core::duration::parse(&repo.spec.validation_interval) {
        Ok(d) => d,
        Err(e) => {
            let refusal = Refusal {
                reason: decide::reason::INVALID_SPEC,
                message: pusdata_core::t!(
                    "shell-repository-invalid-interval",
                    error = e.to_string()
                ),
            };
            let obs = Observation::Refused(refusal);
            write_status(repo, ctx, &old, &obs, None, None, now).await?;
            return Err(Error::InvalidSpec(format!("spec.validationInterval: {e}")));
        }
    };
    let verification = decide::verification_plan(&world.plans, &repo.spec.agency, &repo.spec.site);
    let last_check = old.last_check.as_ref().map(|t| t.0);
    let check_due = decide::run_due(last_check, &verification.checks, now);
    let validation = decide::validation_due(
        old.last_validated.as_ref().map(|t| t.0),
        old.observed_generation,
        repo.meta().generation,
        old.phase,
        interval,
        now,
    );
    if !validation.now() && !check_due.now() {
        let wait = decide::requeue_after(
            &[validation, check_due],
            now,
            REQUEUE_FLOOR,
            REQUEUE_CEILING,
        );
        return Ok((Outcome::Waiting, wait));
    }

    let (obs, stats, check) = match repo_config(repo, ctx, &world).await? {
        Err(obs) => (obs, None, None),
        Ok(cfg) => {
            let create = decide::may_create(&repo.spec);
            let cfg2 = cfg.clone();
            let opened = blocking(move || mover::inspect(&cfg2, create)).await;
            match opened {
                Ok(stats) => {
                    let check = if check_due.now() {
                        let req = CheckRequest {
                            read_data_subset: verification.read_data_subset.clone(),
                        };
                        Some(blocking(move || mover::check(&cfg, &req)).await)
                    } else {
                        None
                    };
                    let obs = Observation::Opened {
                        created: stats.created,
                    };
                    (obs, Some(stats), check)
                }
                Err(e) => (observe(&e), None, None),
            }
        }
    };
    let verdict = decide::verdict(&obs);
    tracing::info!(
        repository = %repo.name_any(),
        phase = ?verdict.phase,
        reason = verdict.reason,
        "repository validated"
    );
    write_status(repo, ctx, &old, &obs, stats.as_ref(), check.as_ref(), now).await?;
    ctx.metrics.repository(
        &repo.name_any(),
        &repo.spec.agency,
        &repo.spec.site,
        verdict.phase == RepositoryPhase::Available,
        stats.as_ref().map(|s| (s.snapshots, s.stored_bytes)),
    );

    let checked = check.as_ref().map(|c| c.as_ref().is_ok_and(|r| r.ok));
    let next_validation = decide::validation_due(
        Some(now),
        repo.meta().generation,
        repo.meta().generation,
        Some(verdict.phase),
        interval,
        now,
    );
    let next_check = decide::run_due(
        if check.is_some() {
            Some(now)
        } else {
            last_check
        },
        &verification.checks,
        now,
    );
    let wait = decide::requeue_after(
        &[next_validation, next_check],
        now,
        REQUEUE_FLOOR,
        REQUEUE_CEILING,
    );
    Ok((
        Outcome::Validated {
            phase: verdict.phase,
            reason: verdict.reason,
            checked,
        },
        wait,
    ))
}

/// Applies the deletion policy, then lets the object go.
async fn finalize(
    repo: &BackupRepository,
    ctx: &Context,
    world: &World,
) -> Result<(Outcome, Duration), Error> {
    if !repo.finalizers().iter().any(|f| f == FINALIZER) {
        return Ok((Outcome::Released { objects: 0 }, REQUEUE_CEILING));
    }
    // Retain (and a ReadOnly repository) decide without opening anything.
    let opened = if decide::deletion_needs_open(&repo.spec) {
        Some(match repo_config(repo, ctx, world).await? {
            Err(obs) => obs,
            Ok(cfg) => match blocking(move || mover::inspect(&cfg, false)).await {
                Ok(_) => Observation::Opened { created: false },
                Err(e) => observe(&e),
            },
        })
    } else {
        None
    };
    let mut objects = 0;
    match decide::deletion(&repo.spec, opened.as_ref()) {
        Deletion::Blocked(r) => return blocked(repo, ctx, &r).await,
        Deletion::Release => {}
        Deletion::DeleteData => {
            let result = match repo_config(repo, ctx, world).await? {
                Err(obs) => Err(obs),
                Ok(cfg) => blocking(move || mover::destroy(&cfg))
                    .await
                    .map_err(|e| observe(&e)),
            };
            match result {
                Ok(n) => objects = n,
                Err(obs) => return blocked(repo, ctx, &decide::verdict(&obs).into()).await,
            }
            tracing::info!(
                repository = %repo.name_any(),
                objects,
                "repository data deleted (deletionPolicy Delete)"
            );
        }
    }
    let api: Api<BackupRepository> = Api::all(ctx.client.clone());
    super::finalizer::remove(&api, repo, FINALIZER).await?;
    Ok((Outcome::Released { objects }, REQUEUE_CEILING))
}

async fn blocked(
    repo: &BackupRepository,
    ctx: &Context,
    why: &Refusal,
) -> Result<(Outcome, Duration), Error> {
    let old = repo.status.clone().unwrap_or_default();
    let desired = [Desired {
        type_: conditions::DELETION_BLOCKED,
        status: Some(true),
        reason: why.reason,
        message: why.message.to_string(),
    }];
    let new = BackupRepositoryStatus {
        conditions: conditions::merge(&old.conditions, &desired, repo.meta().generation, ctx.now()),
        ..old.clone()
    };
    super::patch_status_if_changed::<BackupRepository, _>(ctx, &repo.name_any(), &old, &new)
        .await?;
    super::events::publish(ctx, repo, &old.conditions, &new.conditions).await;
    Ok((
        Outcome::DeletionBlocked { reason: why.reason },
        decide::UNAVAILABLE_RETRY,
    ))
}

/// Runs a blocking mover call on the blocking pool (rustic_core is blocking).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, MoverError> + Send + 'static,
) -> Result<T, MoverError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(MoverError::Panicked(e.to_string())))
}

/// A mover error as an observation; its text is already free of secrets.
fn observe(e: &MoverError) -> Observation {
    match e {
        MoverError::WrongKey(_) => Observation::WrongKey,
        MoverError::NoRepository(_) => Observation::NoRepository,
        other => Observation::Unreachable(other.to_string()),
    }
}

async fn dereference(
    repo: &BackupRepository,
    ctx: &Context,
    now: Timestamp,
) -> Result<World, Error> {
    // Only the repository's own agency: a copy of every Agency per reconcile (and two more
    // for the policy context) was most of a first start's work and memory at city scale.
    // The rules' context is the one the reconciles share.
    let agency: Option<Agency> =
        super::cache::matching(ctx, |a: &Agency| a.spec.code == repo.spec.agency)
            .await?
            .into_iter()
            .next();
    let plans: Vec<DisasterRecoveryPlan> = super::cache::all_of(ctx).await?;
    let policy_ctx = super::cache::rules_context(ctx).await?;
    let findings = policy::evaluate(&Object::BackupRepository(repo.clone()), &policy_ctx, now);
    Ok(World {
        agency,
        findings,
        plans,
    })
}

/// The mover's view of the repository, or why it cannot be opened: the agency, the policy
/// findings, then the two Secrets, each from an allowed namespace and owned by the agency.
async fn repo_config(
    repo: &BackupRepository,
    ctx: &Context,
    world: &World,
) -> Result<Result<RepoConfig, Observation>, Error> {
    let Some(agency) = &world.agency else {
        return Ok(Err(Observation::Refused(Refusal {
            reason: decide::reason::AGENCY_NOT_FOUND,
            message: pusdata_core::t!(
                "shell-repository-agency-not-registered",
                agency = repo.spec.agency.as_str()
            ),
        })));
    };
    if !decide::policy_allows(&world.findings) {
        return Ok(Err(Observation::PolicyDenied(world.findings.clone())));
    }
    let key_ref = match decide::key_ref(&repo.spec, &agency.spec) {
        Ok(k) => k,
        Err(r) => return Ok(Err(Observation::Refused(r))),
    };
    let password = match read_secret(
        ctx,
        SecretUse::RepositoryKey,
        key_ref.namespace.as_deref(),
        &key_ref.name,
        &[&key_ref.key],
        agency,
    )
    .await?
    {
        Ok(mut v) => v.remove(0),
        Err(r) => return Ok(Err(Observation::Refused(r))),
    };
    let creds = &repo.spec.s3.credentials;
    let mut keys = match read_secret(
        ctx,
        SecretUse::S3Credentials,
        creds.namespace.as_deref(),
        &creds.name,
        &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
        agency,
    )
    .await?
    {
        Ok(v) => v,
        Err(r) => return Ok(Err(Observation::Refused(r))),
    };
    let secret_access_key = keys.pop().unwrap_or_default();
    let access_key_id = keys.pop().unwrap_or_default();
    let s3 = &repo.spec.s3;
    let limit = |n: Option<u64>| n.filter(|n| *n > 0).map(|n| Arc::new(RateLimit::new(n)));
    Ok(Ok(RepoConfig {
        location: RepoLocation::S3(S3Location {
            endpoint: s3.endpoint.trim_end_matches('/').to_string(),
            bucket: s3.bucket.clone(),
            prefix: s3.prefix.trim_matches('/').to_string(),
            region: s3.region.clone(),
            path_style: s3.path_style,
            access_key_id: access_key_id.expose().to_string(),
            secret_access_key,
        }),
        password,
        cache_dir: None,
        progress: false,
        upload_limit: limit(repo.spec.upload_limit_bytes_per_second),
        download_limit: limit(repo.spec.download_limit_bytes_per_second),
        key_cache: None,
    }))
}

/// Reads `keys` of one Secret, after checking where it lies and whom it belongs to.
async fn read_secret(
    ctx: &Context,
    use_: SecretUse,
    namespace: Option<&str>,
    name: &str,
    keys: &[&str],
    agency: &Agency,
) -> Result<Result<Vec<Secret>, Refusal>, Error> {
    let platform = ctx.platform_namespace.as_str();
    let ns = match decide::secret_namespace(use_, namespace, &agency.spec, platform) {
        Ok(ns) => ns,
        Err(r) => return Ok(Err(r)),
    };
    let api: Api<KubeSecret> = Api::namespaced(ctx.client.clone(), &ns);
    let Some(secret) = api.get_opt(name).await? else {
        return Ok(Err(decide::secret_missing(use_, &ns, name, None)));
    };
    if let Err(r) = decide::secret_owner_ok(use_, &ns, secret.labels(), &agency.spec.code, platform)
    {
        return Ok(Err(r));
    }
    let mut out = Vec::new();
    for key in keys {
        let value = secret
            .data
            .as_ref()
            .and_then(|d| d.get(*key))
            .map(|b| {
                String::from_utf8_lossy(&b.0)
                    .trim_end_matches(['\n', '\r'])
                    .to_string()
            })
            .or_else(|| {
                secret
                    .string_data
                    .as_ref()
                    .and_then(|d| d.get(*key))
                    .cloned()
            })
            .filter(|v| !v.is_empty());
        match value {
            Some(v) => out.push(Secret::new(v)),
            None => return Ok(Err(decide::secret_missing(use_, &ns, name, Some(key)))),
        }
    }
    Ok(Ok(out))
}

async fn write_status(
    repo: &BackupRepository,
    ctx: &Context,
    old: &BackupRepositoryStatus,
    obs: &Observation,
    stats: Option<&RepoStats>,
    check: Option<&Result<CheckReport, MoverError>>,
    now: Timestamp,
) -> Result<(), Error> {
    let verdict = decide::verdict(obs);
    let mut desired = vec![decide::ready_condition(&verdict)];
    if let Some(c) = check {
        desired.push(check_condition(c));
    }
    let mut new = BackupRepositoryStatus {
        phase: Some(verdict.phase),
        conditions: conditions::merge(&old.conditions, &desired, repo.meta().generation, Time(now)),
        observed_generation: repo.meta().generation,
        last_validated: Some(Time(now)),
        ..old.clone()
    };
    if let Some(s) = stats {
        new.repository_id = Some(s.repository_id.clone());
        new.snapshots = u32::try_from(s.snapshots).ok();
        new.stored_bytes = Some(s.stored_bytes);
    }
    if check.is_some() {
        new.last_check = Some(Time(now));
    }
    // A validation that found what the status already says is not written: `lastValidated`
    // alone moving would be a write per repository per interval at idle (and per minute for
    // an unavailable one). The next validation is timed by the requeue instead.
    let same = BackupRepositoryStatus {
        last_validated: old.last_validated.clone(),
        ..new.clone()
    } == *old;
    if same && old.last_validated.is_some() {
        return Ok(());
    }
    super::patch_status_if_changed::<BackupRepository, _>(ctx, &repo.name_any(), old, &new).await?;
    super::events::publish(ctx, repo, &old.conditions, &new.conditions).await;
    Ok(())
}

/// The `Checked` condition of a check run, decided in the core.
fn check_condition(c: &Result<CheckReport, MoverError>) -> Desired {
    let error;
    decide::checked_condition(&match c {
        Ok(r) if r.ok => decide::CheckOutcome::Passed {
            data_read: r.read_data_subset.as_deref(),
        },
        Ok(r) => decide::CheckOutcome::Failed { errors: &r.errors },
        Err(e) => {
            error = e.to_string();
            decide::CheckOutcome::NotRun { error: &error }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::test_s3::{S3Server, free_port};
    use crate::controllers::testing::{
        context as fake_context, secret, seed_cluster, seed_namespaced,
    };
    use kube_fake_client::ClientBuilder;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{DeletionPolicy, SecretKeyRef, SecretRef, Verification};
    use pusdata_crds::v1alpha1::{ResidencyPolicy, Site};
    use std::process::Command;

    const KEY: &str = "dinkes-repository-key-7f3a";
    const OTHER_KEY: &str = "disdik-repository-key-19c2";
    const S3_SECRET: &str = "aaaaaaaa0123456789abcdef0123456789abcdef0123456789abcdef01234567";

    fn key(name: &str, namespace: Option<&str>, key: &str) -> SecretKeyRef {
        SecretKeyRef {
            name: name.into(),
            namespace: namespace.map(str::to_string),
            key: key.into(),
        }
    }

    async fn context() -> Context {
        fake_context(
            ClientBuilder::new()
                .with_resource::<BackupRepository>()
                .with_status_subresource::<BackupRepository>()
                .with_resource::<Agency>()
                .with_resource::<Site>()
                .with_resource::<ResidencyPolicy>()
                .with_resource::<DisasterRecoveryPlan>()
                // The rest of what the rules read (`cache::rules_context`).
                .with_resource::<pusdata_crds::v1alpha1::Rack>()
                .with_resource::<pusdata_crds::v1alpha1::Approval>()
                // What the Agency controller binds in each agency namespace: the operator
                // may read that agency's Secrets there (and nowhere else).
                .with_objects(
                    ["dinkes", "disdik"]
                        .iter()
                        .map(|ns| {
                            serde_json::from_value::<k8s_openapi::api::rbac::v1::RoleBinding>(
                                serde_json::json!({
                                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                                    "metadata": {"name": pusdata_core::tenancy::OPERATOR_SECRETS_BINDING, "namespace": ns},
                                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                "name": pusdata_core::tenancy::OPERATOR_SECRETS_ROLE},
                                    "subjects": [{"kind": "ServiceAccount",
                                                  "name": pusdata_core::tenancy::OPERATOR_SERVICE_ACCOUNT,
                                                  "namespace": "pusdata-system"}]
                                }),
                            )
                            .unwrap()
                        })
                        .collect(),
                ),
        )
        .await
    }

    /// The world of one test: the DRC site whose S3 endpoint is `port`, agency `dinkes` with
    /// its key in the platform namespace, the S3 credentials, and a repository.
    async fn world(ctx: &Context, port: u16, access: &str, secret_key: &str) -> BackupRepository {
        let mut site = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
        site.spec.endpoints.s3 = Some(format!("http://127.0.0.1:{port}"));
        seed_cluster(ctx, &fixtures::primary_site()).await;
        seed_cluster(ctx, &site).await;
        let mut agency = fixtures::agency("dinkes");
        agency.spec.repository_key = Some(key("dinkes-restic", None, "password"));
        seed_cluster(ctx, &agency).await;
        seed_cluster(ctx, &fixtures::agency("disdik")).await;
        let p = "pusdata-system";
        seed_namespaced(
            ctx,
            &secret(p, "dinkes-restic", &[("password", KEY)], Some("dinkes")),
        )
        .await;
        seed_namespaced(
            ctx,
            &secret(
                p,
                "disdik-restic",
                &[("password", OTHER_KEY)],
                Some("disdik"),
            ),
        )
        .await;
        seed_namespaced(
            ctx,
            &secret("disdik", "disdik-own", &[("password", OTHER_KEY)], None),
        )
        .await;
        seed_namespaced(
            ctx,
            &secret(
                p,
                "drc-s3",
                &[
                    ("AWS_ACCESS_KEY_ID", access),
                    ("AWS_SECRET_ACCESS_KEY", secret_key),
                ],
                None,
            ),
        )
        .await;
        let mut repo = fixtures::backup_repository("dinkes", "drc-bandung");
        repo.spec.s3.endpoint = format!("http://127.0.0.1:{port}");
        repo.spec.s3.bucket = "pusdata-drc".into();
        repo.spec.s3.prefix = "restic/dinkes".into();
        repo.spec.s3.credentials = SecretRef {
            name: "drc-s3".into(),
            namespace: None,
        };
        repo
    }

    async fn seed_and_get(ctx: &Context, repo: &BackupRepository) -> BackupRepository {
        seed_cluster(ctx, repo).await;
        get(ctx, &repo.name_any()).await
    }

    async fn get(ctx: &Context, name: &str) -> BackupRepository {
        Api::<BackupRepository>::all(ctx.client.clone())
            .get(name)
            .await
            .unwrap()
    }

    fn ready(r: &BackupRepository) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
        r.status
            .as_ref()
            .unwrap()
            .conditions
            .iter()
            .find(|c| c.type_ == "Ready")
            .cloned()
            .unwrap()
    }

    /// No secret value anywhere in the stored object (status, conditions, metadata).
    fn assert_no_secret(r: &BackupRepository) {
        let text = serde_json::to_string(r).unwrap();
        for s in [KEY, OTHER_KEY, S3_SECRET] {
            assert!(!text.contains(s), "a secret leaked into the object: {text}");
        }
    }

    fn restic(
        server: &S3Server,
        prefix: &str,
        password: &str,
        args: &[&str],
    ) -> std::process::Output {
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("pw");
        std::fs::write(&pw, password).unwrap();
        Command::new("restic")
            .arg("-r")
            .arg(server.url(prefix))
            .arg("--password-file")
            .arg(&pw)
            .arg("--no-cache")
            .args(args)
            .envs(server.envs())
            .output()
            .unwrap()
    }

    #[tokio::test]
    async fn refused_before_anything_is_opened() {
        // Nothing listens on the port: had anything been opened, the reason would be
        // Unreachable, so each reason below proves the refusal came first.
        let port = free_port();
        type Edit = fn(&mut BackupRepository);
        let cases: Vec<(&str, Edit, &str, &str)> = vec![
            (
                "unknown agency",
                |r| r.spec.agency = "dinsos".into(),
                decide::reason::AGENCY_NOT_FOUND,
                "dinsos",
            ),
            (
                "unregistered site",
                |r| r.spec.site = "gudang".into(),
                decide::reason::POLICY_DENIED,
                "DATA-DC",
            ),
            (
                "another agency's key in the platform namespace",
                |r| r.spec.key = Some(key("disdik-restic", None, "password")),
                decide::reason::SECRET_NOT_ALLOWED,
                "SEC-CIA",
            ),
            (
                "a key in another agency's namespace",
                |r| r.spec.key = Some(key("disdik-own", Some("disdik"), "password")),
                decide::reason::SECRET_NOT_ALLOWED,
                "disdik",
            ),
            (
                "a missing key",
                |r| r.spec.key = Some(key("dinkes-restic", None, "nope")),
                decide::reason::SECRET_NOT_FOUND,
                "key nope",
            ),
            (
                "a missing credentials Secret",
                |r| r.spec.s3.credentials.name = "gone".into(),
                decide::reason::SECRET_NOT_FOUND,
                "gone",
            ),
            ("S3 down", |_| {}, decide::reason::UNREACHABLE, "127.0.0.1"),
        ];
        for (what, edit, reason, text) in cases {
            let ctx = context().await;
            let mut repo = world(&ctx, port, "GK0123", S3_SECRET).await;
            edit(&mut repo);
            let repo = seed_and_get(&ctx, &repo).await;
            let (out, wait) = reconcile_once(&repo, &ctx).await.unwrap();
            assert_eq!(
                out,
                Outcome::Validated {
                    phase: RepositoryPhase::Unavailable,
                    reason,
                    checked: None
                },
                "{what}"
            );
            assert!(
                wait <= decide::UNAVAILABLE_RETRY,
                "{what}: retried soon, not in {wait:?}"
            );
            let stored = get(&ctx, &repo.name_any()).await;
            let c = ready(&stored);
            assert_eq!(
                (c.status.as_str(), c.reason.as_str()),
                ("False", reason),
                "{what}"
            );
            assert!(c.message.contains(text), "{what}: {}", c.message);
            assert!(
                c.message.contains(" / "),
                "{what}: both languages: {}",
                c.message
            );
            let status = stored.status.clone().unwrap();
            assert_eq!(status.phase, Some(RepositoryPhase::Unavailable));
            assert_eq!(status.observed_generation, repo.metadata.generation);
            assert!(stored.finalizers().iter().any(|f| f == FINALIZER));
            assert_no_secret(&stored);
        }
    }

    #[tokio::test]
    async fn unavailable_and_a_blocked_deletion_are_events_and_steady_state_adds_none() {
        use crate::controllers::testing::events_about;
        // Nothing listens on the port: S3 is down.
        let ctx = context().await;
        let mut repo = world(&ctx, free_port(), "GK0123", S3_SECRET).await;
        repo.spec.agency = "dinsos".into();
        let repo = seed_and_get(&ctx, &repo).await;
        let name = repo.name_any();
        reconcile_once(&repo, &ctx).await.unwrap();
        let first = events_about(&ctx, "default", &name).await;
        assert_eq!(
            first,
            vec![("AgencyNotFound".to_string(), "Warning".to_string())]
        );
        // Again, later (validation due again), nothing changed: no new Event.
        let mut later = ctx.clone();
        later.clock = Arc::new(|| "2026-11-26T00:00:00Z".parse().unwrap());
        reconcile_once(&get(&ctx, &name).await, &later)
            .await
            .unwrap();
        assert_eq!(events_about(&ctx, "default", &name).await, first);

        // Deleted with Delete while its agency is unknown: the finalizer holds it, a Warning
        // says why.
        let mut gone = get(&ctx, &name).await;
        gone.spec.deletion_policy = DeletionPolicy::Delete;
        gone.metadata.deletion_timestamp = Some(ctx.now());
        let (out, _) = reconcile_once(&gone, &ctx).await.unwrap();
        assert!(matches!(out, Outcome::DeletionBlocked { .. }), "{out:?}");
        let after = events_about(&ctx, "default", &name).await;
        assert_eq!(after.len(), 2, "{after:?}");
        let blocked = get(&ctx, &name).await;
        let c = blocked
            .status
            .unwrap()
            .conditions
            .into_iter()
            .find(|c| c.type_ == "DeletionBlocked")
            .unwrap();
        assert!(
            after.contains(&(c.reason.clone(), "Warning".to_string())),
            "{after:?}"
        );
        // The Events carry no secret.
        let all = crate::controllers::testing::as_harness(
            Api::<k8s_openapi::api::events::v1::Event>::namespaced(ctx.client.clone(), "default")
                .list(&kube::api::ListParams::default()),
        )
        .await
        .unwrap();
        let text = serde_json::to_string(&all.items).unwrap();
        assert!(!text.contains(S3_SECRET) && !text.contains(KEY));
    }

    #[tokio::test]
    async fn a_bad_interval_is_an_invalid_spec() {
        let ctx = context().await;
        let mut repo = world(&ctx, free_port(), "GK0123", S3_SECRET).await;
        repo.spec.validation_interval = "5 minutes".into();
        let repo = seed_and_get(&ctx, &repo).await;
        let err = reconcile_once(&repo, &ctx).await.unwrap_err();
        assert_eq!(err.category(), "invalid-spec");
        assert_eq!(
            ready(&get(&ctx, &repo.name_any()).await).reason,
            "InvalidSpec"
        );
    }

    #[tokio::test]
    async fn garage_created_validated_checked_wrong_key_untouched_and_retained() {
        let logs = capture_logs();
        let mut server = S3Server::start();
        let ctx = context().await;
        let mut repo = world(&ctx, server.port, &server.access_key, &server.secret_key).await;
        let mut plan = fixtures::plan();
        plan.spec.tiers[0].members[0].agency = "dinkes".into();
        plan.spec.tiers[0].verification = Verification {
            check_schedule: Some("0 2 * * *".into()),
            read_data_subset: Some("10%".into()),
            restore_test_schedule: None,
        };
        seed_cluster(&ctx, &plan).await;
        repo.spec.validation_interval = "10m".into();
        let repo = seed_and_get(&ctx, &repo).await;

        // First pass: created, opened, checked (never checked before).
        let (out, _) = reconcile_once(&repo, &ctx).await.unwrap();
        assert_eq!(
            out,
            Outcome::Validated {
                phase: RepositoryPhase::Available,
                reason: decide::reason::CREATED,
                checked: Some(true)
            }
        );
        let stored = get(&ctx, &repo.name_any()).await;
        let status = stored.status.clone().unwrap();
        let before_id = status.repository_id.clone();
        assert_eq!(status.phase, Some(RepositoryPhase::Available));
        assert_eq!(status.snapshots, Some(0));
        assert!(status.stored_bytes.unwrap() > 0);
        assert_eq!(status.last_check, Some(ctx.now()));
        assert_eq!(status.last_validated, Some(ctx.now()));
        let checked = status
            .conditions
            .iter()
            .find(|c| c.type_ == "Checked")
            .unwrap();
        assert_eq!(
            (checked.status.as_str(), checked.reason.as_str()),
            ("True", "CheckPassed")
        );
        assert!(checked.message.contains("10%"), "{}", checked.message);
        assert_no_secret(&stored);

        // restic opens it with the agency's key, and it is the repository the status names.
        let cat = restic(&server, "restic/dinkes", KEY, &["cat", "config"]);
        assert!(
            cat.status.success(),
            "{}",
            String::from_utf8_lossy(&cat.stderr)
        );
        let config: serde_json::Value = serde_json::from_slice(&cat.stdout).unwrap();
        assert_eq!(config["id"].as_str(), status.repository_id.as_deref());
        let snaps = restic(&server, "restic/dinkes", KEY, &["snapshots", "--json"]);
        assert!(snaps.status.success());
        assert!(
            !restic(&server, "restic/dinkes", OTHER_KEY, &["snapshots"])
                .status
                .success()
        );

        // Settled: the next passes (the fake bumps the generation for the finalizer) wait
        // for the interval and the next check slot, opening nothing.
        let again = get(&ctx, &repo.name_any()).await;
        reconcile_once(&again, &ctx).await.unwrap();
        let settled = get(&ctx, &repo.name_any()).await;
        let (out, wait) = reconcile_once(&settled, &ctx).await.unwrap();
        assert_eq!(out, Outcome::Waiting);
        assert_eq!(wait, Duration::from_secs(600));
        assert_eq!(
            settled.resource_version(),
            get(&ctx, &repo.name_any()).await.resource_version()
        );

        // Another agency's key, where this agency may read it (its own namespace): the
        // repository does not open, nothing is created or changed.
        let before = blocking({
            let cfg = test_config(&server, KEY);
            move || mover::inspect(&cfg, false)
        })
        .await
        .unwrap();
        seed_namespaced(
            &ctx,
            &secret("dinkes", "stolen", &[("password", OTHER_KEY)], None),
        )
        .await;
        let mut wrong = get(&ctx, &repo.name_any()).await;
        wrong.spec.key = Some(key("stolen", Some("dinkes"), "password"));
        wrong.metadata.generation = Some(wrong.metadata.generation.unwrap_or(1) + 1);
        let (out, _) = reconcile_once(&wrong, &ctx).await.unwrap();
        assert_eq!(
            out,
            Outcome::Validated {
                phase: RepositoryPhase::Unavailable,
                reason: decide::reason::WRONG_KEY,
                checked: None
            }
        );
        let stored = get(&ctx, &repo.name_any()).await;
        let c = ready(&stored);
        assert!(
            c.message.contains("SEC-CIA") && c.message.contains("nothing was written"),
            "{}",
            c.message
        );
        assert_eq!(
            stored.status.as_ref().unwrap().repository_id,
            status.repository_id,
            "last known id kept"
        );
        assert_no_secret(&stored);
        let after = blocking({
            let cfg = test_config(&server, KEY);
            move || mover::inspect(&cfg, false)
        })
        .await
        .unwrap();
        assert_eq!(before, after, "the repository is untouched");

        // The S3 server goes down: Unavailable, Unreachable; back up: Available again, the
        // same repository (not created anew).
        server.kill();
        let (out, wait) = revalidate(&ctx, &repo.name_any()).await;
        assert_eq!(
            out,
            validated(RepositoryPhase::Unavailable, decide::reason::UNREACHABLE)
        );
        assert!(wait <= decide::UNAVAILABLE_RETRY);
        assert_no_secret(&get(&ctx, &repo.name_any()).await);
        server.restart();
        let (out, _) = revalidate(&ctx, &repo.name_any()).await;
        assert_eq!(
            out,
            validated(RepositoryPhase::Available, decide::reason::AVAILABLE)
        );
        let status = get(&ctx, &repo.name_any()).await.status.unwrap();
        assert_eq!(status.repository_id, before_id);

        // Deleted with Retain: the finalizer lets go, the data stays.
        let mut gone = get(&ctx, &repo.name_any()).await;
        gone.metadata.deletion_timestamp = Some(ctx.now());
        let (out, _) = reconcile_once(&gone, &ctx).await.unwrap();
        assert_eq!(out, Outcome::Released { objects: 0 });
        assert!(
            !get(&ctx, &repo.name_any())
                .await
                .finalizers()
                .iter()
                .any(|f| f == FINALIZER)
        );
        assert!(
            restic(&server, "restic/dinkes", KEY, &["snapshots"])
                .status
                .success()
        );

        let metrics = ctx.metrics.encode();
        assert!(
            metrics.contains("pusdata_repository_available{repository=\"dinkes-drc-bandung\",agency=\"dinkes\",site=\"drc-bandung\"} 1"),
            "{metrics}"
        );

        // Every log line of all of it, at trace level, and no secret in any.
        let text = logs.text();
        assert!(text.contains("repository validated"), "{text}");
        assert!(
            text.contains("WrongKey"),
            "the wrong key was logged by reason"
        );
        for secret in [KEY, OTHER_KEY, server.secret_key.as_str()] {
            assert!(!text.contains(secret), "a secret reached the logs");
        }
    }

    /// Everything logged in this test process, at trace level. nextest runs each test in its
    /// own process, so the global subscriber is this test's; under `cargo test` another
    /// test's logs may be mixed in, which only makes the check stricter.
    #[derive(Clone, Default)]
    struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

    impl Logs {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).to_string()
        }
    }

    impl std::io::Write for Logs {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn capture_logs() -> Logs {
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("first subscriber");
        logs
    }

    /// Reconciles after a spec change (the fake client does not bump generations itself).
    async fn revalidate(ctx: &Context, name: &str) -> (Outcome, Duration) {
        let mut r = get(ctx, name).await;
        r.metadata.generation = r
            .status
            .as_ref()
            .and_then(|st| st.observed_generation)
            .map(|g| g + 1);
        reconcile_once(&r, ctx).await.unwrap()
    }

    fn validated(phase: RepositoryPhase, reason: &'static str) -> Outcome {
        Outcome::Validated {
            phase,
            reason,
            checked: None,
        }
    }

    fn test_config(server: &S3Server, password: &str) -> RepoConfig {
        RepoConfig {
            location: RepoLocation::S3(S3Location {
                endpoint: format!("http://127.0.0.1:{}", server.port),
                bucket: server.bucket.clone(),
                prefix: "restic/dinkes".into(),
                region: "garage".into(),
                path_style: true,
                access_key_id: server.access_key.clone(),
                secret_access_key: Secret::new(server.secret_key.clone()),
            }),
            password: Secret::new(password),
            cache_dir: None,
            progress: false,
            upload_limit: None,
            download_limit: None,
            key_cache: None,
        }
    }

    #[tokio::test]
    async fn garage_delete_policy_removes_the_repository_and_only_with_its_key() {
        let server = S3Server::start();
        let ctx = context().await;
        let mut repo = world(&ctx, server.port, &server.access_key, &server.secret_key).await;
        repo.spec.deletion_policy = DeletionPolicy::Delete;
        let repo = seed_and_get(&ctx, &repo).await;
        reconcile_once(&repo, &ctx).await.unwrap();
        // One snapshot, so there are packs, an index and a snapshot file to delete.
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("rekam-medis.csv"), "id,nama\n1,Siti\n").unwrap();
        let snap = blocking({
            let cfg = test_config(&server, KEY);
            let req = mover::BackupRequest {
                path: src.path().to_path_buf(),
                ..Default::default()
            };
            move || mover::backup(&cfg, &req)
        })
        .await
        .unwrap();
        let listed = restic(&server, "restic/dinkes", KEY, &["snapshots", "--json"]);
        assert!(String::from_utf8_lossy(&listed.stdout).contains(&snap.snapshot_id));
        assert!(
            restic(&server, "restic/dinkes", KEY, &["snapshots"])
                .status
                .success()
        );

        // With a key that does not open it: blocked, nothing deleted, finalizer kept.
        seed_namespaced(
            &ctx,
            &secret("dinkes", "stolen", &[("password", OTHER_KEY)], None),
        )
        .await;
        let mut wrong = get(&ctx, &repo.name_any()).await;
        wrong.spec.key = Some(key("stolen", Some("dinkes"), "password"));
        wrong.metadata.deletion_timestamp = Some(ctx.now());
        let (out, _) = reconcile_once(&wrong, &ctx).await.unwrap();
        assert_eq!(
            out,
            Outcome::DeletionBlocked {
                reason: decide::reason::WRONG_KEY
            }
        );
        let stored = get(&ctx, &repo.name_any()).await;
        assert!(stored.finalizers().iter().any(|f| f == FINALIZER));
        let blocked = stored
            .status
            .as_ref()
            .unwrap()
            .conditions
            .iter()
            .find(|c| c.type_ == "DeletionBlocked")
            .cloned()
            .unwrap();
        assert!(blocked.message.contains("Retain"), "{}", blocked.message);
        assert!(
            restic(&server, "restic/dinkes", KEY, &["snapshots"])
                .status
                .success()
        );

        // With the agency's key: the repository's objects go, then the finalizer.
        let mut gone = get(&ctx, &repo.name_any()).await;
        gone.metadata.deletion_timestamp = Some(ctx.now());
        let (out, _) = reconcile_once(&gone, &ctx).await.unwrap();
        let Outcome::Released { objects } = out else {
            panic!("{out:?}")
        };
        // config, key, pack(s), index, snapshot.
        assert!(objects >= 5, "{objects}");
        assert!(
            !get(&ctx, &repo.name_any())
                .await
                .finalizers()
                .iter()
                .any(|f| f == FINALIZER)
        );
        let listed = blocking({
            let cfg = test_config(&server, KEY);
            move || mover::inspect(&cfg, false)
        })
        .await;
        assert!(
            matches!(listed, Err(MoverError::NoRepository(_))),
            "{listed:?}"
        );
        assert!(
            !restic(&server, "restic/dinkes", KEY, &["snapshots"])
                .status
                .success()
        );
    }
}

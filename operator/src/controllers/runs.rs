//! What the two controllers of a `Backup` share — the volume run (`backup`) and the bucket
//! mirror pass (`bucket`): their context, the outcome of a pass, the repository ownership
//! check and the status write. Its own module, so that `backup` can hand bucket runs to
//! `bucket` without the two importing each other.

use super::{Context, Error};
use futures::future::BoxFuture;
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams};
use pusdata_core::backup::hooks::HookOutcome;
use pusdata_core::backup::job::MoverSettings;
use pusdata_crds::v1alpha1::{Agency, Backup, BackupPhase, BackupRepository, VerificationStatus};
use std::sync::Arc;
use std::time::Duration;

/// Runs a hook's command in a container of a running pod. The real one execs through the
/// API server ([`KubeExec`]); tests record the calls.
pub trait HookExec: Send + Sync {
    /// Runs `command` in `pod`/`container` of `namespace`, giving up after `timeout`.
    fn exec<'a>(
        &'a self,
        namespace: &'a str,
        pod: &'a str,
        container: &'a str,
        command: &'a [String],
        timeout: Duration,
    ) -> BoxFuture<'a, HookOutcome>;
}

/// The Backup controller's context: the shared one, the hook runner and the Job settings.
#[derive(Clone)]
pub struct BackupContext {
    /// Shared controller context.
    pub ctx: Arc<Context>,
    /// Hook runner.
    pub exec: Arc<dyn HookExec>,
    /// Mover Job settings.
    pub settings: MoverSettings,
}

/// What one pass did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to do: the run is over.
    Done,
    /// The run cannot start as written (status says why).
    Invalid(String),
    /// A pre hook aborted the run.
    Aborted,
    /// The mover Job was created.
    Started,
    /// The Job is running.
    Running,
    /// The run finished with this phase.
    Finished(BackupPhase),
    /// The restore-test Job of the run's snapshot was created.
    VerifyStarted,
    /// The restore test is running.
    Verifying,
    /// The restore test finished with this result.
    Verified(VerificationStatus),
    /// A restore test of this run is due later (or cannot start yet): look again then.
    VerifyLater(Duration),
}

/// The run's repository and its agency, if the Backup's namespace belongs to that agency
/// (SEC-CIA: an agency's data only goes into its own repository, with its own keys).
pub(crate) async fn owned_repository(
    b: &Backup,
    ctx: &Context,
) -> Result<Result<(BackupRepository, Agency), String>, Error> {
    let ns = b.namespace().unwrap_or_default();
    let Some(repository) = Api::<BackupRepository>::all(ctx.client.clone())
        .get_opt(&b.spec.repository)
        .await?
    else {
        return Ok(Err(format!(
            "spec.repository: BackupRepository {} does not exist",
            b.spec.repository
        )));
    };
    let agencies = Api::<Agency>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    match agencies
        .into_iter()
        .find(|a| a.spec.code == repository.spec.agency)
        .filter(|a| pusdata_core::tenancy::namespaces_of(a).contains(&ns))
    {
        Some(agency) => Ok(Ok((repository, agency))),
        None => Ok(Err(format!(
            "SEC-CIA: namespace {ns} does not belong to agency {}, owner of BackupRepository {}",
            repository.spec.agency, b.spec.repository
        ))),
    }
}

/// Writes a Backup's new status when it differs from the old one, and the Events of its
/// condition transitions: the same for volume runs and bucket passes (`bucket::write`).
pub(crate) async fn apply_status(
    ctx: &Context,
    b: &Backup,
    old: &pusdata_crds::v1alpha1::BackupStatus,
    new: &pusdata_crds::v1alpha1::BackupStatus,
) -> Result<(), Error> {
    if new == old {
        return Ok(());
    }
    Api::<Backup>::namespaced(ctx.client.clone(), &b.namespace().unwrap_or_default())
        .patch_status(
            &b.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({ "status": new })),
        )
        .await?;
    super::events::publish(ctx, b, &old.conditions, &new.conditions).await;
    Ok(())
}

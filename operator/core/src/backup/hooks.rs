//! Application-consistent hooks: which of a tier's hooks run, in which order, in which pod,
//! and what their outcome does to the backup. The controller executes them (`kubectl exec`
//! style) and feeds the results back; every decision is here.
//!
//! - Pre hooks run in the order written, before the snapshot. A failing pre hook with
//!   `failBackupOnError` stops the remaining pre hooks and aborts the snapshot; one without it
//!   is recorded and the next runs.
//! - Post hooks run in the order written after the snapshot (or after an abort): `Always`
//!   ones every time, `OnSuccess` only after a written snapshot, `OnFailure` only after a
//!   failed or aborted one. Every selected post hook runs even if an earlier one failed (a
//!   post hook often undoes a pre hook, e.g. unfreezing writes).
//! - A failing post hook with `failBackupOnError` turns `Completed` into `PartiallyFailed`:
//!   the snapshot exists, but the application may not have been left as expected.
//!
//! Only the exit status reaches the Backup's status, never the command's output (it may hold
//! data or secrets).

use super::job::BACKUP_LABEL;
use k8s_openapi::api::core::v1::Pod;
use pusdata_crds::v1alpha1::{BackupPhase, Hook, HookPhase, HookRun};

/// When hooks are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Before the snapshot.
    Pre,
    /// After it: whether a snapshot was written.
    Post {
        /// A snapshot was written (`Completed`).
        snapshot_ok: bool,
    },
}

/// The hooks of a tier that run at `stage`, in the order written.
pub fn select(hooks: &[Hook], stage: Stage) -> Vec<&Hook> {
    hooks
        .iter()
        .filter(|h| match stage {
            Stage::Pre => h.phase == HookPhase::Pre,
            Stage::Post { snapshot_ok } => {
                h.phase == HookPhase::Post
                    && match h.run {
                        HookRun::Always => true,
                        HookRun::OnSuccess => snapshot_ok,
                        HookRun::OnFailure => !snapshot_ok,
                    }
            }
        })
        .collect()
}

/// How one hook went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookOutcome {
    /// Exit status 0.
    Succeeded,
    /// Non-zero exit status.
    Exited(i32),
    /// Did not finish in its timeout.
    TimedOut,
    /// Could not be started (no running pod, exec refused); the reason, without output.
    NotRun(String),
}

impl HookOutcome {
    /// Whether the hook succeeded.
    pub fn ok(&self) -> bool {
        *self == HookOutcome::Succeeded
    }
}

/// The line a failed hook leaves in the Backup's errors.
pub fn error_line(hook: &Hook, outcome: &HookOutcome) -> Option<String> {
    let why = match outcome {
        HookOutcome::Succeeded => return None,
        HookOutcome::Exited(code) => format!("exited with status {code}"),
        HookOutcome::TimedOut => format!("did not finish within {}", hook.timeout),
        HookOutcome::NotRun(why) => format!("not run: {why}"),
    };
    let phase = match hook.phase {
        HookPhase::Pre => "pre",
        HookPhase::Post => "post",
    };
    Some(format!("{phase} hook {}: {why}", hook.name))
}

/// What to do next in the pre stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreNext {
    /// Run the pre hook at this index of the selected list.
    Run(usize),
    /// All pre hooks done (or tolerated): take the snapshot; errors of tolerated failures.
    Snapshot(Vec<String>),
    /// A pre hook failed with `failBackupOnError`: no snapshot.
    Abort(Vec<String>),
}

/// The next step of the pre stage, given the outcomes so far (one per hook already run).
pub fn next_pre(pre: &[&Hook], done: &[HookOutcome]) -> PreNext {
    let errors: Vec<String> = pre
        .iter()
        .zip(done)
        .filter_map(|(h, o)| error_line(h, o))
        .collect();
    if pre
        .iter()
        .zip(done)
        .any(|(h, o)| !o.ok() && h.fail_backup_on_error)
    {
        return PreNext::Abort(errors);
    }
    if done.len() < pre.len() {
        PreNext::Run(done.len())
    } else {
        PreNext::Snapshot(errors)
    }
}

/// The phase after the post hooks, and their error lines.
pub fn after_post(
    snapshot: BackupPhase,
    post: &[&Hook],
    outcomes: &[HookOutcome],
) -> (BackupPhase, Vec<String>) {
    let errors: Vec<String> = post
        .iter()
        .zip(outcomes)
        .filter_map(|(h, o)| error_line(h, o))
        .collect();
    let fatal = post
        .iter()
        .zip(outcomes)
        .any(|(h, o)| !o.ok() && h.fail_backup_on_error);
    let phase = match snapshot {
        BackupPhase::Completed if fatal => BackupPhase::PartiallyFailed,
        p => p,
    };
    (phase, errors)
}

/// The running workload pod that mounts `pvc` (the mover's own pods excluded), first by name:
/// hooks run there, and a ReadWriteOnce volume can only be mounted on its node.
pub fn workload_pod<'a>(pods: &'a [Pod], pvc: &str) -> Option<&'a Pod> {
    let mut found: Vec<&Pod> = pods
        .iter()
        .filter(|p| {
            let mover = p
                .metadata
                .labels
                .as_ref()
                .is_some_and(|l| l.contains_key(BACKUP_LABEL));
            let running = p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
            let mounts = p
                .spec
                .as_ref()
                .and_then(|s| s.volumes.as_ref())
                .is_some_and(|vs| {
                    vs.iter().any(|v| {
                        v.persistent_volume_claim
                            .as_ref()
                            .is_some_and(|c| c.claim_name == pvc)
                    })
                });
            !mover && running && mounts && p.metadata.deletion_timestamp.is_none()
        })
        .collect();
    found.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    found.into_iter().next()
}

/// The container a hook runs in: its own, else the pod's first.
pub fn container_of<'a>(hook: &'a Hook, pod: &'a Pod) -> Option<&'a str> {
    hook.container.as_deref().or_else(|| {
        pod.spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .map(|c| c.name.as_str())
    })
}

/// The user and group of a workload pod (container first, then pod), for the mover to read
/// its files as the same user.
pub fn run_as(pod: &Pod) -> Option<(i64, Option<i64>)> {
    let spec = pod.spec.as_ref()?;
    let c = spec
        .containers
        .first()
        .and_then(|c| c.security_context.as_ref());
    let p = spec.security_context.as_ref();
    let uid = c
        .and_then(|c| c.run_as_user)
        .or_else(|| p.and_then(|p| p.run_as_user))?;
    let gid = c
        .and_then(|c| c.run_as_group)
        .or_else(|| p.and_then(|p| p.run_as_group));
    Some((uid, gid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use HookOutcome::*;

    fn hook(name: &str, phase: HookPhase, run: HookRun, fatal: bool) -> Hook {
        Hook {
            name: name.into(),
            phase,
            run,
            container: None,
            command: vec!["true".into()],
            timeout: "1m".into(),
            fail_backup_on_error: fatal,
        }
    }

    fn all() -> Vec<Hook> {
        vec![
            hook("dump", HookPhase::Pre, HookRun::Always, true),
            hook("freeze", HookPhase::Pre, HookRun::Always, false),
            hook("unfreeze", HookPhase::Post, HookRun::Always, true),
            hook("notify-ok", HookPhase::Post, HookRun::OnSuccess, false),
            hook("page", HookPhase::Post, HookRun::OnFailure, false),
        ]
    }

    fn names(hs: &[&Hook]) -> Vec<String> {
        hs.iter().map(|h| h.name.clone()).collect()
    }

    #[test]
    fn selection_by_stage_keeps_the_written_order() {
        let hs = all();
        assert_eq!(names(&select(&hs, Stage::Pre)), ["dump", "freeze"]);
        assert_eq!(
            names(&select(&hs, Stage::Post { snapshot_ok: true })),
            ["unfreeze", "notify-ok"]
        );
        assert_eq!(
            names(&select(&hs, Stage::Post { snapshot_ok: false })),
            ["unfreeze", "page"]
        );
    }

    #[test]
    fn pre_stage_table() {
        let hs = all();
        let pre = select(&hs, Stage::Pre);
        let cases: Vec<(Vec<HookOutcome>, PreNext)> = vec![
            (vec![], PreNext::Run(0)),
            (vec![Succeeded], PreNext::Run(1)),
            (vec![Succeeded, Succeeded], PreNext::Snapshot(vec![])),
            // freeze is tolerated.
            (
                vec![Succeeded, Exited(1)],
                PreNext::Snapshot(vec!["pre hook freeze: exited with status 1".into()]),
            ),
            // dump is fatal: abort before freeze runs.
            (
                vec![TimedOut],
                PreNext::Abort(vec!["pre hook dump: did not finish within 1m".into()]),
            ),
            (
                vec![NotRun("no running pod mounts PVC data".into())],
                PreNext::Abort(vec![
                    "pre hook dump: not run: no running pod mounts PVC data".into(),
                ]),
            ),
        ];
        for (done, want) in cases {
            assert_eq!(next_pre(&pre, &done), want, "{done:?}");
        }
        assert_eq!(next_pre(&[], &[]), PreNext::Snapshot(vec![]));
    }

    #[test]
    fn post_stage_table() {
        let hs = all();
        let ok = select(&hs, Stage::Post { snapshot_ok: true });
        let failed = select(&hs, Stage::Post { snapshot_ok: false });
        // (snapshot phase, post hooks, their outcomes, final phase, error lines)
        type Case<'a> = (
            BackupPhase,
            &'a [&'a Hook],
            Vec<HookOutcome>,
            BackupPhase,
            usize,
        );
        let cases: Vec<Case> = vec![
            (
                BackupPhase::Completed,
                &ok,
                vec![Succeeded, Succeeded],
                BackupPhase::Completed,
                0,
            ),
            // notify-ok is not fatal.
            (
                BackupPhase::Completed,
                &ok,
                vec![Succeeded, Exited(2)],
                BackupPhase::Completed,
                1,
            ),
            // unfreeze is fatal: the snapshot exists but is only partly trustworthy.
            (
                BackupPhase::Completed,
                &ok,
                vec![Exited(1), Succeeded],
                BackupPhase::PartiallyFailed,
                1,
            ),
            // A failed backup stays failed.
            (
                BackupPhase::Failed,
                &failed,
                vec![Exited(1), Exited(1)],
                BackupPhase::Failed,
                2,
            ),
        ];
        for (snap, post, outcomes, want, errors) in cases {
            let (phase, errs) = after_post(snap, post, &outcomes);
            assert_eq!((phase, errs.len()), (want, errors), "{snap:?} {outcomes:?}");
        }
    }

    #[test]
    fn the_workload_pod_is_a_running_non_mover_pod_mounting_the_pvc() {
        let pod = |name: &str, pvc: &str, phase: &str, mover: bool| -> Pod {
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": name, "labels": if mover { serde_json::json!({BACKUP_LABEL: "b"}) } else { serde_json::json!({}) }},
                "spec": {"containers": [{"name": "db", "securityContext": {"runAsUser": 999}}],
                         "securityContext": {"runAsGroup": 998},
                         "volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": pvc}}]},
                "status": {"phase": phase}
            }))
            .unwrap()
        };
        let pods = vec![
            pod("a-mover", "data", "Running", true),
            pod("b-pending", "data", "Pending", false),
            pod("d-db", "data", "Running", false),
            pod("c-other", "logs", "Running", false),
        ];
        let p = workload_pod(&pods, "data").unwrap();
        assert_eq!(p.metadata.name.as_deref(), Some("d-db"));
        assert_eq!(run_as(p), Some((999, Some(998))));
        let h = hook("dump", HookPhase::Pre, HookRun::Always, true);
        assert_eq!(container_of(&h, p), Some("db"));
        assert!(workload_pod(&pods, "wal").is_none());
    }
}

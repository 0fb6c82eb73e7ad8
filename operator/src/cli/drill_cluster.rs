//! `pusdata drill start|status|approve` against a cluster: create a Failover, show its steps,
//! and sign off a manual or approval step that waits for a person. The Failover controller
//! does the work; these commands only write what a person decides.
//!
//! A sign-off is the annotation `approval.pusdata.io/<step>` holding the JSON of a
//! `RecordedIdentity` (who, groups, when); the controller reads it only for a step that is
//! waiting, and records it in the step's `approvedBy`. What this command writes is a request:
//! the mutating webhook re-writes a new sign-off with the identity the API server
//! authenticated and refuses changing a recorded one (`policy::review_signoffs`, SEC-CIA).

use crate::controllers::failover::APPROVAL_PREFIX;
use crate::error::CliError;
use jiff::Timestamp;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, Patch, PatchParams, PostParams};
use pusdata_core::i18n::{Lang, Text};
use pusdata_crds::v1alpha1::{
    DisasterRecoveryPlan, Failover, FailoverSpec, FailoverType, RecordedIdentity, Scope, StepState,
};

/// Who runs the command: `--as USER` (the API server then checks the impersonation), else
/// the identity the API server sees (SelfSubjectReview).
pub async fn identity(
    client: &kube::Client,
    as_user: Option<&str>,
    now: Timestamp,
    lang: Lang,
) -> Result<RecordedIdentity, CliError> {
    if let Some(user) = as_user {
        return Ok(RecordedIdentity {
            username: user.to_string(),
            uid: None,
            groups: Vec::new(),
            at: Time(now),
        });
    }
    let review = Api::<SelfSubjectReview>::all(client.clone())
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .map_err(|e| {
            CliError::Failed(
                pusdata_core::t!("cli-drill-cluster-cannot-learn-who-you", error = &e)
                    .get(lang)
                    .to_string(),
            )
        })?;
    let info = review.status.and_then(|s| s.user_info).unwrap_or_default();
    let username = info.username.filter(|u| !u.is_empty()).ok_or_else(|| {
        CliError::Failed("the API server did not say who you are; pass --as USER".into())
    })?;
    Ok(RecordedIdentity {
        username,
        uid: info.uid,
        groups: info.groups.unwrap_or_default(),
        at: Time(now),
    })
}

/// Signs off `step` of Failover `name` as `who`. Refuses a step that does not exist or does
/// not wait for a person; signing off twice as the same person changes nothing.
pub async fn approve(
    client: &kube::Client,
    name: &str,
    step: &str,
    who: &RecordedIdentity,
    lang: Lang,
) -> Result<Text, CliError> {
    let api = Api::<Failover>::all(client.clone());
    let fo = api
        .get_opt(name)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?
        .ok_or_else(|| {
            CliError::Input(
                pusdata_core::t!("cli-drill-cluster-failover-not-found", name = name)
                    .get(lang)
                    .to_string(),
            )
        })?;
    let status = fo.status.clone().unwrap_or_default();
    let Some(s) = status.steps.iter().find(|s| s.id == step) else {
        let ids: Vec<&str> = status.steps.iter().map(|s| s.id.as_str()).collect();
        return Err(CliError::Input(
            pusdata_core::t!(
                "cli-drill-cluster-failover-step-steps",
                name = &name,
                step = &step,
                ids = &ids.join(", ")
            )
            .get(lang)
            .to_string(),
        ));
    };
    let key = format!("{APPROVAL_PREFIX}{step}");
    if let Some(earlier) = fo
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(&key))
        .and_then(|v| serde_json::from_str::<RecordedIdentity>(v).ok())
    {
        if earlier.username == who.username {
            return Ok(pusdata_core::t!(
                "cli-drill-cluster-already-signed-off",
                step = &step,
                username = &earlier.username
            ));
        }
        return Err(CliError::Check(
            pusdata_core::t!(
                "cli-drill-cluster-already-signed-off-sign",
                step = &step,
                username = &earlier.username
            )
            .get(lang)
            .to_string(),
        ));
    }
    if s.state != StepState::Waiting {
        return Err(CliError::Check(
            pusdata_core::t!(
                "cli-drill-cluster-step-does-wait-sign",
                step = &step,
                state = format!("{:?}", s.state)
            )
            .get(lang)
            .to_string(),
        ));
    }
    let value = serde_json::to_string(who).map_err(|e| CliError::Internal(e.to_string()))?;
    let patch = serde_json::json!({"metadata": {"annotations": {key: value}}});
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
    Ok(pusdata_core::t!(
        "cli-drill-cluster-signed-off",
        step = &step,
        name = &name,
        username = &who.username
    ))
}

/// Creates a Failover of `plan` (which must exist) and returns its name.
pub async fn start(
    client: &kube::Client,
    plan: &str,
    kind: FailoverType,
    reason: &str,
    scope: Scope,
    accept_data_loss: bool,
    now: Timestamp,
) -> Result<String, CliError> {
    Api::<DisasterRecoveryPlan>::all(client.clone())
        .get_opt(plan)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?
        .ok_or_else(|| CliError::Input(format!("DisasterRecoveryPlan {plan} not found")))?;
    let kind_name = match kind {
        FailoverType::Drill => "drill",
        FailoverType::Failover => "failover",
        FailoverType::Failback => "failback",
    };
    let name = format!("{kind_name}-{plan}-{}", now.strftime("%Y%m%d-%H%M%S"));
    let fo = Failover::new(
        &name,
        FailoverSpec {
            plan: plan.to_string(),
            kind,
            scope,
            reason: reason.into(),
            accept_data_loss,
            requested_by: None,
        },
    );
    Api::<Failover>::all(client.clone())
        .create(&PostParams::default(), &fo)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?;
    Ok(name)
}

/// The steps of a Failover as a table for people.
pub fn render_status(fo: &Failover) -> String {
    let st = fo.status.clone().unwrap_or_default();
    let mut out = format!(
        "{} {:?} of plan {} — phase {:?}, epoch {}\n",
        fo.metadata.name.clone().unwrap_or_default(),
        fo.spec.kind,
        fo.spec.plan,
        st.phase.unwrap_or_default(),
        st.epoch.map_or_else(|| "-".to_string(), |e| e.to_string()),
    );
    for s in &st.steps {
        let who = s
            .approved_by
            .as_ref()
            .map(|w| format!(" [signed off by {}]", w.username))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:<10} {:<28} {}{}\n",
            format!("{:?}", s.state),
            s.id,
            s.message.as_deref().unwrap_or(""),
            who
        ));
    }
    if let Some(cm) = st.report.as_ref().and_then(|r| r.config_map.as_ref()) {
        out.push_str(&format!("  report: ConfigMap {cm}\n"));
    }
    out
}

/// Reads a Failover.
pub async fn get(client: &kube::Client, name: &str) -> Result<Failover, CliError> {
    Api::<Failover>::all(client.clone())
        .get_opt(name)
        .await
        .map_err(|e| CliError::Failed(e.to_string()))?
        .ok_or_else(|| CliError::Input(format!("Failover {name} not found")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube_fake_client::ClientBuilder;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{FailoverStatus, StepStatus};

    fn who(user: &str) -> RecordedIdentity {
        RecordedIdentity {
            username: user.into(),
            uid: None,
            groups: vec!["pusdata:platform".into()],
            at: fixtures::time("2026-11-25T01:00:00Z"),
        }
    }

    /// A person's client: authorized against the chart rendered with the sign-off role
    /// bound to the group `diskominfo:kepala` (as docs/install.md tells a platform team to).
    fn person(admin: &kube::Client, user: &str, groups: &[&str]) -> kube::Client {
        use crate::testkit::authz::{Authorizer, Identity, Rbac};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let chart = root.join(crate::chart::CHART_DIR);
        let rendered = crate::chart::Helm::locate(&root)
            .unwrap()
            .render(
                &chart,
                &[],
                Some(&serde_json::json!({"rbac": {"drSignoffGroups": ["diskominfo:kepala"]}})),
                crate::chart::DEPLOY_RELEASE,
                true,
            )
            .unwrap();
        let docs = crate::testkit::manifests::parse_stream(&rendered);
        Authorizer::new(
            admin.clone(),
            Rbac::from_documents(&docs),
            Identity::user(user, groups),
        )
        .client()
    }

    /// Someone who signs off runbook steps and nothing else.
    fn signer(admin: &kube::Client) -> kube::Client {
        person(admin, "kadis", &["diskominfo:kepala"])
    }

    async fn client_with_waiting_step() -> kube::Client {
        let client = ClientBuilder::new()
            .with_resource::<Failover>()
            .with_status_subresource::<Failover>()
            .with_resource::<DisasterRecoveryPlan>()
            .build()
            .await
            .unwrap();
        let api = Api::<Failover>::all(client.clone());
        api.create(&PostParams::default(), &fixtures::drill())
            .await
            .unwrap();
        let status = FailoverStatus {
            steps: vec![
                StepStatus {
                    id: "declare-disaster".into(),
                    state: StepState::Waiting,
                    ..StepStatus::default()
                },
                StepStatus {
                    id: "restore/db".into(),
                    state: StepState::Pending,
                    ..StepStatus::default()
                },
            ],
            ..FailoverStatus::default()
        };
        api.patch_status(
            "drill-2026-11",
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({"status": status})),
        )
        .await
        .unwrap();
        client
    }

    #[tokio::test]
    async fn approve_records_who_in_the_annotation_the_controller_reads() {
        let client = signer(&client_with_waiting_step().await);
        let msg = approve(
            &client,
            "drill-2026-11",
            "declare-disaster",
            &who("kadis"),
            Lang::En,
        )
        .await
        .unwrap();
        assert!(msg.en.contains("signed off by kadis"), "{}", msg.en);
        let fo = get(&client, "drill-2026-11").await.unwrap();
        let seen = crate::controllers::failover::approvals(&fo);
        assert_eq!(seen["declare-disaster"], who("kadis"));
        // Again as the same person: nothing changes. As someone else: refused.
        approve(
            &client,
            "drill-2026-11",
            "declare-disaster",
            &who("kadis"),
            Lang::En,
        )
        .await
        .unwrap();
        let err = approve(
            &client,
            "drill-2026-11",
            "declare-disaster",
            &who("mallory"),
            Lang::En,
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("never re-pointed"), "{err}");
        let fo = get(&client, "drill-2026-11").await.unwrap();
        assert_eq!(
            crate::controllers::failover::approvals(&fo)["declare-disaster"].username,
            "kadis"
        );
    }

    #[tokio::test]
    async fn approve_refuses_steps_that_do_not_wait_or_do_not_exist() {
        let client = signer(&client_with_waiting_step().await);
        let err = approve(
            &client,
            "drill-2026-11",
            "restore/db",
            &who("kadis"),
            Lang::En,
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("does not wait"), "{err}");
        let err = approve(&client, "drill-2026-11", "nope", &who("kadis"), Lang::En)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("declare-disaster"), "{err}");
        let err = approve(&client, "missing", "nope", &who("kadis"), Lang::En)
            .await
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let fo = get(&client, "drill-2026-11").await.unwrap();
        assert!(crate::controllers::failover::approvals(&fo).is_empty());
    }

    #[tokio::test]
    async fn start_creates_a_failover_of_an_existing_plan_and_status_shows_it() {
        // The platform team starts failovers (ClusterRole pusdata-platform).
        let client = person(
            &client_with_waiting_step().await,
            "ratna",
            &["pusdata:platform"],
        );
        let now: Timestamp = "2026-11-25T02:03:04Z".parse().unwrap();
        let err = start(
            &client,
            "bekasi",
            FailoverType::Drill,
            "Quarterly drill of the DRP",
            Scope::default(),
            false,
            now,
        )
        .await
        .unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
        Api::<DisasterRecoveryPlan>::all(client.clone())
            .create(&PostParams::default(), &fixtures::plan())
            .await
            .unwrap();
        let name = start(
            &client,
            "bekasi",
            FailoverType::Failover,
            "Flood at the primary site",
            Scope::default(),
            true,
            now,
        )
        .await
        .unwrap();
        assert_eq!(name, "failover-bekasi-20261125-020304");
        let fo = get(&client, &name).await.unwrap();
        assert_eq!(fo.spec.kind, FailoverType::Failover);
        assert!(fo.spec.accept_data_loss);
        let text = render_status(&get(&client, "drill-2026-11").await.unwrap());
        assert!(
            text.contains("Waiting") && text.contains("declare-disaster"),
            "{text}"
        );
    }
}

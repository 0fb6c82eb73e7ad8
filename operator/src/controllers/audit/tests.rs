//! Audit passes against the in-memory API: reports written, left alone when nothing changed,
//! cleaned when objects are fixed or deleted, and an expired exception shows again.

use super::*;
use crate::controllers::testing::{seed_cluster, seed_namespaced};
use kube_fake_client::ClientBuilder;
use pusdata_core::policy::report::Outcome as Result_;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::Approval;
use std::sync::Arc;

async fn context() -> Context {
    crate::controllers::testing::context(
        ClientBuilder::new()
            .with_resource::<ResidencyPolicy>()
            .with_resource::<Site>()
            .with_resource::<Rack>()
            .with_resource::<Agency>()
            .with_resource::<Approval>()
            .with_resource::<BackupRepository>()
            .with_resource::<DisasterRecoveryPlan>()
            .with_resource::<HostingRequest>()
            .with_resource::<ExternalCloudService>()
            .with_resource::<PolicyReport>()
            .with_resource::<ClusterPolicyReport>(),
    )
    .await
}

fn at(ctx: &Context, t: &str) -> Context {
    let t: jiff::Timestamp = t.parse().unwrap();
    Context {
        clock: Arc::new(move || t),
        ..ctx.clone()
    }
}

/// The policy (with `exceptions`), the primary site, the agency and its approval of
/// `disdik/lms`.
async fn world(ctx: &Context, exceptions: Vec<pusdata_crds::v1alpha1::PolicyException>) {
    let mut policy = fixtures::residency_policy();
    policy.spec.exceptions = exceptions;
    seed_cluster(ctx, &policy).await;
    seed_cluster(ctx, &fixtures::primary_site()).await;
    seed_cluster(ctx, &fixtures::agency("disdik")).await;
    let mut approval = fixtures::approval("disdik", "lms");
    approval.spec.target.kind = "ExternalCloudService".into();
    seed_namespaced(ctx, &approval).await;
}

async fn report(ctx: &Context, ns: &str) -> Option<PolicyReport> {
    crate::controllers::testing::as_harness(
        Api::<PolicyReport>::namespaced(ctx.client.clone(), ns).get_opt(report::REPORT_NAME),
    )
    .await
    .unwrap()
}

async fn cluster_report(ctx: &Context) -> ClusterPolicyReport {
    crate::controllers::testing::as_harness(
        Api::<ClusterPolicyReport>::all(ctx.client.clone()).get(report::REPORT_NAME),
    )
    .await
    .unwrap()
}

async fn set_region(ctx: &Context, region: &str) {
    crate::controllers::testing::as_harness(
        Api::<ExternalCloudService>::namespaced(ctx.client.clone(), "disdik").patch(
            "lms",
            &PatchParams::default(),
            &Patch::Merge(serde_json::json!({"spec": {"region": region}})),
        ),
    )
    .await
    .unwrap();
}

fn outcomes(r: &PolicyReport) -> Vec<(Option<&str>, Option<Result_>)> {
    r.content
        .results
        .iter()
        .map(|x| (x.rule.as_deref(), x.result))
        .collect()
}

#[tokio::test]
async fn a_foreign_region_is_reported_then_cleared_when_fixed_and_removed_when_deleted() {
    let ctx = context().await;
    world(&ctx, vec![]).await;
    seed_namespaced(
        &ctx,
        &fixtures::external_cloud("disdik", "aws", "ap-southeast-1"),
    )
    .await;

    let out = audit_once(&ctx).await.unwrap();
    assert_eq!(out.applied, ["", "disdik"]);
    let r = report(&ctx, "disdik").await.unwrap();
    assert_eq!(outcomes(&r), [(Some("CLOUD-NKRI"), Some(Result_::Fail))]);
    assert_eq!(r.content.summary.fail, 1);
    assert_eq!(r.content.results[0].properties["article"], "Perwal 8(3)");
    assert_eq!(r.labels()[MANAGED_BY.0], MANAGED_BY.1);
    let c = cluster_report(&ctx).await;
    assert_eq!(c.content.summary.pass, 3, "{:#?}", c.content);
    let text = ctx.metrics.encode();
    assert!(
        text.contains(r#"pusdata_policy_findings{rule="CLOUD-NKRI",severity="high"} 1"#),
        "{text}"
    );

    // Nothing changed: nothing written, the stored report untouched.
    let again = audit_once(&at(&ctx, "2026-11-25T00:10:00Z")).await.unwrap();
    assert!(again.applied.is_empty(), "{again:?}");
    assert_eq!(
        report(&ctx, "disdik").await.unwrap().resource_version(),
        r.resource_version()
    );

    // Fixed (a new generation, approved again): the fail is gone, a pass instead; the gauge
    // no longer shows it.
    set_region(&ctx, "ap-southeast-3").await;
    let mut approval = fixtures::approval("disdik", "lms");
    approval.metadata.name = Some("disdik-lms-g2".into());
    approval.spec.target.kind = "ExternalCloudService".into();
    approval.spec.target_generation = 2;
    seed_namespaced(&ctx, &approval).await;
    let fixed = audit_once(&ctx).await.unwrap();
    assert_eq!(fixed.applied, ["disdik"]);
    let r = report(&ctx, "disdik").await.unwrap();
    assert_eq!(
        outcomes(&r),
        [(None, Some(Result_::Pass))],
        "{:#?}",
        r.content
    );
    assert_eq!((r.content.summary.fail, r.content.summary.pass), (0, 1));
    assert!(!ctx.metrics.encode().contains("CLOUD-NKRI"));

    // Deleted: the namespace's report goes too.
    crate::controllers::testing::as_harness(
        Api::<ExternalCloudService>::namespaced(ctx.client.clone(), "disdik")
            .delete("lms", &DeleteParams::default()),
    )
    .await
    .unwrap();
    let gone = audit_once(&ctx).await.unwrap();
    assert_eq!(gone.deleted, ["disdik"]);
    assert!(report(&ctx, "disdik").await.is_none());
}

#[tokio::test]
async fn an_expired_exception_brings_the_object_back_into_the_report() {
    let ctx = context().await;
    let expiry = "2026-12-01T00:00:00Z";
    world(&ctx, vec![fixtures::exception("lms", "CLOUD-NKRI", expiry)]).await;
    seed_namespaced(
        &ctx,
        &fixtures::external_cloud("disdik", "aws", "ap-southeast-1"),
    )
    .await;

    let before = audit_once(&ctx).await.unwrap();
    let r = report(&ctx, "disdik").await.unwrap();
    assert_eq!(outcomes(&r), [(Some("CLOUD-NKRI"), Some(Result_::Skip))]);
    assert_eq!(r.content.results[0].properties["exception"], "lms");
    assert!(!ctx.metrics.encode().contains("CLOUD-NKRI"));
    // The audit wakes up when the exception expires (6 days ahead: the period comes first)…
    assert_eq!(before.next_expiry, Some(expiry.parse().unwrap()));
    assert_eq!(before.next_run((ctx.clock)()), PERIOD);
    // …and five minutes before expiry it would wake at expiry.
    let close: jiff::Timestamp = "2026-11-30T23:55:00Z".parse().unwrap();
    assert_eq!(before.next_run(close), Duration::from_secs(300));

    let later = at(&ctx, expiry);
    let after = audit_once(&later).await.unwrap();
    assert!(after.applied.contains(&"disdik".to_string()));
    let r = report(&ctx, "disdik").await.unwrap();
    assert_eq!(outcomes(&r), [(Some("CLOUD-NKRI"), Some(Result_::Fail))]);
    assert!(r.content.results[0].message.contains("expired"));
    assert_eq!(after.next_expiry, None);
    assert!(
        later
            .metrics
            .encode()
            .contains(r#"pusdata_policy_findings{rule="CLOUD-NKRI",severity="high"} 1"#)
    );
}

#[tokio::test]
async fn a_report_in_a_namespace_without_audited_objects_is_removed_but_others_are_kept() {
    let ctx = context().await;
    world(&ctx, vec![]).await;
    // Left behind by an earlier pass, and a report of somebody else in the same namespace.
    let stale = PolicyReport::new(report::REPORT_NAME, Some("old"), Default::default());
    seed_namespaced(&ctx, &stale).await;
    let mut foreign = PolicyReport::new("kyverno-polr", Some("old"), Default::default());
    foreign.metadata.labels = None;
    seed_namespaced(&ctx, &foreign).await;

    let out = audit_once(&ctx).await.unwrap();
    assert_eq!(out.deleted, ["old"]);
    assert!(report(&ctx, "old").await.is_none());
    let left = crate::controllers::testing::as_harness(
        Api::<PolicyReport>::namespaced(ctx.client.clone(), "old").list(&ListParams::default()),
    )
    .await
    .unwrap();
    assert_eq!(left.items.len(), 1);
    assert_eq!(left.items[0].name_any(), "kyverno-polr");
}

/// Issue 14, defect 1, for the audit: a report the API server refuses (the chart's RBAC
/// without `create` on ClusterPolicyReports, as shipped before the fix: 403) is named in a
/// Warning Event on the active ResidencyPolicy, in both languages — the audit has no status
/// of its own — and the pass fails, to be tried again.
#[tokio::test]
async fn a_refused_report_is_named_in_a_warning_event_on_the_policy() {
    use crate::testkit::authz::{Authorizer, Identity, Rbac};
    use crate::testkit::manifests::Site as Install;
    let ctx = context().await;
    world(&ctx, vec![]).await;
    let rbac = Rbac::rendered(Install::Primary).revoke(
        super::super::policyreport::GROUP,
        "clusterpolicyreports",
        "create",
    );
    let mut refused = ctx.clone();
    refused.client = Authorizer::new(ctx.client.clone(), rbac, Identity::operator())
        .answering_403()
        .client();
    let err = audit_once(&refused).await.unwrap_err();
    assert!(err.to_string().contains("forbidden"), "{err}");
    let events: Vec<_> = crate::controllers::testing::as_harness(
        Api::<k8s_openapi::api::events::v1::Event>::namespaced(ctx.client.clone(), "default")
            .list(&Default::default()),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|e| e.reason.as_deref() == Some(REPORT_NOT_WRITTEN))
    .collect();
    assert_eq!(events.len(), 1, "{events:#?}");
    let e = &events[0];
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    let regarding = e.regarding.as_ref().unwrap();
    assert_eq!(
        (regarding.kind.as_deref(), regarding.name.as_deref()),
        (Some("ResidencyPolicy"), Some("default"))
    );
    let note = e.note.clone().unwrap_or_default();
    assert!(
        note.contains("clusterpolicyreports")
            && note.contains("is forbidden")
            && note.contains("ClusterPolicyReport pusdata-policy")
            && note.contains("audit kebijakan"),
        "{note}"
    );
    // Granted again, the next pass writes it.
    audit_once(&ctx).await.unwrap();
    cluster_report(&ctx).await;
}

//! The final sync of bucket members: a failback mirrors the DRC back onto the primary, a
//! failover the primary onto the DRC (no agents involved: the step only creates `Backup`s).

use super::agents::BoxFuture;
use super::work::{Job, final_sync};
use super::*;
use crate::controllers::testing::{self, seed_namespaced};
use kube::api::ListParams;
use kube_fake_client::ClientBuilder;
use pusdata::agent::client::AgentClient;
use pusdata_core::dr::steps::{PlannedStep, StepAction, StepResult};
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{BackupPhase, BackupTrigger};
use pusdata_crds::v1alpha1::{BackupStatus, BucketMirror, FailoverSpec, Scope, SecretRef};

/// Final sync never calls an agent.
struct NoAgents;
impl SiteAgents for NoAgents {
    fn agent<'a>(
        &'a self,
        _: &'a Site,
    ) -> BoxFuture<'a, Result<AgentClient, pusdata_core::i18n::Text>> {
        Box::pin(async {
            Err(pusdata_core::i18n::Text::new(
                "no agent in this test",
                "tanpa agen dalam uji ini",
            ))
        })
    }
}

fn plan() -> DisasterRecoveryPlan {
    let mut p = fixtures::plan();
    let m = &mut p.spec.tiers[0].members[0];
    m.buckets = vec!["arsip".into()];
    m.bucket_mirror = Some(BucketMirror {
        primary_credentials: SecretRef {
            name: "s3-primary".into(),
            namespace: None,
        },
        delete_after: "24h".into(),
        ..BucketMirror::default()
    });
    p
}

async fn final_sync_of(kind: FailoverType) -> (FailoverContext, World, Failover) {
    let base = testing::context(
        ClientBuilder::new()
            .with_resource::<Backup>()
            .with_status_subresource::<Backup>()
            .with_resource::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(),
    )
    .await;
    let mut pvc = k8s_openapi::api::core::v1::PersistentVolumeClaim::default();
    pvc.metadata.name = Some("siak-data".into());
    pvc.metadata.namespace = Some("disdukcapil".into());
    seed_namespaced(&base, &pvc).await;
    let ctx = FailoverContext {
        traffic: Arc::new(ServiceSwitch::new(base.client.clone())),
        agents: Arc::new(NoAgents),
        decide: dr::failover::decide,
        base,
    };
    let world = World {
        plan: plan(),
        primary: fixtures::primary_site(),
        drc: fixtures::drc_site("Kota Bandung", fixtures::BANDUNG),
        backups: vec![],
        repositories: vec![
            Arc::new(fixtures::backup_repository("disdukcapil", "drc-bandung")),
            Arc::new(fixtures::backup_repository("disdukcapil", "dc-bekasi")),
        ],
    };
    let fo = Failover::new(
        "fb",
        FailoverSpec {
            plan: "bekasi".into(),
            kind,
            scope: Scope::default(),
            reason: "test".into(),
            accept_data_loss: false,
            requested_by: None,
        },
    );
    (ctx, world, fo)
}

async fn run(ctx: &FailoverContext, world: &World, fo: &Failover) -> StepResult {
    let step = PlannedStep {
        id: "final-sync".into(),
        action: StepAction::FinalSync,
        title: "final sync".into(),
        service: None,
        tier: None,
        pvc: None,
        needs: vec![],
        timeout: None,
    };
    let scope = world.plan.spec.tiers[0].members.clone();
    final_sync(
        ctx,
        &Job {
            fo,
            world,
            status: &FailoverStatus::default(),
            step: &step,
            epoch: 2,
            attempt: 1,
            scope: &scope,
        },
    )
    .await
}

async fn backups(ctx: &FailoverContext) -> Vec<Backup> {
    let mut v = Api::<Backup>::namespaced(ctx.base.client.clone(), "disdukcapil")
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    v.sort_by_key(|b| b.name_any());
    v
}

#[tokio::test]
async fn a_failback_final_sync_mirrors_buckets_from_the_drc_back_to_the_primary() {
    let (ctx, mut world, fo) = final_sync_of(FailoverType::Failback).await;
    assert_eq!(run(&ctx, &world, &fo).await, StepResult::Running);
    let made = backups(&ctx).await;
    let names: Vec<String> = made.iter().map(|b| b.name_any()).collect();
    assert_eq!(
        names,
        [
            "fb-final-tier-1-critical-svc-bucket-arsip",
            "fb-final-tier-1-critical-svc-siak-data"
        ]
    );
    let (bucket, volume) = (&made[0], &made[1]);
    assert_eq!(bucket.spec.source.bucket.as_deref(), Some("arsip"));
    assert!(bucket.spec.source.reverse, "DRC → primary");
    assert_eq!(bucket.spec.trigger, BackupTrigger::FinalSync);
    // The bucket pass names the DRC repository (its keys); the volume goes to the primary.
    assert_eq!(bucket.spec.repository, "disdukcapil-drc-bandung");
    assert_eq!(volume.spec.repository, "disdukcapil-dc-bekasi");
    assert!(!volume.spec.source.reverse);

    // Done when both completed; a failed bucket pass fails the step.
    world.backups = made
        .iter()
        .cloned()
        .map(|mut b| {
            b.status = Some(BackupStatus {
                phase: Some(BackupPhase::Completed),
                ..BackupStatus::default()
            });
            b
        })
        .collect();
    assert!(matches!(
        run(&ctx, &world, &fo).await,
        StepResult::Succeeded(_)
    ));
    world.backups[0].status = Some(BackupStatus {
        phase: Some(BackupPhase::Failed),
        ..BackupStatus::default()
    });
    let StepResult::Failed(why) = run(&ctx, &world, &fo).await else {
        panic!()
    };
    assert!(why.en.contains("bucket-arsip"), "{why}");
    assert!(why.id.contains("bucket-arsip"), "{why}");
}

#[tokio::test]
async fn a_failover_final_sync_mirrors_buckets_onto_the_drc() {
    let (ctx, world, fo) = final_sync_of(FailoverType::Failover).await;
    assert_eq!(run(&ctx, &world, &fo).await, StepResult::Running);
    let made = backups(&ctx).await;
    assert_eq!(made.len(), 2);
    assert!(!made[0].spec.source.reverse);
    assert_eq!(made[0].spec.repository, "disdukcapil-drc-bandung");
}

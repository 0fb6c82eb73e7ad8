use crate::controllers::testing::{self, as_harness, seed_cluster};
use crate::controllers::{agency, cache};
use kube::Api;
use kube::api::{ListParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::Agency;

#[tokio::test]
async fn a_malformed_agency_is_reported_and_skipped_and_the_others_reconcile() {
    let mut ctx = testing::context(testing::agency_world()).await;
    seed_cluster(&ctx, &fixtures::agency("disdukcapil")).await;
    // Stored before a schema change (or past validation): its spec no longer decodes.
    let bad: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "pusdata.io/v1alpha1", "kind": "Agency",
        "metadata": {"name": "dishub"},
        "spec": {"code": 42, "namespaces": "dishub"}
    }))
    .unwrap();
    as_harness(
        Api::<DynamicObject>::all_with(ctx.client.clone(), &ApiResource::erase::<Agency>(&()))
            .create(&PostParams::default(), &bad),
    )
    .await
    .unwrap();
    seed_cluster(&ctx, &fixtures::agency("bapenda")).await;
    // A typed list fails as a whole: what stalls a typed watch (and with it every
    // controller waiting for its cache).
    assert!(
        as_harness(Api::<Agency>::all(ctx.client.clone()).list(&ListParams::default()))
            .await
            .is_err()
    );
    // The caches decode one by one: the two good Agencies are in, the bad one counted.
    ctx.caches = Some(cache::from_api(&ctx).await);
    let mut cached: Vec<String> = ctx
        .caches
        .as_ref()
        .unwrap()
        .agencies
        .state()
        .iter()
        .map(|a| a.spec.code.clone())
        .collect();
    cached.sort();
    assert_eq!(cached, ["bapenda", "disdukcapil"]);
    assert!(
        ctx.metrics
            .encode()
            .contains("pusdata_malformed_objects_total{kind=\"Agency\"} 1"),
        "{}",
        ctx.metrics.encode()
    );
    // And the good ones reconcile.
    for a in ctx.caches.as_ref().unwrap().agencies.state() {
        let out = agency::reconcile_once(&a, &ctx).await.unwrap();
        assert!(matches!(out, agency::Outcome::Applied { .. }), "{out:?}");
    }
}

//! Report content: what the background audit writes for a given cluster.

use super::*;
use crate::policy::active_policy;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::ExternalCloudService;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn now() -> Timestamp {
    at("2026-11-25T00:00:00Z")
}

/// Bekasi's policy (with `exceptions`), the primary site, two agencies, a rack and an
/// approval of `disdik/lms`; plus the given cloud services.
fn cluster(exceptions: Vec<pusdata_crds::v1alpha1::PolicyException>) -> Vec<Object> {
    let mut policy = fixtures::residency_policy();
    policy.spec.exceptions = exceptions;
    let mut approval = fixtures::approval("disdik", "lms");
    approval.spec.target.kind = "ExternalCloudService".into();
    vec![
        Object::ResidencyPolicy(policy),
        Object::Site(fixtures::primary_site()),
        Object::Agency(fixtures::agency("disdik")),
        Object::Agency(fixtures::agency("disdukcapil")),
        Object::Rack(fixtures::rack("r1", "dc-bekasi")),
        Object::Approval(approval),
    ]
}

fn cloud(name: &str, region: &str) -> Object {
    let mut e: ExternalCloudService = fixtures::external_cloud("disdik", "aws", region);
    e.metadata.name = Some(name.into());
    e.metadata.uid = Some(format!("uid-{name}"));
    Object::ExternalCloudService(e)
}

fn run(objects: &[Object], now: Timestamp, previous: &Previous) -> Reports {
    let policy = policy_name(active_policy(objects));
    build(
        objects,
        &policy,
        &Context::from_objects(objects),
        now,
        previous,
    )
}

fn of<'a>(report: &'a ReportContent, name: &str) -> Vec<&'a ReportResult> {
    report
        .results
        .iter()
        .filter(|r| r.resources[0].name.as_deref() == Some(name))
        .collect()
}

#[test]
fn a_foreign_region_is_a_high_fail_citing_rule_and_article_in_both_languages() {
    let mut objects = cluster(vec![]);
    objects.push(cloud("lms", "ap-southeast-1"));
    let reports = run(&objects, now(), &Previous::new());

    let disdik = &reports.namespaced["disdik"];
    assert_eq!(
        disdik.summary,
        Summary {
            fail: 1,
            ..Summary::default()
        }
    );
    let r = &disdik.results[0];
    assert_eq!(r.result, Some(Outcome::Fail));
    assert_eq!(r.rule.as_deref(), Some("CLOUD-NKRI"));
    assert_eq!(r.severity.as_deref(), Some("high"));
    assert_eq!(r.category.as_deref(), Some("Cloud residency"));
    assert_eq!(
        (r.source.as_str(), r.policy.as_str()),
        ("pusdata", "default")
    );
    assert_eq!(r.properties["article"], "Perwal 8(3)");
    assert_eq!(r.properties["path"], "spec.region");
    assert!(!r.message.is_empty() && r.message != r.properties["pesan"]);
    assert!(!r.properties["saran"].is_empty() && !r.properties["hint"].is_empty());
    assert_eq!(r.timestamp, ResultTimestamp::from(now()));
    let res = &r.resources[0];
    assert_eq!(
        (
            res.api_version.as_deref(),
            res.kind.as_deref(),
            res.namespace.as_deref(),
            res.uid.as_deref()
        ),
        (
            Some("pusdata.io/v1alpha1"),
            Some("ExternalCloudService"),
            Some("disdik"),
            Some("uid-lms")
        )
    );
}

#[test]
fn clean_objects_pass_and_unchecked_kinds_are_not_reported() {
    let mut objects = cluster(vec![]);
    objects.push(cloud("lms", "ap-southeast-3"));
    let reports = run(&objects, now(), &Previous::new());

    let disdik = &reports.namespaced["disdik"];
    assert_eq!(disdik.results.len(), 1);
    assert_eq!(disdik.results[0].result, Some(Outcome::Pass));
    assert_eq!(disdik.results[0].rule, None);
    assert_eq!(disdik.summary.pass, 1);

    // Cluster-scoped: the policy, the site, both agencies and the rack (HOST-POWER looks at
    // its feeds); not the approval (namespaced, and no rule looks at it).
    let kinds: Vec<_> = reports
        .cluster
        .results
        .iter()
        .map(|r| r.resources[0].kind.clone().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["Agency", "Agency", "Rack", "ResidencyPolicy", "Site"]
    );
    assert!(!reports.namespaced.contains_key("pusdata-system"));
    assert_eq!(reports.namespaced.len(), 1);
}

#[test]
fn an_exception_in_force_is_a_skip_and_after_expiry_the_fail_is_back() {
    let exception = fixtures::exception("lms", "CLOUD-NKRI", "2026-12-31T00:00:00Z");
    let mut objects = cluster(vec![exception]);
    objects.push(cloud("lms", "ap-southeast-1"));

    let before = run(&objects, now(), &Previous::new());
    let r = &before.namespaced["disdik"].results[0];
    assert_eq!(r.result, Some(Outcome::Skip));
    assert_eq!(r.properties["exception"], "lms");
    assert!(r.properties["expiresAt"].starts_with("2026-12-31T00:00:00"));
    assert!(r.message.contains("excepted by lms"), "{}", r.message);
    assert_eq!(before.namespaced["disdik"].summary.skip, 1);
    assert_eq!(before.finding_counts(), BTreeMap::new());

    let later = at("2026-12-31T00:00:00Z");
    let kept = Compact::of(&before.namespaced["disdik"]);
    let prev: Previous = [(Some("disdik".to_string()), &kept)].into();
    let after = run(&objects, later, &prev);
    let r = &after.namespaced["disdik"].results[0];
    assert_eq!(r.result, Some(Outcome::Fail));
    assert!(r.message.contains("exception lms expired"), "{}", r.message);
    assert!(r.properties["pesan"].contains("pengecualian lms berakhir"));
    // A new result: found now, not when the skip was.
    assert_eq!(r.timestamp, ResultTimestamp::from(later));
    // The policy itself now carries an info note to clean the exception up.
    let policy = of(&after.cluster, "default");
    assert_eq!(policy[0].result, Some(Outcome::Warn));
    assert_eq!(policy[0].severity.as_deref(), Some("info"));
    assert_eq!(
        after.finding_counts(),
        BTreeMap::from([
            (("AUDIT".to_string(), "info".to_string()), 1),
            (("CLOUD-NKRI".to_string(), "high".to_string()), 1),
        ])
    );
}

#[test]
fn unchanged_results_keep_when_they_were_found_so_the_report_is_unchanged() {
    let mut objects = cluster(vec![]);
    objects.push(cloud("lms", "ap-southeast-1"));
    let first = run(&objects, now(), &Previous::new());

    let later = at("2026-11-25T00:10:00Z");
    let kept = compacts(&first);
    let prev = previous(&kept);
    let second = run(&objects, later, &prev);
    assert_eq!(second, first);

    // A second, new finding is stamped with the later time; the old one keeps its own.
    objects.push(cloud("lms-archive", "eu-west-1"));
    let third = run(&objects, later, &prev);
    let disdik = &third.namespaced["disdik"];
    assert_eq!(of(disdik, "lms")[0].timestamp, ResultTimestamp::from(now()));
    assert_eq!(
        of(disdik, "lms-archive")[0].timestamp,
        ResultTimestamp::from(later)
    );
    // Sorted by kind, then name.
    let mut names: Vec<_> = disdik
        .results
        .iter()
        .map(|r| r.resources[0].name.clone().unwrap())
        .collect();
    assert!(names.is_sorted(), "{names:?}");
    names.dedup();
    assert_eq!(names, ["lms", "lms-archive"]);
}

#[test]
fn fixed_or_deleted_objects_leave_no_stale_result() {
    let mut objects = cluster(vec![]);
    objects.push(cloud("lms", "ap-southeast-1"));
    let broken = run(&objects, now(), &Previous::new());
    assert_eq!(broken.namespaced["disdik"].summary.fail, 1);

    objects.pop();
    objects.push(cloud("lms", "ap-southeast-3"));
    let fixed = run(&objects, now(), &Previous::new());
    assert_eq!(
        fixed.namespaced["disdik"].summary,
        Summary {
            pass: 1,
            ..Summary::default()
        }
    );

    objects.pop();
    let deleted = run(&objects, now(), &Previous::new());
    assert!(!deleted.namespaced.contains_key("disdik"));
}

#[test]
fn without_a_policy_the_defaults_are_named() {
    let objects = vec![Object::Site(fixtures::primary_site())];
    let reports = run(&objects, now(), &Previous::new());
    assert_eq!(reports.cluster.results[0].policy, DEFAULT_POLICY);
}

#[test]
fn an_empty_cluster_still_has_an_empty_cluster_report() {
    let reports = run(&[], now(), &Previous::new());
    assert_eq!(reports.cluster, ReportContent::default());
    assert!(reports.namespaced.is_empty());
}

#[test]
fn serialised_as_the_upstream_schema() {
    let mut objects = cluster(vec![]);
    objects.push(cloud("lms", "ap-southeast-1"));
    let reports = run(&objects, now(), &Previous::new());
    let v = serde_json::to_value(&reports.namespaced["disdik"]).unwrap();
    assert_eq!(
        v["summary"],
        serde_json::json!({"pass": 0, "fail": 1, "warn": 0, "error": 0, "skip": 0})
    );
    let r = &v["results"][0];
    assert_eq!(r["result"], "fail");
    assert_eq!(r["rule"], "CLOUD-NKRI");
    assert_eq!(r["source"], "pusdata");
    assert_eq!(r["scored"], true);
    assert_eq!(r["timestamp"]["seconds"], now().as_second());
    assert_eq!(r["timestamp"]["nanos"], 0);
    assert_eq!(r["resources"][0]["apiVersion"], "pusdata.io/v1alpha1");
    assert!(v.get("scope").is_none());

    // An empty report still writes `results: []`, so applying it clears stale results.
    let empty = serde_json::to_value(ReportContent::default()).unwrap();
    assert_eq!(empty["results"], serde_json::json!([]));
    let back: ReportContent = serde_json::from_value(v).unwrap();
    assert_eq!(back, reports.namespaced["disdik"]);
}

#[test]
fn categories_follow_the_rule_prefix() {
    for (rule, cat) in [
        ("HOST-POWER", "Hosting"),
        ("WEB-DC", "Web hosting"),
        ("CLOUD-NKRI", "Cloud residency"),
        ("NET-PORTS", "Network"),
        ("SEC-CIA", "Security"),
        ("DR-FAR", "Disaster recovery"),
        ("DATA-DC", "Data residency"),
        ("APP-BACKUP", "Applications"),
        ("AUDIT", "Audit"),
    ] {
        assert_eq!(category(rule), cat, "{rule}");
    }
}

#[test]
fn every_kind_without_rules_evaluates_to_nothing() {
    // `has_rules` must stay in step with `evaluate`'s dispatch.
    let ctx = Context::from_objects(&cluster(vec![]));
    let others = [
        Object::Approval(fixtures::approval("disdik", "lms")),
        Object::DisasterRecoveryPlan(fixtures::plan()),
        Object::Backup(fixtures::backup("disdik", "data")),
        Object::Restore(fixtures::restore("disdik", "data")),
        Object::Failover(fixtures::drill()),
    ];
    for o in &others {
        assert!(!has_rules(o));
        assert_eq!(
            evaluate_detailed(o, &ctx, now()),
            Evaluation::default(),
            "{}",
            o.kind()
        );
    }
}

#[test]
fn the_next_expiry_is_the_earliest_one_still_ahead() {
    let ex = [
        fixtures::exception("a", "CLOUD-NKRI", "2026-12-31T00:00:00Z"),
        fixtures::exception("b", "CLOUD-NKRI", "2026-12-01T00:00:00Z"),
        fixtures::exception("c", "CLOUD-NKRI", "2026-11-01T00:00:00Z"),
    ];
    let next = crate::policy::next_expiry(&ex, now());
    assert_eq!(next, Some(at("2026-12-01T00:00:00Z")));
    assert_eq!(
        crate::policy::next_expiry(&ex, at("2026-12-31T00:00:00Z")),
        None
    );
    assert_eq!(crate::policy::next_expiry(&[], now()), None);
}

#[test]
fn exempt_namespaces_are_not_reported() {
    let mut objects = cluster(vec![]);
    let mut e = fixtures::external_cloud("kube-system", "aws", "ap-southeast-1");
    e.metadata.namespace = Some("kube-system".into());
    objects.push(Object::ExternalCloudService(e));
    objects.push(cloud("lms", "ap-southeast-1"));
    let reports = run(&objects, now(), &Previous::new());
    assert!(!reports.namespaced.contains_key("kube-system"));
    assert_eq!(reports.namespaced["disdik"].summary.fail, 1);
}

fn compacts(reports: &Reports) -> BTreeMap<Option<String>, Compact> {
    reports
        .namespaced
        .iter()
        .map(|(ns, c)| (Some(ns.clone()), Compact::of(c)))
        .chain([(None, Compact::of(&reports.cluster))])
        .collect()
}

fn previous(kept: &BTreeMap<Option<String>, Compact>) -> Previous<'_> {
    kept.iter().map(|(k, c)| (k.clone(), c)).collect()
}

/// What the operator keeps of its reports (`Compact`) must decide "changed or not" exactly
/// as the full reports would, and read from a stored report the same as from the content.
#[test]
fn a_compact_report_tells_changes_and_reads_from_json_as_from_the_content() {
    let mut objects = cluster(vec![]);
    objects.push(cloud("lms", "ap-southeast-1"));
    let first = run(&objects, now(), &Previous::new());
    let disdik = &first.namespaced["disdik"];
    let kept = Compact::of(disdik);
    assert_eq!(kept.summary, disdik.summary);
    assert_eq!(kept.results.len(), disdik.results.len());
    assert_eq!(Compact::of(disdik), kept, "the same report");
    assert_eq!(
        first.compact.get(&Some("disdik".to_string())),
        Some(&kept),
        "the compact form made with the report is the report's compact form"
    );
    assert_eq!(first.compact.get(&None), Some(&Compact::of(&first.cluster)));

    // Decoded from the stored object (as the operator's watch does), result by result.
    let stored = serde_json::json!({
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": "PolicyReport",
        "metadata": {"name": REPORT_NAME, "namespace": "disdik"},
        "scope": disdik.scope,
        "summary": disdik.summary,
        "results": disdik.results,
    });
    let read: CompactReport = serde_json::from_value(stored).unwrap();
    assert_eq!(read.content, kept);
    assert_eq!(read.metadata.namespace.as_deref(), Some("disdik"));
    let empty: CompactReport =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "x"}})).unwrap();
    assert_eq!(empty.content, Compact::default());

    // Any change but none is seen: a new result, a changed message, outcome or timestamp.
    let mut more = objects.clone();
    more.push(cloud("lms-archive", "eu-west-1"));
    let later = at("2026-11-25T00:10:00Z");
    let kept_all = compacts(&first);
    let second = run(&more, later, &previous(&kept_all));
    assert_ne!(
        Compact::of(&second.namespaced["disdik"]),
        kept,
        "a new result"
    );
    let mut worded = disdik.clone();
    worded.results[0].message.push('!');
    assert_ne!(Compact::of(&worded), kept, "a changed message");
    let mut outcome = disdik.clone();
    outcome.results[0].result = Some(Outcome::Pass);
    assert_ne!(Compact::of(&outcome), kept, "a changed outcome");
    let mut stamped = disdik.clone();
    stamped.results[0].timestamp = ResultTimestamp::from(later);
    assert_ne!(Compact::of(&stamped), kept, "a changed timestamp");
    let mut moved = disdik.clone();
    moved.results[0].resources[0].name = Some("elsewhere".into());
    assert_ne!(Compact::of(&moved), kept, "a changed object reference");

    // "First found" carries over from the compact form: the old result keeps its time, the
    // new one gets the pass's.
    let now_disdik = &second.namespaced["disdik"];
    assert_eq!(
        of(now_disdik, "lms")[0].timestamp,
        ResultTimestamp::from(now())
    );
    assert_eq!(
        of(now_disdik, "lms-archive")[0].timestamp,
        ResultTimestamp::from(later)
    );
}

/// On a real API server the ClusterPolicyReport is one object in etcd, which refuses
/// objects over ~1.5 MiB. At city scale (1 000 Agencies, 2 000 Racks, with UIDs as a
/// cluster gives them) its JSON must stay under that.
#[test]
fn the_cluster_report_at_city_scale_fits_in_one_etcd_object() {
    const ETCD_LIMIT: usize = 1_572_864;
    let mut objects = vec![
        Object::ResidencyPolicy(fixtures::residency_policy()),
        Object::Site(fixtures::primary_site()),
    ];
    let uid = |i: usize| format!("0f1e2d3c-4b5a-6978-8796-{i:012x}");
    for i in 0..1_000 {
        let mut a = fixtures::agency(&format!("dinas-{i:04}"));
        a.metadata.uid = Some(uid(i));
        objects.push(Object::Agency(a));
    }
    for i in 0..2_000 {
        let mut r = fixtures::rack(&format!("rak-{i:04}"), "bekasi-dc1");
        r.metadata.uid = Some(uid(10_000 + i));
        objects.push(Object::Rack(r));
    }
    let reports = run(&objects, now(), &Previous::new());
    let size = serde_json::to_vec(&reports.cluster).unwrap().len();
    eprintln!(
        "ClusterPolicyReport: {} results, {size} bytes of JSON",
        reports.cluster.results.len()
    );
    assert!(reports.cluster.results.len() >= 3_000);
    assert!(size < ETCD_LIMIT, "{size} bytes");
}

//! Table tests per rule: each case starts from a valid fixture and breaks one thing.

use super::*;
use crate::finding::Severity;
use proptest::prelude::*;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::*;

fn now() -> Timestamp {
    "2026-11-25T00:00:00Z".parse().unwrap()
}

/// Bekasi policy, both sites, two agencies, a plan with the fixture tiers, and an approval of
/// the `disdik/lms` cloud service.
fn ctx() -> Context {
    let mut plan = fixtures::plan();
    plan.spec
        .tiers
        .push(fixtures::tier("tier-2-public", "1h", "8h"));
    let mut cloud_ok = fixtures::approval("disdik", "lms");
    cloud_ok.spec.target.kind = "ExternalCloudService".into();
    let mut drc = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    drc.spec.endpoints.s3 = Some("https://s3.drc.bekasikota.go.id".into());
    let objects = vec![
        Object::ResidencyPolicy(fixtures::residency_policy()),
        Object::Site(fixtures::primary_site()),
        Object::Site(drc),
        Object::Agency(fixtures::agency("disdukcapil")),
        Object::Agency(fixtures::agency("disdik")),
        Object::DisasterRecoveryPlan(plan),
        Object::Approval(cloud_ok),
        Object::Rack(fixtures::rack("r1", "dc-bekasi")),
    ];
    Context::from_objects(&objects)
}

/// (rule, path) of each finding. Leaked so that table closures can return them; tests only.
fn rules(f: &[Finding]) -> Vec<(&'static str, &'static str)> {
    f.iter()
        .map(|x| {
            let r: &'static str = Box::leak(x.rule.clone().into_boxed_str());
            let p: &'static str = Box::leak(x.path.clone().into_boxed_str());
            (r, p)
        })
        .collect()
}

fn check(o: Object) -> Vec<Finding> {
    evaluate(&o, &ctx(), now())
}

fn hr(f: impl FnOnce(&mut HostingRequest)) -> Vec<Finding> {
    let mut r = fixtures::web_request("disdukcapil", "disdukcapil.bekasikota.go.id");
    f(&mut r);
    check(Object::HostingRequest(r))
}

fn colo(f: impl FnOnce(&mut Device)) -> Vec<Finding> {
    let mut r = fixtures::colocation_request("disdukcapil");
    if let Some(c) = r.spec.colocation.as_mut() {
        f(&mut c.device);
    }
    check(Object::HostingRequest(r))
}

fn ecs(provider: &str, region: &str, f: impl FnOnce(&mut ExternalCloudService)) -> Vec<Finding> {
    let mut e = fixtures::external_cloud("disdik", provider, region);
    f(&mut e);
    check(Object::ExternalCloudService(e))
}

#[test]
fn valid_fixtures_have_no_findings() {
    assert_eq!(hr(|_| {}), vec![]);
    assert_eq!(colo(|_| {}), vec![]);
    assert_eq!(ecs("aws", "ap-southeast-3", |_| {}), vec![]);
    for site in ctx().sites {
        assert_eq!(check(Object::Site(site.as_ref().clone())), vec![]);
    }
    let mut repo = fixtures::backup_repository("disdukcapil", "drc-bandung");
    repo.spec.s3.endpoint = "https://s3.drc.bekasikota.go.id:9000".into();
    assert_eq!(check(Object::BackupRepository(repo)), vec![]);
}

#[test]
fn every_finding_is_bilingual_with_a_hint_and_a_known_rule() {
    let mut all = hr(|r| {
        r.spec.software.os.license = Some("Nope".into());
        r.spec.malware_scan = None;
        r.spec.dr = DrDeclaration::default();
        r.spec.web = Some(WebHosting {
            hostnames: vec!["x.example.com".into()],
            ..WebHosting::default()
        });
        r.spec.egress = vec![EgressPort {
            port: 6379,
            ..EgressPort::default()
        }];
    });
    all.extend(colo(|d| {
        d.psu_count = 1;
        d.form_factor = FormFactor::Tower;
    }));
    all.extend(ecs("aws", "ap-southeast-1", |e| {
        e.metadata.name = Some("x".into())
    }));
    assert!(all.len() >= 8, "{all:?}");
    for f in &all {
        assert!(crate::rules::rule(&f.rule).is_some(), "{f:?}");
        assert!(!f.message.en.is_empty() && !f.hint.en.is_empty(), "{f:?}");
        assert_ne!(f.message.en, f.message.id, "not translated: {f:?}");
        assert_ne!(f.hint.en, f.hint.id, "not translated: {f:?}");
    }
}

#[test]
fn cloud_nkri_table() {
    type Case = (
        &'static str,
        &'static str,
        Vec<(&'static str, &'static str)>,
    );
    let cases: Vec<Case> = vec![
        ("aws", "ap-southeast-3", vec![]),
        ("gcp", "asia-southeast2", vec![]),
        ("azure", "indonesiacentral", vec![]),
        ("alibaba", "ap-southeast-5", vec![]),
        ("huawei", "ap-southeast-4", vec![]),
        ("tencent", "ap-jakarta", vec![]),
        ("oracle", "ap-batam-1", vec![]),
        ("AWS", "AP-SOUTHEAST-3", vec![]),
        ("aws", "ap-southeast-1", vec![("CLOUD-NKRI", "spec.region")]),
        ("aws", "ap-southeast-9", vec![("CLOUD-NKRI", "spec.region")]),
        (
            "digitalocean",
            "sgp1",
            vec![("CLOUD-NKRI", "spec.provider")],
        ),
    ];
    for (p, r, want) in cases {
        assert_eq!(rules(&ecs(p, r, |_| {})), want, "{p} {r}");
    }
}

#[test]
fn cloud_nkri_messages_say_known_foreign_or_unknown() {
    let sg = ecs("aws", "ap-southeast-1", |_| {});
    assert!(sg[0].message.en.contains("Singapore"), "{sg:?}");
    assert!(sg[0].message.id.contains("di luar negara"));
    let unknown = ecs("aws", "ap-southeast-9", |_| {});
    assert!(unknown[0].message.en.contains("not in the catalogue"));
}

#[test]
fn cloud_nkri_endpoints() {
    let with = |ep: &str| {
        ecs("aws", "ap-southeast-3", |e| {
            e.spec.endpoint = Some(ep.into())
        })
    };
    assert_eq!(with("https://s3.ap-southeast-3.amazonaws.com"), vec![]);
    assert_eq!(
        rules(&with("https://s3.ap-southeast-1.amazonaws.com")),
        vec![("CLOUD-NKRI", "spec.endpoint")]
    );
    assert_eq!(
        rules(&with("https://files.example.net")),
        vec![("CLOUD-NKRI", "spec.endpoint")]
    );
    // A host that is no DNS name is refused before the catalogue's suffix match.
    for bad in [
        "https://s3..ap-southeast-3.amazonaws.com",
        "https://x.*.ap-southeast-3.amazonaws.com",
        "https://",
    ] {
        let f = with(bad);
        assert_eq!(rules(&f), vec![("CLOUD-NKRI", "spec.endpoint")], "{bad}");
        assert!(!f[0].message.en.contains("catalogue"), "{bad}: {f:?}");
    }
}

#[test]
fn a_rack_needs_two_distinct_feeds() {
    let mut r = fixtures::rack("r9", "dc-bekasi");
    assert_eq!(check(Object::Rack(r.clone())), vec![]);
    let a = r.spec.feed_a.clone().unwrap();
    r.spec.feed_b = Some(PowerFeed {
        name: format!("{}  ", a.name.to_uppercase()),
        ..a
    });
    let f = check(Object::Rack(r));
    assert_eq!(rules(&f), vec![("HOST-POWER", "spec.feedB.name")]);
    assert!(f[0].message.en.contains("normalise to"), "{f:?}");
}

#[test]
fn cloud_nkri_needs_an_approval_in_force() {
    let missing = ecs("aws", "ap-southeast-3", |e| {
        e.metadata.name = Some("other".into())
    });
    assert_eq!(rules(&missing), vec![("CLOUD-NKRI", "metadata.name")]);

    let mut c = ctx();
    std::sync::Arc::make_mut(&mut c.approvals[0])
        .spec
        .valid_until = Some(fixtures::time("2026-11-01T00:00:00Z"));
    let e =
        Object::ExternalCloudService(fixtures::external_cloud("disdik", "aws", "ap-southeast-3"));
    assert_eq!(
        rules(&evaluate(&e, &c, now())),
        vec![("CLOUD-NKRI", "metadata.name")]
    );

    let mut c = ctx();
    std::sync::Arc::make_mut(&mut c.approvals[0])
        .metadata
        .namespace = Some("disdik".into());
    assert_eq!(
        evaluate(&e, &c, now()).len(),
        1,
        "an approval outside the platform namespace does not count"
    );

    let mut c = ctx();
    std::sync::Arc::make_mut(&mut c.approvals[0]).spec.decision = Decision::Rejected;
    let f = evaluate(&e, &c, now());
    assert!(f[0].message.en.contains("rejected"), "{f:?}");

    let mut c = ctx();
    let mut newer = fixtures::external_cloud("disdik", "aws", "ap-southeast-3");
    newer.metadata.generation = Some(2);
    assert_eq!(
        evaluate(&Object::ExternalCloudService(newer.clone()), &c, now()).len(),
        1,
        "approval reviewed generation 1"
    );
    std::sync::Arc::make_mut(&mut c.approvals[0])
        .spec
        .target_generation = 2;
    assert_eq!(
        evaluate(&Object::ExternalCloudService(newer), &c, now()),
        vec![]
    );
}

#[test]
fn exceptions_suppress_until_they_expire() {
    let mut c = ctx();
    c.settings.exceptions = vec![fixtures::exception(
        "lms",
        "CLOUD-NKRI",
        "2026-12-31T00:00:00Z",
    )];
    let sg =
        Object::ExternalCloudService(fixtures::external_cloud("disdik", "aws", "ap-southeast-1"));
    let ev = evaluate_detailed(&sg, &c, now());
    assert_eq!(ev.findings, vec![]);
    assert_eq!(ev.excepted.len(), 1);
    assert_eq!(ev.excepted[0].exception, "lms");

    let after: Timestamp = "2026-12-31T00:00:00Z".parse().unwrap();
    let f = evaluate(&sg, &c, after);
    assert_eq!(rules(&f), vec![("CLOUD-NKRI", "spec.region")]);
    assert!(f[0].message.en.contains("exception lms expired"), "{f:?}");
    assert!(
        f[0].message.id.contains("pengecualian lms berakhir"),
        "{f:?}"
    );

    let states = exception_states(&c.settings.exceptions, now());
    assert_eq!(states.active, vec!["lms".to_string()]);
    assert_eq!(
        exception_states(&c.settings.exceptions, after).expired,
        vec!["lms".to_string()]
    );

    // Another rule or another object is not excepted.
    c.settings.exceptions = vec![fixtures::exception(
        "lms",
        "DR-NKRI",
        "2026-12-31T00:00:00Z",
    )];
    assert_eq!(evaluate(&sg, &c, now()).len(), 1);
}

#[test]
fn residency_policy_reports_expired_and_unknown_exceptions() {
    let mut p = fixtures::residency_policy();
    p.spec.exceptions = vec![
        fixtures::exception("old", "CLOUD-NKRI", "2026-01-01T00:00:00Z"),
        fixtures::exception("typo", "CLOUD-NRKI", "2027-01-01T00:00:00Z"),
    ];
    let f = check(Object::ResidencyPolicy(p));
    let sev: Vec<_> = f.iter().map(|x| (x.path.as_str(), x.severity)).collect();
    assert_eq!(
        sev,
        vec![
            ("spec.exceptions[0].expiresAt", Severity::Info),
            ("spec.exceptions[1].rule", Severity::Warn)
        ]
    );
}

#[test]
fn sites_dr_far_and_dr_nkri() {
    let drc = |city: &str, at: Coordinates, country: &str| {
        let mut s = fixtures::drc_site(city, at);
        s.spec.country = country.into();
        rules(&check(Object::Site(s)))
    };
    assert_eq!(drc("Kota Bandung", fixtures::BANDUNG, "ID"), vec![]);
    assert_eq!(
        drc("Kota Bekasi", fixtures::BEKASI, "ID"),
        vec![("DR-FAR", "spec.city"), ("DR-FAR", "spec.coordinates")]
    );
    let jakarta = Coordinates {
        latitude: -6.2088,
        longitude: 106.8456,
    };
    assert_eq!(
        drc("Jakarta", jakarta, "ID"),
        vec![("DR-FAR", "spec.coordinates")]
    );
    assert_eq!(
        drc("Singapore", fixtures::BANDUNG, "SG"),
        vec![("DR-NKRI", "spec.country")]
    );

    // The distance boundary: exactly the minimum passes, a metre less fails.
    let km = crate::sites::great_circle_km(fixtures::BEKASI, fixtures::BANDUNG);
    let mut c = ctx();
    c.settings.min_drc_distance_km = km;
    let s = Object::Site(fixtures::drc_site("Kota Bandung", fixtures::BANDUNG));
    assert_eq!(evaluate(&s, &c, now()), vec![]);
    c.settings.min_drc_distance_km = km + 0.001;
    assert_eq!(
        rules(&evaluate(&s, &c, now())),
        vec![("DR-FAR", "spec.coordinates")]
    );

    // Without the primary the distance is unknown: a warning, not a silent pass.
    let f = evaluate(&s, &Context::empty(), now());
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].rule.as_str(), f[0].severity),
        ("DR-FAR", Severity::Warn)
    );

    let mut abroad = fixtures::primary_site();
    abroad.spec.country = "MY".into();
    assert_eq!(
        rules(&check(Object::Site(abroad))),
        vec![("DR-NKRI", "spec.country")]
    );
}

#[test]
fn backup_repositories_data_dc_and_dr_nkri() {
    let repo = |site: &str, endpoint: &str| {
        let mut r = fixtures::backup_repository("disdukcapil", site);
        r.spec.s3.endpoint = endpoint.into();
        rules(&check(Object::BackupRepository(r)))
    };
    assert_eq!(
        repo("drc-bandung", "https://s3.drc.bekasikota.go.id"),
        vec![]
    );
    assert_eq!(
        repo("drc-bandung", "https://s3.ap-southeast-3.amazonaws.com"),
        vec![]
    );
    assert_eq!(
        repo("nowhere", "https://s3.drc.bekasikota.go.id"),
        vec![("DATA-DC", "spec.site")]
    );
    assert_eq!(
        repo("drc-bandung", "https://minio.example.com"),
        vec![("DATA-DC", "spec.s3.endpoint")]
    );
    assert_eq!(
        repo("drc-bandung", "https://s3.ap-southeast-1.amazonaws.com"),
        vec![("DR-NKRI", "spec.s3.endpoint")]
    );
    let mut c = ctx();
    std::sync::Arc::make_mut(&mut c.sites[1]).spec.country = "SG".into();
    let r = Object::BackupRepository(fixtures::backup_repository("disdukcapil", "drc-bandung"));
    assert_eq!(
        rules(&evaluate(&r, &c, now())),
        vec![("DR-NKRI", "spec.site")]
    );
}

#[test]
fn host_legal_table() {
    let lic = |l: Option<&str>, proof: Option<&str>| {
        rules(&hr(|r| {
            r.spec.software.os.license = l.map(Into::into);
            r.spec.software.os.license_proof = proof.map(Into::into);
        }))
    };
    let deny = vec![("HOST-LEGAL", "spec.software.os.license")];
    assert_eq!(lic(Some("GPL-2.0-only"), None), vec![]);
    assert_eq!(lic(Some("MIT OR Apache-2.0"), None), vec![]);
    assert_eq!(lic(None, Some("PO-2026-014")), vec![]);
    assert_eq!(lic(Some("Proprietary"), Some("PO-2026-014")), vec![]);
    assert_eq!(lic(None, None), deny);
    assert_eq!(lic(Some(" "), Some(" ")), deny);
    assert_eq!(lic(Some("Freeware"), None), deny);
    let comp = hr(|r| {
        r.spec.software.components = vec![SoftwareItem {
            name: "x".into(),
            license: Some("MIT AND".into()),
            ..SoftwareItem::default()
        }]
    });
    assert_eq!(
        rules(&comp),
        vec![("HOST-LEGAL", "spec.software.components[0].license")]
    );
}

#[test]
fn host_clean_table() {
    let scan = |at: &str, result: ScanResult| {
        rules(&hr(|r| {
            if let Some(s) = r.spec.malware_scan.as_mut() {
                s.scanned_at = fixtures::time(at);
                s.result = result;
            }
        }))
    };
    let at = vec![("HOST-CLEAN", "spec.malwareScan.scannedAt")];
    // now = 2026-11-25; 90 days before = 2026-08-27.
    assert_eq!(scan("2026-08-27T00:00:00Z", ScanResult::Clean), vec![]);
    assert_eq!(scan("2026-08-26T23:59:59Z", ScanResult::Clean), at);
    assert_eq!(scan("2026-11-25T00:04:00Z", ScanResult::Clean), vec![]);
    assert_eq!(scan("2026-11-26T00:00:00Z", ScanResult::Clean), at);
    assert_eq!(
        scan("2026-11-20T00:00:00Z", ScanResult::Infected),
        vec![("HOST-CLEAN", "spec.malwareScan.result")]
    );
    assert_eq!(
        scan("2026-11-20T00:00:00Z", ScanResult::Suspicious),
        vec![("HOST-CLEAN", "spec.malwareScan.result")]
    );
    assert_eq!(
        rules(&hr(|r| r.spec.malware_scan = None)),
        vec![("HOST-CLEAN", "spec.malwareScan")]
    );
}

#[test]
fn host_rack_and_power_table() {
    assert_eq!(
        rules(&colo(|d| d.psu_count = 1)),
        vec![("HOST-POWER", "spec.colocation.device.psuCount")]
    );
    assert_eq!(colo(|d| d.psu_count = 4), vec![]);
    for ff in [
        FormFactor::Tower,
        FormFactor::Blade,
        FormFactor::Rackmount23,
    ] {
        assert_eq!(
            rules(&colo(|d| d.form_factor = ff)),
            vec![("HOST-RACK", "spec.colocation.device.formFactor")]
        );
    }
    assert_eq!(colo(|d| d.depth_mm = 1070), vec![]);
    assert_eq!(
        rules(&colo(|d| d.depth_mm = 1071)),
        vec![("HOST-RACK", "spec.colocation.device")]
    );
}

#[test]
fn web_dc_table() {
    let host = |h: &str| {
        rules(&hr(|r| {
            r.spec.web = Some(WebHosting {
                hostnames: vec![h.into()],
                ..WebHosting::default()
            })
        }))
    };
    let deny = vec![("WEB-DC", "spec.web.hostnames[0]")];
    assert_eq!(host("disdukcapil.bekasikota.go.id"), vec![]);
    assert_eq!(host("www.disdukcapil.bekasikota.go.id"), vec![]);
    assert_eq!(host("WWW.Disdukcapil.Bekasikota.go.id."), vec![]);
    assert_eq!(host("bekasikota.go.id"), deny);
    assert_eq!(host("disdukcapil.example.com"), deny);
    assert_eq!(host("xdisdukcapil.bekasikota.go.id"), deny);
    assert_eq!(host("disdukcapil.bekasikota.go.id.evil.com"), deny);
    // Not DNS names: refused before the suffix test, whatever their tail.
    for bad in [
        "a..disdukcapil.bekasikota.go.id",
        "a.*.disdukcapil.bekasikota.go.id",
        "*a.disdukcapil.bekasikota.go.id",
        "-a.disdukcapil.bekasikota.go.id",
        "a_b.disdukcapil.bekasikota.go.id",
        "xn--a.disdukcapil.bekasikota.go.id",
        ".disdukcapil.bekasikota.go.id",
        "disdukcapil.bekasikota.go.id..",
    ] {
        assert_eq!(host(bad), deny, "{bad}");
    }
    let long = format!("{}.disdukcapil.bekasikota.go.id", "a".repeat(64));
    assert_eq!(host(&long), deny);
    // A wildcard as the whole leftmost label, and Unicode as punycode, are names.
    assert_eq!(host("*.disdukcapil.bekasikota.go.id"), vec![]);
    assert_eq!(host("bücher.disdukcapil.bekasikota.go.id"), vec![]);
    assert_eq!(host("xn--bcher-kva.disdukcapil.bekasikota.go.id"), vec![]);
    let other = hr(|r| {
        r.spec.web = Some(WebHosting {
            hostnames: vec!["lms.disdik.bekasikota.go.id".into()],
            ..WebHosting::default()
        })
    });
    assert!(
        other[0].message.en.contains("belongs to agency disdik"),
        "{other:?}"
    );

    // Namespace of another agency, and an unknown agency.
    assert_eq!(
        rules(&hr(|r| r.metadata.namespace = Some("disdik".into()))),
        vec![("WEB-DC", "metadata.namespace")]
    );
    assert_eq!(
        rules(&hr(|r| r.spec.system.agency = "ghost".into())),
        vec![("WEB-DC", "spec.system.agency")]
    );
}

#[test]
fn app_backup_table() {
    let dr = |plan: Option<&str>, tier: Option<&str>, reason: Option<&str>| {
        rules(&hr(|r| {
            r.spec.dr = DrDeclaration {
                plan: plan.map(Into::into),
                tier: tier.map(Into::into),
                stateless_reason: reason.map(Into::into),
            }
        }))
    };
    assert_eq!(dr(Some("bekasi"), Some("tier-2-public"), None), vec![]);
    assert_eq!(dr(None, Some("tier-1-critical"), None), vec![]);
    assert_eq!(
        dr(None, None, Some("static site, rebuilt from git")),
        vec![]
    );
    assert_eq!(dr(Some("other-plan"), Some("anything"), None), vec![]);
    assert_eq!(
        dr(Some("bekasi"), Some("tier-9"), None),
        vec![("APP-BACKUP", "spec.dr.tier")]
    );
    assert_eq!(dr(None, None, None), vec![("APP-BACKUP", "spec.dr")]);
    assert_eq!(dr(None, None, Some("  ")), vec![("APP-BACKUP", "spec.dr")]);
    assert_eq!(
        dr(None, Some("tier-1-critical"), Some("x")),
        vec![("APP-BACKUP", "spec.dr")]
    );
}

#[test]
fn net_ports_table() {
    let port = |port: u16, protocol: Protocol, approval: Option<&str>| {
        let mut c = ctx();
        let mut ok = fixtures::approval("disdukcapil", "website");
        ok.metadata.name = Some("redis-egress".into());
        c.approvals.push(std::sync::Arc::new(ok));
        let mut other = fixtures::approval("disdukcapil", "another");
        other.metadata.name = Some("other-egress".into());
        c.approvals.push(std::sync::Arc::new(other));
        let mut r = fixtures::web_request("disdukcapil", "disdukcapil.bekasikota.go.id");
        r.spec.egress = vec![EgressPort {
            port,
            protocol,
            approval_ref: approval.map(Into::into),
            ..EgressPort::default()
        }];
        rules(&evaluate(&Object::HostingRequest(r), &c, now()))
    };
    for (p, proto) in standard_egress() {
        assert_eq!(port(p, proto, None), vec![], "{p}");
    }
    assert_eq!(
        port(6379, Protocol::TCP, None),
        vec![("NET-PORTS", "spec.egress[0]")]
    );
    assert_eq!(
        port(161, Protocol::TCP, None),
        vec![("NET-PORTS", "spec.egress[0]")],
        "SNMP is UDP"
    );
    assert_eq!(port(6379, Protocol::TCP, Some("redis-egress")), vec![]);
    assert_eq!(
        port(6379, Protocol::TCP, Some("missing")),
        vec![("NET-PORTS", "spec.egress[0].approvalRef")]
    );
    assert_eq!(
        port(6379, Protocol::TCP, Some("other-egress")),
        vec![("NET-PORTS", "spec.egress[0].approvalRef")]
    );
}

#[test]
fn agency_extra_egress_needs_an_approval_of_the_agency() {
    let mut a = fixtures::agency("disdukcapil");
    a.spec.extra_egress = vec![EgressPort {
        port: 8883,
        approval_ref: Some("mqtt".into()),
        ..EgressPort::default()
    }];
    let obj = Object::Agency(a);
    assert_eq!(
        rules(&check(obj.clone())),
        vec![("NET-PORTS", "spec.extraEgress[0].approvalRef")]
    );
    let mut c = ctx();
    let mut ap = fixtures::approval("disdukcapil", "x");
    ap.metadata.name = Some("mqtt".into());
    ap.spec.target = ObjectRef {
        kind: "Agency".into(),
        namespace: None,
        name: "disdukcapil".into(),
    };
    c.approvals.push(std::sync::Arc::new(ap));
    assert_eq!(evaluate(&obj, &c, now()), vec![]);
}

#[test]
fn approvals_only_by_platform_and_never_by_the_agency_itself() {
    let c = ctx();
    let a = fixtures::approval("disdukcapil", "website");
    let user = |groups: &[&str]| UserInfo {
        username: "budi".into(),
        uid: Some("u-1".into()),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    };
    let ok = review_approval(&a, &user(&["pusdata:platform"]), &c, now()).unwrap();
    assert_eq!(ok.username, "budi");
    assert_eq!(ok.at.0, now());

    let e = review_approval(&a, &user(&["agency:disdik"]), &c, now()).unwrap_err();
    assert_eq!(e.rule, "WEB-DC");
    // Self-approval: in the agency's group, even when also in the platform team.
    let e = review_approval(
        &a,
        &user(&["pusdata:platform", "agency:disdukcapil"]),
        &c,
        now(),
    )
    .unwrap_err();
    assert_eq!(e.rule, "SEC-CIA");
    assert!(e.message.id.contains("permohonannya sendiri"));

    // The client cannot name someone else as approver.
    let mut forged = a.clone();
    forged.spec.recorded_by = Some(RecordedIdentity {
        username: "kepala-dinas".into(),
        uid: None,
        groups: vec![],
        at: fixtures::time("2026-11-01T00:00:00Z"),
    });
    let e = review_approval(&forged, &user(&["pusdata:platform"]), &c, now()).unwrap_err();
    assert_eq!(e.path, "spec.recordedBy");

    // A target no agency owns cannot be checked for self-approval.
    let orphan = fixtures::approval("nobody", "x");
    assert!(review_approval(&orphan, &user(&["pusdata:platform"]), &c, now()).is_err());
}

#[test]
fn failover_signoffs_are_stamped_with_the_authenticated_user_and_never_altered() {
    use std::collections::BTreeMap;
    let mut c = ctx();
    std::sync::Arc::make_mut(&mut c.plans[0])
        .spec
        .runbook
        .push(RunbookStep {
            id: "declare-disaster".into(),
            title: "Declare the disaster".into(),
            kind: StepKind::Approval,
            owner_role: "dr-coordinator".into(),
            ..RunbookStep::default()
        });
    let user = |groups: &[&str]| UserInfo {
        username: "budi".into(),
        uid: Some("u-1".into()),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    };
    let platform = user(&["pusdata:platform"]);
    let nobody = user(&[]);
    let outsider = user(&["agency:disdik"]);
    let ann = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let key = "approval.pusdata.io/declare-disaster";
    let forged =
        r#"{"username":"kepala-dinas","groups":["pusdata:platform"],"at":"2020-01-01T00:00:00Z"}"#;
    let stamped = serde_json::to_string(&RecordedIdentity {
        username: "siti".into(),
        uid: None,
        groups: vec!["pusdata:platform".into()],
        at: fixtures::time("2026-11-24T00:00:00Z"),
    })
    .unwrap();
    let other = ("pusdata.io/note", "x");

    // (case, old, new, user) → Ok(stamped steps, deny findings) or Err(path)
    type Expect = Result<(Vec<&'static str>, usize), &'static str>;
    type Annotations = BTreeMap<String, String>;
    type Case<'a> = (
        &'a str,
        Option<Annotations>,
        Annotations,
        &'a UserInfo,
        Expect,
    );
    let cases: Vec<Case> = vec![
        (
            "create, no sign-off",
            None,
            ann(&[other]),
            &platform,
            Ok((vec![], 0)),
        ),
        (
            "create with a sign-off",
            None,
            ann(&[(key, "")]),
            &platform,
            Ok((vec!["declare-disaster"], 0)),
        ),
        (
            "new sign-off on update",
            Some(ann(&[])),
            ann(&[(key, "{}")]),
            &platform,
            Ok((vec!["declare-disaster"], 0)),
        ),
        (
            "forged identity is overwritten",
            Some(ann(&[])),
            ann(&[(key, forged)]),
            &platform,
            Ok((vec!["declare-disaster"], 0)),
        ),
        (
            "recorded sign-off kept as is",
            Some(ann(&[(key, &stamped)])),
            ann(&[(key, &stamped), other]),
            &platform,
            Ok((vec![], 0)),
        ),
        (
            "other annotations untouched",
            Some(ann(&[other])),
            ann(&[("pusdata.io/note", "y")]),
            &nobody,
            Ok((vec![], 0)),
        ),
        (
            "recorded sign-off altered",
            Some(ann(&[(key, &stamped)])),
            ann(&[(key, forged)]),
            &platform,
            Err("metadata.annotations[approval.pusdata.io/declare-disaster]"),
        ),
        (
            "recorded sign-off removed",
            Some(ann(&[(key, &stamped)])),
            ann(&[]),
            &platform,
            Err("metadata.annotations[approval.pusdata.io/declare-disaster]"),
        ),
        (
            "not in the platform team",
            Some(ann(&[])),
            ann(&[(key, forged)]),
            &outsider,
            Ok((vec!["declare-disaster"], 1)),
        ),
    ];
    for (case, old, new, who, expect) in cases {
        let got = review_signoffs("bekasi", old.as_ref(), &new, who, &c, now());
        match (got, expect) {
            (Ok(r), Ok((steps, denies))) => {
                let got: Vec<&str> = r.stamps.iter().map(|s| s.step.as_str()).collect();
                assert_eq!(got, steps, "{case}");
                assert_eq!(r.findings.len(), denies, "{case}");
                for s in &r.stamps {
                    assert_eq!(s.key, format!("{APPROVAL_PREFIX}{}", s.step), "{case}");
                    assert_eq!(s.identity.username, who.username, "{case}");
                    assert_eq!(s.identity.uid, who.uid, "{case}");
                    assert_eq!(s.identity.groups, who.groups, "{case}");
                    assert_eq!(s.identity.at.0, now(), "{case}");
                }
            }
            (Err(f), Err(path)) => {
                assert_eq!(f.rule, "SEC-CIA", "{case}");
                assert_eq!(f.severity, Severity::Deny, "{case}");
                assert_eq!(f.path, path, "{case}");
                assert!(f.message.en.contains("siti"), "{case}: {}", f.message.en);
                assert!(f.message.id.contains("tidak dapat"), "{case}");
            }
            (got, expect) => panic!("{case}: got {got:?}, expected {expect:?}"),
        }
    }

    // The refusal of an outsider is bilingual, names the rule, the step and its owner role.
    let r = review_signoffs("bekasi", None, &ann(&[(key, "")]), &user(&[]), &c, now()).unwrap();
    let f = &r.findings[0];
    assert_eq!((f.rule.as_str(), f.severity), ("SEC-CIA", Severity::Deny));
    assert_eq!(f.path, format!("metadata.annotations[{key}]"));
    assert!(
        f.message.en.contains("owner role dr-coordinator"),
        "{}",
        f.message.en
    );
    assert!(
        f.message.id.contains("peran pemilik dr-coordinator"),
        "{}",
        f.message.id
    );
    assert!(f.message.id.contains("tidak berwenang"));
    // Without the plan in the context, still refused, without a role.
    let r = review_signoffs("unknown", None, &ann(&[(key, "")]), &user(&[]), &c, now()).unwrap();
    assert!(!r.findings[0].message.en.contains("owner role"));
}

#[test]
fn signoffs_come_only_from_the_owner_roles_groups_when_the_plan_maps_them() {
    use std::collections::BTreeMap;
    let mut c = ctx();
    let step = |id: &str, role: &str, kind| RunbookStep {
        id: id.into(),
        title: id.into(),
        kind,
        owner_role: role.into(),
        ..RunbookStep::default()
    };
    std::sync::Arc::make_mut(&mut c.plans[0]).spec.runbook = vec![
        step("declare-disaster", "head-of-office", StepKind::Approval),
        step("notify", "dr-coordinator", StepKind::Manual),
        step("unmapped", "network-engineer", StepKind::Manual),
    ];
    std::sync::Arc::make_mut(&mut c.plans[0]).spec.roles = vec![
        RunbookRole {
            name: "head-of-office".into(),
            groups: vec!["bekasi:kepala-dinas".into(), "bekasi:sekda".into()],
        },
        RunbookRole {
            name: "dr-coordinator".into(),
            groups: vec!["bekasi:aptika".into()],
        },
    ];
    let user = |groups: &[&str]| UserInfo {
        username: "budi".into(),
        uid: None,
        groups: groups.iter().map(|g| g.to_string()).collect(),
    };
    // (step, plan, groups of the user) → may sign off
    let table: &[(&str, &str, &[&str], bool)] = &[
        ("declare-disaster", "bekasi", &["bekasi:kepala-dinas"], true),
        ("declare-disaster", "bekasi", &["x", "bekasi:sekda"], true),
        // The platform team is not a break-glass for a mapped role.
        ("declare-disaster", "bekasi", &["pusdata:platform"], false),
        // Another role's group does not do.
        ("declare-disaster", "bekasi", &["bekasi:aptika"], false),
        ("declare-disaster", "bekasi", &[], false),
        ("notify", "bekasi", &["bekasi:aptika"], true),
        ("notify", "bekasi", &["bekasi:kepala-dinas"], false),
        // Unmapped role, unknown step, unknown plan: the platform team only.
        ("unmapped", "bekasi", &["pusdata:platform"], true),
        ("unmapped", "bekasi", &["bekasi:aptika"], false),
        ("restore/db", "bekasi", &["pusdata:platform"], true),
        ("restore/db", "bekasi", &["bekasi:kepala-dinas"], false),
        (
            "declare-disaster",
            "other-plan",
            &["pusdata:platform"],
            true,
        ),
        (
            "declare-disaster",
            "other-plan",
            &["bekasi:kepala-dinas"],
            false,
        ),
    ];
    for (step, plan, groups, ok) in table {
        let got = may_sign_off(plan, step, &user(groups), &c);
        assert_eq!(got.is_ok(), *ok, "{step} {plan} {groups:?}: {got:?}");
        if let Err(f) = got {
            assert_eq!((f.rule.as_str(), f.severity), ("SEC-CIA", Severity::Deny));
            assert!(f.message.en.contains("may not approve"), "{}", f.message.en);
            assert!(f.message.id.contains("tidak berwenang"), "{}", f.message.id);
        }
    }
    // The refusal names the step, its role and the groups that may, in both languages.
    let f = may_sign_off(
        "bekasi",
        "declare-disaster",
        &user(&["pusdata:platform"]),
        &c,
    )
    .unwrap_err();
    assert!(
        f.message.en.contains("owner role head-of-office")
            && f.message.en.contains("bekasi:kepala-dinas, bekasi:sekda"),
        "{}",
        f.message.en
    );
    assert!(f.message.id.contains("peran pemilik head-of-office"));
    // Through the review: the finding sits on the sign-off's annotation, and the stamp still
    // records who really signed (for Monitor mode).
    let key = "approval.pusdata.io/declare-disaster";
    let new: BTreeMap<String, String> = [(key.to_string(), String::new())].into();
    let r = review_signoffs(
        "bekasi",
        None,
        &new,
        &user(&["pusdata:platform"]),
        &c,
        now(),
    )
    .unwrap();
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].path, format!("metadata.annotations[{key}]"));
    assert_eq!(r.stamps[0].identity.groups, vec!["pusdata:platform"]);
    let r = review_signoffs("bekasi", None, &new, &user(&["bekasi:sekda"]), &c, now()).unwrap();
    assert!(r.findings.is_empty());
    assert_eq!(r.stamps.len(), 1);
}

/// Of two policies the first by name applies, whatever the order they come in: a policy
/// named `default` is not preferred (the agency controller once preferred it, alone).
#[test]
fn the_first_policy_by_name_applies_even_against_one_named_default() {
    let policy = |name: &str| {
        let mut p = fixtures::residency_policy();
        p.metadata.name = Some(name.into());
        Object::ResidencyPolicy(p)
    };
    let both = [policy("default"), policy("a-strict")];
    for objects in [both.clone(), [both[1].clone(), both[0].clone()]] {
        let active = crate::policy::active_policy(&objects).and_then(|p| p.metadata.name.clone());
        assert_eq!(active.as_deref(), Some("a-strict"));
    }
}

#[test]
fn settings_default_without_a_policy() {
    let s = Settings::from_policy(None);
    assert_eq!(s.allowed_countries, vec!["ID".to_string()]);
    assert_eq!(s.city_domain, "bekasikota.go.id");
    assert_eq!(s.max_scan_age_days, 90);
    assert_eq!(s.allowed_egress.len(), 17);
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 .:/*()\\-]{0,40}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn evaluate_never_panics(
        a in any_text(), b in any_text(), c in any_text(), d in any_text(),
        n in any::<u32>(), port in any::<u16>(), secs in -100_000_000_000i64..100_000_000_000,
        lat in proptest::num::f64::ANY, lon in proptest::num::f64::ANY, pick in 0u8..6,
    ) {
        let at = Timestamp::from_second(secs.clamp(-377_705_116_800, 253_402_207_199))
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let mut context = ctx();
        context.settings.max_scan_age_days = n;
        context.settings.min_drc_distance_km = f64::from(n % 5000);
        context.settings.exceptions = vec![fixtures::exception(&a, &b, "2026-12-31T00:00:00Z")];
        let object = match pick {
            0 => {
                let mut r = fixtures::web_request(&a, &b);
                r.spec.software.os.license = Some(c.clone());
                r.spec.dr.tier = Some(d.clone());
                r.spec.egress = vec![EgressPort { port, approval_ref: Some(c.clone()), ..EgressPort::default() }];
                if let Some(s) = r.spec.malware_scan.as_mut() { s.scanned_at = k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(at); }
                Object::HostingRequest(r)
            }
            1 => {
                let mut r = fixtures::colocation_request(&a);
                if let Some(col) = r.spec.colocation.as_mut() {
                    col.device.psu_count = n;
                    col.device.depth_mm = n;
                    col.site = Some(b.clone());
                }
                Object::HostingRequest(r)
            }
            2 => {
                let mut e = fixtures::external_cloud(&a, &b, &c);
                e.spec.endpoint = Some(d.clone());
                e.metadata.generation = Some(i64::from(n));
                Object::ExternalCloudService(e)
            }
            3 => {
                let mut s = fixtures::drc_site(&a, Coordinates { latitude: lat, longitude: lon });
                s.spec.country = b.clone();
                if let Some(p) = s.spec.drc_of.as_mut() { p.site = c.clone(); }
                Object::Site(s)
            }
            4 => {
                let mut r = fixtures::backup_repository(&a, &b);
                r.spec.s3.endpoint = c.clone();
                Object::BackupRepository(r)
            }
            _ => {
                let mut p = fixtures::residency_policy();
                p.spec.exceptions = vec![fixtures::exception(&a, &b, "2026-12-31T00:00:00Z")];
                Object::ResidencyPolicy(p)
            }
        };
        let f = evaluate(&object, &context, at);
        for x in &f {
            prop_assert!(!x.rule.is_empty());
        }
        let ap = fixtures::approval(&a, &b);
        let user = UserInfo { username: c.clone(), uid: None, groups: vec![d.clone()] };
        let _ = review_approval(&ap, &user, &context, at);
    }
}

//! Fixture builders: small, valid objects that tests change one field at a time.
//!
//! Every builder returns an object that passes the CRD's own CEL rules; a test of a rule
//! starts from one of these and breaks exactly the thing it tests.

use crate::v1alpha1::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

/// Coordinates of the Pusat Data Kota Bekasi (city hall area).
pub const BEKASI: Coordinates = Coordinates {
    latitude: -6.2383,
    longitude: 106.9756,
};
/// Coordinates of Bandung, a DRC candidate about 104 km away as the crow flies.
pub const BANDUNG: Coordinates = Coordinates {
    latitude: -6.9175,
    longitude: 107.6191,
};

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        generation: Some(1),
        ..ObjectMeta::default()
    }
}

/// A fixed instant for tests that need a time (2026-11-01T00:00:00Z).
pub fn time(rfc3339: &str) -> Time {
    Time(
        rfc3339
            .parse()
            .unwrap_or(k8s_openapi::jiff::Timestamp::UNIX_EPOCH),
    )
}

/// The primary site in Kota Bekasi.
pub fn primary_site() -> Site {
    Site::new(
        "dc-bekasi",
        SiteSpec {
            display_name: "Pusat Data Kota Bekasi".into(),
            role: SiteRole::Primary,
            city: "Kota Bekasi".into(),
            province: Some("Jawa Barat".into()),
            country: "ID".into(),
            coordinates: BEKASI,
            tia_rating: Some(3),
            drc_of: None,
            endpoints: SiteEndpoints::default(),
            address_pools: vec![AddressPool {
                name: "colo".into(),
                cidr: "10.30.8.0/24".into(),
                gateway: Some("10.30.8.1".into()),
            }],
            it_power_watts: Some(120_000),
            agent_tls_secret: None,
        },
    )
}

/// A DRC site in `city` at `coordinates`, protecting the Bekasi primary.
pub fn drc_site(city: &str, coordinates: Coordinates) -> Site {
    Site::new(
        "drc-bandung",
        SiteSpec {
            display_name: format!("DRC {city}"),
            role: SiteRole::Drc,
            city: city.into(),
            province: Some("Jawa Barat".into()),
            country: "ID".into(),
            coordinates,
            tia_rating: Some(3),
            drc_of: Some(PrimaryRef {
                site: "dc-bekasi".into(),
                city: "Kota Bekasi".into(),
            }),
            endpoints: SiteEndpoints::default(),
            address_pools: Vec::new(),
            it_power_watts: None,
            agent_tls_secret: None,
        },
    )
}

/// A 42U, 1070 mm rack with two 7.4 kW feeds and 6 kW of cooling.
pub fn rack(name: &str, site: &str) -> Rack {
    Rack::new(
        name,
        RackSpec {
            site: site.into(),
            room: Some("R1".into()),
            row: Some("A".into()),
            height_u: 42,
            depth_mm: 1070,
            width: RackWidth::Inch19,
            feed_a: Some(PowerFeed {
                name: format!("{name}-A"),
                capacity_watts: 7400,
                max_utilization_percent: 80,
            }),
            feed_b: Some(PowerFeed {
                name: format!("{name}-B"),
                capacity_watts: 7400,
                max_utilization_percent: 80,
            }),
            cooling_watts: 6000,
            max_weight_kg: None,
            reserved_units: vec![UnitRange {
                from_u: 42,
                to_u: 42,
                reason: Some("patch panel".into()),
            }],
            allowed_agencies: Vec::new(),
            existing_devices: Vec::new(),
            cordoned: false,
        },
    )
}

/// An agency with one namespace named after its code.
pub fn agency(code: &str) -> Agency {
    Agency::new(
        code,
        AgencySpec {
            code: code.into(),
            display_name: format!("Dinas {code}"),
            subdomain: code.into(),
            contacts: Vec::new(),
            groups: vec![format!("agency:{code}")],
            namespaces: vec![code.into()],
            quota: AgencyQuota::default(),
            extra_egress: Vec::new(),
            repository_key: None,
        },
    )
}

fn software() -> Software {
    Software {
        os: SoftwareItem {
            name: "Debian".into(),
            version: Some("12".into()),
            license: Some("GPL-2.0-only".into()),
            license_proof: None,
        },
        components: Vec::new(),
    }
}

fn scan() -> MalwareScan {
    MalwareScan {
        scanner: "ClamAV 1.4".into(),
        report_id: "SCAN-2026-0042".into(),
        scanned_at: time("2026-11-01T00:00:00Z"),
        result: ScanResult::Clean,
    }
}

/// A web hosting request of `agency` for `hostname`.
pub fn web_request(agency: &str, hostname: &str) -> HostingRequest {
    let mut hr = HostingRequest::new(
        "website",
        HostingRequestSpec {
            system: SystemInfo {
                name: format!("Website {agency}"),
                description: None,
                agency: agency.into(),
                data_class: DataClass::Public,
                technical_contact: None,
            },
            mode: HostingMode::WebHosting,
            web: Some(WebHosting {
                hostnames: vec![hostname.into()],
                ..WebHosting::default()
            }),
            colocation: None,
            software: software(),
            malware_scan: Some(scan()),
            dr: DrDeclaration {
                plan: Some("bekasi".into()),
                tier: Some("tier-2-public".into()),
                stateless_reason: None,
            },
            egress: Vec::new(),
            current_location: None,
        },
    );
    hr.metadata = meta("website", Some(agency));
    hr
}

/// A colocation request of `agency` for a 1U, 2-PSU, 450 W server.
pub fn colocation_request(agency: &str) -> HostingRequest {
    let mut hr = HostingRequest::new(
        "db-server",
        HostingRequestSpec {
            system: SystemInfo {
                name: "Database server".into(),
                description: None,
                agency: agency.into(),
                data_class: DataClass::Confidential,
                technical_contact: None,
            },
            mode: HostingMode::Colocation,
            web: None,
            colocation: Some(Box::new(Colocation {
                device: Device {
                    manufacturer: "Dell".into(),
                    model: "PowerEdge R650".into(),
                    serial: Some("SN-1".into()),
                    form_factor: FormFactor::Rackmount19,
                    height_u: 1,
                    depth_mm: 750,
                    weight_kg: Some(18),
                    psu_count: 2,
                    power_watts: 450,
                    heat_watts: None,
                },
                site: Some("dc-bekasi".into()),
                addresses: 1,
            })),
            software: software(),
            malware_scan: Some(scan()),
            dr: DrDeclaration {
                plan: Some("bekasi".into()),
                tier: Some("tier-1-critical".into()),
                stateless_reason: None,
            },
            egress: Vec::new(),
            current_location: None,
        },
    );
    hr.metadata = meta("db-server", Some(agency));
    hr
}

/// An approval of a hosting request, in the platform namespace.
pub fn approval(target_namespace: &str, target_name: &str) -> Approval {
    let mut a = Approval::new(
        &format!("{target_namespace}-{target_name}"),
        ApprovalSpec {
            target: ObjectRef {
                kind: "HostingRequest".into(),
                namespace: Some(target_namespace.into()),
                name: target_name.into(),
            },
            target_generation: 1,
            decision: Decision::Approved,
            comment: None,
            security_level: Some("medium".into()),
            pinned_placement: None,
            valid_until: None,
            recorded_by: None,
        },
    );
    a.metadata.namespace = Some("pusdata-system".into());
    a
}

/// The default residency policy for Kota Bekasi.
pub fn residency_policy() -> ResidencyPolicy {
    ResidencyPolicy::new(
        "default",
        ResidencyPolicySpec {
            mode: EnforcementMode::Enforce,
            allowed_countries: vec!["ID".into()],
            city_domain: "bekasikota.go.id".into(),
            extra_providers: Vec::new(),
            min_drc_distance_km: 30,
            max_scan_age_days: 90,
            allowed_egress_ports: Vec::new(),
            platform_groups: vec!["pusdata:platform".into()],
            platform_namespace: "pusdata-system".into(),
            exempt_namespaces: vec!["kube-system".into()],
            exceptions: Vec::new(),
        },
    )
}

/// An exception to `rule` for one object, expiring at `expires_at` (RFC 3339).
pub fn exception(name: &str, rule: &str, expires_at: &str) -> PolicyException {
    PolicyException {
        name: name.into(),
        target: ObjectRef {
            kind: "ExternalCloudService".into(),
            namespace: Some("disdik".into()),
            name: "lms".into(),
        },
        rule: rule.into(),
        reason: "migration in progress".into(),
        ticket: "ND-2026-117".into(),
        approved_by: "kabid-aptika".into(),
        expires_at: time(expires_at),
    }
}

/// A declared external cloud service.
pub fn external_cloud(agency: &str, provider: &str, region: &str) -> ExternalCloudService {
    let mut e = ExternalCloudService::new(
        "lms",
        ExternalCloudServiceSpec {
            provider: provider.into(),
            region: region.into(),
            service: "object-storage".into(),
            endpoint: None,
            data_class: DataClass::Internal,
            purpose: "learning management system media".into(),
            agency: agency.into(),
        },
    );
    e.metadata.namespace = Some(agency.into());
    e
}

/// A repository of `agency` at `site`.
pub fn backup_repository(agency: &str, site: &str) -> BackupRepository {
    BackupRepository::new(
        &format!("{agency}-{site}"),
        BackupRepositorySpec {
            site: site.into(),
            agency: agency.into(),
            s3: S3Location {
                endpoint: "https://s3.drc.bekasikota.go.id".into(),
                bucket: "pusdata-backups".into(),
                prefix: format!("restic/{agency}"),
                region: "garage".into(),
                path_style: true,
                credentials: SecretRef {
                    name: "drc-s3".into(),
                    namespace: Some("pusdata-system".into()),
                },
            },
            key: None,
            upload_limit_bytes_per_second: None,
            download_limit_bytes_per_second: None,
            validation_interval: "5m".into(),
            access_mode: AccessMode::ReadWrite,
            deletion_policy: DeletionPolicy::Retain,
        },
    )
}

/// A member of agency `disdukcapil` that depends on `deps`, with nothing else set.
pub fn member(name: &str, deps: &[&str]) -> Member {
    Member {
        name: name.into(),
        agency: "disdukcapil".into(),
        namespace: "disdukcapil".into(),
        pvc_selector: None,
        buckets: Vec::new(),
        bucket_mirror: None,
        depends_on: deps.iter().map(|d| d.to_string()).collect(),
        size_hint_bytes: None,
        smoke_command: Vec::new(),
        smoke_image: None,
        readiness: None,
    }
}

/// A tier with one member.
pub fn tier(name: &str, rpo: &str, rto: &str) -> Tier {
    Tier {
        name: name.into(),
        description: None,
        rpo: rpo.into(),
        rto: rto.into(),
        max_tolerable_downtime: None,
        schedule: None,
        members: vec![member(&format!("{name}-svc"), &[])],
        retention: Retention {
            keep_last: Some(24),
            min_verified: 1,
            ..Retention::default()
        },
        verification: Verification::default(),
        hooks: Vec::new(),
    }
}

/// A one-tier plan from the Bekasi primary to the Bandung DRC.
pub fn plan() -> DisasterRecoveryPlan {
    DisasterRecoveryPlan::new(
        "bekasi",
        DisasterRecoveryPlanSpec {
            title: "DRP Kota Bekasi".into(),
            document: None,
            primary_site: "dc-bekasi".into(),
            drc_site: "drc-bandung".into(),
            tiers: vec![tier("tier-1-critical", "15m", "4h")],
            drills: Vec::new(),
            runbook: Vec::new(),
            contacts: Vec::new(),
            roles: Vec::new(),
            peer_loss: PeerLossPolicy::default(),
            assumed_restore_bytes_per_second: None,
            successful_backups_history_limit: None,
            failed_backups_history_limit: None,
        },
    )
}

/// A drill of the whole plan.
pub fn drill() -> Failover {
    Failover::new(
        "drill-2026-11",
        FailoverSpec {
            plan: "bekasi".into(),
            kind: FailoverType::Drill,
            scope: Scope::default(),
            reason: "Quarterly parallel drill".into(),
            accept_data_loss: false,
            requested_by: None,
        },
    )
}

/// A backup run of one PVC.
pub fn backup(namespace: &str, pvc: &str) -> Backup {
    let mut b = Backup::new(
        &format!("{pvc}-20261101-000000"),
        BackupSpec {
            plan: "bekasi".into(),
            tier: "tier-1-critical".into(),
            member: "siak-db".into(),
            source: BackupSource {
                pvc: Some(pvc.into()),
                bucket: None,
                reverse: false,
            },
            repository: format!("{namespace}-drc-bandung"),
            trigger: BackupTrigger::Scheduled,
            token: None,
        },
    );
    b.metadata.namespace = Some(namespace.into());
    b
}

/// A restore of the latest verified snapshot of one PVC.
pub fn restore(namespace: &str, pvc: &str) -> Restore {
    let mut r = Restore::new(
        &format!("{pvc}-restore"),
        RestoreSpec {
            repository: format!("{namespace}-drc-bandung"),
            snapshot: "latest-verified".into(),
            source: Some(RestoreSource {
                agency: namespace.into(),
                namespace: namespace.into(),
                pvc: pvc.into(),
            }),
            target: RestoreTarget {
                pvc: format!("{pvc}-restored"),
                storage_class: None,
                size: None,
            },
            verify: true,
            failover: None,
            epoch: None,
            run_as_user: None,
            run_as_group: None,
        },
    );
    r.metadata.namespace = Some(namespace.into());
    r
}

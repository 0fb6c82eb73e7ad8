use super::*;
use pusdata_crds::v1alpha1::MemberReadiness;

fn placement(kind: FailoverType) -> Placement {
    Placement {
        kind,
        failover: "drill-2026-11".into(),
        plan: "bekasi".into(),
        agency: "disdukcapil".into(),
        member: "siak-db".into(),
        namespace: "disdukcapil".into(),
        repository: "disdukcapil-drc".into(),
        pvc: "data-siak-db-0".into(),
        run_as_user: None,
        run_as_group: None,
    }
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[test]
fn drill_namespaces_are_deterministic_labels_within_63_chars() {
    let long = "a".repeat(80);
    let table: &[(&str, &str, &str)] = &[
        ("d1", "disdukcapil", "pusdata-drill-d1-disdukcapil"),
        ("Drill.Nov", "ns_x", "pusdata-drill-drill-nov-ns-x"),
        ("d1", &long, ""),
    ];
    for (fo, ns, want) in table {
        let got = drill_namespace(fo, ns);
        assert!(is_dns_label(&got), "{got}");
        assert_eq!(got, drill_namespace(fo, ns), "deterministic");
        if !want.is_empty() {
            assert_eq!(&got, want);
        }
    }
    // Two long names sharing a prefix stay distinct.
    let a = drill_namespace("d1", &format!("{long}-a"));
    let b = drill_namespace("d1", &format!("{long}-b"));
    assert_ne!(a, b);
    assert_eq!(a.len(), 63);
}

#[test]
fn the_target_namespace_depends_on_the_kind() {
    for (kind, want) in [
        (
            FailoverType::Drill,
            "pusdata-drill-drill-2026-11-disdukcapil",
        ),
        (FailoverType::Failover, "disdukcapil"),
        (FailoverType::Failback, "disdukcapil"),
    ] {
        assert_eq!(target_namespace(&placement(kind)), want, "{kind:?}");
    }
}

#[test]
fn drill_namespaces_are_labelled_and_only_they_may_be_discarded() {
    let labels = drill_namespace_labels(&placement(FailoverType::Drill));
    assert_eq!(labels[DRILL_LABEL], "true");
    assert_eq!(labels[FAILOVER_LABEL], "drill-2026-11");
    assert_eq!(labels["pusdata.io/plan"], "bekasi");
    assert_eq!(labels["pusdata.io/agency"], "disdukcapil");
    assert_eq!(labels[SOURCE_NAMESPACE_LABEL], "disdukcapil");
    assert!(may_discard("x", &labels).is_ok());
    let member_ns: BTreeMap<String, String> =
        [("pusdata.io/agency".to_string(), "disdukcapil".to_string())].into();
    let no = may_discard("disdukcapil", &member_ns).unwrap_err();
    assert!(no.en.contains("disdukcapil") && no.id.contains("drill"));
    let wrong_value: BTreeMap<String, String> = [(DRILL_LABEL.to_string(), "yes".into())].into();
    assert!(may_discard("x", &wrong_value).is_err());
    assert_eq!(
        drill_selector("drill-2026-11"),
        "pusdata.io/drill=true,pusdata.io/failover=drill-2026-11"
    );
}

#[test]
fn isolation_allows_only_the_namespace_dns_and_the_mover() {
    let ps = isolation_policies("ns1");
    assert_eq!(ps.len(), 2);
    let wall = ps[0].spec.as_ref().unwrap();
    assert_eq!(wall.pod_selector, Some(LabelSelector::default()));
    assert_eq!(
        wall.policy_types.as_deref().unwrap(),
        &["Ingress".to_string(), "Egress".to_string()]
    );
    let ingress = wall.ingress.as_ref().unwrap();
    assert_eq!(ingress.len(), 1);
    let from = ingress[0].from.as_ref().unwrap();
    assert!(
        from.iter()
            .all(|p| p.namespace_selector.is_none() && p.ip_block.is_none())
    );
    let egress = wall.egress.as_ref().unwrap();
    assert!(egress.iter().all(|r| r.to.is_some()), "no rule to anywhere");
    let mover = ps[1].spec.as_ref().unwrap();
    assert_eq!(
        mover
            .pod_selector
            .as_ref()
            .unwrap()
            .match_labels
            .as_ref()
            .unwrap()["app.kubernetes.io/name"],
        "pusdata-mover"
    );
    assert_eq!(
        mover.policy_types.as_deref().unwrap(),
        &["Egress".to_string()]
    );
    assert!(
        ps.iter()
            .all(|p| p.metadata.namespace.as_deref() == Some("ns1"))
    );
}

#[test]
fn existing_restores_are_reused_replaced_or_reported() {
    use RestorePhase::*;
    type Found<'a> = Option<(Option<RestorePhase>, &'a str)>;
    let table: &[(Found, Existing)] = &[
        (None, Existing::Create),
        (Some((None, "r1")), Existing::Wait),
        (Some((Some(New), "r0")), Existing::Wait),
        (Some((Some(InProgress), "r0")), Existing::Wait),
        (Some((Some(Completed), "r0")), Existing::Wait),
        (Some((Some(Completed), "r1")), Existing::Wait),
        (Some((Some(Failed), "r1")), Existing::Failed),
        (Some((Some(Failed), "r0")), Existing::Replace),
    ];
    for (found, want) in table {
        assert_eq!(&existing_restore(*found, "r1"), want, "{found:?}");
    }
}

#[test]
fn waiting_backs_off_and_gives_up_at_the_limit_or_the_deadline() {
    let s = Duration::from_secs;
    let again = |d| Wait::Again(s(d));
    // waited, attempt, limit, left → expected (None: gives up)
    type Row = (u64, u32, u64, Option<u64>, Option<Wait>);
    let table: &[Row] = &[
        (0, 0, 600, None, Some(again(1))),
        (3, 1, 600, None, Some(again(2))),
        (10, 3, 600, None, Some(again(8))),
        (60, 9, 600, None, Some(again(15))),
        (598, 9, 600, None, Some(again(2))),
        (0, 9, 600, Some(7), Some(again(5))),
        (600, 0, 600, None, None),
        (0, 0, 600, Some(2), None),
        (0, 0, 600, Some(1), None),
    ];
    for (waited, attempt, limit, left, want) in table {
        let got = keep_waiting("restore x", s(*waited), *attempt, s(*limit), left.map(s));
        match want {
            Some(w) => assert_eq!(&got, w, "{waited} {attempt} {left:?}"),
            None => match got {
                Wait::GiveUp(t) => assert!(t.en.starts_with("restore x") && !t.id.is_empty()),
                other => panic!("{waited} {left:?}: {other:?}"),
            },
        }
    }
}

fn w(name: &str, desired: i32, ready: i32, updated: i32, observed: bool) -> Workload {
    Workload {
        name: name.into(),
        desired,
        ready,
        updated,
        observed,
    }
}

#[test]
fn readiness_over_observed_replica_counts() {
    let table: Vec<(Vec<Workload>, Readiness)> = vec![
        (vec![], Readiness::NoWorkloads),
        (vec![w("Deployment/a", 2, 2, 2, true)], Readiness::Ready(1)),
        (
            vec![
                w("Deployment/a", 2, 2, 2, true),
                w("StatefulSet/db", 1, 1, 1, true),
            ],
            Readiness::Ready(2),
        ),
        (
            vec![w("Deployment/a", 2, 1, 2, true)],
            Readiness::NotReady(vec!["Deployment/a 1/2".into()]),
        ),
        (
            vec![w("Deployment/a", 2, 2, 1, true)],
            Readiness::NotReady(vec!["Deployment/a 2/2".into()]),
        ),
        (
            vec![w("Deployment/a", 2, 2, 2, false)],
            Readiness::NotReady(vec!["Deployment/a 2/2".into()]),
        ),
        (
            vec![w("StatefulSet/db", 0, 0, 0, true)],
            Readiness::NotReady(vec!["StatefulSet/db 0/0".into()]),
        ),
        (
            vec![
                w("Deployment/a", 1, 3, 3, true),
                w("StatefulSet/db", 3, 2, 3, true),
            ],
            Readiness::NotReady(vec!["StatefulSet/db 2/3".into()]),
        ),
    ];
    for (ws, want) in table {
        assert_eq!(readiness(&ws), want, "{ws:?}");
    }
}

#[test]
fn readiness_outcomes_say_why_in_both_languages() {
    let gave_up = Text::new("not done after 300 s", "belum selesai setelah 300 detik");
    let table: &[(Readiness, Option<&Text>, CheckState, &str)] = &[
        (
            Readiness::Ready(2),
            None,
            CheckState::Passed,
            "2 workload(s) ready",
        ),
        (
            Readiness::NoWorkloads,
            Some(&gave_up),
            CheckState::Failed,
            "no Deployment or StatefulSet matches the readiness selector (not done after 300 s)",
        ),
        (
            Readiness::NotReady(vec!["Deployment/a 1/2".into()]),
            Some(&gave_up),
            CheckState::Failed,
            "not ready: Deployment/a 1/2 (not done after 300 s)",
        ),
    ];
    for (verdict, why, state, en) in table {
        let o = readiness_outcome(verdict, *why);
        assert_eq!((o.state, o.message.en.as_str()), (*state, *en));
        assert!(!o.message.id.is_empty() && o.message.id != o.message.en);
    }
    let local = skipped_locally();
    assert_eq!(local.state, CheckState::Skipped);
    assert_eq!(local.message.en, "no workloads in a local drill");
    assert_eq!(local.message.id, "tidak ada workload dalam drill lokal");
}

fn member() -> Member {
    let mut m = pusdata_crds::fixtures::plan().spec.tiers[0].members[0].clone();
    m.pvc_selector = Some(LabelSelector {
        match_labels: Some([("app".to_string(), "siak".to_string())].into()),
        match_expressions: None,
    });
    m
}

#[test]
fn checks_come_from_the_member() {
    let mut m = member();
    assert_eq!(readiness_check(&m), None);
    assert_eq!(smoke_check(&m), None);
    m.readiness = Some(MemberReadiness::default());
    let r = readiness_check(&m).unwrap();
    assert_eq!(
        r.selector["app"], "siak",
        "defaults to the pvcSelector labels"
    );
    assert_eq!(r.timeout, DEFAULT_READINESS_TIMEOUT);
    m.readiness = Some(MemberReadiness {
        selector: Some([("tier".to_string(), "web".to_string())].into()),
        timeout: Some("10m".into()),
    });
    let r = readiness_check(&m).unwrap();
    assert_eq!(r.selector.len(), 1);
    assert_eq!(r.selector["tier"], "web");
    assert_eq!(r.timeout, Duration::from_secs(600));
    m.smoke_command = vec!["/bin/check".into(), "--db".into()];
    m.smoke_image = Some("registry.bekasikota.go.id/siak/check:1".into());
    let s = smoke_check(&m).unwrap();
    assert_eq!(s.command, m.smoke_command);
    assert_eq!(s.image, "registry.bekasikota.go.id/siak/check:1");
}

#[test]
fn the_smoke_job_is_one_hardened_try_with_a_deadline() {
    let p = placement(FailoverType::Drill);
    let check = SmokeCheck {
        command: vec![
            "sh".into(),
            "-c".into(),
            "curl -f http://siak:8080/healthz".into(),
        ],
        image: String::new(),
        timeout: Duration::from_secs(120),
    };
    let name = smoke_job_name(&p.member, "drill-2026-11/verify/siak-db/verify/e1/a1");
    assert!(is_dns_label(&name), "{name}");
    assert_ne!(
        name,
        smoke_job_name(&p.member, "drill-2026-11/verify/siak-db/verify/e1/a2")
    );
    let long = smoke_job_name(&"m".repeat(90), "r");
    assert!(is_dns_label(&long) && long.len() <= 63, "{long}");
    let job = smoke_job(&SmokeJobInput {
        name: &name,
        namespace: "pusdata-drill-x",
        placement: &p,
        check: &check,
        default_image: "busybox:1.36",
    });
    let spec = job.spec.as_ref().unwrap();
    assert_eq!(spec.backoff_limit, Some(0));
    assert_eq!(spec.active_deadline_seconds, Some(120));
    let pod = spec.template.spec.as_ref().unwrap();
    assert_eq!(pod.restart_policy.as_deref(), Some("Never"));
    assert_eq!(pod.automount_service_account_token, Some(false));
    let c = &pod.containers[0];
    assert_eq!(c.image.as_deref(), Some("busybox:1.36"));
    assert_eq!(c.command.as_ref().unwrap(), &check.command);
    assert_eq!(
        c.termination_message_policy.as_deref(),
        Some("FallbackToLogsOnError")
    );
    let sc = c.security_context.as_ref().unwrap();
    assert_eq!(
        (
            sc.run_as_non_root,
            sc.allow_privilege_escalation,
            sc.read_only_root_filesystem
        ),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(job.metadata.labels.as_ref().unwrap()[SMOKE_LABEL], name);
    let own = SmokeCheck {
        image: "own:1".into(),
        ..check
    };
    let job = smoke_job(&SmokeJobInput {
        name: &name,
        namespace: "ns",
        placement: &p,
        check: &own,
        default_image: "busybox:1.36",
    });
    assert_eq!(
        job.spec.unwrap().template.spec.unwrap().containers[0]
            .image
            .as_deref(),
        Some("own:1")
    );
}

#[test]
fn smoke_state_from_job_counts() {
    for (s, f, want) in [
        (0, 0, SmokeState::Running),
        (1, 0, SmokeState::Passed),
        (0, 1, SmokeState::Failed),
        (1, 1, SmokeState::Passed),
    ] {
        assert_eq!(smoke_state(s, f), want, "{s} {f}");
    }
}

#[test]
fn output_tails_are_short_and_secret_free() {
    let key = "AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMIK7MDENG";
    let table: &[(&str, usize, &str)] = &[
        ("ok\n", 400, "ok"),
        (
            "connecting\nPASSWORD=hunter2 failed",
            400,
            "connecting\nPASSWORD [redacted]",
        ),
        (
            "Authorization: Bearer abc.def",
            400,
            "Authorization [redacted]",
        ),
        ("db_token: xyz", 400, "db_token [redacted]"),
        (&"x".repeat(10), 4, "…xxxx"),
        ("héllo wörld", 5, "…wörld"),
    ];
    for (raw, max, want) in table {
        assert_eq!(output_tail(raw, *max), *want, "{raw}");
    }
    let got = output_tail(&format!("using key {key} now"), 400);
    assert_eq!(got, "using key [redacted] now");
    assert!(!output_tail(&format!("x\n{key}"), 400).contains("AKIA"));
}

#[test]
fn the_restore_object_is_stamped_and_named_deterministically() {
    let p = placement(FailoverType::Drill);
    let r = restore_object(
        &p,
        "ns1",
        "disdukcapil/abc123",
        "rid-1",
        4,
        "drc-repo",
        Some("fast"),
    );
    assert_eq!(
        r.metadata.name.as_deref(),
        Some("drill-2026-11-siak-db-data-siak-db-0")
    );
    assert_eq!(r.metadata.namespace.as_deref(), Some("ns1"));
    assert_eq!(
        r.metadata.annotations.as_ref().unwrap()[REQUEST_ANNOTATION],
        "rid-1"
    );
    let l = r.metadata.labels.as_ref().unwrap();
    assert_eq!(
        (l[FAILOVER_LABEL].as_str(), l[MEMBER_LABEL].as_str()),
        ("drill-2026-11", "siak-db")
    );
    assert_eq!(r.spec.snapshot, "abc123");
    assert_eq!(r.spec.repository, "drc-repo");
    assert_eq!(r.spec.target.pvc, "data-siak-db-0");
    assert_eq!(r.spec.target.storage_class.as_deref(), Some("fast"));
    assert_eq!(r.spec.source.as_ref().unwrap().namespace, "disdukcapil");
    assert_eq!((r.spec.epoch, r.spec.verify), (Some(4), true));
    assert_eq!(r.spec.failover.as_deref(), Some("drill-2026-11"));
    // No user recorded by the backup: the mover's own.
    assert_eq!((r.spec.run_as_user, r.spec.run_as_group), (None, None));
    let r = restore_object(&p, "ns1", "", "rid-1", 4, "drc-repo", None);
    assert_eq!(r.spec.snapshot, "latest-verified");
    // The workload's user the backup read the files as: the restore writes as it.
    let owned = Placement {
        run_as_user: Some(999),
        run_as_group: Some(998),
        ..p.clone()
    };
    let r = restore_object(&owned, "ns1", "abc123", "rid-1", 4, "drc-repo", None);
    assert_eq!(
        (r.spec.run_as_user, r.spec.run_as_group),
        (Some(999), Some(998))
    );
    assert_eq!(
        restores_selector("drill-2026-11", "siak-db"),
        "pusdata.io/failover=drill-2026-11,pusdata.io/member=siak-db"
    );
}

#[test]
fn restores_are_verified_only_when_completed_and_matching() {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
    use pusdata_crds::v1alpha1::RestoreStatus;
    let cond = |status: &str| Condition {
        type_: "Verified".into(),
        status: status.into(),
        reason: "R".into(),
        message: String::new(),
        last_transition_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            jiff::Timestamp::UNIX_EPOCH,
        ),
        observed_generation: None,
    };
    let r = |phase, mismatches, conditions: Vec<Condition>| Restore {
        metadata: ObjectMeta {
            name: Some("r".into()),
            ..ObjectMeta::default()
        },
        spec: RestoreSpec::default(),
        status: Some(RestoreStatus {
            phase,
            mismatches,
            conditions,
            ..RestoreStatus::default()
        }),
    };
    use RestorePhase::*;
    let table: Vec<(Vec<Restore>, bool)> = vec![
        (vec![], false),
        (vec![r(Some(Completed), Some(0), vec![])], true),
        (vec![r(Some(Completed), None, vec![])], false),
        (vec![r(Some(Completed), Some(2), vec![])], false),
        (vec![r(Some(Completed), None, vec![cond("True")])], true),
        (
            vec![r(Some(Completed), Some(0), vec![cond("False")])],
            false,
        ),
        (vec![r(Some(InProgress), Some(0), vec![])], false),
        (vec![r(Some(Failed), Some(0), vec![cond("True")])], false),
        (
            vec![
                r(Some(Completed), Some(0), vec![]),
                r(Some(Completed), Some(1), vec![]),
            ],
            false,
        ),
    ];
    for (rs, ok) in table {
        let got = restores_verified(&rs);
        assert_eq!(got.is_ok(), ok, "{rs:?}");
        if let Err(t) = got {
            assert!(!t.en.is_empty() && !t.id.is_empty());
        }
    }
}

#[test]
fn check_notes_say_what_ran_and_fail_on_a_failure() {
    let local = skipped_locally();
    let passed = CheckOutcome::new(CheckState::Passed, Text::new("2 ready", "2 siap"));
    let failed = CheckOutcome::new(CheckState::Failed, Text::new("exit 1", "kode 1"));
    let table: &[(Option<&CheckOutcome>, Option<&CheckOutcome>, &str, bool)] = &[
        (None, None, "", false),
        (
            Some(&local),
            Some(&local),
            "; readiness skipped: no workloads in a local drill; smoke skipped: no workloads in a local drill",
            false,
        ),
        (Some(&passed), None, "; readiness passed: 2 ready", false),
        (
            Some(&passed),
            Some(&failed),
            "; readiness passed: 2 ready; smoke failed: exit 1",
            true,
        ),
    ];
    for (r, s, en, fails) in table {
        let (note, failed) = checks_note(*r, *s);
        assert_eq!((note.en.as_str(), failed), (*en, *fails));
    }
    let (note, _) = checks_note(Some(&local), None);
    assert_eq!(
        note.id,
        "; kesiapan dilewati: tidak ada workload dalam drill lokal"
    );
}

#[test]
fn the_repository_read_at_the_drc() {
    let p = placement(FailoverType::Drill);
    for (pattern, want) in [
        (None, "disdukcapil-drc"),
        (Some(""), "disdukcapil-drc"),
        (Some("{agency}-jatiluhur"), "disdukcapil-jatiluhur"),
        (Some("shared-drc"), "shared-drc"),
    ] {
        assert_eq!(restore_repository(pattern, &p), want, "{pattern:?}");
    }
}

fn secret(name: &str, ns: &str, data: &[(&str, &str)], type_: Option<&str>) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            labels: Some(BTreeMap::from([("app".to_string(), "siak".to_string())])),
            annotations: Some(BTreeMap::from([(
                "kubectl.kubernetes.io/last-applied-configuration".to_string(),
                "{}".to_string(),
            )])),
            resource_version: Some("42".into()),
            uid: Some("u-1".into()),
            owner_references: Some(Vec::new()),
            finalizers: Some(vec!["x".into()]),
            ..ObjectMeta::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        k8s_openapi::ByteString(v.as_bytes().to_vec()),
                    )
                })
                .collect(),
        ),
        type_: type_.map(String::from),
        ..Secret::default()
    }
}

#[test]
fn a_drill_copies_the_repositorys_credentials_and_key_of_its_own_agency_only() {
    use pusdata_crds::fixtures::{agency, backup_repository};
    use pusdata_crds::v1alpha1::SecretKeyRef;
    let p = placement(FailoverType::Drill);
    let key = |name: &str| SecretKeyRef {
        name: name.into(),
        namespace: None,
        key: "password".into(),
    };
    let repo = backup_repository("disdukcapil", "drc").spec;
    let mut own = agency("disdukcapil").spec;
    own.repository_key = Some(key("agency-key"));
    let mut with_key = repo.clone();
    with_key.key = Some(key("repo-key"));
    let mut same_secret = repo.clone();
    same_secret.key = Some(key("drc-s3"));
    let mut other_repo = repo.clone();
    other_repo.agency = "dinkes".into();
    let mut other_agency = agency("dinkes").spec;
    other_agency.repository_key = Some(key("dinkes-key"));
    let no_key = agency("disdukcapil").spec;
    // (repository, agency, the Secrets copied, or the rule of the refusal)
    type Row<'a> = (
        &'a BackupRepositorySpec,
        &'a AgencySpec,
        Result<&'a [&'a str], &'a str>,
    );
    let table: &[Row<'_>] = &[
        (&repo, &own, Ok(&["agency-key", "drc-s3"])),
        (&with_key, &own, Ok(&["drc-s3", "repo-key"])),
        (&with_key, &no_key, Ok(&["drc-s3", "repo-key"])),
        (&same_secret, &own, Ok(&["drc-s3"])),
        (&repo, &no_key, Err("SEC-CIA: no repository key")),
        (&other_repo, &own, Err("SEC-CIA: BackupRepository")),
        (&repo, &other_agency, Err("SEC-CIA: BackupRepository")),
    ];
    for (i, (r, a, want)) in table.iter().enumerate() {
        let got = drill_secret_names(&p, "disdukcapil-drc", r, a);
        match want {
            Ok(names) => assert_eq!(got.unwrap(), *names, "row {i}"),
            Err(rule) => {
                let t = got.unwrap_err();
                assert!(t.en.starts_with(rule), "row {i}: {}", t.en);
                assert!(t.id.starts_with("SEC-CIA"), "row {i}: {}", t.id);
            }
        }
    }
}

#[test]
fn a_secret_copy_keeps_data_and_type_under_fresh_drill_metadata() {
    let p = placement(FailoverType::Drill);
    let src = secret(
        "drc-s3",
        "disdukcapil",
        &[
            ("AWS_ACCESS_KEY_ID", "GK1"),
            ("AWS_SECRET_ACCESS_KEY", "s3cr3t"),
        ],
        Some("Opaque"),
    );
    let copy = drill_secret_copy(&p, &src);
    assert_eq!(copy.data, src.data);
    assert_eq!(copy.type_.as_deref(), Some("Opaque"));
    assert_eq!(copy.metadata.name.as_deref(), Some("drc-s3"));
    assert_eq!(
        copy.metadata.namespace.as_deref(),
        Some("pusdata-drill-drill-2026-11-disdukcapil")
    );
    assert_eq!(copy.metadata.labels, Some(drill_namespace_labels(&p)));
    assert_eq!(
        copy.metadata.annotations,
        Some(BTreeMap::from([(
            COPIED_FROM_ANNOTATION.to_string(),
            "disdukcapil/drc-s3".to_string()
        )]))
    );
    for (field, empty) in [
        ("resourceVersion", copy.metadata.resource_version.is_none()),
        ("uid", copy.metadata.uid.is_none()),
        ("ownerReferences", copy.metadata.owner_references.is_none()),
        ("finalizers", copy.metadata.finalizers.is_none()),
        ("stringData", copy.string_data.is_none()),
    ] {
        assert!(empty, "{field} is not carried over");
    }
}

#[test]
fn a_secret_copy_is_created_replaced_or_kept_and_only_in_a_drill_namespace() {
    let p = placement(FailoverType::Drill);
    let ns = target_namespace(&p);
    let src = secret("k", "disdukcapil", &[("password", "one")], Some("Opaque"));
    let want = drill_secret_copy(&p, &src);
    let other_data = drill_secret_copy(
        &p,
        &secret("k", "disdukcapil", &[("password", "two")], Some("Opaque")),
    );
    let other_type = drill_secret_copy(
        &p,
        &secret("k", "disdukcapil", &[("password", "one")], None),
    );
    let mut other_labels = want.clone();
    other_labels.metadata.labels = None;
    let unknown = secret_copy_unknown();
    let drill = drill_namespace_labels(&p);
    let table: &[(Option<&Secret>, SecretCopy)] = &[
        (None, SecretCopy::Create),
        (Some(&want), SecretCopy::Keep),
        (Some(&other_data), SecretCopy::Replace),
        (Some(&other_type), SecretCopy::Replace),
        (Some(&other_labels), SecretCopy::Replace),
        (Some(&unknown), SecretCopy::Replace),
    ];
    for (i, (found, action)) in table.iter().enumerate() {
        assert_eq!(
            secret_copy_action(&ns, &drill, &want, *found).unwrap(),
            *action,
            "row {i}"
        );
    }
    // Never into a namespace without the drill label, whatever is found there.
    let member = BTreeMap::from([("pusdata.io/agency".to_string(), "disdukcapil".to_string())]);
    let not_true = BTreeMap::from([(DRILL_LABEL.to_string(), "false".to_string())]);
    for labels in [&member, &not_true, &BTreeMap::new()] {
        for found in [None, Some(&want)] {
            let err = secret_copy_action("disdukcapil", labels, &want, found).unwrap_err();
            assert!(err.en.contains(DRILL_LABEL), "{}", err.en);
        }
    }
}

use super::*;

#[test]
fn capacity_is_replaced_so_a_removed_rack_disappears() {
    use pusdata_core::placement::{RackCapacity, Side};
    let rack = |name: &str, free| RackCapacity {
        site: "dc-bekasi".into(),
        rack: name.into(),
        free_units: free,
        feed_headroom_watts: vec![(Side::A, 5920), (Side::B, -80)],
        cooling_headroom_watts: -500,
        cordoned: false,
    };
    let m = Metrics::new();
    m.capacity(&[rack("R01", 41), rack("R02", 3)]);
    let text = m.encode();
    for line in [
        "pusdata_rack_free_units{site=\"dc-bekasi\",rack=\"R02\"} 3",
        "pusdata_feed_headroom_watts{site=\"dc-bekasi\",rack=\"R01\",feed=\"A\"} 5920",
        "pusdata_feed_headroom_watts{site=\"dc-bekasi\",rack=\"R01\",feed=\"B\"} -80",
        "pusdata_rack_cooling_headroom_watts{site=\"dc-bekasi\",rack=\"R01\"} -500",
    ] {
        assert!(text.contains(line), "{line} not in {text}");
    }
    m.capacity(&[rack("R01", 40)]);
    let text = m.encode();
    assert!(text.contains("pusdata_rack_free_units{site=\"dc-bekasi\",rack=\"R01\"} 40"));
    assert!(!text.contains("R02"), "{text}");
}

#[test]
fn reconcile_runs_and_errors_are_counted_per_controller() {
    let m = Metrics::new();
    m.reconciled("agency", Duration::from_millis(3), None);
    m.reconciled("agency", Duration::from_millis(3), Some("kube"));
    let text = m.encode();
    assert!(text.contains("pusdata_reconcile_runs_total{controller=\"agency\"} 2"));
    assert!(
        text.contains("pusdata_reconcile_errors_total{controller=\"agency\",category=\"kube\"} 1")
    );
    assert!(text.contains("pusdata_reconcile_duration_seconds_count{controller=\"agency\"} 2"));
}

#[test]
fn backup_figures_and_rpo_gauges_are_exported_per_plan_and_tier() {
    let m = Metrics::new();
    m.backup_finished("bekasi", "tier-1", "Completed", Some((3000, 1000, 12.0)));
    m.backup_finished("bekasi", "tier-1", "Completed", Some((3000, 500, 8.0)));
    m.backup_finished("bekasi", "tier-1", "Failed", None);
    m.backup_skipped("bekasi", "tier-1", 2);
    m.tier_freshness(&TierFigures {
        plan: "bekasi",
        tier: "tier-1",
        last_success: Some(1_790_000_000.0),
        last_verified: None,
        ratio: Some(0.5),
        verified_ratio: None,
        target_seconds: 900.0,
    });
    let text = m.encode();
    let l = "{plan=\"bekasi\",tier=\"tier-1\"}";
    for line in [
        "pusdata_backup_runs_total{plan=\"bekasi\",tier=\"tier-1\",phase=\"Completed\"} 2"
            .to_string(),
        format!("pusdata_backup_skipped_total{l} 2"),
        format!("pusdata_backup_bytes_read_total{l} 6000"),
        format!("pusdata_backup_bytes_added_total{l} 1500"),
        format!("pusdata_backup_dedup_ratio{l} 4.0"),
        format!("pusdata_backup_duration_seconds_count{l} 2"),
        format!("pusdata_backup_last_success_timestamp_seconds{l} 1790000000.0"),
        format!("pusdata_rpo_ratio{l} 0.5"),
        // prometheus-client writes infinity as `inf`, which Prometheus parses as +Inf.
        format!("pusdata_rpo_verified_ratio{l} inf"),
        format!("pusdata_rpo_target_seconds{l} 900.0"),
    ] {
        assert!(text.contains(&line), "missing {line} in\n{text}");
    }
    assert!(!text.contains("pusdata_backup_last_verified_timestamp_seconds{"));
}

#[test]
fn peer_metrics_feed_the_peer_lost_alert() {
    let m = Metrics::new();
    m.peer("drc-bandung", Some(false), None);
    m.peer("dc-gone", Some(true), Some(3.0));
    m.peer("dc-gone", None, None);
    let text = m.encode();
    for line in [
        "# TYPE pusdata_peer_ready gauge",
        r#"pusdata_peer_ready{site="drc-bandung"} 0"#,
        r#"pusdata_peer_heartbeat_age_seconds{site="drc-bandung"} inf"#,
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    assert!(
        !text.contains("dc-gone"),
        "an unknown peer has no series: {text}"
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let rules =
        std::fs::read_to_string(root.join("charts/pusdata/templates/prometheusrule.yaml")).unwrap();
    let alert = &rules[rules.find("alert: PusdataPeerLost").unwrap()..];
    assert!(alert.contains("pusdata_peer_ready{") && alert.contains("== 0"));
    assert!(alert.contains("docs/runbooks/PusdataPeerLost.md"));
}

#[test]
fn backup_alerts_use_exported_metrics_and_link_existing_runbooks() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // The rule as Helm renders it with the Prometheus Operator objects switched on.
    let rendered = crate::chart::Helm::locate(&root)
        .unwrap()
        .render(
            &root.join(crate::chart::CHART_DIR),
            &[],
            Some(&serde_json::json!({"prometheusRule": {"enabled": true}})),
            crate::chart::DEPLOY_RELEASE,
            true,
        )
        .unwrap();
    let rule = crate::testkit::manifests::parse_stream(&rendered)
        .into_iter()
        .find(|d| d["kind"] == "PrometheusRule" && d["metadata"]["name"] == "pusdata-backup")
        .expect("the chart renders the PrometheusRule pusdata-backup");
    let rules = rule["spec"]["groups"][0]["rules"].as_array().unwrap();
    let m = Metrics::new();
    m.tier_freshness(&TierFigures {
        plan: "p",
        tier: "t",
        last_success: Some(1.0),
        last_verified: Some(1.0),
        ratio: Some(1.0),
        verified_ratio: Some(1.0),
        target_seconds: 1.0,
    });
    let exported = m.encode();
    let mut alerts = Vec::new();
    for r in rules {
        let name = r["alert"].as_str().unwrap();
        alerts.push(name.to_string());
        let url = r["annotations"]["runbook_url"].as_str().unwrap();
        assert!(url.ends_with(&format!("docs/runbooks/{name}.md")), "{url}");
        let page = std::fs::read_to_string(root.join(format!("docs/runbooks/{name}.md"))).unwrap();
        assert!(page.contains("## English") && page.contains("## Bahasa Indonesia"));
        let expr = r["expr"].as_str().unwrap();
        for word in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with("pusdata_") {
                assert!(
                    exported.contains(&format!("# TYPE {word} ")),
                    "{word} is not exported"
                );
            }
        }
    }
    assert_eq!(alerts, ["PusdataRpoWarning", "PusdataRpoCritical"]);
    let sev = |i: usize| rules[i]["labels"]["severity"].as_str().unwrap().to_string();
    assert_eq!((sev(0), sev(1)), ("warning".into(), "critical".into()));
    assert!(rules[0]["expr"].as_str().unwrap().contains(">= 2"));
    assert!(rules[1]["expr"].as_str().unwrap().contains(">= 3"));
}

#[test]
fn leadership_is_a_gauge() {
    let m = Metrics::new();
    assert!(m.encode().contains("pusdata_leader 0"));
    m.set_leading(true);
    assert!(m.encode().contains("pusdata_leader 1"));
    m.set_leading(false);
    assert!(m.encode().contains("pusdata_leader 0"));
}

#[test]
fn repository_gauges_follow_the_last_validation() {
    let m = Metrics::new();
    m.repository("dinkes-drc", "dinkes", "drc-bandung", true, Some((3, 4096)));
    m.repository("dinkes-drc", "dinkes", "drc-bandung", false, None);
    let text = m.encode();
    let l = "repository=\"dinkes-drc\",agency=\"dinkes\",site=\"drc-bandung\"";
    assert!(
        text.contains(&format!("pusdata_repository_available{{{l}}} 0")),
        "{text}"
    );
    assert!(
        text.contains(&format!("pusdata_repository_snapshots{{{l}}} 3")),
        "{text}"
    );
    assert!(
        text.contains(&format!("pusdata_repository_stored_bytes{{{l}}} 4096")),
        "{text}"
    );
}

#[test]
fn failover_outcomes_and_rto_per_tier() {
    let m = Metrics::new();
    m.failover_finished(
        "bekasi",
        "Drill",
        "Succeeded",
        &[
            ("tier-1".into(), Some(42), 14_400),
            ("tier-2".into(), None, 3600),
        ],
    );
    let text = m.encode();
    assert!(text.contains(
        "pusdata_failover_executions_total{plan=\"bekasi\",kind=\"Drill\",outcome=\"Succeeded\"} 1"
    ), "{text}");
    assert!(text.contains(
        "pusdata_failover_rto_achieved_seconds{plan=\"bekasi\",kind=\"Drill\",tier=\"tier-1\"} 42"
    ), "{text}");
    assert!(!text.contains(
        "pusdata_failover_rto_achieved_seconds{plan=\"bekasi\",kind=\"Drill\",tier=\"tier-2\"}"
    ));
    assert!(text.contains(
        "pusdata_failover_rto_target_seconds{plan=\"bekasi\",kind=\"Drill\",tier=\"tier-2\"} 3600"
    ), "{text}");
}

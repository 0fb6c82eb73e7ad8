//! The Grafana dashboard (`deploy/grafana/pusdata.json`) only queries metric families the
//! code registers, or the ones listed here as planned (a panel over a misspelled metric stays
//! empty and nobody notices).

use super::metrics::Metrics;
use crate::webhook::Outcome;
use crate::webhook::metrics::Metrics as WebhookMetrics;
use pusdata_crds::v1alpha1::EnforcementMode;
use std::collections::BTreeSet;
use std::time::Duration;

/// Families the dashboard shows before their code exists (the backup schedule controller
/// exports them).
const PLANNED: &[&str] = &[
    "pusdata_rpo_ratio",
    "pusdata_backup_last_success_timestamp_seconds",
];

/// `# TYPE name kind` lines of an exposition.
fn families(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// A series name without the suffixes Prometheus adds to a family.
fn family_of(series: &str) -> &str {
    ["_bucket", "_count", "_sum", "_total", "_created"]
        .iter()
        .find_map(|s| series.strip_suffix(s))
        .unwrap_or(series)
}

fn metric_names(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("pusdata_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        out.push(&tail[..end]);
        rest = &tail[end..];
    }
    out
}

fn exprs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x.as_str()) {
                    ("expr", Some(e)) => out.push(e.to_string()),
                    _ => exprs(x, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| exprs(x, out)),
        _ => {}
    }
}

#[test]
fn every_dashboard_expression_names_a_registered_or_planned_family() {
    let m = Metrics::new();
    m.reconciled("agency", Duration::from_millis(1), Some("kube"));
    // Families appear in the exposition once they hold a series.
    m.capacity(&[pusdata_core::placement::RackCapacity {
        site: "dc-bekasi".into(),
        rack: "R01".into(),
        free_units: 41,
        feed_headroom_watts: vec![(pusdata_core::placement::Side::A, 5920)],
        cooling_headroom_watts: 6000,
        cordoned: false,
    }]);
    m.repository("r", "dinkes", "drc-bandung", true, Some((1, 1)));
    m.failover_finished(
        "bekasi",
        "Drill",
        "Succeeded",
        &[("t1".into(), Some(60), 3600)],
    );
    m.set_leading(true);
    let w = WebhookMetrics::new();
    w.count(
        "validate",
        "Site",
        Outcome::Denied,
        EnforcementMode::Enforce,
    );
    let mut known = families(&m.encode());
    known.extend(families(&w.encode()));
    known.extend(PLANNED.iter().map(|s| s.to_string()));
    assert!(known.contains("pusdata_reconcile_runs"), "{known:?}");
    assert!(known.contains("pusdata_admission_decisions"), "{known:?}");

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/grafana/pusdata.json"
    );
    let dash: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(dash["uid"], "pusdata");
    let mut all = Vec::new();
    exprs(&dash, &mut all);
    assert!(all.len() >= 8, "{all:?}");
    let mut used = BTreeSet::new();
    for e in &all {
        let names = metric_names(e);
        assert!(!names.is_empty(), "{e} names no Pusdata metric");
        for n in names {
            let family = family_of(n);
            assert!(
                known.contains(family),
                "{e}: {n} is neither registered nor planned"
            );
            used.insert(family.to_string());
        }
    }
    // The families there are today each have a panel (later ones may come without).
    for f in [
        "pusdata_reconcile_runs",
        "pusdata_reconcile_errors",
        "pusdata_reconcile_duration_seconds",
        "pusdata_admission_decisions",
        "pusdata_rack_free_units",
        "pusdata_feed_headroom_watts",
        "pusdata_rack_cooling_headroom_watts",
        "pusdata_repository_available",
        "pusdata_repository_stored_bytes",
        "pusdata_failover_rto_achieved_seconds",
        "pusdata_failover_rto_target_seconds",
        "pusdata_failover_executions",
        "pusdata_leader",
    ]
    .iter()
    .chain(PLANNED)
    {
        assert!(used.contains(*f), "no panel shows {f}");
    }
    assert_eq!(
        family_of("pusdata_reconcile_duration_seconds_bucket"),
        "pusdata_reconcile_duration_seconds"
    );
}

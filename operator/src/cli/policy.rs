//! `pusdata policy check`: the admission engine, offline. The context (policy, sites,
//! agencies, approvals, plans) is built from the objects given, with the documented defaults
//! for whatever is missing.

use super::inputs::{self, Loaded};
use super::{OutputFormat, PolicyCheckArgs};
use crate::error::CliError;
use pusdata_core::finding::{Finding, Severity};
use pusdata_core::i18n::{Lang, Msg, Text};
use pusdata_core::policy::{self, Context, Excepted};
use pusdata_core::rules::RULES;
use serde_json::{Value, json};

use pusdata_core::policy::SCHEMA_RULE;

/// The findings of one object.
struct Checked {
    file: String,
    kind: &'static str,
    namespace: Option<String>,
    name: String,
    findings: Vec<Finding>,
    excepted: Vec<Excepted>,
}

impl Checked {
    fn object(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// Runs the check and prints the report; a denying finding is an error (exit 1).
pub fn run(args: &PolicyCheckArgs, lang: Lang) -> Result<(), CliError> {
    let now = match &args.now {
        Some(s) => s
            .parse::<jiff::Timestamp>()
            .map_err(|e| CliError::Input(format!("--now {s}: {e}")))?,
        None => jiff::Timestamp::now(),
    };
    let loaded = inputs::load(
        &args.paths,
        inputs::Options {
            skip_unknown: args.skip_unknown,
            ..Default::default()
        },
        lang,
    )?;
    inputs::note_skipped(&loaded, lang);
    inputs::require_objects(&loaded, &args.paths, lang)?;
    let checked = check(&loaded.objects, now);
    let report = match args.output {
        OutputFormat::Text => text(&checked, lang),
        OutputFormat::Json => pretty(&json_report(&checked))?,
        OutputFormat::Sarif => pretty(&sarif(&checked))?,
    };
    println!("{report}");
    let denied = count(&checked, Severity::Deny);
    if denied > 0 {
        return Err(CliError::Check(summary(&checked).get(lang).to_string()));
    }
    Ok(())
}

fn pretty(v: &Value) -> Result<String, CliError> {
    serde_json::to_string_pretty(v).map_err(|e| CliError::Internal(e.to_string()))
}

fn check(loaded: &[Loaded], now: jiff::Timestamp) -> Vec<Checked> {
    let ctx = Context::from_objects(loaded.iter().map(|l| &l.object));
    loaded
        .iter()
        .map(|l| {
            let ev = policy::evaluate_with_schema(&l.object, &l.schema_errors, &ctx, now);
            let (kind, namespace, name) = policy::identity(&l.object);
            Checked {
                file: l.file.clone(),
                kind,
                namespace: namespace.map(str::to_string),
                name: name.to_string(),
                findings: ev.findings,
                excepted: ev.excepted,
            }
        })
        .collect()
}

fn count(checked: &[Checked], severity: Severity) -> usize {
    checked
        .iter()
        .flat_map(|c| &c.findings)
        .filter(|f| f.severity == severity)
        .count()
}

fn summary(checked: &[Checked]) -> Text {
    Msg::PolicySummary {
        objects: checked.len(),
        denied: count(checked, Severity::Deny),
        warnings: count(checked, Severity::Warn),
    }
    .text()
}

fn text(checked: &[Checked], lang: Lang) -> String {
    let mut out = String::new();
    for c in checked {
        let object = format!("{}: {}", c.file, c.object());
        if c.findings.is_empty() {
            out.push_str(&Msg::ObjectOk { object }.in_lang(lang));
            out.push('\n');
        } else {
            out.push_str(&format!("{object}:\n"));
            for f in &c.findings {
                out.push_str(&format!("  {}\n", f.line(lang)));
            }
        }
        for e in &c.excepted {
            let m = Msg::Excepted {
                rule: e.finding.rule.clone(),
                exception: e.exception.clone(),
                expires_at: e.expires_at.clone(),
            };
            out.push_str(&format!("  ({})\n", m.in_lang(lang)));
        }
    }
    out.push_str(summary(checked).get(lang));
    out
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "source": pusdata_core::rules::rule(&f.rule).map(|r| r.source),
        "severity": f.severity,
        "path": f.path,
        "message": f.message,
        "hint": f.hint,
    })
}

fn json_report(checked: &[Checked]) -> Value {
    let results: Vec<Value> = checked
        .iter()
        .map(|c| {
            json!({
                "file": c.file,
                "kind": c.kind,
                "namespace": c.namespace,
                "name": c.name,
                "findings": c.findings.iter().map(finding_json).collect::<Vec<_>>(),
                "excepted": c.excepted.iter().map(|e| json!({
                    "exception": e.exception,
                    "expiresAt": e.expires_at,
                    "finding": finding_json(&e.finding),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "summary": {
            "objects": checked.len(),
            "deny": count(checked, Severity::Deny),
            "warn": count(checked, Severity::Warn),
        },
        "results": results,
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Deny => "error",
        Severity::Warn => "warning",
        Severity::Info => "note",
    }
}

fn sarif(checked: &[Checked]) -> Value {
    let mut rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let text = r.requirement();
            json!({
                "id": r.id,
                "shortDescription": { "text": text.en },
                "fullDescription": { "text": text.to_string() },
                "properties": { "source": r.source, "descriptionId": text.id },
            })
        })
        .collect();
    rules.push(json!({
        "id": SCHEMA_RULE,
        "shortDescription": { "text": "The object breaks a rule of its CRD's schema." },
    }));
    let index = |id: &str| RULES.iter().position(|r| r.id == id).unwrap_or(RULES.len());
    let result = |c: &Checked, f: &Finding, suppressed: Option<&Excepted>| {
        let mut r = json!({
            "ruleId": f.rule,
            "ruleIndex": index(&f.rule),
            "level": sarif_level(f.severity),
            "message": { "text": format!("{} — {}", f.message.en, f.hint.en) },
            "locations": [{
                "physicalLocation": { "artifactLocation": { "uri": c.file } },
                "logicalLocations": [{
                    "fullyQualifiedName": format!("{}:{}", c.object(), f.path),
                    "kind": "object",
                }],
            }],
            "properties": { "messageId": f.message.id, "hintId": f.hint.id, "path": f.path },
        });
        if let (Some(e), Some(obj)) = (suppressed, r.as_object_mut()) {
            obj.insert(
                "suppressions".into(),
                json!([{ "kind": "external", "justification": format!("exception {} until {}", e.exception, e.expires_at) }]),
            );
        }
        r
    };
    let mut results = Vec::new();
    for c in checked {
        for f in &c.findings {
            results.push(result(c, f, None));
        }
        for e in &c.excepted {
            results.push(result(c, &e.finding, Some(e)));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "pusdata",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/pusdata/pusdata",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

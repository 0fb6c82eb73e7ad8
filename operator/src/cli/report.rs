//! `pusdata report compliance`: reads manifests (and the `failover.yaml` of drill work
//! directories), assembles the report with `pusdata_core::compliance::assemble` and writes it
//! as HTML, JSON or Markdown. The assembling is pure; this only reads and writes.

use super::inputs;
use crate::error::CliError;
use clap::{Args, ValueEnum};
use pusdata::report::{Languages, compliance};
use pusdata_core::compliance::{Report, Subject, assemble};
use pusdata_core::i18n::Lang;
use std::path::{Path, PathBuf};

/// Arguments of `pusdata report compliance`.
#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// Files or directories of YAML manifests (policies, sites, agencies, requests, plans,
    /// Failover objects); `-` reads stdin.
    pub paths: Vec<PathBuf>,
    /// Directories holding drill work directories: every `failover.yaml` below them (what
    /// `pusdata drill --local` writes) is read as an execution of its plan.
    #[arg(long, value_name = "DIR")]
    pub drills: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Write here instead of stdout. With `--format html` a `FILE.sha256` sidecar is written
    /// too (SEC-CIA).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Evaluate as of this instant (RFC 3339) instead of the clock, for reproducible runs.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Skip documents that cannot be classified (empty files, unknown Pusdata versions or
    /// kinds) instead of failing with exit 2; they are counted on stderr.
    #[arg(long)]
    pub skip_unknown: bool,
}

/// Output formats of the compliance report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Self-contained HTML with SVG charts.
    Html,
    /// The machine-readable report (both languages in every text).
    Json,
    /// Markdown.
    Md,
}

/// Every `failover.yaml` below `dir`, in name order.
fn drill_files(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| CliError::Input(format!("--drills {}: {e}", d.display())))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "failover.yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads the inputs and assembles the report.
pub fn build(args: &ComplianceArgs, lang: Lang) -> Result<Report, CliError> {
    let now = match &args.now {
        Some(s) => s
            .parse::<jiff::Timestamp>()
            .map_err(|e| CliError::Input(format!("--now {s}: {e}")))?,
        None => jiff::Timestamp::now(),
    };
    let mut paths = args.paths.clone();
    for d in &args.drills {
        paths.extend(drill_files(d)?);
    }
    let loaded = inputs::load(
        &paths,
        inputs::Options {
            skip_unknown: args.skip_unknown,
            ..Default::default()
        },
        lang,
    )?;
    inputs::note_skipped(&loaded, lang);
    inputs::require_objects(&loaded, &paths, lang)?;
    let subjects: Vec<Subject> = loaded
        .objects
        .into_iter()
        .map(|l| Subject {
            source: l.file,
            object: l.object,
            schema_errors: l.schema_errors,
        })
        .collect();
    Ok(assemble(&subjects, now))
}

/// `--lang`: `en`, `id` or `both` (the default for reports).
fn languages(raw: Option<&str>) -> Languages {
    match raw.and_then(Lang::parse) {
        Some(l) => Languages::One(l),
        None => Languages::Both,
    }
}

/// Runs the command.
pub fn run(args: &ComplianceArgs, raw_lang: Option<&str>, lang: Lang) -> Result<(), CliError> {
    let report = build(args, lang)?;
    let langs = languages(raw_lang);
    let text = match args.format {
        ReportFormat::Html => compliance::render_html(&report, langs),
        ReportFormat::Json => {
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Internal(e.to_string()))?
        }
        ReportFormat::Md => compliance::render_markdown(&report, langs),
    };
    match &args.out {
        Some(file) => write_out(file, &text, args.format == ReportFormat::Html)?,
        None => println!("{text}"),
    }
    let s = &report.summary;
    eprintln!(
        "{}",
        pusdata_core::t!(
            "cli-report-compliance-summary",
            rules = s.rules,
            compliant = s.compliant,
            findings = s.with_findings,
            unchecked = s.not_checked
        )
        .get(lang)
    );
    Ok(())
}

/// Arguments of `pusdata report drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The execution: a `failover.yaml` (what `pusdata drill --local` writes) or any YAML
    /// holding one Failover.
    pub failover: PathBuf,
    /// The plan executed (YAML holding the DisasterRecoveryPlan).
    #[arg(long, default_value = "dr-plans/bekasi.yaml")]
    pub plan: PathBuf,
    /// Write HTML here (and `FILE.sha256`) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `pusdata report drills`.
#[derive(Debug, Args)]
pub struct DrillsArgs {
    /// Directory holding drill work directories (every `failover.yaml` below it).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// The plan (YAML holding the DisasterRecoveryPlan).
    #[arg(long, default_value = "dr-plans/bekasi.yaml")]
    pub plan: PathBuf,
    /// Calendar from this instant (RFC 3339); a year before `--now` by default.
    #[arg(long, value_name = "RFC3339")]
    pub since: Option<String>,
    /// Evaluate as of this instant (RFC 3339) instead of the clock.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Write HTML here (and `FILE.sha256`) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn load_objects(paths: &[PathBuf], lang: Lang) -> Result<Vec<pusdata_crds::Object>, CliError> {
    let loaded = inputs::load(paths, inputs::Options::default(), lang)?;
    inputs::require_objects(&loaded, paths, lang)?;
    Ok(loaded.objects.into_iter().map(|l| l.object).collect())
}

fn the_plan(
    path: &Path,
    lang: Lang,
) -> Result<pusdata_crds::v1alpha1::DisasterRecoveryPlan, CliError> {
    load_objects(&[path.to_path_buf()], lang)?
        .into_iter()
        .find_map(|o| match o {
            pusdata_crds::Object::DisasterRecoveryPlan(p) => Some(p),
            _ => None,
        })
        .ok_or_else(|| CliError::Input(format!("--plan {}: DisasterRecoveryPlan", path.display())))
}

fn instant(raw: Option<&String>, flag: &str) -> Result<Option<jiff::Timestamp>, CliError> {
    raw.map(|s| {
        s.parse::<jiff::Timestamp>()
            .map_err(|e| CliError::Input(format!("{flag} {s}: {e}")))
    })
    .transpose()
}

/// Writes `--out`; an HTML report also gets its `<file>.sha256` sidecar (SEC-CIA), in the
/// `sha256sum -c` format.
fn write_out(file: &Path, text: &str, sha256_sidecar: bool) -> Result<(), CliError> {
    let write = |p: &Path, t: &str| {
        std::fs::write(p, t).map_err(|e| CliError::Input(format!("--out {}: {e}", p.display())))
    };
    write(file, text)?;
    if !sha256_sidecar {
        return Ok(());
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut sidecar = file.as_os_str().to_owned();
    sidecar.push(".sha256");
    write(
        Path::new(&sidecar),
        &format!("{}  {name}\n", pusdata::report::sha256_hex(text.as_bytes())),
    )
}

fn emit(out: Option<&PathBuf>, html: &str) -> Result<(), CliError> {
    match out {
        Some(file) => write_out(file, html, true),
        None => {
            println!("{html}");
            Ok(())
        }
    }
}

/// `pusdata report drill`.
pub fn drill(args: &DrillArgs, raw_lang: Option<&str>, lang: Lang) -> Result<(), CliError> {
    let plan = the_plan(&args.plan, lang)?;
    let fo = load_objects(std::slice::from_ref(&args.failover), lang)?
        .into_iter()
        .find_map(|o| match o {
            pusdata_crds::Object::Failover(f) => Some(f),
            _ => None,
        })
        .ok_or_else(|| CliError::Input(format!("{}: Failover", args.failover.display())))?;
    let html = pusdata::report::render_html(
        &pusdata::report::ReportInput {
            plan: &plan,
            failover: &fo,
            findings: &[],
            generated_at: jiff::Timestamp::now(),
        },
        languages(raw_lang),
    );
    emit(args.out.as_ref(), &html)
}

/// `pusdata report drills`.
pub fn drills(args: &DrillsArgs, raw_lang: Option<&str>, lang: Lang) -> Result<(), CliError> {
    let plan = the_plan(&args.plan, lang)?;
    let now = instant(args.now.as_ref(), "--now")?.unwrap_or_else(jiff::Timestamp::now);
    let since = match instant(args.since.as_ref(), "--since")? {
        Some(s) => s,
        None => now
            .checked_sub(jiff::SignedDuration::from_hours(24 * 365))
            .map_err(|e| CliError::Internal(e.to_string()))?,
    };
    let files = drill_files(&args.dir)?;
    let failovers: Vec<_> = if files.is_empty() {
        Vec::new()
    } else {
        load_objects(&files, lang)?
            .into_iter()
            .filter_map(|o| match o {
                pusdata_crds::Object::Failover(f) => Some(f),
                _ => None,
            })
            .collect()
    };
    let html =
        pusdata::report::history::render_html(&plan, &failovers, since, now, languages(raw_lang));
    emit(args.out.as_ref(), &html)
}

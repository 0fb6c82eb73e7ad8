//! A Disaster Recovery Plan with its context, resolved one way for `plan check` and
//! `drill --local`: the plans of the paths given, the Sites, BackupRepositories and
//! ResidencyPolicy of those paths and of the plan files' sibling manifests, and the plan
//! check's findings over them (the CRDs' own CEL rules, then `dr::check_plan_with`).

use crate::inputs::{self, InputError, Inputs, Options};
use pusdata_core::dr::{self, CheckSettings, Measurements};
use pusdata_core::finding::{Finding, Severity};

use pusdata_core::sites::SiteRules;
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{BackupRepository, DisasterRecoveryPlan, Site};
use std::path::PathBuf;

/// What the plan files and their context held.
#[derive(Default)]
pub struct PlanInputs {
    /// The plans of the paths given (never a sibling's).
    pub plans: Vec<DisasterRecoveryPlan>,
    /// Every Site read.
    pub sites: Vec<Site>,
    /// Every BackupRepository read.
    pub repositories: Vec<BackupRepository>,
    /// DR-FAR / DR-NKRI settings from a ResidencyPolicy, if one was read.
    pub settings: CheckSettings,
    /// Broken CEL rules of the plan-related objects, as findings with the object.
    pub crd_findings: Vec<(String, Finding)>,
    /// Everything loaded (for the note of what was skipped).
    pub inputs: Inputs,
}

/// Reads the paths and the plan files' siblings.
pub fn resolve(paths: &[PathBuf], opts: Options) -> Result<PlanInputs, InputError> {
    let (given, context) = inputs::with_siblings(paths)?;
    let mut out = PlanInputs::default();
    for (file, is_given) in given
        .iter()
        .map(|f| (f, true))
        .chain(context.iter().map(|f| (f, false)))
    {
        let read = inputs::read_file(file, opts)?;
        for l in &read.objects {
            crd_rules(&l.object, &l.schema_errors, &mut out.crd_findings);
            match &l.object {
                Object::Site(s) => out.sites.push(s.clone()),
                Object::BackupRepository(r) => out.repositories.push(r.clone()),
                Object::DisasterRecoveryPlan(p) if is_given => out.plans.push(p.clone()),
                Object::ResidencyPolicy(p) => {
                    out.settings.site_rules = SiteRules {
                        min_drc_distance_km: f64::from(p.spec.min_drc_distance_km),
                        allowed_countries: p.spec.allowed_countries.clone(),
                    };
                }
                _ => {}
            }
        }
        out.inputs.extend(read);
    }
    Ok(out)
}

/// The name a finding is reported under.
pub fn plan_name(plan: &DisasterRecoveryPlan) -> String {
    format!(
        "DisasterRecoveryPlan/{}",
        plan.metadata.name.as_deref().unwrap_or_default()
    )
}

/// The plan check's findings of one plan: its context's broken CEL rules, then the
/// DR checks.
pub fn findings(inputs: &PlanInputs, plan: &DisasterRecoveryPlan) -> Vec<(String, Finding)> {
    let mut all = inputs.crd_findings.clone();
    let name = plan_name(plan);
    all.extend(
        dr::check_plan_with(
            plan,
            &inputs.sites,
            &inputs.repositories,
            &Measurements::default(),
            &inputs.settings,
        )
        .into_iter()
        .map(|f| (name.clone(), f)),
    );
    all
}

/// How many findings of a severity.
pub fn count(findings: &[(String, Finding)], severity: Severity) -> usize {
    findings
        .iter()
        .filter(|(_, f)| f.severity == severity)
        .count()
}

/// The CEL rules' failures (computed by the loader) as findings, for the kinds a plan
/// check concerns.
fn crd_rules(object: &Object, schema_errors: &[String], out: &mut Vec<(String, Finding)>) {
    if schema_errors.is_empty()
        || !matches!(
            object,
            Object::Site(_)
                | Object::BackupRepository(_)
                | Object::DisasterRecoveryPlan(_)
                | Object::ResidencyPolicy(_)
        )
    {
        return;
    }
    let name = match object {
        Object::Site(o) => o.metadata.name.clone(),
        Object::BackupRepository(o) => o.metadata.name.clone(),
        Object::DisasterRecoveryPlan(o) => o.metadata.name.clone(),
        Object::ResidencyPolicy(o) => o.metadata.name.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "<unnamed>".into());
    let messages = schema_errors.join("; ");
    // CEL messages lead with the rule ID when they enforce one (`DR-FAR: …`).
    let rule = messages
        .split(':')
        .next()
        .filter(|r| pusdata_core::rules::rule(r).is_some())
        .unwrap_or("DR-PLAN")
        .to_string();
    out.push((
        format!("{}/{name}", object.kind()),
        Finding::deny(
            &rule,
            "spec",
            pusdata_core::t!("cli-plans-crd-rule-broken", messages = messages),
            pusdata_core::t!("cli-plans-crd-rule-broken-hint"),
        ),
    ));
}

//! What the rules may look at besides the object, and their settings: a leaf of `policy`,
//! so the rule files that read it (`approval`, `signoff`, …) form no circle through
//! `mod.rs`.

use super::catalogue::Catalogue;
use crate::sites::SiteRules;
use jiff::Timestamp;
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    Agency, AgencySpec, Approval, BackupRepository, Decision, DisasterRecoveryPlan,
    EnforcementMode, PolicyException, Protocol, Rack, ResidencyPolicySpec, Site,
};
use std::sync::Arc;

/// The city domain used when no `ResidencyPolicy` names one (the reference deployment).
pub const DEFAULT_CITY_DOMAIN: &str = "bekasikota.go.id";

/// The standard egress ports of Perwal 6(7) as (port, protocol) pairs. The list itself is
/// [`crate::ports::STANDARD_PORTS`], shared with the agencies' network policies.
pub fn standard_egress() -> Vec<(u16, Protocol)> {
    crate::ports::STANDARD_PORTS
        .iter()
        .map(|p| (p.port, p.protocol))
        .collect()
}

/// Settings of the rules, from the active `ResidencyPolicy` or the documented defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// `Enforce` or `Monitor` (used by the admission shell, not by the rules).
    pub mode: EnforcementMode,
    /// Countries where city data may live. Default: `ID`.
    pub allowed_countries: Vec<String>,
    /// The city's domain. Default: [`DEFAULT_CITY_DOMAIN`].
    pub city_domain: String,
    /// Minimum primary–DRC distance in km. Default: 30.
    pub min_drc_distance_km: f64,
    /// Maximum age of a malware scan in days. Default: 90.
    pub max_scan_age_days: u32,
    /// Egress allowed without approval. Default: [`standard_egress`].
    pub allowed_egress: Vec<(u16, Protocol)>,
    /// Groups whose members may approve. Default: `pusdata:platform`.
    pub platform_groups: Vec<String>,
    /// Namespace where approvals live. Default: `pusdata-system`.
    pub platform_namespace: String,
    /// Namespaces the webhook does not check.
    pub exempt_namespaces: Vec<String>,
    /// Exceptions, each with an expiry.
    pub exceptions: Vec<PolicyException>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_policy(None)
    }
}

impl Settings {
    /// Settings from a policy spec, or the defaults when there is none.
    pub fn from_policy(policy: Option<&ResidencyPolicySpec>) -> Settings {
        let Some(p) = policy else {
            return Settings {
                mode: EnforcementMode::Enforce,
                allowed_countries: vec!["ID".into()],
                city_domain: DEFAULT_CITY_DOMAIN.into(),
                min_drc_distance_km: 30.0,
                max_scan_age_days: 90,
                allowed_egress: standard_egress(),
                platform_groups: vec!["pusdata:platform".into()],
                platform_namespace: "pusdata-system".into(),
                exempt_namespaces: vec!["kube-system".into()],
                exceptions: Vec::new(),
            };
        };
        Settings {
            mode: p.mode,
            allowed_countries: p.allowed_countries.clone(),
            city_domain: normalise_host(&p.city_domain),
            min_drc_distance_km: f64::from(p.min_drc_distance_km),
            max_scan_age_days: p.max_scan_age_days,
            allowed_egress: if p.allowed_egress_ports.is_empty() {
                standard_egress()
            } else {
                p.allowed_egress_ports
                    .iter()
                    .map(|e| (e.port, e.protocol))
                    .collect()
            },
            platform_groups: p.platform_groups.clone(),
            platform_namespace: p.platform_namespace.clone(),
            exempt_namespaces: p.exempt_namespaces.clone(),
            exceptions: p.exceptions.clone(),
        }
    }

    /// The site rules (DR-FAR, DR-NKRI) with these settings.
    pub fn site_rules(&self) -> SiteRules {
        SiteRules {
            min_drc_distance_km: self.min_drc_distance_km,
            allowed_countries: self.allowed_countries.clone(),
        }
    }

    /// Whether objects in `namespace` are left unchecked (webhook and background audit).
    pub fn exempt(&self, namespace: &str) -> bool {
        self.exempt_namespaces.iter().any(|e| e == namespace)
    }

    /// Whether a country is allowed.
    pub fn country_allowed(&self, country: &str) -> bool {
        self.allowed_countries
            .iter()
            .any(|c| c.eq_ignore_ascii_case(country.trim()))
    }
}

/// What the rules may look at besides the object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    /// Rule settings.
    pub settings: Settings,
    /// The region catalogue, extended by the policy's extra providers.
    pub catalogue: Catalogue,
    // Shared, not owned: the operator builds its context from the objects its watch caches
    // already hold (its `cache::rules_from`), so the context adds pointers, not a second
    // copy of every Agency and Rack (~5 MB at 1 000 agencies, heaptrack).
    /// Registered sites.
    pub sites: Vec<Arc<Site>>,
    /// Registered racks.
    pub racks: Vec<Arc<Rack>>,
    /// Registered agencies.
    pub agencies: Vec<Arc<Agency>>,
    /// Approvals.
    pub approvals: Vec<Arc<Approval>>,
    /// Backup repositories.
    pub repositories: Vec<Arc<BackupRepository>>,
    /// Disaster recovery plans.
    pub plans: Vec<Arc<DisasterRecoveryPlan>>,
}

impl Context {
    /// A context with the default settings, the built-in catalogue and nothing registered.
    pub fn empty() -> Context {
        Context::with_policy(None)
    }

    /// A context with a policy's settings and catalogue extensions, nothing registered yet.
    pub fn with_policy(policy: Option<&ResidencyPolicySpec>) -> Context {
        let mut catalogue = Catalogue::built_in();
        if let Some(p) = policy {
            catalogue.extend(&p.extra_providers);
        }
        Context {
            settings: Settings::from_policy(policy),
            catalogue,
            ..Context::default()
        }
    }

    /// Builds a context from a set of objects: the first `ResidencyPolicy` found gives the
    /// settings (by name order, so the choice is stable), and every Site, Rack, Agency,
    /// Approval, BackupRepository and DisasterRecoveryPlan is registered.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object> + Clone) -> Context {
        let policy = active_policy(objects.clone());
        let mut ctx = Context::with_policy(policy.map(|p| &p.spec));
        for o in objects {
            ctx.register(o);
        }
        ctx
    }

    /// [`Context::from_objects`] over objects it may keep: each is moved in, not copied
    /// (a controller's per-reconcile context holds one copy of the world, not two).
    pub fn from_owned(objects: Vec<Object>) -> Context {
        let mut ctx = Context::with_policy(active_policy(&objects).map(|p| &p.spec));
        for o in objects {
            ctx.add(o);
        }
        ctx
    }

    /// Adds one object to what the rules know, keeping it.
    pub fn add(&mut self, object: Object) {
        match object {
            Object::Site(s) => self.sites.push(Arc::new(s)),
            Object::Rack(r) => self.racks.push(Arc::new(r)),
            Object::Agency(a) => self.agencies.push(Arc::new(a)),
            Object::Approval(a) => self.approvals.push(Arc::new(a)),
            Object::BackupRepository(r) => self.repositories.push(Arc::new(r)),
            Object::DisasterRecoveryPlan(p) => self.plans.push(Arc::new(p)),
            _ => {}
        }
    }

    /// Adds one object to what the rules know.
    pub fn register(&mut self, object: &Object) {
        self.add(object.clone());
    }

    /// A site by name.
    pub fn site(&self, name: &str) -> Option<&Site> {
        self.sites
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some(name))
            .map(Arc::as_ref)
    }

    /// An agency by code (or, failing that, by object name).
    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agencies
            .iter()
            .find(|a| a.spec.code == code)
            .or_else(|| {
                self.agencies
                    .iter()
                    .find(|a| a.metadata.name.as_deref() == Some(code))
            })
            .map(Arc::as_ref)
    }

    /// The agency owning a namespace.
    pub fn agency_of_namespace(&self, namespace: &str) -> Option<&Agency> {
        self.agencies
            .iter()
            .find(|a| agency_namespaces(&a.spec).any(|n| n == namespace))
            .map(Arc::as_ref)
    }

    /// An approval in force for `kind namespace/name` at `generation` (when known): decided
    /// `Approved`, in the platform namespace, not past `validUntil`. A rejection of the same
    /// target, when there is one, is returned as `Err`.
    pub fn approval_for(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        generation: Option<i64>,
        now: Timestamp,
    ) -> Result<Option<&Approval>, &Approval> {
        // Approvals are immutable, so a refusal is answered with a new approval: one in force
        // wins over any refusal, and a refusal is reported only when nothing is in force.
        let mut rejected = None;
        for a in self.approvals.iter().map(Arc::as_ref) {
            let t = &a.spec.target;
            if t.kind != kind || t.name != name || t.namespace.as_deref() != namespace {
                continue;
            }
            if !self.approval_in_platform_namespace(a) {
                continue;
            }
            if a.spec.decision == Decision::Rejected {
                rejected = Some(a);
                continue;
            }
            if generation.is_some_and(|g| a.spec.target_generation < g) {
                continue;
            }
            if a.spec.valid_until.as_ref().is_some_and(|v| v.0 <= now) {
                continue;
            }
            return Ok(Some(a));
        }
        rejected.map_or(Ok(None), Err)
    }

    /// An approval by name, in the platform namespace.
    pub fn approval_named(&self, name: &str) -> Option<&Approval> {
        self.approvals.iter().map(Arc::as_ref).find(|a| {
            a.metadata.name.as_deref() == Some(name) && self.approval_in_platform_namespace(a)
        })
    }

    // Approvals anywhere else could have been written by an agency itself; offline inputs
    // often omit the namespace, which is taken as the platform's.
    fn approval_in_platform_namespace(&self, a: &Approval) -> bool {
        a.metadata
            .namespace
            .as_deref()
            .is_none_or(|ns| ns == self.settings.platform_namespace)
    }
}

/// The `ResidencyPolicy` whose settings apply: the first by name, so the choice is stable
/// when a cluster holds more than one. A policy named `default` gets no preference (one
/// rule for the webhook, the audit, `policy check` and the controllers; see
/// `docs/reference/policy.md`).
pub fn active_policy<'a>(
    objects: impl IntoIterator<Item = &'a Object>,
) -> Option<&'a pusdata_crds::v1alpha1::ResidencyPolicy> {
    objects
        .into_iter()
        .filter_map(|o| match o {
            Object::ResidencyPolicy(p) => Some(p),
            _ => None,
        })
        .min_by(|a, b| a.metadata.name.cmp(&b.metadata.name))
}

/// The namespaces of an agency (its code when it lists none).
pub fn agency_namespaces(spec: &AgencySpec) -> impl Iterator<Item = &str> {
    let default = spec.namespaces.is_empty().then_some(spec.code.as_str());
    spec.namespaces.iter().map(String::as_str).chain(default)
}

/// Lower case, no surrounding dots or blanks.
pub(crate) fn normalise_host(h: &str) -> String {
    h.trim().trim_matches('.').to_ascii_lowercase()
}

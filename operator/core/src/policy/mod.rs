//! The policy engine: one pure function, [`evaluate`], that the admission webhook, the
//! controllers and the offline `pusdata policy check` all call, so a rule is decided in one
//! place.
//!
//! [`Context`] is everything a rule may look at besides the object itself: the settings of
//! the active `ResidencyPolicy` (or the documented defaults), the region catalogue, and the
//! registered sites, racks, agencies, approvals, repositories and plans. Time is passed in.

pub mod approval;
pub mod catalogue;
mod cloud;
mod context;
pub mod exceptions;
pub mod execution;
mod hosting;
pub mod licences;
mod object;
pub mod report;
pub mod signoff;
mod storage;

pub use approval::{UserInfo, platform_member, review_approval, review_requester};
pub use catalogue::Catalogue;
pub(crate) use context::normalise_host;
pub use context::{
    Context, DEFAULT_CITY_DOMAIN, Settings, active_policy, agency_namespaces, standard_egress,
};
pub use exceptions::{Evaluation, Excepted, ExceptionState, exception_states, next_expiry};
pub use object::{identity, meta};
pub use signoff::{APPROVAL_PREFIX, SignOff, SignOffReview, may_sign_off, review_signoffs};

use crate::finding::Finding;
use jiff::Timestamp;
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{EgressPort, Protocol};

/// Evaluates one object against every rule that applies to its kind; exceptions in force
/// suppress matching findings, expired ones no longer do and say so in the finding.
pub fn evaluate(object: &Object, ctx: &Context, now: Timestamp) -> Vec<Finding> {
    evaluate_detailed(object, ctx, now).findings
}

/// [`evaluate`], also returning what exceptions suppressed.
pub fn evaluate_detailed(object: &Object, ctx: &Context, now: Timestamp) -> Evaluation {
    let raw = match object {
        Object::HostingRequest(hr) => hosting::check(hr, ctx, now),
        Object::ExternalCloudService(e) => cloud::check(e, ctx, now),
        Object::Site(s) => storage::check_site(s, ctx),
        Object::BackupRepository(r) => storage::check_repository(r, ctx),
        Object::ResidencyPolicy(p) => exceptions::check_policy(&p.spec, now),
        Object::Agency(a) => hosting::check_agency(a, ctx, now),
        Object::Rack(r) => hosting::check_rack(r),
        Object::Failover(f) => execution::check(f),
        _ => Vec::new(),
    };
    exceptions::apply(object, raw, &ctx.settings.exceptions, now)
}

/// Rule ID of findings that come from a CRD's own CEL rules without a regulation ID.
pub const SCHEMA_RULE: &str = "CRD-SCHEMA";

/// The rule a CEL message enforces: CRD messages lead with the rule ID when they enforce a
/// regulation (`DR-FAR: …`), otherwise [`SCHEMA_RULE`].
pub fn schema_rule_id(message: &str) -> &'static str {
    crate::rules::RULES
        .iter()
        .find(|r| message.starts_with(&format!("{}:", r.id)))
        .map_or(SCHEMA_RULE, |r| r.id)
}

/// [`evaluate_detailed`] plus the messages of the CRD's CEL rules the object breaks (as the
/// API server would report them), each as a denying finding. A rule the engine already
/// explains is said once. `policy check` and the compliance report both call this.
pub fn evaluate_with_schema(
    object: &Object,
    schema_errors: &[String],
    ctx: &Context,
    now: Timestamp,
) -> Evaluation {
    let mut ev = evaluate_detailed(object, ctx, now);
    for m in schema_errors {
        let rule = schema_rule_id(m);
        if rule != SCHEMA_RULE && ev.findings.iter().any(|f| f.rule == rule) {
            continue;
        }
        ev.findings.push(Finding::deny(
            rule,
            "",
            crate::i18n::Msg::SchemaRule { message: m.clone() }.text(),
            crate::t!("policy-check-fix-field-named-message"),
        ));
    }
    ev
}

/// Whether any rule looks at objects of this kind (the kinds [`evaluate`] dispatches on):
/// the background audit reports exactly these, so a kind nothing checks never shows as
/// "pass".
pub fn has_rules(object: &Object) -> bool {
    matches!(
        object,
        Object::HostingRequest(_)
            | Object::ExternalCloudService(_)
            | Object::Site(_)
            | Object::BackupRepository(_)
            | Object::ResidencyPolicy(_)
            | Object::Agency(_)
            | Object::Rack(_)
    )
}

/// The finding for an endpoint whose host is not a DNS name (nor an IP address): checked
/// before the catalogue is asked, so a malformed name cannot match a suffix.
pub(crate) fn invalid_endpoint(rule: &str, path: &str, endpoint: &str) -> Option<Finding> {
    let why = match catalogue::host_of(endpoint) {
        None => crate::t!("policy-check-endpoint-host", endpoint = &endpoint),
        Some(h) if h.parse::<std::net::IpAddr>().is_ok() => return None,
        Some(h) => crate::names::dns_name(&h, crate::names::Wildcard::Never).err()?,
    };
    Some(Finding::deny(
        rule,
        path,
        why,
        crate::t!("policy-check-give-endpoint-url-host"),
    ))
}

/// Whether an egress port is in an allowed set.
pub(crate) fn egress_allowed(allowed: &[(u16, Protocol)], e: &EgressPort) -> bool {
    allowed
        .iter()
        .any(|(p, proto)| *p == e.port && *proto == e.protocol)
}

/// The finding for an object that cites no known agency.
pub(crate) fn unknown_agency(rule: &str, path: &str, code: &str) -> Finding {
    Finding::deny(
        rule,
        path,
        crate::t!(
            "policy-check-agency-registered-so-request",
            code = format!("{:?}", code)
        ),
        crate::t!("policy-check-use-code-registered-agency"),
    )
}

#[cfg(test)]
mod tests;

//! CLOUD-NKRI on `ExternalCloudService`: the IT office's technical approval AND a region of
//! the catalogue inside an allowed country. Unknown is not in-country.

use super::Context;
use super::catalogue::host_of;
use crate::finding::Finding;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::ExternalCloudService;

pub(super) fn check(e: &ExternalCloudService, ctx: &Context, now: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    let s = &e.spec;
    let allowed = ctx.settings.allowed_countries.join(", ");
    let in_country_hint = || {
        crate::t!(
            "policy-cloud-choose-region-inside-catalogue",
            allowed = &allowed
        )
    };
    match ctx.catalogue.region(&s.provider, &s.region) {
        None => {
            let (path, message) = if ctx.catalogue.has_provider(&s.provider) {
                (
                    "spec.region",
                    crate::t!(
                        "policy-cloud-region-not-in-catalogue",
                        region = &s.region,
                        provider = &s.provider
                    ),
                )
            } else {
                (
                    "spec.provider",
                    crate::t!(
                        "policy-cloud-provider-not-in-catalogue",
                        provider = &s.provider
                    ),
                )
            };
            out.push(Finding::deny(
                "CLOUD-NKRI",
                path,
                message,
                in_country_hint(),
            ));
        }
        Some(l) if !ctx.settings.country_allowed(&l.region.country) => {
            let city = l.region.city.as_deref().unwrap_or("?");
            out.push(Finding::deny(
                "CLOUD-NKRI",
                "spec.region",
                crate::t!(
                    "policy-cloud-outside-allowed-countries",
                    provider = &s.provider,
                    region = &s.region,
                    city = &city,
                    country = &l.region.country,
                    allowed = &allowed
                ),
                in_country_hint(),
            ));
        }
        Some(_) => {}
    }
    let invalid = s
        .endpoint
        .as_deref()
        .and_then(|ep| super::invalid_endpoint("CLOUD-NKRI", "spec.endpoint", ep));
    if let Some(f) = invalid {
        out.push(f);
    } else if let Some(endpoint) = s.endpoint.as_deref() {
        let host = host_of(endpoint).unwrap_or_default();
        match ctx.catalogue.endpoint(endpoint) {
            None => out.push(Finding::deny(
                "CLOUD-NKRI",
                "spec.endpoint",
                crate::t!(
                    "policy-cloud-endpoint-host-catalogue-so",
                    host = format!("{:?}", host)
                ),
                crate::t!("policy-cloud-use-region-s-own"),
            )),
            Some(l) if !ctx.settings.country_allowed(&l.region.country) => out.push(Finding::deny(
                "CLOUD-NKRI",
                "spec.endpoint",
                crate::t!(
                    "policy-cloud-endpoint-host-outside-allowed",
                    host = &host,
                    name = &l.provider.name,
                    id = &l.region.id,
                    country = &l.region.country,
                    allowed = &allowed
                ),
                in_country_hint(),
            )),
            Some(_) => {}
        }
    }
    let ns = e.metadata.namespace.as_deref();
    let name = e.metadata.name.as_deref().unwrap_or_default();
    let platform = &ctx.settings.platform_namespace;
    match ctx.approval_for("ExternalCloudService", ns, name, e.metadata.generation, now) {
        Ok(Some(_)) => {}
        Ok(None) => out.push(Finding::deny(
            "CLOUD-NKRI",
            "metadata.name",
            crate::t!(
                "policy-cloud-technical-approval-office-force",
                ns = &ns.unwrap_or_default(),
                name = &name
            ),
            crate::t!(
                "policy-cloud-ask-platform-team-approval",
                platform = &platform
            ),
        )),
        Err(rejection) => out.push(Finding::deny(
            "CLOUD-NKRI",
            "metadata.name",
            crate::t!(
                "policy-cloud-office-rejected-service-approval",
                name = &rejection.metadata.name.as_deref().unwrap_or_default()
            ),
            crate::t!("policy-cloud-read-approval-s-comment"),
        )),
    }
    out
}

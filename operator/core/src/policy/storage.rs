//! DR-NKRI, DR-FAR and DATA-DC on `Site` and `BackupRepository` objects. The site rules
//! themselves live in [`crate::sites`]; this module finds the sites they compare.

use super::Context;
use super::catalogue::host_of;
use crate::finding::Finding;
use crate::sites::{check_drc_pair, check_site_country};
use pusdata_crds::v1alpha1::{BackupRepository, Site, SiteRole};

pub(super) fn check_site(site: &Site, ctx: &Context) -> Vec<Finding> {
    let rules = ctx.settings.site_rules();
    let name = site.metadata.name.as_deref().unwrap_or_default();
    let Some(drc_of) = site
        .spec
        .drc_of
        .as_ref()
        .filter(|_| site.spec.role == SiteRole::Drc)
    else {
        return check_site_country(name, &site.spec, &rules);
    };
    match ctx.site(&drc_of.site) {
        Some(primary) => check_drc_pair(&drc_of.site, &primary.spec, name, &site.spec, &rules),
        None => {
            let mut out = check_site_country(name, &site.spec, &rules);
            out.push(Finding::warn(
                "DR-FAR",
                "spec.drcOf.site",
                crate::t!(
                    "policy-storage-primary-site-registered-so",
                    site = &drc_of.site
                ),
                crate::t!("policy-storage-register-primary-site-pass"),
            ));
            out
        }
    }
}

pub(super) fn check_repository(repo: &BackupRepository, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let s = &repo.spec;
    let Some(site) = ctx.site(&s.site) else {
        out.push(Finding::deny(
            "DATA-DC",
            "spec.site",
            crate::t!("policy-storage-site-registered-site", site = &s.site),
            crate::t!("policy-storage-back-up-only-registered"),
        ));
        return out;
    };
    let rules = ctx.settings.site_rules();
    for mut f in check_site_country(&s.site, &site.spec, &rules) {
        f.path = "spec.site".into();
        out.push(f);
    }
    if let Some(f) = super::invalid_endpoint("DATA-DC", "spec.s3.endpoint", &s.s3.endpoint) {
        out.push(f);
        return out;
    }
    let host = host_of(&s.s3.endpoint).unwrap_or_default();
    let site_host = site.spec.endpoints.s3.as_deref().and_then(host_of);
    if site_host.as_deref() == Some(host.as_str()) {
        return out;
    }
    let allowed = ctx.settings.allowed_countries.join(", ");
    match ctx.catalogue.endpoint(&s.s3.endpoint) {
        Some(l) if !ctx.settings.country_allowed(&l.region.country) => out.push(Finding::deny(
            "DR-NKRI",
            "spec.s3.endpoint",
            crate::t!(
                "policy-storage-endpoint-outside-allowed-countries",
                host = &host,
                name = &l.provider.name,
                id = &l.region.id,
                country = &l.region.country,
                allowed = &allowed
            ),
            crate::t!("policy-storage-use-s3-endpoint-registered"),
        )),
        Some(_) => {}
        None => out.push(Finding::deny(
            "DATA-DC",
            "spec.s3.endpoint",
            crate::t!(
                "policy-storage-endpoint-neither-s3-endpoint",
                host = format!("{:?}", host),
                site = &s.site
            ),
            crate::t!("policy-storage-use-site-s-spec"),
        )),
    }
    out
}

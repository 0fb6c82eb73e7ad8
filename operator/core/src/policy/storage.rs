//! DR-NKRI, DR-FAR and DATA-DC on `Site` and `BackupRepository` objects. The site rules
//! themselves live in [`crate::sites`]; this module finds the sites they compare.

use super::Context;
use super::catalogue::host_of;
use crate::finding::Finding;
use crate::i18n::Text;
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
                Text::new(
                    format!(
                        "primary site {} is not registered, so the distance to it was not checked",
                        drc_of.site
                    ),
                    format!(
                        "situs utama {} belum terdaftar, sehingga jaraknya belum diperiksa",
                        drc_of.site
                    ),
                ),
                Text::new(
                    "register the primary Site (or pass it to `pusdata policy check`)",
                    "daftarkan Site utama (atau sertakan dalam `pusdata policy check`)",
                ),
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
            Text::new(
                format!("site {} is not a registered Site", s.site),
                format!("situs {} bukan Site yang terdaftar", s.site),
            ),
            Text::new(
                "back up only to a registered site of the city (the DC or the DRC)",
                "cadangkan hanya ke situs kota yang terdaftar (Pusat Data atau DRC)",
            ),
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
            Text::new(
                format!("endpoint {host} is in {} {} ({}), outside the allowed countries ({allowed})", l.provider.name, l.region.id, l.region.country),
                format!("endpoint {host} berada di {} {} ({}), di luar negara yang diizinkan ({allowed})", l.provider.name, l.region.id, l.region.country),
            ),
            Text::new(
                "use the S3 endpoint of the registered site",
                "gunakan endpoint S3 milik situs yang terdaftar",
            ),
        )),
        Some(_) => {}
        None => out.push(Finding::deny(
            "DATA-DC",
            "spec.s3.endpoint",
            Text::new(
                format!("endpoint {host:?} is neither the S3 endpoint of site {} nor in the catalogue", s.site),
                format!("endpoint {host:?} bukan endpoint S3 situs {} dan tidak ada di katalog", s.site),
            ),
            Text::new(
                "use the site's spec.endpoints.s3, or add the host to the policy's extraProviders",
                "gunakan spec.endpoints.s3 milik situs, atau tambahkan host ke extraProviders pada kebijakan",
            ),
        )),
    }
    out
}

//! CLOUD-NKRI on `ExternalCloudService`: the IT office's technical approval AND a region of
//! the catalogue inside an allowed country. Unknown is not in-country.

use super::Context;
use super::catalogue::host_of;
use crate::finding::Finding;
use crate::i18n::Text;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::ExternalCloudService;

pub(super) fn check(e: &ExternalCloudService, ctx: &Context, now: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    let s = &e.spec;
    let allowed = ctx.settings.allowed_countries.join(", ");
    let in_country_hint = || {
        Text::new(
            format!(
                "choose a region inside {allowed} from the catalogue (e.g. aws ap-southeast-3, gcp asia-southeast2), or ask the platform team to add a local provider"
            ),
            format!(
                "pilih region di dalam {allowed} dari katalog (mis. aws ap-southeast-3, gcp asia-southeast2), atau minta Dinas menambahkan penyedia lokal"
            ),
        )
    };
    match ctx.catalogue.region(&s.provider, &s.region) {
        None => {
            let (path, en, id) = if ctx.catalogue.has_provider(&s.provider) {
                (
                    "spec.region",
                    format!(
                        "region \"{}\" of provider \"{}\" is not in the catalogue, so it is not known to be in Indonesia",
                        s.region, s.provider
                    ),
                    format!(
                        "region \"{}\" milik penyedia \"{}\" tidak ada di katalog, sehingga tidak diketahui berada di Indonesia",
                        s.region, s.provider
                    ),
                )
            } else {
                (
                    "spec.provider",
                    format!(
                        "provider {} is not in the catalogue, so its servers are not known to be in Indonesia",
                        s.provider
                    ),
                    format!(
                        "penyedia {} tidak ada di katalog, sehingga servernya tidak diketahui berada di Indonesia",
                        s.provider
                    ),
                )
            };
            out.push(Finding::deny(
                "CLOUD-NKRI",
                path,
                Text::new(en, id),
                in_country_hint(),
            ));
        }
        Some(l) if !ctx.settings.country_allowed(&l.region.country) => {
            let city = l.region.city.as_deref().unwrap_or("?");
            out.push(Finding::deny(
                "CLOUD-NKRI",
                "spec.region",
                Text::new(
                    format!(
                        "{} {} is in {city}, {}: outside the allowed countries ({allowed})",
                        s.provider, s.region, l.region.country
                    ),
                    format!(
                        "{} {} berada di {city}, {}: di luar negara yang diizinkan ({allowed})",
                        s.provider, s.region, l.region.country
                    ),
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
                Text::new(
                    format!("endpoint host {host:?} is not in the catalogue, so it is not known to be in Indonesia"),
                    format!("host endpoint {host:?} tidak ada di katalog, sehingga tidak diketahui berada di Indonesia"),
                ),
                Text::new(
                    "use the region's own endpoint, or ask the platform team to add this host to the catalogue",
                    "gunakan endpoint milik region tersebut, atau minta Dinas menambahkan host ini ke katalog",
                ),
            )),
            Some(l) if !ctx.settings.country_allowed(&l.region.country) => out.push(Finding::deny(
                "CLOUD-NKRI",
                "spec.endpoint",
                Text::new(
                    format!("endpoint host {host} is in {} {} ({}), outside the allowed countries ({allowed})", l.provider.name, l.region.id, l.region.country),
                    format!("host endpoint {host} berada di {} {} ({}), di luar negara yang diizinkan ({allowed})", l.provider.name, l.region.id, l.region.country),
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
            Text::new(
                format!("no technical approval of the IT office is in force for ExternalCloudService {}/{name}", ns.unwrap_or_default()),
                format!("belum ada persetujuan teknis Dinas yang berlaku untuk ExternalCloudService {}/{name}", ns.unwrap_or_default()),
            ),
            Text::new(
                format!("ask the platform team for an Approval in namespace {platform} targeting this object"),
                format!("minta Dinas membuat Approval di namespace {platform} untuk objek ini"),
            ),
        )),
        Err(rejection) => out.push(Finding::deny(
            "CLOUD-NKRI",
            "metadata.name",
            Text::new(
                format!("the IT office rejected this service (Approval {})", rejection.metadata.name.as_deref().unwrap_or_default()),
                format!("Dinas menolak layanan ini (Approval {})", rejection.metadata.name.as_deref().unwrap_or_default()),
            ),
            Text::new(
                "read the approval's comment; change the request and ask again",
                "baca komentar pada Approval; ubah permohonan lalu ajukan kembali",
            ),
        )),
    }
    out
}

//! The rack elevations of `pusdata place`, served by the operator from the live inventory
//! (HOST-SITE: the DC manager sees what the engine sees): `GET /racks` lists the racks,
//! `GET /racks/<name>.svg?lang=id|en` draws one. Plain HTTP on the operator's metrics
//! port: inside the cluster, behind its Service and NetworkPolicy. Served by `http`.

use super::hosting::inventory;
use super::permission::Permission;
use hyper::StatusCode;
use pusdata_core::i18n::Lang;
use pusdata_core::placement::render_rack_svg;
use pusdata_crds::v1alpha1::{HostingRequest, Rack};

/// An HTTP answer: status, content type, body.
pub type Answer = (StatusCode, &'static str, String);

/// API calls of the rack views (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "racks",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "hostingrequests",
        verbs: &["list"],
    },
];

/// Answers one request path from the racks and the placed requests. Pure apart from its
/// inputs, so it is tested without a server.
pub fn answer(path_and_query: &str, racks: &[Rack], requests: &[HostingRequest]) -> Answer {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let lang = if query.split('&').any(|kv| kv == "lang=id") {
        Lang::Id
    } else {
        Lang::En
    };
    let inv = match inventory(racks, requests) {
        Ok(inv) => inv,
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain",
                e.to_string(),
            );
        }
    };
    if path == "/racks" || path == "/racks/" {
        let mut html = String::from("<!doctype html><meta charset=utf-8><title>Racks</title><ul>");
        for r in inv.racks() {
            let name = pusdata::report::escape_html(&r.info.name);
            html.push_str(&format!(
                "<li><a href=\"/racks/{name}.svg\">{name}</a> — {} U free</li>",
                r.free_units()
            ));
        }
        html.push_str("</ul>");
        return (StatusCode::OK, "text/html; charset=utf-8", html);
    }
    if let Some(name) = path
        .strip_prefix("/racks/")
        .and_then(|n| n.strip_suffix(".svg"))
    {
        return match inv.racks().iter().find(|r| r.info.name == name) {
            Some(r) => (StatusCode::OK, "image/svg+xml", render_rack_svg(r, lang)),
            None => (
                StatusCode::NOT_FOUND,
                "text/plain",
                format!("no rack {name}"),
            ),
        };
    }
    (StatusCode::NOT_FOUND, "text/plain", "try /racks".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusdata_crds::fixtures;

    #[test]
    fn lists_racks_and_draws_one_with_its_placed_devices() {
        let racks = vec![
            fixtures::rack("R01", "dc-bekasi"),
            fixtures::rack("R02", "dc-bekasi"),
        ];
        let mut hr = fixtures::colocation_request("disdukcapil");
        hr.status = Some(pusdata_crds::v1alpha1::HostingRequestStatus {
            phase: Some(pusdata_crds::v1alpha1::HostingPhase::Placed),
            rack_placement: Some(Box::new(pusdata_crds::v1alpha1::RackPlacement {
                site: "dc-bekasi".into(),
                rack: "R02".into(),
                position_u: 10,
                height_u: 1,
                feed_a: "R02-A".into(),
                feed_b: "R02-B".into(),
                score: None,
            })),
            ..Default::default()
        });
        let (status, ct, html) = answer("/racks", &racks, std::slice::from_ref(&hr));
        assert_eq!((status, ct), (StatusCode::OK, "text/html; charset=utf-8"));
        assert!(html.contains("/racks/R01.svg") && html.contains("/racks/R02.svg"));
        assert!(
            html.contains("40 U free"),
            "R02 lost one unit to the placed device: {html}"
        );
        let (status, ct, svg) = answer("/racks/R02.svg?lang=id", &racks, &[hr]);
        assert_eq!((status, ct), (StatusCode::OK, "image/svg+xml"));
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{}",
            &svg[..40.min(svg.len())]
        );
        assert!(svg.contains("disdukcapil"));
        let (status, _, _) = answer("/racks/R99.svg", &racks, &[]);
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

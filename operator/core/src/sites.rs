//! Where sites are, and whether a DRC is far enough from its primary and inside Indonesia
//! (DR-FAR, DR-NKRI). The policy engine (for `Site` objects) and the plan checker (for a
//! plan's two sites) both call [`check_drc_pair`], so the rule is decided in one place.

use crate::finding::Finding;
use pusdata_crds::v1alpha1::{Coordinates, SiteRole, SiteSpec};

/// Mean Earth radius in kilometres (IUGG), for great-circle distances.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance between two points, in kilometres (haversine formula).
pub fn great_circle_km(a: Coordinates, b: Coordinates) -> f64 {
    let (la1, la2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.longitude - a.longitude).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Settings of the site rules (from the `ResidencyPolicy`).
#[derive(Clone, Debug, PartialEq)]
pub struct SiteRules {
    /// Minimum distance between a primary and its DRC, in kilometres.
    pub min_drc_distance_km: f64,
    /// Countries where city data may live (ISO 3166-1 alpha-2).
    pub allowed_countries: Vec<String>,
}

impl Default for SiteRules {
    fn default() -> Self {
        SiteRules {
            min_drc_distance_km: 30.0,
            allowed_countries: vec!["ID".to_string()],
        }
    }
}

/// DR-NKRI for one site that holds city data or backups.
pub fn check_site_country(site_name: &str, site: &SiteSpec, rules: &SiteRules) -> Vec<Finding> {
    if rules.allowed_countries.iter().any(|c| c == &site.country) {
        return Vec::new();
    }
    vec![Finding::deny(
        "DR-NKRI",
        "spec.country",
        crate::t!(
            "placement-sites-site-country-outside-allowed",
            site_name = &site_name,
            country = &site.country,
            rules = &rules.allowed_countries.join(", ")
        ),
        crate::t!("placement-sites-choose-drc-inside-indonesia"),
    )]
}

/// DR-FAR and DR-NKRI for a primary and its DRC: different roles, different cities, at least
/// the minimum distance apart, and the DRC inside the allowed countries.
pub fn check_drc_pair(
    primary_name: &str,
    primary: &SiteSpec,
    drc_name: &str,
    drc: &SiteSpec,
    rules: &SiteRules,
) -> Vec<Finding> {
    let mut out = check_site_country(drc_name, drc, rules);
    if drc.role != SiteRole::Drc {
        out.push(Finding::deny(
            "DR-FAR",
            "spec.role",
            crate::t!("placement-sites-site-used-drc-but", drc_name = &drc_name),
            crate::t!("placement-sites-set-spec-role-drc"),
        ));
    }
    // Cities are compared as people mean them: "Kota  Bekasi" and "KOTA BEKASI" are one.
    let city = crate::names::normalise_name(&drc.city);
    if city == crate::names::normalise_name(&primary.city) {
        out.push(Finding::deny(
            "DR-FAR",
            "spec.city",
            crate::t!(
                "placement-sites-drc-same-city-primary",
                drc_name = &drc_name,
                city = &drc.city,
                primary_name = &primary_name,
                city2 = &primary.city,
                city3 = &city
            ),
            crate::t!("placement-sites-drc-must-outside-primary"),
        ));
    }
    let km = great_circle_km(primary.coordinates, drc.coordinates);
    if km < rules.min_drc_distance_km {
        out.push(Finding::deny(
            "DR-FAR",
            "spec.coordinates",
            crate::t!(
                "placement-sites-drc-km-primary-minimum",
                drc_name = &drc_name,
                km = &km,
                primary_name = &primary_name,
                min_drc_distance_km = &rules.min_drc_distance_km
            ),
            crate::t!("placement-sites-place-drc-farther-away"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use pusdata_crds::fixtures;

    fn spec(site: pusdata_crds::v1alpha1::Site) -> SiteSpec {
        site.spec
    }

    #[test]
    fn bekasi_to_bandung_is_about_104_km() {
        let km = great_circle_km(fixtures::BEKASI, fixtures::BANDUNG);
        assert!((100.0..108.0).contains(&km), "{km}");
    }

    #[test]
    fn a_bandung_drc_passes() {
        let p = spec(fixtures::primary_site());
        let d = spec(fixtures::drc_site("Kota Bandung", fixtures::BANDUNG));
        assert!(
            check_drc_pair("dc-bekasi", &p, "drc-bandung", &d, &SiteRules::default()).is_empty()
        );
    }

    #[test]
    fn same_city_too_close_and_abroad_are_denied() {
        let p = spec(fixtures::primary_site());
        let d = spec(fixtures::drc_site("kota bekasi", fixtures::BEKASI));
        let f = check_drc_pair("dc-bekasi", &p, "drc", &d, &SiteRules::default());
        let rules: Vec<_> = f
            .iter()
            .map(|x| (x.rule.as_str(), x.path.as_str()))
            .collect();
        assert_eq!(
            rules,
            vec![("DR-FAR", "spec.city"), ("DR-FAR", "spec.coordinates")]
        );

        let mut abroad = spec(fixtures::drc_site("Singapore", fixtures::BANDUNG));
        abroad.country = "SG".into();
        let f = check_drc_pair("dc-bekasi", &p, "drc-sg", &abroad, &SiteRules::default());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "DR-NKRI");
        assert!(f[0].message.id.contains("di luar negara"));
    }

    #[test]
    fn a_city_differing_only_in_spacing_case_or_width_is_the_same_city() {
        let p = spec(fixtures::primary_site());
        for city in ["Kota  Bekasi", "KOTA BEKASI ", "Ｋｏｔａ\u{00a0}Bekasi"] {
            // Far away on purpose: only the city can make it fail.
            let d = spec(fixtures::drc_site(city, fixtures::BANDUNG));
            let f = check_drc_pair("dc-bekasi", &p, "drc", &d, &SiteRules::default());
            assert_eq!(f.len(), 1, "{city:?}: {f:?}");
            assert_eq!(f[0].path, "spec.city");
            assert!(
                f[0].message.en.contains("\"kota bekasi\""),
                "{}",
                f[0].message.en
            );
            assert!(
                f[0].message.id.contains("dinormalisasi"),
                "{}",
                f[0].message.id
            );
        }
    }

    #[test]
    fn distance_boundary_is_inclusive() {
        let p = spec(fixtures::primary_site());
        let d = spec(fixtures::drc_site("Kota Bandung", fixtures::BANDUNG));
        let km = great_circle_km(p.coordinates, d.coordinates);
        let at = SiteRules {
            min_drc_distance_km: km,
            ..SiteRules::default()
        };
        assert!(check_drc_pair("p", &p, "d", &d, &at).is_empty());
        let above = SiteRules {
            min_drc_distance_km: km + 0.001,
            ..SiteRules::default()
        };
        assert_eq!(check_drc_pair("p", &p, "d", &d, &above).len(), 1);
    }

    proptest! {
        #[test]
        fn distance_is_a_symmetric_bounded_metric(
            la1 in -90.0f64..90.0, lo1 in -180.0f64..180.0,
            la2 in -90.0f64..90.0, lo2 in -180.0f64..180.0,
        ) {
            let a = Coordinates { latitude: la1, longitude: lo1 };
            let b = Coordinates { latitude: la2, longitude: lo2 };
            let ab = great_circle_km(a, b);
            prop_assert!((ab - great_circle_km(b, a)).abs() < 1e-6);
            prop_assert!((0.0..=std::f64::consts::PI * EARTH_RADIUS_KM + 1e-6).contains(&ab));
            prop_assert!(great_circle_km(a, a) < 1e-6);
        }
    }
}

//! The region catalogue: which provider regions and endpoint hosts are where.
//!
//! The built-in catalogue is data shipped in `data/regions.yaml` (with a `version`), extended
//! per cluster by `ResidencyPolicy.spec.extraProviders`. A region or host that is not in the
//! catalogue is *unknown*, which the rules treat as not shown to be in-country.

use pusdata_crds::v1alpha1::{Provider, Region};
use serde::Deserialize;

const BUILT_IN: &str = include_str!("../../data/regions.yaml");

/// The catalogue of providers and their regions.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Catalogue {
    /// Version of the built-in data this catalogue starts from.
    pub version: String,
    /// Providers, built-in first, then the policy's extra providers.
    pub providers: Vec<Provider>,
}

#[derive(Deserialize)]
struct File {
    version: String,
    providers: Vec<Provider>,
}

/// Where a region or a host was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located<'a> {
    /// The provider.
    pub provider: &'a Provider,
    /// The region.
    pub region: &'a Region,
}

impl Catalogue {
    /// The catalogue shipped with this build.
    ///
    /// The data is compiled in and covered by a test, so a parse failure is a build defect;
    /// it still degrades to an empty catalogue (everything unknown, hence denied) rather
    /// than a panic in the admission path.
    pub fn built_in() -> Catalogue {
        match Catalogue::parse(BUILT_IN) {
            Ok(c) => c,
            Err(_) => Catalogue {
                version: "invalid".into(),
                providers: Vec::new(),
            },
        }
    }

    /// Parses a catalogue file (`version` and `providers`).
    pub fn parse(text: &str) -> Result<Catalogue, serde_saphyr::Error> {
        let f: File = serde_saphyr::from_str(text)?;
        Ok(Catalogue {
            version: f.version,
            providers: f.providers,
        })
    }

    /// Adds providers (a policy's `extraProviders`). Regions of a provider already known are
    /// merged into it; a region id given again replaces the built-in entry, so the platform
    /// team can correct the data without a release.
    pub fn extend(&mut self, extra: &[Provider]) {
        for p in extra {
            match self.providers.iter_mut().find(|q| q.name == p.name) {
                Some(q) => {
                    for r in &p.regions {
                        q.regions.retain(|x| x.id != r.id);
                        q.regions.push(r.clone());
                    }
                }
                None => self.providers.push(p.clone()),
            }
        }
    }

    /// Finds a provider's region by ids (case-insensitive).
    pub fn region(&self, provider: &str, region: &str) -> Option<Located<'_>> {
        let provider = self
            .providers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(provider.trim()))?;
        let region = provider
            .regions
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(region.trim()))?;
        Some(Located { provider, region })
    }

    /// Whether the provider is in the catalogue at all.
    pub fn has_provider(&self, provider: &str) -> bool {
        self.providers
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(provider.trim()))
    }

    /// Finds the region an endpoint (URL or bare host) belongs to. Exact host names win over
    /// wildcards, and a longer wildcard over a shorter one, so a local entry can carve an
    /// exception out of a broad pattern.
    pub fn endpoint(&self, endpoint: &str) -> Option<Located<'_>> {
        let host = host_of(endpoint)?;
        let mut best: Option<(usize, Located<'_>)> = None;
        for provider in &self.providers {
            for region in &provider.regions {
                for pattern in &region.endpoints {
                    if let Some(score) = host_matches(&host, pattern)
                        && best.as_ref().is_none_or(|(s, _)| score > *s)
                    {
                        best = Some((score, Located { provider, region }));
                    }
                }
            }
        }
        best.map(|(_, l)| l)
    }
}

/// The lower-case host of a URL or bare host name, without scheme, user info, port, path
/// or trailing dot. `None` when nothing host-like is left.
pub fn host_of(endpoint: &str) -> Option<String> {
    let s = endpoint.trim();
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s.split(['/', '?', '#']).next().unwrap_or_default();
    let s = s.rsplit_once('@').map_or(s, |(_, h)| h);
    let s = if let Some(rest) = s.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        s.split(':').next().unwrap_or_default()
    };
    let s = s.trim_end_matches('.').to_ascii_lowercase();
    (!s.is_empty()).then_some(s)
}

/// How well `host` matches `pattern`: `Some(len)` with a higher value for a more specific
/// match (exact beats any wildcard).
fn host_matches(host: &str, pattern: &str) -> Option<usize> {
    let pattern = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    if let Some(suffix) = pattern.strip_prefix("*.") {
        let dotted = format!(".{suffix}");
        host.ends_with(&dotted).then_some(dotted.len())
    } else {
        (host == pattern).then_some(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_catalogue_parses_and_has_the_verified_in_country_regions() {
        let c = Catalogue::parse(BUILT_IN).unwrap();
        assert!(!c.version.is_empty());
        for (p, r, city) in [
            ("aws", "ap-southeast-3", "Jakarta"),
            ("gcp", "asia-southeast2", "Jakarta"),
            ("azure", "indonesiacentral", "Jakarta"),
            ("alibaba", "ap-southeast-5", "Jakarta"),
            ("huawei", "ap-southeast-4", "Jakarta"),
            ("tencent", "ap-jakarta", "Jakarta"),
            ("oracle", "ap-batam-1", "Batam"),
        ] {
            let l = c.region(p, r).unwrap_or_else(|| panic!("{p} {r}"));
            assert_eq!(l.region.country, "ID", "{p} {r}");
            assert_eq!(l.region.city.as_deref(), Some(city));
        }
        assert_eq!(
            c.region("aws", "ap-southeast-1").unwrap().region.country,
            "SG"
        );
        assert!(c.region("aws", "mars-1").is_none());
    }

    #[test]
    fn endpoints_match_exact_and_wildcard_hosts() {
        let c = Catalogue::built_in();
        let jkt = c
            .endpoint("https://s3.ap-southeast-3.amazonaws.com:443/bucket")
            .unwrap();
        assert_eq!(jkt.region.id, "ap-southeast-3");
        assert_eq!(
            c.endpoint("bucket.s3.ap-southeast-1.amazonaws.com")
                .unwrap()
                .region
                .country,
            "SG"
        );
        assert!(c.endpoint("https://minio.example.com").is_none());
        assert!(c.endpoint("").is_none());
        assert!(c.endpoint("evilap-southeast-3.amazonaws.com").is_none());
    }

    #[test]
    fn extra_providers_extend_and_override() {
        let mut c = Catalogue::built_in();
        c.extend(&[Provider {
            name: "bekasi-dc".into(),
            display_name: None,
            regions: vec![Region {
                id: "drc-bandung".into(),
                country: "ID".into(),
                city: Some("Kota Bandung".into()),
                endpoints: vec!["s3.drc.bekasikota.go.id".into()],
            }],
        }]);
        assert_eq!(
            c.endpoint("https://s3.drc.bekasikota.go.id")
                .unwrap()
                .provider
                .name,
            "bekasi-dc"
        );
    }

    #[test]
    fn host_of_strips_everything_but_the_host() {
        assert_eq!(
            host_of("https://u:p@Host.Example.:9000/x?y").as_deref(),
            Some("host.example")
        );
        assert_eq!(host_of("[::1]:9000").as_deref(), Some("::1"));
        assert_eq!(host_of("https://"), None);
    }
}

//! What the audit keeps of the reports it wrote ([`Compact`]): per result a digest and
//! when it was first found, nothing else. At city scale a report holds a result per object;
//! the operator watches its own reports and used to keep every one whole (~8 MB of its
//! ~68 MB heap at 1 000 agencies, heaptrack), although it only ever asks "is the new report
//! the same?" and "when was this result first found?".

use super::wire::{ReportContent, ReportResult, ResultTimestamp, Summary};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::hash::{Hash, Hasher};

/// A report's summary and, per result in order, its digest ([`result_digest`]) and
/// when it was first found. Two reports are the same exactly when their compact forms are
/// equal (up to a digest collision).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compact {
    /// The report's `scope` (unset on every report Pusdata writes).
    pub scope: Option<ObjectReference>,
    /// Counts per outcome.
    pub summary: Summary,
    /// `(digest, first found)` per result, in the report's order.
    pub results: Vec<(u64, ResultTimestamp)>,
}

impl Compact {
    /// The compact form of a report's content.
    pub fn of(content: &ReportContent) -> Compact {
        Compact {
            scope: content.scope.clone(),
            summary: content.summary,
            results: content
                .results
                .iter()
                .map(|r| (result_digest(r), r.timestamp))
                .collect(),
        }
    }
}

/// A result's identity (everything but its timestamp) as a digest: what a result is
/// matched by across passes. For this process only: it is never written.
pub fn result_digest(r: &ReportResult) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    (
        &r.source,
        &r.policy,
        &r.rule,
        &r.category,
        &r.severity,
        r.result,
        r.scored,
        &r.message,
        &r.properties,
    )
        .hash(&mut h);
    // ObjectReference has no `Hash`; its JSON form stands in (field order is fixed).
    let _ = serde_json::to_writer(HashWriter(&mut h), &r.resources);
    h.finish()
}

/// Feeds written bytes to a hasher.
struct HashWriter<'a, H>(&'a mut H);

impl<H: Hasher> std::io::Write for HashWriter<'_, H> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A `PolicyReport` or `ClusterPolicyReport` read straight into its compact form: each
/// result is decoded, digested and dropped in turn, so neither the store nor the decoding
/// ever holds a whole report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompactReport {
    /// The report's metadata.
    pub metadata: ObjectMeta,
    /// Its content, compact.
    pub content: Compact,
}

impl<'de> de::Deserialize<'de> for CompactReport {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Report;
        impl<'de> Visitor<'de> for Report {
            type Value = CompactReport;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a PolicyReport or ClusterPolicyReport")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CompactReport, A::Error> {
                let mut out = CompactReport::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "metadata" => out.metadata = map.next_value()?,
                        "scope" => out.content.scope = map.next_value()?,
                        "summary" => out.content.summary = map.next_value()?,
                        "results" => {
                            out.content.results = map
                                .next_value::<Option<Digested>>()?
                                .map(|d| d.0)
                                .unwrap_or_default();
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Report)
    }
}

/// A `results` array, digested one result at a time.
struct Digested(Vec<(u64, ResultTimestamp)>);

impl<'de> de::Deserialize<'de> for Digested {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Results;
        impl<'de> Visitor<'de> for Results {
            type Value = Digested;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of policy report results")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Digested, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(r) = seq.next_element::<ReportResult>()? {
                    out.push((result_digest(&r), r.timestamp));
                }
                Ok(Digested(out))
            }
        }
        d.deserialize_seq(Results)
    }
}

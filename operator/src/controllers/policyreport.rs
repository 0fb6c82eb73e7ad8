//! `wgpolicyk8s.io/v1alpha2` `PolicyReport` and `ClusterPolicyReport`, the report kinds of the
//! Kubernetes Policy working group that Policy Reporter and Kyverno's viewers read.
//!
//! Their fields sit at the top level (no `spec`), so they are typed by hand rather than
//! derived: metadata plus [`ReportContent`] (`scope`, `summary`, `results`), whose fields
//! follow the upstream schema (kubernetes-sigs/wg-policy-prototypes,
//! `policy-report/pkg/api/wgpolicyk8s.io/v1alpha2`). The CRDs themselves come with Kyverno
//! or Policy Reporter; Pusdata only writes reports.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use pusdata_core::policy::report::{CompactReport, ReportContent};
use serde::{Deserialize, Serialize};

/// Group of the report kinds.
pub const GROUP: &str = "wgpolicyk8s.io";
/// Version of the report kinds.
pub const VERSION: &str = "v1alpha2";
/// Label on every report Pusdata writes, so stale ones can be found and removed.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "pusdata");

macro_rules! report_kind {
    ($name:ident, $kind:literal, $list:literal, $plural:literal, $scope:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            /// `wgpolicyk8s.io/v1alpha2`.
            #[serde(rename = "apiVersion")]
            pub api_version: String,
            #[doc = concat!("`", $kind, "`.")]
            pub kind: String,
            /// Name, namespace, labels.
            #[serde(default)]
            pub metadata: ObjectMeta,
            /// Scope, summary and results.
            #[serde(flatten)]
            pub content: ReportContent,
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    api_version: format!("{GROUP}/{VERSION}"),
                    kind: $kind.to_string(),
                    metadata: ObjectMeta::default(),
                    content: ReportContent::default(),
                }
            }
        }

        impl k8s_openapi::Resource for $name {
            const API_VERSION: &'static str = "wgpolicyk8s.io/v1alpha2";
            const GROUP: &'static str = GROUP;
            const KIND: &'static str = $kind;
            const VERSION: &'static str = VERSION;
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = $scope;
        }

        impl k8s_openapi::ListableResource for $name {
            const LIST_KIND: &'static str = $list;
        }

        impl k8s_openapi::Metadata for $name {
            type Ty = ObjectMeta;
            fn metadata(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn metadata_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }

        impl $name {
            /// A report named `name` (in `namespace` for a `PolicyReport`), labelled as
            /// Pusdata's.
            pub fn new(name: &str, namespace: Option<&str>, content: ReportContent) -> Self {
                let mut r = $name::default();
                r.metadata.name = Some(name.to_string());
                r.metadata.namespace = namespace.map(str::to_string);
                r.metadata.labels =
                    Some([(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string())].into());
                r.content = content;
                r
            }
        }
    };
}

report_kind!(
    PolicyReport,
    "PolicyReport",
    "PolicyReportList",
    "policyreports",
    k8s_openapi::NamespaceResourceScope,
    "Results for the objects of one namespace."
);
report_kind!(
    ClusterPolicyReport,
    "ClusterPolicyReport",
    "ClusterPolicyReportList",
    "clusterpolicyreports",
    k8s_openapi::ClusterResourceScope,
    "Results for cluster-scoped objects."
);

/// A report kind as the audit keeps it: read straight into its compact form
/// (`report::CompactReport`: a digest and a time per result), at the same API path.
macro_rules! compact_kind {
    ($name:ident, $full:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug, Default, PartialEq, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub CompactReport);

        impl k8s_openapi::Resource for $name {
            const API_VERSION: &'static str = <$full as k8s_openapi::Resource>::API_VERSION;
            const GROUP: &'static str = <$full as k8s_openapi::Resource>::GROUP;
            const KIND: &'static str = <$full as k8s_openapi::Resource>::KIND;
            const VERSION: &'static str = <$full as k8s_openapi::Resource>::VERSION;
            const URL_PATH_SEGMENT: &'static str =
                <$full as k8s_openapi::Resource>::URL_PATH_SEGMENT;
            type Scope = <$full as k8s_openapi::Resource>::Scope;
        }

        impl k8s_openapi::ListableResource for $name {
            const LIST_KIND: &'static str = <$full as k8s_openapi::ListableResource>::LIST_KIND;
        }

        impl k8s_openapi::Metadata for $name {
            type Ty = ObjectMeta;
            fn metadata(&self) -> &ObjectMeta {
                &self.0.metadata
            }
            fn metadata_mut(&mut self) -> &mut ObjectMeta {
                &mut self.0.metadata
            }
        }
    };
}

compact_kind!(
    CompactPolicyReport,
    PolicyReport,
    "A `PolicyReport` as the audit keeps it (compact)."
);
compact_kind!(
    CompactClusterPolicyReport,
    ClusterPolicyReport,
    "A `ClusterPolicyReport` as the audit keeps it (compact)."
);

#[cfg(test)]
mod tests {
    use super::*;
    use kube::Resource;

    #[test]
    fn api_paths_and_wire_form_match_upstream() {
        assert_eq!(
            PolicyReport::url_path(&(), Some("disdik")),
            "/apis/wgpolicyk8s.io/v1alpha2/namespaces/disdik/policyreports"
        );
        assert_eq!(
            ClusterPolicyReport::url_path(&(), None),
            "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports"
        );
        let r = PolicyReport::new("pusdata-policy", Some("disdik"), ReportContent::default());
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["apiVersion"], "wgpolicyk8s.io/v1alpha2");
        assert_eq!(v["kind"], "PolicyReport");
        assert_eq!(v["metadata"]["labels"][MANAGED_BY.0], MANAGED_BY.1);
        assert_eq!(v["summary"]["fail"], 0);
        assert_eq!(v["results"], serde_json::json!([]));
        let back: PolicyReport = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }
}

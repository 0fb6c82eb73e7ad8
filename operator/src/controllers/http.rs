//! The operator's plain-HTTP listener (`--views-listen`): probes, metrics and the views.
//!
//! - `/healthz` — the process serves requests (liveness).
//! - `/readyz` — the Kubernetes API answers (readiness): without it no controller can work.
//! - `/metrics` — the shared registry (`metrics.rs`), OpenMetrics text.
//! - `/racks`, `/racks/<name>.svg` — rack elevations (`racks_view`).
//! - `/report/compliance[?format=json][&lang=en|id]` — the compliance report (AUDIT) over
//!   the objects in the cluster, assembled by the same pure function as
//!   `pusdata report compliance`.
//!
//! Inside the cluster, behind the metrics Service and its NetworkPolicy; no secrets are
//! served (the report carries findings and names, never keys).

use super::permission::Permission;
use super::{Context, Error};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use kube::api::{Api, ListParams};
use pusdata::report::compliance::{self, Languages};
use pusdata_core::compliance::{Subject, assemble};
use pusdata_core::i18n::Lang;
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    Agency, Approval, BackupRepository, DisasterRecoveryPlan, ExternalCloudService, Failover,
    HostingRequest, Rack, ResidencyPolicy, Site,
};
use std::net::SocketAddr;
use std::sync::Arc;

/// API calls of the compliance page (the rack views declare theirs in `racks_view`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "racks",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "agencies",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "hostingrequests",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "approvals",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "residencypolicies",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "externalcloudservices",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "failovers",
        verbs: &["list"],
    },
];

/// What a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/healthz`.
    Healthz,
    /// `/readyz`.
    Readyz,
    /// `/metrics`.
    Metrics,
    /// `/report/compliance`, as JSON or HTML, in one language or both.
    Compliance {
        /// `?format=json`.
        json: bool,
        /// `?lang=`.
        langs: Languages,
    },
    /// Anything else: the rack views answer (or say 404).
    Racks,
}

/// Routes a path with its query. Pure, tested without a server.
pub fn route(path_and_query: &str) -> Route {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let param = |key: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
    };
    match path.trim_end_matches('/') {
        "/healthz" => Route::Healthz,
        "/readyz" => Route::Readyz,
        "/metrics" => Route::Metrics,
        "/report/compliance" => Route::Compliance {
            json: param("format") == Some("json"),
            langs: param("lang")
                .and_then(Lang::parse)
                .map_or(Languages::Both, Languages::One),
        },
        _ => Route::Racks,
    }
}

async fn list<K>(ctx: &Context, wrap: fn(K) -> Object) -> Result<Vec<Subject>, Error>
where
    K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    Ok(Api::<K>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .map(|o| Subject::new("cluster", wrap(o)))
        .collect())
}

/// Every object the report looks at. The API server already enforced the CRDs' own rules,
/// so there are no schema errors to add.
async fn cluster_subjects(ctx: &Context) -> Result<Vec<Subject>, Error> {
    let mut s = list::<ResidencyPolicy>(ctx, Object::ResidencyPolicy).await?;
    s.extend(list::<Site>(ctx, Object::Site).await?);
    s.extend(list::<Rack>(ctx, Object::Rack).await?);
    s.extend(list::<Agency>(ctx, Object::Agency).await?);
    s.extend(list::<Approval>(ctx, Object::Approval).await?);
    s.extend(list::<HostingRequest>(ctx, Object::HostingRequest).await?);
    s.extend(list::<ExternalCloudService>(ctx, Object::ExternalCloudService).await?);
    s.extend(list::<BackupRepository>(ctx, Object::BackupRepository).await?);
    s.extend(list::<DisasterRecoveryPlan>(ctx, Object::DisasterRecoveryPlan).await?);
    s.extend(list::<Failover>(ctx, Object::Failover).await?);
    Ok(s)
}

fn reply(
    status: StatusCode,
    content_type: &str,
    body: String,
) -> Result<Response<Full<Bytes>>, Error> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| Error::InvalidSpec(e.to_string()))
}

async fn handle(
    req: Request<hyper::body::Incoming>,
    ctx: Arc<Context>,
) -> Result<Response<Full<Bytes>>, Error> {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    match route(&target) {
        Route::Healthz => reply(StatusCode::OK, "text/plain", "ok\n".into()),
        Route::Readyz => match ctx.client.apiserver_version().await {
            Ok(_) => reply(StatusCode::OK, "text/plain", "ok\n".into()),
            Err(e) => reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                format!("kubernetes API unreachable: {e}\n"),
            ),
        },
        Route::Metrics => reply(
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ctx.metrics.encode(),
        ),
        Route::Compliance { json, langs } => {
            let report = assemble(&cluster_subjects(&ctx).await?, (ctx.clock)());
            if json {
                reply(
                    StatusCode::OK,
                    "application/json",
                    serde_json::to_string_pretty(&report)?,
                )
            } else {
                reply(
                    StatusCode::OK,
                    "text/html; charset=utf-8",
                    compliance::render_html(&report, langs),
                )
            }
        }
        Route::Racks => {
            let racks = Api::<Rack>::all(ctx.client.clone())
                .list(&ListParams::default())
                .await?
                .items;
            let requests = Api::<HostingRequest>::all(ctx.client.clone())
                .list(&ListParams::default())
                .await?
                .items;
            let (status, content_type, body) =
                super::racks_view::answer(&target, &racks, &requests);
            reply(status, content_type, body)
        }
    }
}

/// Serves until the process ends.
pub async fn serve(listen: SocketAddr, ctx: Arc<Context>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(%listen, "probes on /healthz and /readyz, metrics on /metrics, views on /racks and /report/compliance");
    loop {
        let (stream, _) = listener.accept().await?;
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let ctx = ctx.clone();
                async move {
                    Ok::<_, std::convert::Infallible>(handle(req, ctx).await.unwrap_or_else(|e| {
                        let mut r = Response::new(Full::new(Bytes::from(e.to_string())));
                        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                        r
                    }))
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_probes_metrics_report_and_views() {
        assert_eq!(route("/healthz"), Route::Healthz);
        assert_eq!(route("/readyz/"), Route::Readyz);
        assert_eq!(route("/metrics"), Route::Metrics);
        assert_eq!(
            route("/report/compliance"),
            Route::Compliance {
                json: false,
                langs: Languages::Both
            }
        );
        assert_eq!(
            route("/report/compliance?lang=id&format=json"),
            Route::Compliance {
                json: true,
                langs: Languages::One(Lang::Id)
            }
        );
        assert_eq!(route("/racks/R01.svg?lang=id"), Route::Racks);
        assert_eq!(route("/"), Route::Racks);
    }

    #[tokio::test]
    async fn the_compliance_page_reads_the_cluster_objects() {
        use super::super::testing::{context, seed_cluster};
        use kube_fake_client::ClientBuilder;
        use pusdata_crds::fixtures;
        let ctx = context(
            ClientBuilder::new()
                .with_resource::<ResidencyPolicy>()
                .with_resource::<Site>()
                .with_resource::<Rack>()
                .with_resource::<Agency>()
                .with_resource::<Approval>()
                .with_resource::<HostingRequest>()
                .with_resource::<ExternalCloudService>()
                .with_resource::<BackupRepository>()
                .with_resource::<DisasterRecoveryPlan>()
                .with_resource::<Failover>(),
        )
        .await;
        seed_cluster(&ctx, &fixtures::residency_policy()).await;
        seed_cluster(&ctx, &fixtures::plan()).await;
        seed_cluster(&ctx, &fixtures::drc_site("Kota Bekasi", fixtures::BANDUNG)).await;
        let subjects = cluster_subjects(&ctx).await.unwrap();
        assert_eq!(subjects.len(), 3);
        let report = assemble(&subjects, (ctx.clock)());
        assert_eq!(report.rules.len(), 20);
        assert_eq!(report.drills[0].plan, "bekasi");
        let far = report.rules.iter().find(|r| r.id == "DR-FAR").unwrap();
        assert_eq!(far.status, pusdata_core::compliance::Status::Findings);
        assert!(far.findings.iter().all(|f| f.source == "cluster"));
    }
}

//! `pusdata bench webhook`: the webhook on loopback under a fixed offered load.
//!
//! Open loop: each connection sends on its own schedule whether or not earlier answers came
//! back late, and latency is measured from the scheduled send time, so a stall shows up in
//! the percentiles instead of silently lowering the rate (coordinated omission).

use super::BenchWebhookArgs;
use crate::error::CliError;
use crate::webhook::{self, State};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use pusdata_core::policy::Context;
use pusdata_crds::{Object, fixtures};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_rustls::rustls;

/// Runs the benchmark and prints the figures.
pub fn webhook(args: &BenchWebhookArgs) -> Result<(), CliError> {
    let rate = args.rate.max(1);
    let connections = args.connections.clamp(1, rate);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(e.to_string()))?;
    let (latencies, errors, elapsed) = runtime.block_on(run(rate, args.seconds, connections))?;
    let mut l = latencies;
    l.sort_unstable();
    let pct = |p: f64| -> f64 {
        if l.is_empty() {
            return 0.0;
        }
        let i = ((l.len() as f64 - 1.0) * p).round() as usize;
        l[i.min(l.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "offered {rate}/s for {}s over {connections} HTTPS connections",
        args.seconds
    );
    println!(
        "completed {} requests in {:.2}s: {:.0} req/s, {errors} errors",
        l.len(),
        elapsed.as_secs_f64(),
        l.len() as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    println!(
        "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}

fn internal(e: impl std::fmt::Display) -> CliError {
    CliError::Internal(e.to_string())
}

async fn run(
    rate: u32,
    seconds: u32,
    connections: u32,
) -> Result<(Vec<Duration>, u64, Duration), CliError> {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).map_err(internal)?;
    let acceptor = webhook::tls_acceptor(
        cert.cert.pem().as_bytes(),
        cert.signing_key.serialize_pem().as_bytes(),
    )
    .map_err(internal)?;
    let objects = [
        Object::ResidencyPolicy(fixtures::residency_policy()),
        Object::Site(fixtures::primary_site()),
        Object::Agency(fixtures::agency("disdik")),
        Object::Agency(fixtures::agency("disdukcapil")),
    ];
    let state = Arc::new(State::new(Context::from_objects(&objects)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(internal)?;
    let port = listener.local_addr().map_err(internal)?.port();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(webhook::serve(listener, acceptor, state, async {
        let _ = stop_rx.await;
    }));

    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).map_err(internal)?;
    let config = Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(internal)?
        .with_root_certificates(roots)
        .with_no_client_auth(),
    );
    let bodies: Arc<Vec<Bytes>> = Arc::new(sample_bodies());
    let interval = Duration::from_secs_f64(f64::from(connections) / f64::from(rate));
    let per_conn = u64::from(rate) * u64::from(seconds) / u64::from(connections);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let config = config.clone();
        let bodies = bodies.clone();
        // Stagger connections so the offered load is smooth, not bursts of `connections`.
        let offset = interval.mul_f64(f64::from(c) / f64::from(connections));
        tasks.push(tokio::spawn(async move {
            client(
                port,
                config,
                bodies,
                start + offset,
                interval,
                per_conn,
                c as usize,
            )
            .await
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.map_err(internal)?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    let _ = stop_tx.send(());
    let _ = server.await;
    Ok((latencies, errors, elapsed))
}

async fn client(
    port: u16,
    config: Arc<rustls::ClientConfig>,
    bodies: Arc<Vec<Bytes>>,
    first: Instant,
    interval: Duration,
    count: u64,
    seed: usize,
) -> (Vec<Duration>, u64) {
    let mut latencies = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut errors = 0;
    let Ok(mut sender) = connect(port, config).await else {
        return (latencies, count);
    };
    for i in 0..count {
        let due = first + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let body = bodies[(seed + i as usize) % bodies.len()].clone();
        let req = hyper::Request::post("/validate")
            .header("host", "localhost")
            .header("content-type", "application/json")
            .body(Full::new(body));
        let ok = match req {
            Ok(req) => match sender.send_request(req).await {
                Ok(resp) => resp.status().is_success() && resp.into_body().collect().await.is_ok(),
                Err(_) => false,
            },
            Err(_) => false,
        };
        if ok {
            latencies.push(due.elapsed());
        } else {
            errors += 1;
        }
    }
    (latencies, errors)
}

async fn connect(
    port: u16,
    config: Arc<rustls::ClientConfig>,
) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, Box<dyn std::error::Error>> {
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    tcp.set_nodelay(true)?;
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect("localhost".try_into()?, tcp)
        .await?;
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// A mix like a busy day: a web hosting request, an in-country and a foreign cloud service
/// (denied), and a colocation request.
fn sample_bodies() -> Vec<Bytes> {
    let objects = [
        (
            "HostingRequest",
            serde_json::to_value(fixtures::web_request(
                "disdukcapil",
                "disdukcapil.bekasikota.go.id",
            )),
        ),
        (
            "ExternalCloudService",
            serde_json::to_value(fixtures::external_cloud("disdik", "aws", "ap-southeast-3")),
        ),
        (
            "ExternalCloudService",
            serde_json::to_value(fixtures::external_cloud("disdik", "aws", "ap-southeast-1")),
        ),
        (
            "HostingRequest",
            serde_json::to_value(fixtures::colocation_request("disdukcapil")),
        ),
    ];
    objects
        .into_iter()
        .filter_map(|(kind, o)| o.ok().map(|o| (kind, o)))
        .enumerate()
        .map(|(i, (kind, object))| {
            let ns = object.pointer("/metadata/namespace").cloned();
            Bytes::from(
                json!({
                    "apiVersion": "admission.k8s.io/v1",
                    "kind": "AdmissionReview",
                    "request": {
                        "uid": format!("bench-{i}"),
                        "kind": {"group": "pusdata.io", "version": "v1alpha1", "kind": kind},
                        "resource": {"group": "pusdata.io", "version": "v1alpha1", "resource": format!("{}s", kind.to_ascii_lowercase())},
                        "namespace": ns,
                        "operation": "CREATE",
                        "userInfo": {"username": "bench", "groups": ["bench"]},
                        "object": object,
                    }
                })
                .to_string(),
            )
        })
        .collect()
}

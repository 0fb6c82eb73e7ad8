#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The real `pusdata webhook` process over real HTTPS: a certificate generated here (rcgen),
//! a real TLS client (tokio-rustls) and HTTP/1.1 client (hyper), AdmissionReview v1 bodies.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use tokio_rustls::rustls;

struct Webhook {
    child: Child,
    port: u16,
}

impl Drop for Webhook {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, cert: &str, key: &str) -> Webhook {
    std::fs::write(dir.join("tls.crt"), cert).unwrap();
    std::fs::write(dir.join("tls.key"), key).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .args(["webhook", "--listen", "127.0.0.1:0", "--cert"])
        .arg(dir.join("tls.crt"))
        .arg("--key")
        .arg(dir.join("tls.key"))
        // Not the whole of docs/examples: its bad/ directory is deliberately inconsistent.
        .args(
            ["residency-policy.yaml", "approval.yaml", "agency.yaml"]
                .iter()
                .flat_map(|f| {
                    [
                        "--context".into(),
                        root.join("docs/examples").join(f).into_os_string(),
                    ]
                }),
        )
        .arg("--context")
        .arg(root.join("dr-plans"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Webhook { child, port }
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// A TLS + HTTP/1.1 connection trusting only `ca`, and the certificate the server presented.
async fn connect(
    port: u16,
    ca: &rustls::pki_types::CertificateDer<'static>,
) -> Result<(Sender, Vec<u8>), String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect("localhost".try_into().unwrap(), tcp)
        .await
        .map_err(|e| e.to_string())?;
    let leaf = tls.get_ref().1.peer_certificates().unwrap()[0].to_vec();
    let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);
    Ok((sender, leaf))
}

async fn send(sender: &mut Sender, method: &str, path: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, bytes.to_vec())
}

async fn request(
    port: u16,
    ca: &rustls::pki_types::CertificateDer<'static>,
    method: &str,
    path: &str,
    body: Vec<u8>,
) -> (u16, Vec<u8>) {
    let (mut sender, _) = connect(port, ca).await.unwrap();
    send(&mut sender, method, path, body).await
}

fn review(name: &str, region: &str) -> Vec<u8> {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "e911857d-c318-11e8-bbad-025000000001",
            "kind": {"group": "pusdata.io", "version": "v1alpha1", "kind": "ExternalCloudService"},
            "resource": {"group": "pusdata.io", "version": "v1alpha1", "resource": "externalcloudservices"},
            "name": name,
            "namespace": "disdik",
            "operation": "CREATE",
            "userInfo": {"username": "guru@disdik", "groups": ["bekasikota:disdik"]},
            "object": {
                "apiVersion": "pusdata.io/v1alpha1",
                "kind": "ExternalCloudService",
                "metadata": {"name": name, "namespace": "disdik"},
                "spec": {"provider": "aws", "region": region, "service": "s3",
                         "dataClass": "Internal", "purpose": "LMS media", "agency": "disdik"}
            },
            "dryRun": false
        }
    })
    .to_string()
    .into_bytes()
}

/// An UPDATE of a Failover of plan `bekasi` adding a sign-off that names someone else.
fn signoff(groups: &[&str]) -> Vec<u8> {
    let failover = |annotations: Value| {
        json!({
            "apiVersion": "pusdata.io/v1alpha1",
            "kind": "Failover",
            "metadata": {"name": "drill-1", "annotations": annotations},
            "spec": {"plan": "bekasi", "type": "Drill", "reason": "drill"}
        })
    };
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "1f2e3d4c-0000-4000-8000-000000000001",
            "kind": {"group": "pusdata.io", "version": "v1alpha1", "kind": "Failover"},
            "resource": {"group": "pusdata.io", "version": "v1alpha1", "resource": "failovers"},
            "name": "drill-1",
            "operation": "UPDATE",
            "userInfo": {"username": "kabid@diskominfostandi", "groups": groups},
            "object": failover(json!({
                "approval.pusdata.io/declare-disaster": r#"{"username":"walikota","at":"2020-01-01T00:00:00Z"}"#
            })),
            "oldObject": failover(json!({})),
            "dryRun": false
        }
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn webhook_over_https() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let ca = certified.cert.der().clone();
    let dir = tempfile::tempdir().unwrap();
    let hook = start(
        dir.path(),
        &certified.cert.pem(),
        &certified.signing_key.serialize_pem(),
    );

    let (status, body) = request(hook.port, &ca, "GET", "/healthz", Vec::new()).await;
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));

    let (status, body) = request(
        hook.port,
        &ca,
        "POST",
        "/validate",
        review("lms-media", "ap-southeast-3"),
    )
    .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["response"]["uid"], "e911857d-c318-11e8-bbad-025000000001");
    assert_eq!(v["response"]["allowed"], true, "{v}");

    let (_, body) = request(
        hook.port,
        &ca,
        "POST",
        "/validate",
        review("lms-archive", "ap-southeast-1"),
    )
    .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["response"]["allowed"], false);
    let msg = v["response"]["status"]["message"].as_str().unwrap();
    assert!(msg.contains("CLOUD-NKRI (Perwal 8(3))"), "{msg}");

    // A Failover sign-off with a forged approver, by a member of the step's owner-role group
    // (dr-plans/bekasi.yaml `roles`): /mutate answers with a base64 JSON patch that puts the
    // authenticated user in its place (SEC-CIA).
    let (status, body) = request(
        hook.port,
        &ca,
        "POST",
        "/mutate",
        signoff(&["diskominfostandi:kepala"]),
    )
    .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["response"]["allowed"], true, "{v}");
    assert_eq!(v["response"]["patchType"], "JSONPatch");
    use base64::Engine as _;
    let patch = base64::engine::general_purpose::STANDARD
        .decode(v["response"]["patch"].as_str().unwrap())
        .unwrap();
    let patch: Value = serde_json::from_slice(&patch).unwrap();
    assert_eq!(
        patch[0]["path"],
        "/metadata/annotations/approval.pusdata.io~1declare-disaster"
    );
    let who: Value = serde_json::from_str(patch[0]["value"].as_str().unwrap()).unwrap();
    assert_eq!(who["username"], "kabid@diskominfostandi");
    // Outside the role's groups — the platform team included — refused, naming the rule, the
    // runbook's owner role and the groups that may.
    for groups in [&["x"][..], &["bekasikota:diskominfostandi-platform"]] {
        let (_, body) = request(hook.port, &ca, "POST", "/mutate", signoff(groups)).await;
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["response"]["allowed"], false, "{groups:?}");
        let msg = v["response"]["status"]["message"].as_str().unwrap();
        assert!(
            msg.contains("SEC-CIA")
                && msg.contains("head-of-office")
                && msg.contains("diskominfostandi:kepala"),
            "{msg}"
        );
    }

    let (_, body) = request(hook.port, &ca, "POST", "/validate", b"{oops".to_vec()).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["response"]["allowed"], false);

    let (status, body) = request(hook.port, &ca, "GET", "/metrics", Vec::new()).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains(r#"pusdata_admission_decisions_total{kind="ExternalCloudService",decision="allowed",mode="enforce",endpoint="validate"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"decision="denied""#), "{text}");

    let (status, _) = request(hook.port, &ca, "GET", "/nope", Vec::new()).await;
    assert_eq!(status, 404);
}

/// Replaces a file the way the kubelet updates a mounted Secret: written beside, renamed over.
fn replace(path: &Path, content: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, content).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[tokio::test]
async fn a_rotated_certificate_is_served_without_restart_and_open_connections_stay() {
    let a = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let b = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (ca_a, ca_b) = (a.cert.der().clone(), b.cert.der().clone());
    let dir = tempfile::tempdir().unwrap();
    let hook = start(dir.path(), &a.cert.pem(), &a.signing_key.serialize_pem());

    let (mut open, leaf) = connect(hook.port, &ca_a).await.unwrap();
    assert_eq!(leaf, ca_a.to_vec());
    assert_eq!(send(&mut open, "GET", "/healthz", Vec::new()).await.0, 200);
    assert!(
        connect(hook.port, &ca_b).await.is_err(),
        "B is not served yet"
    );

    replace(&dir.path().join("tls.crt"), &b.cert.pem());
    replace(&dir.path().join("tls.key"), &b.signing_key.serialize_pem());

    // The files are looked at once a second at most: poll, bounded (~20 s).
    let mut served = None;
    for _ in 0..200 {
        if let Ok((_, leaf)) = connect(hook.port, &ca_b).await {
            served = Some(leaf);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        served,
        Some(ca_b.to_vec()),
        "new connections get certificate B"
    );
    assert!(
        connect(hook.port, &ca_a).await.is_err(),
        "certificate A is no longer presented"
    );
    // The connection opened under A was not dropped and still answers reviews.
    let (status, body) = send(
        &mut open,
        "POST",
        "/validate",
        review("lms-media", "ap-southeast-3"),
    )
    .await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["response"]["allowed"], true, "{v}");
}

#[test]
fn webhook_without_certificate_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .args(["webhook", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--cert"));
}

#[test]
fn context_from_files_and_from_the_cluster_exclude_each_other() {
    let out = Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .args(["webhook", "--from-cluster", "--context", "dr-plans"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from-cluster"));
}

#[test]
fn from_cluster_without_a_cluster_fails_naming_the_client() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tls.crt"), certified.cert.pem()).unwrap();
    std::fs::write(
        dir.path().join("tls.key"),
        certified.signing_key.serialize_pem(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .args([
            "webhook",
            "--listen",
            "127.0.0.1:0",
            "--from-cluster",
            "--cert",
        ])
        .arg(dir.path().join("tls.crt"))
        .arg("--key")
        .arg(dir.path().join("tls.key"))
        .env("KUBECONFIG", dir.path().join("no-such-kubeconfig"))
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kubernetes client"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"));
}

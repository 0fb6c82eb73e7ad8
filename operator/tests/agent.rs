#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The agent as a real process: `pusdata agent` started from the built binary, spoken to
//! over real gRPC with mTLS, certificates made here with rcgen. Every test uses its own temp
//! dir and lets the agent pick a free port (`--listen 127.0.0.1:0`), so tests run in
//! parallel. No test asserts a duration — only outcomes.

use pusdata::agent::client::{AgentClient, ClientConfig, ClientError};
use pusdata::agent::process::{AgentProcess, AgentProcessConfig};
use pusdata::agent::proto::{Verdict, status_event::Kind as EventKind};
use pusdata::agent::tls::{
    LocalPki, TlsMaterial, client_config_without_identity, install_crypto_provider,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use std::path::Path;
use std::time::Duration;

/// A CA and a leaf certificate it signed.
struct Pki {
    ca_pem: String,
    server: (String, String),
    client: (String, String),
    /// A client certificate from another CA.
    rogue_client: (String, String),
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
}

fn leaf(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    names: &[&str],
    eku: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let mut p =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, names[0]);
    p.extended_key_usages = vec![eku];
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn pki() -> Pki {
    let city = ca("Pusdata test CA");
    let rogue = ca("Rogue CA");
    Pki {
        ca_pem: city.pem(),
        server: leaf(
            &city,
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
        ),
        client: leaf(
            &city,
            &["primary.pusdata.test"],
            ExtendedKeyUsagePurpose::ClientAuth,
        ),
        rogue_client: leaf(
            &rogue,
            &["primary.pusdata.test"],
            ExtendedKeyUsagePurpose::ClientAuth,
        ),
    }
}

/// Starts the real binary as the DRC agent, with the test CA's server certificate.
fn start_agent(dir: &Path, pki: &Pki) -> AgentProcess {
    let tls = TlsMaterial {
        cert_pem: pki.server.0.clone().into_bytes(),
        key_pem: pki.server.1.clone().into_bytes(),
        ca_pem: pki.ca_pem.clone().into_bytes(),
    }
    .write_files(&dir.join("tls"))
    .unwrap();
    let mut cfg = AgentProcessConfig::new(env!("CARGO_BIN_EXE_pusdata"), dir.join("state"), tls);
    cfg.site = "drc-test".into();
    cfg.log = Some(dir.join("agent.log"));
    AgentProcess::spawn(&cfg).unwrap()
}

fn client_with(endpoint: String, tls: tonic::transport::ClientTlsConfig) -> AgentClient {
    let mut cfg = ClientConfig::with_tls_config(endpoint, tls);
    cfg.call_timeout = Duration::from_secs(10);
    cfg.attempts = 2;
    cfg.backoff = Duration::from_millis(50);
    AgentClient::new(cfg).unwrap()
}

fn primary_tls(pki: &Pki) -> TlsMaterial {
    TlsMaterial {
        cert_pem: pki.client.0.clone().into_bytes(),
        key_pem: pki.client.1.clone().into_bytes(),
        ca_pem: pki.ca_pem.clone().into_bytes(),
    }
}

fn client(agent: &AgentProcess, pki: &Pki) -> AgentClient {
    client_with(
        agent.endpoint(),
        primary_tls(pki).client_config(Some("localhost")),
    )
}

fn setup() -> (tempfile::TempDir, Pki) {
    install_crypto_provider();
    (tempfile::tempdir().unwrap(), pki())
}

fn verdict(f: &pusdata::agent::proto::Fence) -> Verdict {
    Verdict::try_from(f.verdict).unwrap()
}

#[tokio::test]
async fn heartbeat_over_mtls() {
    let (dir, pki) = setup();
    let agent = start_agent(dir.path(), &pki);
    let c = client(&agent, &pki);
    let hb = c.heartbeat("primary", 0).await.unwrap();
    assert_eq!(hb.site, "drc-test");
    assert!(c.serving().await.unwrap());
    assert_eq!((hb.epoch, hb.active), (0, false));
}

#[tokio::test]
async fn refuses_clients_without_a_certificate_of_the_ca() {
    let (dir, pki) = setup();
    let agent = start_agent(dir.path(), &pki);

    let anonymous = client_with(
        agent.endpoint(),
        client_config_without_identity(pki.ca_pem.as_bytes(), Some("localhost")),
    );
    let err = anonymous.heartbeat("intruder", 0).await.unwrap_err();
    eprintln!("no certificate: {err}");
    assert_eq!(err.category(), "unavailable", "{err}");

    let rogue = TlsMaterial {
        cert_pem: pki.rogue_client.0.clone().into_bytes(),
        key_pem: pki.rogue_client.1.clone().into_bytes(),
        ca_pem: pki.ca_pem.clone().into_bytes(),
    };
    let rogue = client_with(agent.endpoint(), rogue.client_config(Some("localhost")));
    let err = rogue.promote("evil-1", 99, "intruder").await.unwrap_err();
    eprintln!("rogue certificate: {err}");
    assert_eq!(err.category(), "unavailable", "{err}");

    // The refusals changed nothing, and the agent still serves the real primary.
    let hb = client(&agent, &pki).heartbeat("primary", 0).await.unwrap();
    assert_eq!((hb.epoch, hb.active), (0, false));
    // Keys never reach the log.
    let log = std::fs::read_to_string(dir.path().join("agent.log")).unwrap();
    assert!(!log.contains("PRIVATE KEY"));
}

#[tokio::test]
async fn fencing_restore_verify_and_status_over_grpc() {
    let (dir, pki) = setup();
    let snap = dir.path().join("state/repo/snap-1");
    std::fs::create_dir_all(snap.join("db")).unwrap();
    std::fs::write(snap.join("db/pg.dump"), vec![42u8; 200_000]).unwrap();
    std::fs::write(snap.join("README"), "arsip dinas").unwrap();
    let agent = start_agent(dir.path(), &pki);
    let c = client(&agent, &pki);

    let mut status = c.status().await.unwrap();
    let first = status.message().await.unwrap().unwrap();
    assert_eq!(first.kind, EventKind::Snapshot as i32);
    assert_eq!(first.epoch, 0);

    let f = c.promote("promote-1", 1, "test operator").await.unwrap();
    assert_eq!(
        (verdict(&f), f.epoch, f.active, f.duplicate),
        (Verdict::Accepted, 1, true, false)
    );
    let ev = status.message().await.unwrap().unwrap();
    assert_eq!(
        (ev.kind, ev.epoch, ev.active),
        (EventKind::Fence as i32, 1, true)
    );

    // Work stamped with the old epoch is refused, and says which epoch is current.
    let stale = c.restore("restore-0", 0, "snap-1", "web").await.unwrap();
    let f = stale.fence.unwrap();
    assert_eq!((verdict(&f), f.epoch), (Verdict::StaleEpoch, 1));
    assert!(stale.report.is_none());
    // The reason crosses the wire as a catalogue message, worded by each reader in its own
    // language; the English sentence stays for older readers.
    assert_eq!(
        (
            f.reason_message.as_str(),
            f.reason_args.get("epoch").map(String::as_str)
        ),
        ("fence-reason-stale-epoch", Some("1"))
    );
    assert_eq!(
        f.reason,
        "refused: the request's epoch is older than this site's epoch 1"
    );
    let why = pusdata::agent::wire::fence_reason(&f);
    assert_eq!(
        why.id,
        "ditolak: epoch permintaan lebih lama daripada epoch situs ini, 1"
    );
    assert_eq!(why.en, f.reason);
    assert!(!dir.path().join("state/restores/web").exists());

    let done = c.restore("restore-1", 1, "snap-1", "web").await.unwrap();
    assert_eq!(verdict(done.fence.as_ref().unwrap()), Verdict::Accepted);
    let report = done.report.unwrap();
    assert_eq!((report.files, report.bytes), (2, 200_011));
    assert_eq!(
        std::fs::read(dir.path().join("state/restores/web/db/pg.dump"))
            .unwrap()
            .len(),
        200_000
    );

    // The status stream saw the restore progress and finish (a guard, not a timing check).
    let mut progress = 0;
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), status.message())
            .await
            .expect("status event")
            .unwrap()
            .unwrap();
        if ev.request_id != "restore-1" {
            continue;
        }
        if ev.kind == EventKind::Progress as i32 {
            progress += 1;
        } else if ev.kind == EventKind::Done as i32 {
            break;
        }
    }
    assert_eq!(progress, 2);

    // The same request again: same report, marked duplicate, not redone.
    std::fs::write(dir.path().join("state/restores/web/marker"), "not removed").unwrap();
    let again = c.restore("restore-1", 1, "snap-1", "web").await.unwrap();
    assert!(again.fence.as_ref().unwrap().duplicate);
    assert_eq!(again.report.unwrap(), report);
    assert!(dir.path().join("state/restores/web/marker").exists());
    std::fs::remove_file(dir.path().join("state/restores/web/marker")).unwrap();

    let v = c
        .verify("verify-1", 1, "web", &report.checksum)
        .await
        .unwrap();
    assert!(v.report.unwrap().matches);

    // A path that leaves the restore root is refused by the agent.
    let err = c
        .restore("restore-evil", 1, "snap-1", "../../etc")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Failed {
                code: tonic::Code::InvalidArgument,
                ..
            }
        ),
        "{err}"
    );

    // A heartbeat from a site with a newer epoch: this site stands down.
    let hb = c.heartbeat("primary", 2).await.unwrap();
    assert_eq!((hb.epoch, hb.active), (2, false));
    let f = c
        .promote("promote-stale", 1, "test operator")
        .await
        .unwrap();
    assert_eq!(
        (verdict(&f), f.epoch, f.active),
        (Verdict::StaleEpoch, 2, false)
    );
}

#[tokio::test]
async fn kill_9_after_promote_keeps_the_epoch_and_answers_duplicates() {
    let (dir, pki) = setup();
    let agent = start_agent(dir.path(), &pki);
    let f = client(&agent, &pki)
        .promote("failover-7", 7, "kepala dinas")
        .await
        .unwrap();
    assert_eq!(
        (verdict(&f), f.epoch, f.active),
        (Verdict::Accepted, 7, true)
    );
    // kill -9, right after the answer: no chance to flush or clean up.
    agent.kill().unwrap();

    let agent = start_agent(dir.path(), &pki);
    let c = client(&agent, &pki);
    let hb = c.heartbeat("primary", 0).await.unwrap();
    assert_eq!((hb.epoch, hb.active), (7, true));

    let f = c.promote("failover-7", 7, "kepala dinas").await.unwrap();
    assert_eq!(
        (verdict(&f), f.epoch, f.active, f.duplicate),
        (Verdict::Accepted, 7, true, true)
    );
    let f = c.promote("failover-7b", 7, "kepala dinas").await.unwrap();
    assert_eq!(verdict(&f), Verdict::NotNewer);
    let f = c.demote("demote-old", 6, "someone").await.unwrap();
    assert_eq!((verdict(&f), f.active), (Verdict::StaleEpoch, true));
    let w = c.verify("verify-old", 3, "nothing", "").await.unwrap();
    assert_eq!(verdict(w.fence.as_ref().unwrap()), Verdict::StaleEpoch);
}

/// A request id reused for other work is refused; a result stored by an older agent, whose
/// fingerprint this one cannot compare, is redone (work is idempotent) rather than refused.
#[tokio::test]
async fn reused_request_ids_are_refused_and_older_results_are_redone() {
    let (dir, pki) = setup();
    let snap = dir.path().join("state/repo/snap-1");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::write(snap.join("README"), "arsip dinas").unwrap();
    let agent = start_agent(dir.path(), &pki);
    let c = client(&agent, &pki);
    c.promote("promote-1", 1, "test operator").await.unwrap();
    let first = c.restore("restore-1", 1, "snap-1", "web").await.unwrap();
    let report = first.report.unwrap();

    let reused = c.restore("restore-1", 1, "snap-1", "other").await.unwrap();
    assert_eq!(
        verdict(reused.fence.as_ref().unwrap()),
        Verdict::RequestIdReused
    );
    assert!(reused.report.is_none());
    assert!(!dir.path().join("state/restores/other").exists());
    agent.kill().unwrap();

    // The state as an agent before the SHA-256 fingerprints wrote it.
    let state_file = dir.path().join("state/agent-state.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_file).unwrap()).unwrap();
    let stored = state["results"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["requestId"] == "restore-1")
        .unwrap();
    assert!(
        stored["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    stored["fingerprint"] = "restore snapshot=\"snap-1\" target=\"web\"".into();
    std::fs::write(&state_file, serde_json::to_vec(&state).unwrap()).unwrap();

    let agent = start_agent(dir.path(), &pki);
    let c = client(&agent, &pki);
    std::fs::write(dir.path().join("state/restores/web/marker"), "gone").unwrap();
    let again = c.restore("restore-1", 1, "snap-1", "web").await.unwrap();
    let f = again.fence.unwrap();
    assert_eq!((verdict(&f), f.duplicate), (Verdict::Accepted, false));
    assert_eq!(again.report.unwrap(), report);
}

fn quick_client(endpoint: String, pki: &Pki) -> AgentClient {
    let mut cfg = ClientConfig::new(endpoint, &primary_tls(pki), Some("localhost"));
    cfg.call_timeout = Duration::from_millis(500);
    cfg.connect_timeout = Duration::from_millis(500);
    cfg.attempts = 2;
    cfg.backoff = Duration::from_millis(10);
    AgentClient::new(cfg).unwrap()
}

#[tokio::test]
async fn closed_port_gives_a_clear_error() {
    let (_dir, pki) = setup();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let endpoint = format!("https://127.0.0.1:{port}");
    let err = quick_client(endpoint.clone(), &pki)
        .heartbeat("primary", 0)
        .await
        .unwrap_err();
    eprintln!("closed port: {err}");
    assert!(
        matches!(
            err,
            ClientError::Unavailable { attempts: 2, .. }
                | ClientError::Deadline { attempts: 2, .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains(&endpoint), "{err}");
}

#[tokio::test]
async fn silent_peer_hits_the_deadline() {
    let (_dir, pki) = setup();
    // Accepts TCP (the kernel does) but never speaks TLS: only a deadline ends the call.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("https://{}", hole.local_addr().unwrap());
    let err = quick_client(endpoint.clone(), &pki)
        .promote("p", 1, "x")
        .await
        .unwrap_err();
    eprintln!("silent peer: {err}");
    assert!(
        matches!(err, ClientError::Deadline { attempts: 2, .. }),
        "{err}"
    );
    assert_eq!(err.category(), "deadline");
    assert!(err.to_string().contains(&endpoint), "{err}");
    drop(hole);
}

#[tokio::test]
async fn local_drill_certificates_work_with_the_binary() {
    install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let pki = LocalPki::generate().unwrap();
    let tls = pki.server.write_files(&dir.path().join("tls")).unwrap();
    let agent = AgentProcess::spawn(&AgentProcessConfig::new(
        env!("CARGO_BIN_EXE_pusdata"),
        dir.path().join("state"),
        tls,
    ))
    .unwrap();
    let c = AgentClient::new(ClientConfig::new(agent.endpoint(), &pki.client, None)).unwrap();
    let hb = c.heartbeat("primary", 0).await.unwrap();
    assert_eq!(hb.site, "drc");
}

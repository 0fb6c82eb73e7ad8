//! `pusdata mirror` between two real S3 servers (Garage or s3s-fs, `PUSDATA_TEST_S3`): a
//! primary and a DRC, each on its own loopback port and temp dir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use common::*;
use pusdata::mirror::S3Endpoint;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

fn endpoint(s3: &S3Server) -> S3Endpoint {
    let mut e = S3Endpoint::parse(&s3.url("")).unwrap();
    e.access_key_id = s3.access_key.clone();
    e.secret_access_key = s3.secret_key.clone();
    e.region = "garage".into();
    e
}

struct Side {
    client: Client,
    bucket: String,
    rt: std::sync::Arc<tokio::runtime::Runtime>,
}

impl Side {
    fn new(s3: &S3Server, rt: &std::sync::Arc<tokio::runtime::Runtime>) -> Side {
        let client = {
            let _g = rt.enter();
            endpoint(s3).client()
        };
        Side {
            client,
            bucket: s3.bucket.clone(),
            rt: rt.clone(),
        }
    }
    fn put(&self, key: &str, data: Vec<u8>) {
        self.rt
            .block_on(
                self.client
                    .put_object()
                    .bucket(&self.bucket)
                    .key(key)
                    .body(ByteStream::from(data))
                    .send(),
            )
            .unwrap();
    }
    fn delete(&self, key: &str) {
        self.rt
            .block_on(
                self.client
                    .delete_object()
                    .bucket(&self.bucket)
                    .key(key)
                    .send(),
            )
            .unwrap();
    }
    fn get(&self, key: &str) -> Vec<u8> {
        self.rt.block_on(async {
            let o = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
                .unwrap();
            o.body.collect().await.unwrap().into_bytes().to_vec()
        })
    }
    /// key → SHA-256 of the content, read back object by object.
    fn contents(&self) -> BTreeMap<String, String> {
        let ep_keys: Vec<String> = self.rt.block_on(async {
            let mut keys = Vec::new();
            let mut pages = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .into_paginator()
                .send();
            while let Some(p) = pages.next().await {
                for o in p.unwrap().contents() {
                    keys.push(o.key().unwrap().to_string());
                }
            }
            keys
        });
        ep_keys
            .into_iter()
            .map(|k| {
                let h = format!("{:x}", Sha256::digest(self.get(&k)));
                (k, h)
            })
            .collect()
    }
}

fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    Rng::new(seed).fill(&mut v);
    v
}

fn mirror(
    from: &S3Server,
    to: &S3Server,
    extra: &[&str],
    state: &Path,
) -> (serde_json::Value, String) {
    mirror_via(&from.url(""), from, to, extra, state)
}

/// `mirror`, reading the source through `from_url` (a proxy in front of `from`).
fn mirror_via(
    from_url: &str,
    from: &S3Server,
    to: &S3Server,
    extra: &[&str],
    state: &Path,
) -> (serde_json::Value, String) {
    let to_url = to.url("");
    let state = state.to_str().unwrap();
    let mut args = vec![
        "mirror",
        "--from",
        from_url,
        "--to",
        &to_url,
        "--multipart-threshold",
        "5MiB",
        "--part-size",
        "5MiB",
        "--concurrency",
        "4",
        "--state",
        state,
    ];
    args.extend_from_slice(extra);
    let envs = [
        ("PUSDATA_SRC_ACCESS_KEY_ID", from.access_key.as_str()),
        ("PUSDATA_SRC_SECRET_ACCESS_KEY", from.secret_key.as_str()),
        ("PUSDATA_SRC_REGION", "garage"),
        ("PUSDATA_DST_ACCESS_KEY_ID", to.access_key.as_str()),
        ("PUSDATA_DST_SECRET_ACCESS_KEY", to.secret_key.as_str()),
        ("PUSDATA_DST_REGION", "garage"),
    ];
    let out = pusdata(&args, &envs);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let all = format!("{}{stderr}", String::from_utf8_lossy(&out.stdout));
    assert!(!all.contains(&from.secret_key), "secret leaked: {all}");
    (ok(&out), stderr)
}

fn keys(v: &serde_json::Value, field: &str) -> Vec<String> {
    v[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect()
}

/// Many small objects and one multipart one; then only changes; deletions wait for the
/// delay (injected `--now`, no sleeping); failback copies back only what the DRC wrote.
#[test]
fn mirror_incremental_delayed_delete_and_failback() {
    let primary = S3Server::start();
    let drc = S3Server::start();
    let rt = std::sync::Arc::new(tokio::runtime::Runtime::new().unwrap());
    let p = Side::new(&primary, &rt);
    let d = Side::new(&drc, &rt);
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("primary-to-drc.json");

    let mut rng = Rng::new(5);
    for i in 0..60 {
        let len = (rng.next() % 20_000) as usize;
        let key = if i % 3 == 0 {
            format!("arsip/2026/surat-{i:03}.pdf")
        } else {
            format!("foto-{i:03}.jpg")
        };
        p.put(&key, bytes(i, len));
    }
    p.put("kosong", Vec::new());
    p.put("pacs/ct-scan.dcm", bytes(99, 12 * 1024 * 1024 + 123));

    // First run: everything, the big one in 3 parts, byte-identical.
    let (r, _) = mirror(&primary, &drc, &["--now", "2026-11-25T00:00:00Z"], &state);
    assert_eq!(r["copied"], 62, "{r}");
    assert_eq!(r["multipart"], 1, "{r}");
    assert_eq!(r["failures"].as_array().unwrap().len(), 0, "{r}");
    eprintln!(
        "{}: checksumConfirmed {} of 62",
        primary.kind, r["checksumConfirmed"]
    );
    if primary.kind == "garage" {
        // Garage reports the stored SHA-256: every copy confirmed, from the PUT's answer
        // (single part) or the HEAD (multipart).
        assert_eq!(r["checksumConfirmed"], 62, "{r}");
    }
    let src = p.contents();
    assert_eq!(src.len(), 62);
    assert_eq!(d.contents(), src);

    // Second run: nothing to do.
    let (r, _) = mirror(&primary, &drc, &["--now", "2026-11-25T00:10:00Z"], &state);
    assert_eq!(r["copied"], 0, "{r}");
    assert_eq!(r["planned"]["skip"], 62, "{r}");

    // One resized, one rewritten with the same size (seen by ETag + newer mtime; the
    // pause only makes the source's mtime later than the copy's), one added: only those.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    p.put("foto-001.jpg", bytes(1001, 30_000));
    let same_len = p.get("foto-004.jpg").len();
    p.put("foto-004.jpg", bytes(1004, same_len));
    p.put("baru.txt", b"surat baru".to_vec());
    let (r, _) = mirror(&primary, &drc, &["--now", "2026-11-25T00:20:00Z"], &state);
    assert_eq!(
        keys(&r, "copiedKeys"),
        vec!["baru.txt", "foto-001.jpg", "foto-004.jpg"],
        "{r}"
    );
    assert_eq!(r["planned"]["skip"], 60, "{r}");
    assert_eq!(d.contents(), p.contents());

    // Deleted at the source: kept at the DRC until the delay has passed.
    p.delete("foto-002.jpg");
    for now in ["2026-11-25T01:00:00Z", "2026-11-26T00:59:59Z"] {
        let (r, _) = mirror(&primary, &drc, &["--now", now], &state);
        assert_eq!(r["deleted"], 0, "{r}");
        assert_eq!(r["waitingDelete"], 1, "{r}");
        assert!(d.contents().contains_key("foto-002.jpg"));
    }
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(
        recorded["missingSince"]["foto-002.jpg"],
        "2026-11-25T01:00:00Z"
    );
    let (r, _) = mirror(&primary, &drc, &["--now", "2026-11-26T01:00:00Z"], &state);
    assert_eq!(keys(&r, "deletedKeys"), vec!["foto-002.jpg"], "{r}");
    assert_eq!(r["copied"], 0, "{r}");
    assert_eq!(d.contents(), p.contents());

    // Failover: the DRC takes writes. Failback: the same command, sides swapped.
    d.put("pasien-baru.json", b"{\"nik\":\"3275...\"}".to_vec());
    d.put("pacs/ct-scan.dcm", bytes(100, 6 * 1024 * 1024));
    let back = work.path().join("drc-to-primary.json");
    let (r, _) = mirror(&drc, &primary, &["--delete-after", "0"], &back);
    let copied = keys(&r, "copiedKeys");
    if drc.kind == "garage" {
        // MD5 ETags match: only what the DRC wrote goes back.
        assert_eq!(copied, vec!["pacs/ct-scan.dcm", "pasien-baru.json"], "{r}");
    } else {
        // s3s-fs lists no ETags, so the times decide and the DRC's copies (newer than the
        // primary's originals) go back too: correct, not minimal (docs/reference/mirror.md).
        assert!(copied.contains(&"pasien-baru.json".to_string()), "{r}");
    }
    assert_eq!(r["multipart"], 1, "{r}");
    assert_eq!(p.contents(), d.contents());
}

/// The bandwidth limit holds (loosely: at least the time the bytes need at that rate) and
/// a dry run writes nothing.
#[test]
fn mirror_dry_run_and_bandwidth_limit() {
    let primary = S3Server::start();
    let drc = S3Server::start();
    let rt = std::sync::Arc::new(tokio::runtime::Runtime::new().unwrap());
    let p = Side::new(&primary, &rt);
    let d = Side::new(&drc, &rt);
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("s.json");
    for i in 0..4 {
        p.put(&format!("o{i}"), bytes(i, 1_000_000));
    }
    let (r, _) = mirror(&primary, &drc, &["--dry-run"], &state);
    assert_eq!(r["planned"]["copy"], 4, "{r}");
    assert_eq!(r["copied"], 0, "{r}");
    assert!(d.contents().is_empty());
    assert!(!state.exists());
    // 4 MB at 1 MB/s with a 1 s burst: at least ~3 s.
    let (r, _) = mirror(
        &primary,
        &drc,
        &["--limit-bytes-per-second", "1000000"],
        &state,
    );
    assert_eq!(r["copied"], 4, "{r}");
    assert!(r["seconds"].as_f64().unwrap() >= 2.9, "{r}");
    assert_eq!(d.contents(), p.contents());
}

/// Keys come per side from the environment; a missing one is an input error (exit 2)
/// before anything is contacted.
#[test]
fn mirror_requires_keys_per_side() {
    let out = pusdata(
        &[
            "mirror",
            "--from",
            "s3:http://127.0.0.1:1/a",
            "--to",
            "s3:http://127.0.0.1:1/b",
        ],
        &[
            ("PUSDATA_SRC_ACCESS_KEY_ID", "GKsrc"),
            ("PUSDATA_SRC_SECRET_ACCESS_KEY", "rahasia-sumber"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PUSDATA_DST_ACCESS_KEY_ID"), "{err}");
    assert!(!err.contains("rahasia-sumber"), "{err}");
}

/// What the mirror relies on to skip a HEAD after each single-part upload: the destination
/// server computes the SHA-256 of the bytes it receives, refuses a PUT whose
/// `x-amz-checksum-sha256` differs, and echoes the stored checksum in its answer.
#[test]
fn server_refuses_a_put_whose_sha256_differs() {
    use aws_sdk_s3::types::ChecksumAlgorithm;
    use base64::Engine as _;
    let s3 = S3Server::start();
    let rt = std::sync::Arc::new(tokio::runtime::Runtime::new().unwrap());
    let side = Side::new(&s3, &rt);
    let b64 = |data: &[u8]| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(data));
    let put = |key: &str, body: Vec<u8>, sum: String| {
        rt.block_on(
            side.client
                .put_object()
                .bucket(&side.bucket)
                .key(key)
                .checksum_algorithm(ChecksumAlgorithm::Sha256)
                .checksum_sha256(sum)
                .body(ByteStream::from(body))
                .send(),
        )
        .map_err(|e| format!("{e:?}"))
    };
    let good = bytes(7, 10_000);
    let answer = put("good", good.clone(), b64(&good)).unwrap();
    assert_eq!(
        answer.checksum_sha256(),
        Some(b64(&good).as_str()),
        "{}",
        s3.kind
    );

    let mut bad = good.clone();
    bad[5_000] ^= 1;
    let refused = put("bad", bad, b64(&good));
    assert!(
        refused.is_err(),
        "{}: a corrupted body was accepted",
        s3.kind
    );
    let listed = side.contents();
    // s3s-fs 0.14 refuses it but has already written it (see the MD5 test below).
    if s3.kind == "garage" {
        assert!(!listed.contains_key("bad"), "{listed:?}");
    }
}

/// What the mirror relies on when it sends the source's ETag as `Content-MD5` with an
/// unsigned payload: the destination refuses a body whose MD5 differs (`BadDigest`), and
/// answers an accepted one with that MD5 as its ETag.
#[test]
fn server_refuses_a_put_whose_md5_differs() {
    use base64::Engine as _;
    let s3 = S3Server::start();
    let rt = std::sync::Arc::new(tokio::runtime::Runtime::new().unwrap());
    let side = Side::new(&s3, &rt);
    let good = bytes(8, 10_000);
    side.put("asli", good.clone());
    let etag = rt
        .block_on(
            side.client
                .head_object()
                .bucket(&side.bucket)
                .key("asli")
                .send(),
        )
        .unwrap()
        .e_tag()
        .unwrap()
        .to_string();
    let hex = etag.trim_matches('"');
    let md5: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5);
    let put = |key: &str, body: Vec<u8>| {
        rt.block_on(
            side.client
                .put_object()
                .bucket(&side.bucket)
                .key(key)
                .content_md5(&md5)
                .body(ByteStream::from(body))
                .customize()
                .disable_payload_signing()
                .send(),
        )
        .map_err(|e| {
            let code = aws_sdk_s3::error::ProvideErrorMetadata::code(&e).map(str::to_string);
            (code, format!("{e:?}"))
        })
    };
    let answer = put("salinan", good.clone()).unwrap();
    assert_eq!(answer.e_tag(), Some(etag.as_str()), "{}", s3.kind);

    let mut bad = good;
    bad[5_000] ^= 1;
    let (code, refused) = put("rusak", bad).expect_err("a corrupted body was accepted");
    assert_eq!(code.as_deref(), Some("BadDigest"), "{}: {refused}", s3.kind);
    let listed = side.contents();
    if s3.kind == "garage" {
        assert!(!listed.contains_key("rusak"), "{listed:?}");
    }
    // s3s-fs 0.14 answers BadDigest but has already written the object. The mirror never
    // leaves it so: a refused upload is followed by the SHA-256 one, which replaces it
    // (`a_source_etag_that_is_not_the_md5_falls_back_to_sha256` passes on both servers).
    assert_eq!(listed["salinan"], listed["asli"]);
}

/// A reverse proxy in front of an S3 server that shifts every hex digit of the ETag in its
/// answers: what a server whose ETag is not the content's MD5 looks like (encryption at
/// rest). Returns the proxy's port and how many ETags it changed.
fn etag_changing_proxy(
    rt: &tokio::runtime::Runtime,
    upstream: u16,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use hyper_util::rt::TokioIo;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let changed = Arc::new(AtomicUsize::new(0));
    let counter = changed.clone();
    rt.spawn(async move {
        while let Ok((down, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let up = tokio::net::TcpStream::connect(("127.0.0.1", upstream))
                    .await
                    .unwrap();
                let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(up))
                    .await
                    .unwrap();
                tokio::spawn(conn);
                // HTTP/1: one request at a time per connection, so the lock never waits.
                let sender = Arc::new(tokio::sync::Mutex::new(sender));
                let service = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let sender = sender.clone();
                        let counter = counter.clone();
                        async move {
                            let mut resp = sender.lock().await.send_request(req).await?;
                            let etag = resp.headers().get("etag").and_then(|v| v.to_str().ok());
                            if let Some(etag) = etag {
                                let shifted: String = etag
                                    .chars()
                                    .map(|c| match c.to_digit(16) {
                                        Some(d) => char::from_digit((d + 1) % 16, 16).unwrap(),
                                        None => c,
                                    })
                                    .collect();
                                resp.headers_mut().insert("etag", shifted.parse().unwrap());
                                counter.fetch_add(1, Ordering::SeqCst);
                            }
                            Ok::<_, hyper::Error>(resp)
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(down), service)
                    .await;
            });
        }
    });
    (port, changed)
}

/// The source's ETag is sent as `Content-MD5` only while it is the content's MD5: when the
/// destination refuses it (`BadDigest`), the copy is proven by SHA-256 instead, and nothing
/// is lost or half-written.
#[test]
fn a_source_etag_that_is_not_the_md5_falls_back_to_sha256() {
    let primary = S3Server::start();
    let drc = S3Server::start();
    let rt = std::sync::Arc::new(tokio::runtime::Runtime::new().unwrap());
    let (p, d) = (Side::new(&primary, &rt), Side::new(&drc, &rt));
    for i in 0..6 {
        p.put(
            &format!("arsip/dok-{i}.pdf"),
            bytes(300 + i, 1_000 + 3_000 * i as usize),
        );
    }
    let (port, changed) = etag_changing_proxy(&rt, primary.port);
    let via_proxy = format!("s3:http://127.0.0.1:{port}/{}/", primary.bucket);
    let work = tempfile::tempdir().unwrap();
    let (r, _) = mirror_via(&via_proxy, &primary, &drc, &[], &work.path().join("s.json"));
    assert_eq!(r["copied"], 6, "{r}");
    assert_eq!(r["failures"].as_array().unwrap().len(), 0, "{r}");
    assert!(
        changed.load(std::sync::atomic::Ordering::SeqCst) >= 6,
        "the proxy changed no ETag: the fallback was not exercised"
    );
    if drc.kind == "garage" {
        assert_eq!(r["checksumConfirmed"], 6, "{r}");
    }
    assert_eq!(d.contents(), p.contents());
}

/// What the kubelet does with the mirror Job's container: the environment from the Secrets
/// it references (`secrets`: name → key → value; optional keys may be missing) and the
/// result file in place of the termination-message path. Returns the exit status, stdout and
/// the result file's content.
fn run_like_a_pod(
    job: &k8s_openapi::api::batch::v1::Job,
    secrets: &BTreeMap<&str, BTreeMap<&str, String>>,
    result: &Path,
) -> (bool, String, String) {
    use pusdata_core::backup::job::RESULT_PATH;
    let c = &job
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0];
    let args: Vec<String> = c
        .args
        .clone()
        .unwrap()
        .into_iter()
        .map(|a| {
            if a == RESULT_PATH {
                result.display().to_string()
            } else {
                a
            }
        })
        .collect();
    let mut envs: Vec<(String, String)> = Vec::new();
    for e in c.env.as_ref().unwrap() {
        if let Some(v) = &e.value {
            envs.push((e.name.clone(), v.clone()));
            continue;
        }
        let r = e
            .value_from
            .as_ref()
            .unwrap()
            .secret_key_ref
            .as_ref()
            .unwrap();
        match secrets[r.name.as_str()].get(r.key.as_str()) {
            Some(v) => envs.push((e.name.clone(), v.clone())),
            None => assert_eq!(r.optional, Some(true), "{} missing", r.key),
        }
    }
    let _ = std::fs::remove_file(result);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = pusdata(&args, &envs);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    for s in secrets.values() {
        assert!(
            !all.contains(&s["AWS_SECRET_ACCESS_KEY"]),
            "secret leaked: {all}"
        );
    }
    (
        out.status.success(),
        stdout,
        std::fs::read_to_string(result).unwrap_or_default(),
    )
}

/// The operator's own pipeline for a bucket member — `backup::mirror::resolve` over Sites
/// and a plan member, `mirror_job` — and the Job's command line run for real against two
/// S3 servers, as a Pod would run it: the first pass copies everything and reads back as a
/// summary, the deletion record lives in the destination (surviving the "Pod"), a deleted
/// key waits for the member's `deleteAfter`, and a failback pass (`source.reverse`) brings
/// back what was written at the DRC without mirroring either side's record.
#[test]
fn the_operators_mirror_job_runs_against_two_servers() {
    use pusdata_core::backup::mirror::{self, MirrorJobInput, MirrorSummary, ResolveInput};
    use pusdata_core::backup::result::{MoverResult, parse};
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{BackupSource, BucketMirror, SecretRef};

    let primary = S3Server::start();
    let drc = S3Server::start();
    let rt = std::sync::Arc::new(tokio::runtime::Runtime::new().unwrap());
    let p = Side::new(&primary, &rt);
    let d = Side::new(&drc, &rt);
    for i in 0..20 {
        p.put(
            &format!("surat/{i:02}.pdf"),
            bytes(i, 1000 + i as usize * 37),
        );
    }
    p.put("pacs/ct.dcm", bytes(77, 17 * 1024 * 1024 + 5));

    let mut psite = fixtures::primary_site();
    psite.spec.endpoints.s3 = Some(format!("http://127.0.0.1:{}", primary.port));
    let mut dsite = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    dsite.spec.endpoints.s3 = Some(format!("http://127.0.0.1:{}/", drc.port));
    let repo = fixtures::backup_repository("disdukcapil", "drc-bandung");
    let mut member = fixtures::plan().spec.tiers[0].members[0].clone();
    member.buckets = vec![primary.bucket.clone()];
    member.bucket_mirror = Some(BucketMirror {
        primary_credentials: SecretRef {
            name: "s3-primary".into(),
            namespace: None,
        },
        drc_credentials: None,
        bucket_map: Default::default(),
        delete_after: "2s".into(),
    });
    let secret = |s: &S3Server, region: bool| {
        let mut m: BTreeMap<&str, String> = [
            ("AWS_ACCESS_KEY_ID", s.access_key.clone()),
            ("AWS_SECRET_ACCESS_KEY", s.secret_key.clone()),
        ]
        .into();
        if region {
            m.insert("AWS_REGION", "garage".into());
        }
        m
    };
    // The DRC keys are the repository's Secret (`drc-s3`); both carry the region.
    let secrets: BTreeMap<&str, BTreeMap<&str, String>> = [
        ("s3-primary", secret(&primary, true)),
        ("drc-s3", secret(&drc, true)),
    ]
    .into();
    let job_of = |reverse: bool| {
        let mut b = fixtures::backup("disdukcapil", "x");
        b.metadata.name = Some(format!("svc-bucket-{reverse}"));
        b.spec.source = BackupSource {
            pvc: None,
            bucket: Some(primary.bucket.clone()),
            reverse,
        };
        let plan = mirror::resolve(&ResolveInput {
            backup: &b,
            member: &member,
            primary: Some(&psite),
            drc: Some(&dsite),
            drc_site: "drc-bandung",
            repository: &repo.spec,
        })
        .unwrap();
        mirror::mirror_job(&MirrorJobInput {
            backup: &b,
            plan: &plan,
            agency: "disdukcapil",
            owner: Default::default(),
            settings: &Default::default(),
        })
        .unwrap()
    };
    let work = tempfile::tempdir().unwrap();
    let result = work.path().join("termination-log");
    let summary = |text: &str| match parse::<MirrorSummary>(text) {
        MoverResult::Report(s) => s,
        other => panic!("{other:?}"),
    };
    let state_key = pusdata_core::mirror::STATE_KEY;

    // First pass: everything, byte-identical; the summary reads back.
    let forward = job_of(false);
    let (ok, _, text) = run_like_a_pod(&forward, &secrets, &result);
    assert!(ok, "{text}");
    let s = summary(&text);
    assert_eq!((s.copied, s.failed, s.source_objects), (21, 0, 21), "{s:?}");
    let total: u64 = (0..20u64).map(|i| 1000 + i * 37).sum::<u64>() + 17 * 1024 * 1024 + 5;
    assert_eq!(s.copied_bytes, total);
    let mut want = p.contents();
    let mut got = d.contents();
    assert!(
        got.remove(state_key).is_some(),
        "the record is in the DRC bucket"
    );
    assert_eq!(got, want);
    assert!(!want.contains_key(state_key), "and not at the source");

    // Second pass: nothing to copy, the record is not mirrored back or counted.
    let (ok, _, text) = run_like_a_pod(&forward, &secrets, &result);
    assert!(ok);
    let s = summary(&text);
    assert_eq!((s.copied, s.source_objects), (0, 21), "{s:?}");

    // A key deleted at the primary waits for the member's deleteAfter (2s), across "Pods".
    p.delete("surat/03.pdf");
    let (_, _, text) = run_like_a_pod(&forward, &secrets, &result);
    let s = summary(&text);
    assert_eq!((s.deleted, s.waiting_delete), (0, 1), "{s:?}");
    assert!(d.contents().contains_key("surat/03.pdf"));
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let (_, _, text) = run_like_a_pod(&forward, &secrets, &result);
    let s = summary(&text);
    assert_eq!((s.deleted, s.waiting_delete), (1, 0), "{s:?}");
    assert!(!d.contents().contains_key("surat/03.pdf"));

    // Failback: written at the DRC while it served, mirrored back onto the primary.
    d.put("surat/baru-di-drc.pdf", bytes(500, 4321));
    let (ok, stdout, text) = run_like_a_pod(&job_of(true), &secrets, &result);
    assert!(ok, "{text}");
    let s = summary(&text);
    let report: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let copied = keys(&report, "copiedKeys");
    assert!(
        copied.contains(&"surat/baru-di-drc.pdf".to_string()),
        "{copied:?}"
    );
    // The DRC's multipart copy has another ETag and a newer time than the primary's
    // original, so it may go back too; s3s-fs lists no ETags, so there every DRC copy does:
    // correct, not minimal (docs/reference/mirror.md).
    if drc.kind == "garage" {
        assert!(
            copied
                .iter()
                .all(|k| k == "surat/baru-di-drc.pdf" || k == "pacs/ct.dcm"),
            "{copied:?}"
        );
    }
    assert_eq!(s.copied, copied.len() as u64);
    assert!(s.source.contains(&format!(":{}/", drc.port)), "{s:?}");
    want = p.contents();
    got = d.contents();
    assert_eq!(
        want.get("surat/baru-di-drc.pdf"),
        got.get("surat/baru-di-drc.pdf")
    );
    // Each direction keeps its own record in its own destination; neither was copied.
    assert_ne!(want.get(state_key), got.get(state_key));
    want.remove(state_key);
    got.remove(state_key);
    assert_eq!(want, got);

    // Wrong keys: the result is the error, with no secret in it.
    let mut bad = secrets.clone();
    bad.get_mut("s3-primary")
        .unwrap()
        .insert("AWS_SECRET_ACCESS_KEY", "wrong-secret-0000".into());
    let (ok, _, text) = run_like_a_pod(&forward, &bad, &result);
    assert!(!ok);
    let MoverResult::Failure(f) = parse::<MirrorSummary>(&text) else {
        panic!("{text}")
    };
    assert!(f.message.contains("cannot list"), "{f:?}");
    assert!(!text.contains("wrong-secret-0000"));
}

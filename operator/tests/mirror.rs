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
    let from_url = from.url("");
    let to_url = to.url("");
    let state = state.to_str().unwrap();
    let mut args = vec![
        "mirror",
        "--from",
        &from_url,
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
    assert!(refused.is_err(), "{}: a corrupted body was stored", s3.kind);
    let listed = side.contents();
    assert!(!listed.contains_key("bad"), "{}: {listed:?}", s3.kind);
}

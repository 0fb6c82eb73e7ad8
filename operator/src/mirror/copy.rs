//! Copying one object: read it from the source, put it (or its parts) with a checksum
//! header the destination verifies — the source's MD5 when its ETag is one, else our
//! SHA-256 — then check what the destination stored.

use super::endpoint::S3Endpoint;
use super::limit::RateLimit;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};

/// What the workers share.
pub(super) struct CopyContext {
    pub src: Client,
    pub dst: Client,
    pub source: S3Endpoint,
    pub dest: S3Endpoint,
    pub threshold: u64,
    pub part_size: u64,
    pub limit: Option<RateLimit>,
}

/// One finished copy.
pub(super) struct Copied {
    pub bytes: u64,
    pub parts: u32,
    /// The destination reported the checksum it stored (its MD5 ETag, or the SHA-256), and
    /// it matched the source's.
    pub checksum_confirmed: bool,
}

/// What proves a single-part upload's content to the destination.
enum Checksum {
    /// The source's MD5 (its ETag), sent as `Content-MD5`.
    Md5([u8; 16]),
    /// Our SHA-256 of the bytes read, base64, sent as `x-amz-checksum-sha256`.
    Sha256(String),
}

/// The MD5 in an ETag, when the ETag is one: 32 hex digits, quoted or not. S3 servers give
/// the content's MD5 as the ETag of a single-part upload; multipart ETags end in `-N` and
/// are refused here.
fn etag_md5(etag: &str) -> Option<[u8; 16]> {
    let hex = etag.trim_matches('"').as_bytes();
    if hex.len() != 32 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16);
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(out)
}

/// An SDK error with its causes (the SDK's `Display` alone says only "service error").
pub(super) fn sdk_error<E: std::error::Error>(e: &E) -> String {
    format!("{}", DisplayErrorContext(e))
}

/// Copies `key`; `listed_size` is the size the source listing gave.
pub(super) async fn copy_object(
    ctx: &CopyContext,
    key: &str,
    listed_size: u64,
) -> Result<Copied, String> {
    let src_key = ctx.source.key(key);
    let dst_key = ctx.dest.key(key);
    let got = ctx
        .src
        .get_object()
        .bucket(&ctx.source.bucket)
        .key(&src_key)
        .send()
        .await
        .map_err(|e| format!("get: {}", sdk_error(&e)))?;
    let size = got
        .content_length()
        .map_or(listed_size, |l| l.max(0) as u64);
    let content_type = got.content_type().map(str::to_string);
    let metadata = got.metadata().cloned();
    let source_md5 = got.e_tag().and_then(etag_md5);
    let mut body = got.body;

    if size < ctx.threshold {
        let buf = body
            .collect()
            .await
            .map_err(|e| format!("read: {}", sdk_error(&e)))?
            .into_bytes();
        if buf.len() as u64 != size {
            return Err(format!(
                "short read: got {} bytes of {size} from the source",
                buf.len()
            ));
        }
        // Every upload is charged to the limit: a refused one also crossed the link.
        let put = async |checksum: Checksum| {
            if let Some(l) = &ctx.limit {
                l.acquire(size).await;
            }
            let req = ctx
                .dst
                .put_object()
                .bucket(&ctx.dest.bucket)
                .key(&dst_key)
                .content_length(size as i64)
                .set_content_type(content_type.clone())
                .set_metadata(metadata.clone())
                .body(ByteStream::from(buf.clone()));
            let req = match checksum {
                Checksum::Md5(md5) => req.content_md5(B64.encode(md5)),
                Checksum::Sha256(ref b64) => req
                    .checksum_algorithm(ChecksumAlgorithm::Sha256)
                    .checksum_sha256(b64),
            };
            // The body is covered by the checksum header, which is signed: hashing it a
            // second time for the signature would only cost CPU on both ends.
            req.customize().disable_payload_signing().send().await
        };
        if let Some(md5) = source_md5 {
            match put(Checksum::Md5(md5)).await {
                // The destination computed the MD5 of what it received, would have refused
                // it had it differed from the source's (`BadDigest`), and reports it as the
                // ETag.
                Ok(out) if out.e_tag().and_then(etag_md5) == Some(md5) => {
                    return Ok(Copied {
                        bytes: size,
                        parts: 1,
                        checksum_confirmed: true,
                    });
                }
                // The source's ETag was not the content's MD5 after all (a server that
                // encrypts at rest says so only this way), or the destination's is not: the
                // upload below proves the bytes by SHA-256, and replaces what this one
                // stored.
                Ok(_) => tracing::debug!(key, "ETags are not MD5s here; proving by SHA-256"),
                Err(e) if e.code() == Some("BadDigest") => {
                    tracing::debug!(key, "source ETag is not the content's MD5; using SHA-256");
                }
                Err(e) => return Err(format!("put: {}", sdk_error(&e))),
            }
        }
        let b64 = B64.encode(Sha256::digest(&buf));
        let out = put(Checksum::Sha256(b64.clone()))
            .await
            .map_err(|e| format!("put: {}", sdk_error(&e)))?;
        let checksum_confirmed = match out.checksum_sha256() {
            Some(stored) => same_checksum(stored, &b64)?,
            None => verify(ctx, &dst_key, size, &b64).await?,
        };
        return Ok(Copied {
            bytes: size,
            parts: 1,
            checksum_confirmed,
        });
    }

    // Multipart: parts of `part_size`, each with its own SHA-256.
    let created = ctx
        .dst
        .create_multipart_upload()
        .bucket(&ctx.dest.bucket)
        .key(&dst_key)
        .set_content_type(content_type)
        .set_metadata(metadata)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .map_err(|e| format!("create multipart upload: {}", sdk_error(&e)))?;
    let upload_id = created
        .upload_id()
        .ok_or("create multipart upload: no upload id")?
        .to_string();
    match upload_parts(ctx, &dst_key, &upload_id, &mut body, size).await {
        Ok((parts, composite)) => {
            let n = parts.len() as u32;
            ctx.dst
                .complete_multipart_upload()
                .bucket(&ctx.dest.bucket)
                .key(&dst_key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| format!("complete multipart upload: {}", sdk_error(&e)))?;
            // Large objects are few: the HEAD also proves the assembled size.
            let checksum_confirmed = verify(ctx, &dst_key, size, &composite).await?;
            Ok(Copied {
                bytes: size,
                parts: n,
                checksum_confirmed,
            })
        }
        Err(e) => {
            // Leave no half upload behind (it would hold space until a lifecycle rule).
            let _ = ctx
                .dst
                .abort_multipart_upload()
                .bucket(&ctx.dest.bucket)
                .key(&dst_key)
                .upload_id(&upload_id)
                .send()
                .await;
            Err(e)
        }
    }
}

/// Sends the parts; returns them and the composite checksum (`base64(sha256(part
/// digests))-N`, the form S3 reports for multipart objects).
async fn upload_parts(
    ctx: &CopyContext,
    dst_key: &str,
    upload_id: &str,
    body: &mut ByteStream,
    size: u64,
) -> Result<(Vec<CompletedPart>, String), String> {
    let part_size = ctx.part_size as usize;
    let mut parts = Vec::new();
    let mut part_digests = Vec::new();
    let mut total = 0u64;
    // What the last chunk read held beyond the part it completed.
    let mut pending = bytes::Bytes::new();
    let mut eof = false;
    loop {
        // One part, in a buffer of exactly its size: filled only up to the part size (the
        // rest of a chunk waits in `pending`), so it is never reallocated — letting it grow
        // past the part size doubled it to twice the part size, with both copies alive
        // while it moved, for every large object being copied.
        let want = part_size.min(size.saturating_sub(total).max(1) as usize);
        let mut part: Vec<u8> = Vec::with_capacity(want);
        while part.len() < part_size {
            if pending.is_empty() {
                if eof {
                    break;
                }
                match body.next().await {
                    Some(chunk) => {
                        pending = chunk.map_err(|e| format!("read: {}", sdk_error(&e)))?
                    }
                    None => {
                        eof = true;
                        continue;
                    }
                }
            }
            let take = pending.len().min(part_size - part.len());
            part.extend_from_slice(&pending.split_to(take));
        }
        if part.is_empty() {
            break;
        }
        let n = part.len() as u64;
        total += n;
        let digest = Sha256::digest(&part);
        let b64 = B64.encode(digest);
        part_digests.extend_from_slice(&digest);
        let number = parts.len() as i32 + 1;
        if let Some(l) = &ctx.limit {
            l.acquire(n).await;
        }
        let out = ctx
            .dst
            .upload_part()
            .bucket(&ctx.dest.bucket)
            .key(dst_key)
            .upload_id(upload_id)
            .part_number(number)
            .content_length(n as i64)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .checksum_sha256(&b64)
            .body(ByteStream::from(part))
            .customize()
            .disable_payload_signing()
            .send()
            .await
            .map_err(|e| format!("upload part {number}: {}", sdk_error(&e)))?;
        parts.push(
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(out.e_tag().map(str::to_string))
                .checksum_sha256(b64)
                .build(),
        );
    }
    if total != size {
        return Err(format!(
            "short read: got {total} bytes of {size} from the source"
        ));
    }
    let composite = format!(
        "{}-{}",
        B64.encode(Sha256::digest(&part_digests)),
        parts.len()
    );
    Ok((parts, composite))
}

/// Checks what the destination stored: the size always, the SHA-256 when the server
/// reports one (then `Ok(true)`).
async fn verify(
    ctx: &CopyContext,
    dst_key: &str,
    size: u64,
    sha256_b64: &str,
) -> Result<bool, String> {
    let head = ctx
        .dst
        .head_object()
        .bucket(&ctx.dest.bucket)
        .key(dst_key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .map_err(|e| format!("head after upload: {}", sdk_error(&e)))?;
    let stored = head.content_length().unwrap_or(-1);
    if stored != size as i64 {
        return Err(format!(
            "size mismatch after upload: destination has {stored} bytes, source {size}"
        ));
    }
    match head.checksum_sha256() {
        Some(c) => same_checksum(c, sha256_b64),
        None => Ok(false),
    }
}

/// Compares the SHA-256 the destination reports with the one computed from the source.
///
/// A server that answers a PUT with `x-amz-checksum-sha256` has computed it over the bytes
/// it received and refuses the upload when it differs from the one sent (`BadDigest`), so
/// the answer confirms the stored content without a HEAD per object — the request rclone
/// spends on every upload unless `--s3-no-head` is set.
fn same_checksum(stored: &str, sha256_b64: &str) -> Result<bool, String> {
    // Servers differ on whether the "-N" suffix of composite checksums is reported.
    let strip = |s: &str| s.split('-').next().unwrap_or_default().to_string();
    if strip(stored) != strip(sha256_b64) {
        return Err(format!(
            "checksum mismatch after upload: destination SHA-256 {stored}, source {sha256_b64}"
        ));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_md5_reads_only_single_part_md5_etags() {
        // md5("") — the ETag S3 servers give an empty single-part object.
        let empty = [
            0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04, 0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8,
            0x42, 0x7e,
        ];
        assert_eq!(
            etag_md5("\"d41d8cd98f00b204e9800998ecf8427e\""),
            Some(empty)
        );
        assert_eq!(etag_md5("D41D8CD98F00B204E9800998ECF8427E"), Some(empty));
        // Multipart: the MD5 of the parts' MD5s and a part count, not the content's MD5.
        assert_eq!(etag_md5("\"9b2cf535f27731c974343645a3985328-3\""), None);
        assert_eq!(etag_md5("\"d41d8cd98f00b204e9800998ecf8427\""), None);
        assert_eq!(etag_md5("\"g41d8cd98f00b204e9800998ecf8427e\""), None);
        assert_eq!(etag_md5("\"+41d8cd98f00b204e9800998ecf8427e\""), None);
        assert_eq!(etag_md5(""), None);
    }
}

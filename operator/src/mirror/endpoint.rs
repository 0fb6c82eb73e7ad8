//! Where a bucket is and how to reach it.

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{
    BehaviorVersion, Builder, Credentials, Region, RequestChecksumCalculation,
};
use std::fmt;

/// One side of a mirror: an S3 endpoint, a bucket, an optional key prefix, and keys.
#[derive(Clone)]
pub struct S3Endpoint {
    /// `http://host:port` or `https://host`.
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// Key prefix, empty or ending in `/`.
    pub prefix: String,
    /// Signing region (`garage` for Garage).
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key; never printed.
    pub secret_access_key: String,
}

impl fmt::Debug for S3Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Endpoint")
            .field("url", &self.url())
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

impl S3Endpoint {
    /// Parses `s3:http://host:port/bucket[/prefix]` (the restic / mover form; the `s3:`
    /// is optional). Keys are filled in separately.
    pub fn parse(url: &str) -> Result<S3Endpoint, String> {
        let rest = url.strip_prefix("s3:").unwrap_or(url);
        let (scheme, after) = rest
            .split_once("://")
            .ok_or_else(|| format!("{url:?}: expected s3:http(s)://host[:port]/bucket[/prefix]"))?;
        if scheme != "http" && scheme != "https" {
            return Err(format!("{url:?}: scheme must be http or https"));
        }
        let (host, path) = after
            .split_once('/')
            .ok_or_else(|| format!("{url:?}: no bucket after the host"))?;
        let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
        if host.is_empty() || bucket.is_empty() {
            return Err(format!("{url:?}: host and bucket are required"));
        }
        let prefix = prefix.trim_matches('/');
        Ok(S3Endpoint {
            endpoint: format!("{scheme}://{host}"),
            bucket: bucket.to_string(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
            region: "us-east-1".to_string(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
        })
    }

    /// The endpoint as a URL, without keys.
    pub fn url(&self) -> String {
        format!("s3:{}/{}/{}", self.endpoint, self.bucket, self.prefix)
    }

    /// The full key of a key relative to the prefix.
    pub fn key(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    /// An S3 client: path-style addressing (Garage, MinIO, s3s), static keys, and checksums
    /// only where we ask for them (we send SHA-256 ourselves; the SDK's default CRC32 trailers
    /// are not understood by every S3 server).
    pub fn client(&self) -> Client {
        let config = Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .endpoint_url(self.endpoint.clone())
            .force_path_style(true)
            .credentials_provider(Credentials::new(
                self.access_key_id.clone(),
                self.secret_access_key.clone(),
                None,
                None,
                "pusdata-mirror",
            ))
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .build();
        Client::from_conf(config)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let e = S3Endpoint::parse("s3:http://127.0.0.1:3900/dinkes/pacs/").unwrap();
        assert_eq!(e.endpoint, "http://127.0.0.1:3900");
        assert_eq!(e.bucket, "dinkes");
        assert_eq!(e.prefix, "pacs/");
        assert_eq!(e.key("a/b"), "pacs/a/b");
        let e = S3Endpoint::parse("https://s3.drc.bekasikota.go.id/arsip").unwrap();
        assert_eq!(e.prefix, "");
        assert_eq!(e.url(), "s3:https://s3.drc.bekasikota.go.id/arsip/");
        assert!(S3Endpoint::parse("s3:ftp://x/b").is_err());
        assert!(S3Endpoint::parse("s3:http://host").is_err());
        let mut e = e;
        e.secret_access_key = "rahasia".into();
        assert!(!format!("{e:?}").contains("rahasia"));
    }
}

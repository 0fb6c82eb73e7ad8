//! Where a repository lives and how to open it: a local path or an S3 bucket, the key, the
//! cache. Secrets are wrapped so that `Debug` and error messages never show them.

use super::error::MoverError;
use super::limit::throttled;
use super::progress::Bars;
use crate::mirror::RateLimit;
use rustic_backend::BackendOptions;
use rustic_core::repofile::MasterKey;
use rustic_core::{
    ConfigOptions, Credentials, KeyOptions, OpenStatus, Repository, RepositoryBackends,
    RepositoryOptions,
};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// How often a failed S3 call is retried (OpenDAL's retry layer, with backoff), when set;
/// rustic's default otherwise. Process-wide: one operator, one setting.
static S3_RETRIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(usize::MAX);

/// Sets how often a failed S3 call is retried in this process (0: never). A test of an
/// unreachable S3 sets 0: each retry waits its backoff in wall-clock time, minutes in all.
pub fn set_s3_retries(n: usize) {
    S3_RETRIES.store(n, std::sync::atomic::Ordering::Relaxed);
}

fn s3_retries() -> Option<usize> {
    let n = S3_RETRIES.load(std::sync::atomic::Ordering::Relaxed);
    (n != usize::MAX).then_some(n)
}

/// A secret string (repository password, S3 secret key). `Debug` prints `***`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An S3 location of a repository (`BackupRepositorySpec.s3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Location {
    /// `https://host:port` or `http://…` for a test server.
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// Key prefix inside the bucket (no leading or trailing `/`); empty for the bucket root.
    pub prefix: String,
    /// Region; Garage's default is `garage`.
    pub region: String,
    /// Path-style addressing (`host/bucket/key`), as Garage and most on-premises servers need.
    pub path_style: bool,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: Secret,
}

/// Where a repository lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoLocation {
    /// A directory on this machine.
    Local(PathBuf),
    /// A bucket (and prefix) on an S3-compatible server.
    S3(S3Location),
}

impl RepoLocation {
    /// Parses `s3:https://host:port/bucket/prefix…` (credentials and region come separately), or
    /// a local path (optionally `local:PATH`).
    pub fn parse(s: &str, region: &str, path_style: bool) -> Result<RepoLocation, MoverError> {
        let Some(url) = s.strip_prefix("s3:") else {
            let path = s.strip_prefix("local:").unwrap_or(s);
            if path.is_empty() {
                return Err(MoverError::Input("the repository path is empty".into()));
            }
            return Ok(RepoLocation::Local(PathBuf::from(path)));
        };
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            MoverError::Input(format!(
                "S3 repository `{s}` must look like s3:https://host:port/bucket[/prefix]"
            ))
        })?;
        if scheme != "http" && scheme != "https" {
            return Err(MoverError::Input(format!(
                "S3 repository `{s}`: scheme must be http or https"
            )));
        }
        let mut parts = rest.splitn(3, '/');
        let host = parts.next().unwrap_or_default();
        let bucket = parts.next().unwrap_or_default();
        let prefix = parts.next().unwrap_or_default().trim_matches('/');
        if host.is_empty() || bucket.is_empty() {
            return Err(MoverError::Input(format!(
                "S3 repository `{s}` names no host or bucket (s3:https://host:port/bucket[/prefix])"
            )));
        }
        Ok(RepoLocation::S3(S3Location {
            endpoint: format!("{scheme}://{host}"),
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
            region: region.to_string(),
            path_style,
            access_key_id: String::new(),
            secret_access_key: Secret::default(),
        }))
    }

    /// A display form without credentials, for logs and reports.
    pub fn display(&self) -> String {
        match self {
            RepoLocation::Local(p) => p.display().to_string(),
            RepoLocation::S3(s) if s.prefix.is_empty() => {
                format!("s3:{}/{}", s.endpoint, s.bucket)
            }
            RepoLocation::S3(s) => format!("s3:{}/{}/{}", s.endpoint, s.bucket, s.prefix),
        }
    }
}

/// A repository and how to open it.
#[derive(Clone, Debug)]
pub struct RepoConfig {
    /// Where it lives.
    pub location: RepoLocation,
    /// The repository key's password (each agency has its own, SEC-CIA).
    pub password: Secret,
    /// rustic's cache directory; `None` disables the cache (pods mount an emptyDir here when
    /// they want one; the default `~/.cache/rustic` is never used).
    pub cache_dir: Option<PathBuf>,
    /// Draw progress bars on the terminal.
    pub progress: bool,
    /// Upload limit (`uploadLimitBytesPerSecond`): every file written takes its size from
    /// it. Shared, so that all of rustic's writer threads together hold the rate.
    pub upload_limit: Option<Arc<RateLimit>>,
    /// Download limit (`downloadLimitBytesPerSecond`), for restores and checks.
    pub download_limit: Option<Arc<RateLimit>>,
    /// Where the master key is kept once this password has opened the repository, so that
    /// the next open in this process derives no key (see [`KeyCache`]); `None`: every open
    /// derives it from the password.
    pub key_cache: Option<KeyCache>,
}

/// The master key of one repository, kept after an open with the password proved it. The
/// agent holds one per agency: a drill restores, then verifies, and the second open would
/// pay scrypt (0.1–0.4 s of both cores) again for the key it already had. Whoever holds
/// the cache holds the password too; the cache only spares the derivation.
#[derive(Clone, Default)]
pub struct KeyCache(Arc<std::sync::Mutex<Option<MasterKey>>>);

impl KeyCache {
    fn get(&self) -> Option<MasterKey> {
        self.0.lock().ok().and_then(|k| k.clone())
    }
    fn set(&self, key: Option<MasterKey>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = key;
        }
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyCache(***)")
    }
}

#[cfg(test)]
thread_local! {
    /// Opens on this thread that derived the key from the password (tests: a restore then
    /// a verify through one [`KeyCache`] derive it once).
    pub(crate) static PASSWORD_OPENS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl RepoLocation {
    /// Fills an S3 location's credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
    /// (the only place they are read from); a local location is returned as it is.
    pub fn with_env_credentials(mut self) -> Result<RepoLocation, String> {
        if let RepoLocation::S3(s3) = &mut self {
            s3.access_key_id = std::env::var("AWS_ACCESS_KEY_ID")
                .map_err(|_| "S3 repository: AWS_ACCESS_KEY_ID is not set".to_string())?;
            s3.secret_access_key = Secret::new(
                std::env::var("AWS_SECRET_ACCESS_KEY")
                    .map_err(|_| "S3 repository: AWS_SECRET_ACCESS_KEY is not set".to_string())?,
            );
        }
        Ok(self)
    }

    /// The location of one agency's repository under this one: `<path>/<agency>` or
    /// `<prefix>/<agency>`. The agency must be a single plain name.
    pub fn for_agency(&self, agency: &str) -> Result<RepoLocation, String> {
        if agency.is_empty()
            || !agency
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!("agency {agency:?} is not a plain name"));
        }
        Ok(match self {
            RepoLocation::Local(p) => RepoLocation::Local(p.join(agency)),
            RepoLocation::S3(s3) => RepoLocation::S3(S3Location {
                prefix: if s3.prefix.is_empty() {
                    agency.to_string()
                } else {
                    format!("{}/{agency}", s3.prefix)
                },
                ..s3.clone()
            }),
        })
    }
}

/// The runtime of raw OpenDAL I/O (keys, locks, deleting a repository): one per process,
/// with its own worker, alive to the end.
///
/// All OpenDAL operators of a process share one HTTP client and its connection pool, and a
/// pooled connection is driven by the runtime that opened it. Opened on a current-thread
/// runtime that is idle between calls, such a connection would hang rustic's own requests
/// that pick it up (found by `s3_repository_is_read_by_restic`: a backup stalled on a read);
/// a runtime whose worker always runs serves them.
pub(crate) fn io_runtime() -> Result<&'static tokio::runtime::Runtime, MoverError> {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    if let Some(rt) = RT.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("pusdata-lock-io")
        .enable_all()
        .build()
        .map_err(|e| MoverError::Io(format!("cannot start I/O runtime: {e}")))?;
    Ok(RT.get_or_init(|| rt))
}

impl RepoConfig {
    /// A repository at `location` without cache or progress bars (the agent, the drill).
    pub fn at(location: RepoLocation, password: impl Into<String>) -> RepoConfig {
        RepoConfig {
            location,
            password: Secret::new(password),
            cache_dir: None,
            progress: false,
            upload_limit: None,
            download_limit: None,
            key_cache: None,
        }
    }

    /// A local repository without cache or progress bars (tests, `drill --local`).
    #[allow(dead_code)]
    pub fn local(path: impl Into<PathBuf>, password: impl Into<String>) -> RepoConfig {
        RepoConfig::at(RepoLocation::Local(path.into()), password)
    }

    fn backend_options(&self) -> BackendOptions {
        let mut options = BTreeMap::new();
        if let Some(n) = s3_retries() {
            options.insert("retry".to_string(), n.to_string());
        }
        self.backend_options_with(options)
    }

    fn backend_options_with(&self, mut options: BTreeMap<String, String>) -> BackendOptions {
        let repository = match &self.location {
            RepoLocation::Local(p) => format!("local:{}", p.display()),
            RepoLocation::S3(s) => {
                options.insert("bucket".into(), s.bucket.clone());
                options.insert("root".into(), format!("/{}", s.prefix));
                options.insert("endpoint".into(), s.endpoint.clone());
                options.insert("region".into(), s.region.clone());
                options.insert("access_key_id".into(), s.access_key_id.clone());
                options.insert(
                    "secret_access_key".into(),
                    s.secret_access_key.expose().to_string(),
                );
                options.insert(
                    "enable_virtual_host_style".into(),
                    (!s.path_style).to_string(),
                );
                // Never pick up ~/.aws or instance metadata: the credentials are the ones given.
                options.insert("disable_config_load".into(), "true".into());
                "opendal:s3".to_string()
            }
        };
        BackendOptions::default()
            .repository(repository)
            .options(options)
    }

    /// The backends (rustic_backend's local or OpenDAL S3), behind the bandwidth limits.
    pub(crate) fn backends(&self) -> Result<RepositoryBackends, MoverError> {
        let b = self
            .backend_options()
            .to_backends()
            .map_err(|e| self.rustic_err("cannot reach the repository", &e))?;
        Ok(RepositoryBackends::new(
            throttled(
                b.repository(),
                self.upload_limit.clone(),
                self.download_limit.clone(),
            ),
            b.repo_hot(),
        ))
    }

    /// An OpenDAL operator rooted at the repository (for what rustic_core has no file type
    /// for: lock files, and deleting a repository).
    pub(crate) fn operator(&self) -> Result<opendal::Operator, MoverError> {
        let mut options: Vec<(String, String)> = Vec::new();
        let scheme = match &self.location {
            RepoLocation::Local(p) => {
                options.push(("root".into(), p.display().to_string()));
                "fs"
            }
            RepoLocation::S3(s) => {
                options.extend([
                    ("bucket".into(), s.bucket.clone()),
                    ("root".into(), format!("/{}", s.prefix)),
                    ("endpoint".into(), s.endpoint.clone()),
                    ("region".into(), s.region.clone()),
                    ("access_key_id".into(), s.access_key_id.clone()),
                    (
                        "secret_access_key".into(),
                        s.secret_access_key.expose().to_string(),
                    ),
                    (
                        "enable_virtual_host_style".into(),
                        (!s.path_style).to_string(),
                    ),
                    ("disable_config_load".into(), "true".into()),
                ]);
                "s3"
            }
        };
        opendal::Operator::via_iter(scheme, options).map_err(|e| {
            MoverError::Repository(
                self.scrub(&format!("cannot reach {}: {e}", self.location.display())),
            )
        })
    }

    /// Opens the repository (proving the key: only its holders may change files rustic has
    /// no type for), then gives the raw operator and the runtime that drives it ([`io_runtime`]).
    pub(crate) fn open_raw(
        &self,
    ) -> Result<(opendal::Operator, &'static tokio::runtime::Runtime), MoverError> {
        drop(self.open()?);
        Ok((self.operator()?, io_runtime()?))
    }

    /// An OpenDAL error, named with the repository and scrubbed of secrets.
    pub(crate) fn opendal_err(&self, what: &str, e: opendal::Error) -> MoverError {
        MoverError::Repository(self.scrub(&format!("{what} {}: {e}", self.location.display())))
    }

    fn repository(&self) -> Result<Repository<()>, MoverError> {
        let backends = self.backends()?;
        let mut opts = RepositoryOptions::default();
        match &self.cache_dir {
            Some(dir) => opts = opts.cache_dir(dir.clone()),
            None => opts = opts.no_cache(true),
        }
        let repo = if self.progress {
            Repository::new_with_progress(&opts, &backends, Bars)
        } else {
            Repository::new(&opts, &backends)
        };
        repo.map_err(|e| self.rustic_err("cannot use the repository", &e))
    }

    /// Opens an existing repository; a missing repository or a wrong key are named as such.
    pub(crate) fn open(&self) -> Result<Repository<OpenStatus>, MoverError> {
        let repo = self.repository()?;
        let exists = repo
            .config_id()
            .map_err(|e| self.rustic_err("cannot read the repository", &e))?
            .is_some();
        if !exists {
            return Err(MoverError::NoRepository(self.location.display()));
        }
        self.open_existing(repo)
    }

    /// Opens the repository, creating it first when there is none (the first backup of a
    /// tier). An existing repository is never re-initialised.
    pub(crate) fn open_or_init(&self) -> Result<(Repository<OpenStatus>, bool), MoverError> {
        let repo = self.repository()?;
        let exists = repo
            .config_id()
            .map_err(|e| self.rustic_err("cannot read the repository", &e))?
            .is_some();
        if exists {
            return Ok((self.open_existing(repo)?, false));
        }
        // The key is Pusdata's own (see `key`): written first, then the config under it.
        let creds = Credentials::Masterkey(self.prepare_key()?);
        let repo = repo
            .init(&creds, &KeyOptions::default(), &config_options())
            .map_err(|e| self.rustic_err("cannot create the repository", &e))?;
        tracing::info!(repository = %self.location.display(), "created repository");
        Ok((repo, true))
    }

    /// The master key of a repository being created: the one in a key file an interrupted
    /// creation left (if the password opens it), or a new one, written as `keys/<id>`.
    /// Key files the password does not open mean someone else's repository is being set up
    /// here: refused, nothing written.
    fn prepare_key(&self) -> Result<MasterKey, MoverError> {
        let op = self.operator()?;
        io_runtime()?.block_on(async {
            match find_master_key(self, &op).await? {
                KeySearch::Opened(master) => {
                    tracing::info!(
                        repository = %self.location.display(),
                        "reusing the key of an interrupted repository creation"
                    );
                    Ok(master)
                }
                KeySearch::Foreign => Err(MoverError::WrongKey(self.location.display())),
                KeySearch::NoKeys => {
                    let master = MasterKey::new();
                    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty());
                    let file = super::key::key_file(&master, self.password.expose(), host)?;
                    op.write(&format!("keys/{}", file.id), file.bytes)
                        .await
                        .map_err(|e| self.opendal_err("cannot write the key of", e))?;
                    Ok(master)
                }
            }
        })
    }

    fn open_existing(&self, repo: Repository<()>) -> Result<Repository<OpenStatus>, MoverError> {
        let repo = match self.key_cache.as_ref().and_then(KeyCache::get) {
            Some(key) => match repo.open(&Credentials::Masterkey(key)) {
                Ok(opened) => return Ok(opened),
                // Not this repository's key any more (replaced or re-created): forgotten,
                // and the password decides, with its own errors.
                Err(_) => {
                    if let Some(cache) = &self.key_cache {
                        cache.set(None);
                    }
                    self.repository()?
                }
            },
            None => repo,
        };
        #[cfg(test)]
        PASSWORD_OPENS.with(|n| n.set(n.get() + 1));
        let creds = Credentials::Password(self.password.expose().to_string());
        let opened = repo.open(&creds).map_err(|e| {
            if e.is_incorrect_password() {
                MoverError::WrongKey(self.location.display())
            } else {
                self.rustic_err("cannot open the repository", &e)
            }
        })?;
        if let Some(cache) = &self.key_cache {
            cache.set(Some(opened.key()));
        }
        Ok(opened)
    }

    /// A backend error, with any secret scrubbed from rustic's and OpenDAL's text.
    pub(crate) fn rustic_err(&self, what: &str, e: &rustic_core::RusticError) -> MoverError {
        MoverError::Repository(self.scrub(&format!("{what} {}: {e}", self.location.display())))
    }

    /// Removes the password and the S3 secret from a message, whatever produced it.
    pub(crate) fn scrub(&self, msg: &str) -> String {
        let mut out = msg.to_string();
        let mut secrets = vec![self.password.expose()];
        if let RepoLocation::S3(s) = &self.location {
            secrets.push(s.secret_access_key.expose());
        }
        for s in secrets.into_iter().filter(|s| s.len() >= 4) {
            out = out.replace(s, "***");
        }
        out
    }
}

/// Repository settings for repositories Pusdata creates.
///
/// rustic's default data packs start at 32 MiB and grow with the repository; its restore
/// holds one pack read plus its decrypted blobs per reader thread (20 threads), which is
/// where the 1.3 GB restore peaks came from. 16 MiB packs that do not grow (restic's own
/// default pack size) keep object counts low on S3 and any reader's memory bounded.
fn config_options() -> ConfigOptions {
    ConfigOptions::default()
        .set_datapack_size(bytesize::ByteSize::mib(16))
        .set_datapack_growfactor(0u32)
        .set_datapack_size_limit(bytesize::ByteSize::mib(16))
}

/// What a repository's `keys/` holds for the password of a [`RepoConfig`].
pub(crate) enum KeySearch {
    /// A key file the password opens, and the master key in it.
    Opened(MasterKey),
    /// Key files, none of which the password opens (another key's repository).
    Foreign,
    /// No key file at all.
    NoKeys,
}

/// Tries the password on every key file of the repository: the one search behind creating
/// a repository (`RepoConfig::open_or_init`) and sealing its lock files (`mover::lock`).
/// A file that is not a readable key file opens nothing, like another password's key.
pub(crate) async fn find_master_key(
    cfg: &RepoConfig,
    op: &opendal::Operator,
) -> Result<KeySearch, MoverError> {
    let err = |what: &str, e: opendal::Error| cfg.opendal_err(what, e);
    let entries = match op.list("keys/").await {
        Ok(e) => e,
        Err(e) if e.kind() == opendal::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(err("cannot list keys of", e)),
    };
    let mut any = false;
    for entry in entries.iter().filter(|e| !e.path().ends_with('/')) {
        any = true;
        let bytes = op
            .read(entry.path())
            .await
            .map_err(|e| err("cannot read a key of", e))?
            .to_vec();
        if let Ok(Some(master)) = super::key::open_key_file(&bytes, cfg.password.expose()) {
            return Ok(KeySearch::Opened(master));
        }
    }
    Ok(if any {
        KeySearch::Foreign
    } else {
        KeySearch::NoKeys
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir.join("keys"))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_created_repository_has_one_key_of_pusdatas_cost() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = RepoConfig::local(dir.path(), "kunci-dinkes");
        let (_, created) = cfg.open_or_init().unwrap();
        assert!(created);
        let keys = key_files(dir.path());
        assert_eq!(keys.len(), 1, "{keys:?}");
        let file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&keys[0]).unwrap()).unwrap();
        assert_eq!(
            (file["N"].as_u64(), file["r"].as_u64(), file["p"].as_u64()),
            (Some(16384), Some(8), Some(4))
        );
        // Opening again neither re-creates nor adds a key.
        let (_, created) = cfg.open_or_init().unwrap();
        assert!(!created);
        assert_eq!(key_files(dir.path()).len(), 1);
        assert!(matches!(
            RepoConfig::local(dir.path(), "salah").open(),
            Err(MoverError::WrongKey(_))
        ));
    }

    #[test]
    fn an_interrupted_creation_reuses_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = RepoConfig::local(dir.path(), "kunci-dinkes");
        // A creation that died after writing its key and before the config.
        let master = cfg.prepare_key().unwrap();
        assert!(!dir.path().join("config").exists());
        let (_, created) = cfg.open_or_init().unwrap();
        assert!(created);
        assert_eq!(key_files(dir.path()).len(), 1, "no second key");
        let opened = cfg.open().unwrap();
        drop(opened);
        let first = serde_json::to_value(&master).unwrap();
        let bytes = std::fs::read(&key_files(dir.path())[0]).unwrap();
        let again = super::super::key::open_key_file(&bytes, "kunci-dinkes")
            .unwrap()
            .unwrap();
        assert_eq!(serde_json::to_value(&again).unwrap(), first);
    }

    #[test]
    fn someone_elses_half_made_repository_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        RepoConfig::local(dir.path(), "kunci-lain")
            .prepare_key()
            .unwrap();
        let before = key_files(dir.path());
        let err = RepoConfig::local(dir.path(), "kunci-dinkes")
            .open_or_init()
            .err();
        assert!(matches!(err, Some(MoverError::WrongKey(_))), "{err:?}");
        assert_eq!(key_files(dir.path()), before);
        assert!(!dir.path().join("config").exists());
    }

    #[test]
    fn parses_s3_urls() {
        let l = RepoLocation::parse("s3:http://127.0.0.1:3900/backups/dinkes/pg", "garage", true);
        let Ok(RepoLocation::S3(s)) = l else {
            panic!("not s3: {l:?}")
        };
        assert_eq!(s.endpoint, "http://127.0.0.1:3900");
        assert_eq!(s.bucket, "backups");
        assert_eq!(s.prefix, "dinkes/pg");
        assert!(RepoLocation::parse("s3:ftp://x/y", "garage", true).is_err());
        assert!(RepoLocation::parse("s3:https://host", "garage", true).is_err());
        assert_eq!(
            RepoLocation::parse("/srv/repo", "garage", true).ok(),
            Some(RepoLocation::Local("/srv/repo".into()))
        );
    }

    #[test]
    fn secrets_never_show() {
        let mut c = RepoConfig::local("/r", "hunter2-password");
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.scrub("bad hunter2-password here"), "bad *** here");
        c.progress = true;
    }
}

//! Shared helpers of the mover's black-box tests: a generated tree, hashes, the binary,
//! restic, and a real S3 server (Garage or s3s-fs) on a free loopback port.
#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "kota-bekasi-dinkes-key-1";

/// A deterministic PRNG (splitmix64) so every run writes the same bytes.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// A small tree: nested dirs, small and empty files, one multi-chunk file, a symlink.
pub fn gen_tree(root: &Path, seed: u64) {
    let mut rng = Rng::new(seed);
    for d in 0..4 {
        let dir = root.join(format!("dir{d}/sub{}", d % 2));
        fs::create_dir_all(&dir).unwrap();
        for f in 0..6 {
            let len = (rng.next() % 20_000) as usize;
            let mut buf = vec![0u8; len];
            rng.fill(&mut buf);
            fs::write(dir.join(format!("f{f}.bin")), &buf).unwrap();
        }
        fs::write(dir.join("note.txt"), format!("catatan {d}\n").repeat(100)).unwrap();
    }
    fs::write(root.join("empty"), b"").unwrap();
    let mut big = vec![0u8; 3 * 1024 * 1024 + 123];
    rng.fill(&mut big);
    fs::write(root.join("big.db"), &big).unwrap();
    std::os::unix::fs::symlink("big.db", root.join("link-to-big")).unwrap();
}

/// SHA-256 of every file (and the target of every symlink), by relative path.
pub fn hash_tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let t = e.file_type().unwrap();
            if t.is_symlink() {
                out.insert(rel, format!("-> {}", fs::read_link(&p).unwrap().display()));
            } else if t.is_dir() {
                out.insert(rel, "dir".into());
                stack.push(p);
            } else {
                let digest = Sha256::digest(fs::read(&p).unwrap());
                out.insert(rel, format!("{digest:x}"));
            }
        }
    }
    out
}

/// Every file under a directory with its size and mtime: to prove nothing was written.
pub fn listing(root: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            let rel = e.path().strip_prefix(root).unwrap().display().to_string();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.insert(rel, (m.len(), m.modified().unwrap()));
        }
    }
    out
}

/// `pusdata mover …` with the password in the environment.
pub fn pusdata(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pusdata"));
    c.args(args)
        .env("PUSDATA_REPOSITORY_PASSWORD", PASSWORD)
        .env_remove("PUSDATA_REPOSITORY")
        .env_remove("PUSDATA_PASSWORD_FILE")
        .env("PUSDATA_LOG_FORMAT", "json");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

pub fn ok(o: &Output) -> serde_json::Value {
    assert!(
        o.status.success(),
        "failed: {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    json(o)
}

pub fn json(o: &Output) -> serde_json::Value {
    let s = String::from_utf8_lossy(&o.stdout);
    let line = s.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// `restic` with the same password, via a password file.
pub fn restic(repo: &str, pw_file: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new("restic");
    c.arg("-r")
        .arg(repo)
        .arg("--password-file")
        .arg(pw_file)
        .arg("--no-cache")
        .args(args);
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

pub fn password_file(dir: &Path) -> PathBuf {
    let p = dir.join("password");
    fs::write(&p, PASSWORD).unwrap();
    p
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn on_path(bin: &str) -> Option<PathBuf> {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut dirs: Vec<PathBuf> =
        std::env::split_paths(&std::env::var("PATH").unwrap_or_default()).collect();
    dirs.push(PathBuf::from(home).join(".cargo/bin"));
    dirs.into_iter().map(|d| d.join(bin)).find(|p| p.is_file())
}

/// A real S3 server for one test, stopped on drop.
pub struct S3Server {
    child: Child,
    pub kind: &'static str,
    pub port: u16,
    pub dir: tempfile::TempDir,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    bin: PathBuf,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

impl S3Server {
    /// `PUSDATA_TEST_S3=garage|s3s-fs`; default: Garage when installed, else s3s-fs.
    pub fn start() -> S3Server {
        let choice = std::env::var("PUSDATA_TEST_S3").ok();
        let kind = match choice.as_deref() {
            Some("garage") => "garage",
            Some("s3s-fs") => "s3s-fs",
            Some(other) => panic!("PUSDATA_TEST_S3={other}: use garage or s3s-fs"),
            None if on_path("garage").is_some() => "garage",
            None => "s3s-fs",
        };
        let bin = on_path(kind).unwrap_or_else(|| {
            panic!("{kind} is not installed (cargo install --locked; see docs/testing)")
        });
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let bucket = "pusdata-drc".to_string();
        let (access_key, secret_key) = (
            "GK0123456789abcdef01234567".to_string(),
            "a".repeat(8) + &"0123456789abcdef".repeat(3) + "01234567",
        );
        let (args, envs) = if kind == "garage" {
            let rpc = free_port();
            let cfg = dir.path().join("garage.toml");
            fs::write(
                &cfg,
                format!(
                    "metadata_dir = \"{m}\"\ndata_dir = \"{d}\"\ndb_engine = \"sqlite\"\n\
                     replication_factor = 1\nrpc_bind_addr = \"127.0.0.1:{rpc}\"\n\
                     rpc_public_addr = \"127.0.0.1:{rpc}\"\nrpc_secret = \"{secret}\"\n\
                     [s3_api]\ns3_region = \"garage\"\napi_bind_addr = \"127.0.0.1:{port}\"\n\
                     root_domain = \".s3.garage.localhost\"\n",
                    m = dir.path().join("meta").display(),
                    d = dir.path().join("data").display(),
                    secret = "0123456789abcdef".repeat(4),
                ),
            )
            .unwrap();
            (
                vec![
                    "-c".to_string(),
                    cfg.display().to_string(),
                    "server".into(),
                    "--single-node".into(),
                    "--default-bucket".into(),
                ],
                vec![
                    ("GARAGE_DEFAULT_ACCESS_KEY".to_string(), access_key.clone()),
                    ("GARAGE_DEFAULT_SECRET_KEY".to_string(), secret_key.clone()),
                    ("GARAGE_DEFAULT_BUCKET".to_string(), bucket.clone()),
                    ("RUST_LOG".to_string(), "warn".to_string()),
                ],
            )
        } else {
            let root = dir.path().join("fs");
            fs::create_dir_all(root.join(&bucket)).unwrap();
            (
                vec![
                    "--host".to_string(),
                    "127.0.0.1".into(),
                    "--port".into(),
                    port.to_string(),
                    "--access-key".into(),
                    access_key.clone(),
                    "--secret-key".into(),
                    secret_key.clone(),
                    root.display().to_string(),
                ],
                vec![],
            )
        };
        let child = spawn(&bin, &args, &envs, dir.path());
        let s = S3Server {
            child,
            kind,
            port,
            dir,
            bucket,
            access_key,
            secret_key,
            bin,
            args,
            envs,
        };
        s.wait_ready();
        s
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                // Garage creates its layout, key and bucket right after binding.
                std::thread::sleep(Duration::from_millis(if self.kind == "garage" {
                    1500
                } else {
                    100
                }));
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{} did not start on port {}", self.kind, self.port);
    }

    /// Kills the server (fault injection).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port and data.
    pub fn restart(&mut self) {
        self.kill();
        self.child = spawn(&self.bin, &self.args, &self.envs, self.dir.path());
        self.wait_ready();
    }

    pub fn url(&self, prefix: &str) -> String {
        format!("s3:http://127.0.0.1:{}/{}/{prefix}", self.port, self.bucket)
    }

    pub fn envs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", self.access_key.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret_key.clone()),
            ("AWS_DEFAULT_REGION", "garage".to_string()),
        ]
    }
}

fn spawn(bin: &Path, args: &[String], envs: &[(String, String)], dir: &Path) -> Child {
    let log = fs::File::create(dir.join("server.log")).unwrap();
    Command::new(bin)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.kill();
    }
}

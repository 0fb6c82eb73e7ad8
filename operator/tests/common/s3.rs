//! A real S3 server (Garage or s3s-fs) on a free loopback port, for one test. Shared by the
//! black-box tests (`mod common`) and the controllers' unit tests in the binary crate
//! (`controllers::test_s3`, included by path), so both start servers the same way.
#![allow(dead_code)]

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
            panic!("{kind} is not installed (bash tests/run.sh installs it; PUSDATA_TEST_S3 chooses garage or s3s-fs)")
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

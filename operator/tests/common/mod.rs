//! Shared helpers of the mover's black-box tests: a generated tree, hashes, the binary,
//! restic, and a real S3 server (Garage or s3s-fs) on a free loopback port.
#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod s3;
pub use s3::*;

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

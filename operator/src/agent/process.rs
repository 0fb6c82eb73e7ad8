//! Starting `pusdata agent` as a child process — the DRC site of `pusdata drill --local`,
//! and of the black-box tests — and learning its port from the `listening on` line.

use super::AgentError;
use super::tls::TlsFiles;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How to start a child agent.
#[derive(Clone, Debug)]
pub struct AgentProcessConfig {
    /// The `pusdata` executable (`std::env::current_exe()` in the binary,
    /// `env!("CARGO_BIN_EXE_pusdata")` in tests).
    pub exe: PathBuf,
    /// The site name it answers heartbeats with.
    pub site: String,
    /// Its state directory.
    pub state_dir: PathBuf,
    /// Its certificate, key and client CA.
    pub tls: TlsFiles,
    /// Where its stand-in mover finds snapshots (default: `STATE_DIR/repo`).
    pub repo_root: Option<PathBuf>,
    /// Where it restores (default: `STATE_DIR/restores`).
    pub restore_root: Option<PathBuf>,
    /// With agency keys here, the agent restores from restic repositories with the
    /// rustic_core mover instead of the directory-copy stand-in.
    pub keys_dir: Option<PathBuf>,
    /// Agencies' repositories in S3 under this `s3:http(s)://host:port/bucket/prefix`
    /// (credentials from the environment it inherits).
    pub s3_repo_base: Option<String>,
    /// Address to listen on; a free loopback port by default.
    pub listen: String,
    /// A command that runs it (`ip netns exec NS` for partition tests); none by default.
    pub wrapper: Vec<String>,
    /// File for its log (stderr); discarded when `None`.
    pub log: Option<PathBuf>,
    /// How long to wait for it to listen before giving up.
    pub start_timeout: Duration,
}

impl AgentProcessConfig {
    /// A child agent on a free loopback port, with defaults.
    pub fn new(
        exe: impl Into<PathBuf>,
        state_dir: impl Into<PathBuf>,
        tls: TlsFiles,
    ) -> AgentProcessConfig {
        AgentProcessConfig {
            exe: exe.into(),
            site: "drc".into(),
            state_dir: state_dir.into(),
            tls,
            repo_root: None,
            restore_root: None,
            keys_dir: None,
            s3_repo_base: None,
            listen: "127.0.0.1:0".into(),
            wrapper: Vec::new(),
            log: None,
            start_timeout: Duration::from_secs(60),
        }
    }
}

/// A running child agent. Dropping it kills the process.
#[derive(Debug)]
pub struct AgentProcess {
    child: Child,
    addr: SocketAddr,
}

impl AgentProcess {
    /// Starts the agent on `cfg.listen` and waits until it says where it listens.
    pub fn spawn(cfg: &AgentProcessConfig) -> Result<AgentProcess, AgentError> {
        let mut cmd = match cfg.wrapper.split_first() {
            Some((run, args)) => {
                let mut c = Command::new(run);
                c.args(args).arg(&cfg.exe);
                c
            }
            None => Command::new(&cfg.exe),
        };
        cmd.arg("agent")
            .args(["--listen", &cfg.listen, "--site", &cfg.site])
            .arg("--state-dir")
            .arg(&cfg.state_dir)
            .arg("--tls-cert")
            .arg(&cfg.tls.cert)
            .arg("--tls-key")
            .arg(&cfg.tls.key)
            .arg("--client-ca")
            .arg(&cfg.tls.ca)
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        if let Some(r) = &cfg.repo_root {
            cmd.arg("--repo-root").arg(r);
        }
        if let Some(k) = &cfg.keys_dir {
            cmd.arg("--keys-dir").arg(k);
        }
        if let Some(u) = &cfg.s3_repo_base {
            cmd.arg("--s3-repo-base").arg(u);
        }
        if let Some(r) = &cfg.restore_root {
            cmd.arg("--restore-root").arg(r);
        }
        match &cfg.log {
            Some(path) => {
                // Appended, not replaced: an agent started again on the same state (a
                // resumed drill) keeps the log of the one before, which is where a
                // crash shows.
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| AgentError::io(path, e))?;
                cmd.stderr(f);
            }
            None => {
                cmd.stderr(Stdio::null());
            }
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| AgentError::Spawn(format!("{}: {e}", cfg.exe.display())))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(AgentError::Spawn("no stdout pipe".into()));
        };
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads to the end so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.trim().to_string());
                }
            }
        });
        let addr = match rx.recv_timeout(cfg.start_timeout) {
            Ok(a) => a
                .parse::<SocketAddr>()
                .map_err(|e| AgentError::Spawn(format!("bad address {a:?}: {e}"))),
            // Its stdout closed without the line: it exited (or is exiting), so its status
            // is worth the wait — asked at once, it may not be reaped yet, and the message
            // blamed a timeout that never ran out.
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                Err(AgentError::Spawn(match child.wait() {
                    Ok(status) => format!(
                        "the agent exited ({status}) before listening{}",
                        log_hint(cfg.log.as_deref())
                    ),
                    Err(e) => format!("the agent stopped before listening ({e})"),
                }))
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(AgentError::Spawn(format!(
                "the agent did not listen within {:?}{}",
                cfg.start_timeout,
                log_hint(cfg.log.as_deref())
            ))),
        };
        match addr {
            Ok(addr) => Ok(AgentProcess { child, addr }),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(e)
            }
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint for [`super::client::ClientConfig`]: `https://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Kills it with SIGKILL (no clean-up: this is how a crash looks) and reaps it.
    pub fn kill(mut self) -> Result<(), AgentError> {
        self.child
            .kill()
            .map_err(|e| AgentError::Spawn(format!("kill: {e}")))?;
        self.child
            .wait()
            .map_err(|e| AgentError::Spawn(format!("wait: {e}")))?;
        Ok(())
    }
}

fn log_hint(log: Option<&Path>) -> String {
    log.map(|p| format!("; see {}", p.display()))
        .unwrap_or_default()
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

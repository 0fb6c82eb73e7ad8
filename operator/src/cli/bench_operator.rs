//! `pusdata bench operator`: the operator against a city-sized world served from a separate
//! process, so that its own memory and API traffic are measured alone.
//!
//! `pusdata bench operator-world` (built with `--features bench-world`) serves
//! kube-fake-client's in-memory API over plain HTTP on loopback, seeded with `--objects`
//! Pusdata objects and `--agencies` agency namespaces, and counts every request it answers
//! (`GET /bench/stats`), by verb and resource. Lists are paged and carry a resourceVersion;
//! watches (`watch=true`) stream the ADDED/MODIFIED/DELETED events of every write the world
//! answered after that resourceVersion, until the request's `timeoutSeconds`, as a real API
//! server's do — so the operator sees its own writes (`bench_world/hub.rs`). `pusdata bench operator` starts that world, then the
//! real `pusdata operator` binary as a child (a kubeconfig pointing at the world), and
//! reads the world's counters and the child's `/proc/<pid>/status`.

use super::BenchOperatorArgs;
use crate::error::CliError;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The world's request counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Stats {
    /// GET (not watch).
    pub reads: u64,
    /// POST, PUT, PATCH, DELETE.
    pub writes: u64,
    /// Watch requests opened.
    pub watches: u64,
    /// Requests by verb and resource (`PATCH agencies/status`, `LIST hostingrequests`,
    /// `WATCH namespaces`), so that a figure can be traced to its cause.
    #[serde(default)]
    pub by_request: std::collections::BTreeMap<String, u64>,
}

impl std::ops::Sub for Stats {
    type Output = Stats;
    fn sub(self, o: Stats) -> Stats {
        Stats {
            reads: self.reads.saturating_sub(o.reads),
            writes: self.writes.saturating_sub(o.writes),
            watches: self.watches.saturating_sub(o.watches),
            by_request: self
                .by_request
                .into_iter()
                .map(|(k, n)| {
                    let before = o.by_request.get(&k).copied().unwrap_or(0);
                    (k, n.saturating_sub(before))
                })
                .filter(|(_, n)| *n > 0)
                .collect(),
        }
    }
}

impl Stats {
    /// Writes other than the leader's Lease renewals (every `retryPeriod` while leading, as
    /// client-go's election does: inherent to running with a standby, not a change).
    pub fn controller_writes(&self) -> u64 {
        let lease: u64 = self
            .by_request
            .iter()
            .filter(|(k, _)| {
                let mut it = k.split(' ');
                let verb = it.next().unwrap_or("");
                matches!(verb, "POST" | "PUT" | "PATCH" | "DELETE")
                    && it.next().is_some_and(|r| r == "leases")
            })
            .map(|(_, n)| n)
            .sum();
        self.writes.saturating_sub(lease)
    }

    /// Reads other than of the Lease (the election's own look at it).
    pub fn controller_reads(&self) -> u64 {
        let lease = self.by_request.get("GET leases").copied().unwrap_or(0);
        self.reads.saturating_sub(lease)
    }

    /// The requests of a phase, most frequent first: `LIST agencies 12, PATCH leases 30`.
    pub fn breakdown(&self) -> String {
        let mut v: Vec<(&String, &u64)> = self.by_request.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn internal(e: impl std::fmt::Display) -> CliError {
    CliError::Internal(e.to_string())
}

/// `GET /bench/stats` over a plain TCP connection.
fn stats(port: u16) -> Result<Stats, CliError> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(internal)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(internal)?;
    s.write_all(b"GET /bench/stats HTTP/1.1\r\nHost: world\r\nConnection: close\r\n\r\n")
        .map_err(internal)?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(internal)?;
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body.trim()).map_err(|e| internal(format!("stats: {e}: {body:?}")))
}

/// One `/proc/<pid>/status` field in KiB (0 when the process is gone).
fn status_kib(pid: u32, name: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Resident and peak resident memory of a process, in KiB (`VmRSS`, `VmHWM`).
fn memory(pid: u32) -> (u64, u64) {
    (status_kib(pid, "VmRSS"), status_kib(pid, "VmHWM"))
}

/// What the resident memory is: what the process allocated (`RssAnon`) and the pages of
/// files it maps, its own code first of all (`RssFile`), in MiB for the report.
fn composition(pid: u32) -> String {
    format!(
        "{:.1} MiB allocated (RssAnon) + {:.1} MiB of mapped files, mostly its code (RssFile)",
        mib(status_kib(pid, "RssAnon")),
        mib(status_kib(pid, "RssFile") + status_kib(pid, "RssShmem"))
    )
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The binary whose operator or webhook is measured: `--operator-binary`, else this one. A
/// given path that is not a file is an input error naming the flag (exit 2), found before
/// the world is seeded.
fn measured(args: &BenchOperatorArgs) -> Result<std::path::PathBuf, CliError> {
    let Some(b) = &args.operator_binary else {
        return std::env::current_exe().map_err(internal);
    };
    let refused =
        |why: String| CliError::Input(format!("--operator-binary {}: {why}", b.display()));
    match std::fs::metadata(b) {
        Ok(m) if m.is_file() => Ok(b.clone()),
        Ok(_) => Err(refused("not a file".into())),
        Err(e) => Err(refused(e.to_string())),
    }
}

/// Starts the operator of `binary` against the world.
fn operator(
    binary: &std::path::Path,
    kubeconfig: &std::path::Path,
    name: &str,
) -> Result<Child, CliError> {
    Command::new(binary)
        .args([
            "operator",
            "--lease-name",
            "pusdata-operator",
            "--identity",
            name,
        ])
        .env("KUBECONFIG", kubeconfig)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(internal)
}

/// Waits until nothing but Lease renewals and watches was answered for `quiet` (no write,
/// no read: a restart that only compares is done when it stops reading), at most
/// `timeout`; returns the time it took (up to the last such request) and whether it
/// settled.
fn settle(
    port: u16,
    pid: u32,
    quiet: Duration,
    timeout: Duration,
    peak: &mut u64,
) -> Result<(Duration, bool), CliError> {
    let start = Instant::now();
    let mut last = stats(port)?;
    let mut last_change = Instant::now();
    let mut seen_reads = false;
    loop {
        std::thread::sleep(Duration::from_millis(500));
        *peak = (*peak).max(memory(pid).1);
        let now = stats(port)?;
        if now.reads > last.reads || now.watches > last.watches {
            seen_reads = true;
        }
        if now.controller_writes() != last.controller_writes()
            || now.controller_reads() != last.controller_reads()
            || !seen_reads
        {
            last_change = Instant::now();
        }
        last = now;
        if seen_reads && last_change.elapsed() >= quiet {
            return Ok((last_change.duration_since(start), true));
        }
        if start.elapsed() >= timeout {
            return Ok((start.elapsed(), false));
        }
    }
}

/// Runs the benchmark and prints the figures.
pub fn run(args: &BenchOperatorArgs) -> Result<(), CliError> {
    let binary = measured(args)?;
    let exe = std::env::current_exe().map_err(internal)?;
    let mut world = Command::new(&exe)
        .args([
            "bench",
            "operator-world",
            "--objects",
            &args.objects.to_string(),
            "--agencies",
            &args.agencies.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(internal)?;
    let result = measure(args, &binary, &mut world);
    let _ = world.kill();
    let _ = world.wait();
    result
}

fn measure(
    args: &BenchOperatorArgs,
    binary: &std::path::Path,
    world: &mut Child,
) -> Result<(), CliError> {
    let (port, dir, kubeconfig) = connect(args, world)?;
    let result = if args.webhook {
        measure_webhook(args, binary, port, &dir, &kubeconfig)
    } else {
        measure_operator(args, binary, port, &kubeconfig)
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The world's port, once it is seeded, and a kubeconfig pointing at it (in a temporary
/// directory, removed by the caller).
fn connect(
    args: &BenchOperatorArgs,
    world: &mut Child,
) -> Result<(u16, std::path::PathBuf, std::path::PathBuf), CliError> {
    let out = world
        .stdout
        .take()
        .ok_or_else(|| internal("world: no stdout"))?;
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).map_err(internal)?;
    let port: u16 = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| {
            internal(format!(
                "`pusdata bench operator-world` did not start (built without --features bench-world?): {line:?}"
            ))
        })?;
    let dir = tempfile_dir()?;
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: world\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: world\n  context:\n    cluster: world\n    user: bench\n    namespace: pusdata-system\nusers:\n- name: bench\n  user: {{}}\ncurrent-context: world\n"
        ),
    )
    .map_err(internal)?;
    println!(
        "world: {} Pusdata objects, {} agency namespaces, served by a separate process on 127.0.0.1:{port}",
        args.objects, args.agencies
    );
    Ok((port, dir, kubeconfig))
}

/// The operator's phases: first start, idle, SIGTERM, restart.
fn measure_operator(
    args: &BenchOperatorArgs,
    binary: &std::path::Path,
    port: u16,
    kubeconfig: &std::path::Path,
) -> Result<(), CliError> {
    let kubeconfig = kubeconfig.to_path_buf();
    let quiet = Duration::from_secs(args.quiet_seconds);
    let timeout = Duration::from_secs(args.timeout_seconds);

    // First start: converges the world (creates children, writes statuses).
    let before = stats(port)?;
    let mut first = operator(binary, &kubeconfig, "bench-a")?;
    let mut peak1 = 0;
    let (t1, ok1) = settle(port, first.id(), quiet, timeout, &mut peak1)?;
    let converged = stats(port)? - before;
    println!(
        "first start: settled={ok1} in {:.1} s; {} reads, {} writes ({} besides Lease renewals), {} watches",
        t1.as_secs_f64(),
        converged.reads,
        converged.writes,
        converged.controller_writes(),
        converged.watches
    );
    println!("  requests: {}", converged.breakdown());

    // Idle.
    let idle_start = stats(port)?;
    let t = Instant::now();
    let mut peak_idle = 0;
    while t.elapsed() < Duration::from_secs(args.idle_seconds) {
        std::thread::sleep(Duration::from_millis(500));
        peak_idle = peak_idle.max(memory(first.id()).1);
    }
    let idle = stats(port)? - idle_start;
    println!("  idle requests: {}", idle.breakdown());
    let per_min = 60.0 / t.elapsed().as_secs_f64();
    let (rss1, hwm1) = memory(first.id());
    println!(
        "idle {} s: {:.1} reads/min, {:.1} writes/min ({:.1} of them Lease renewals), {:.1} watch requests/min; RSS settled {:.1} MiB, peak {:.1} MiB",
        args.idle_seconds,
        idle.reads as f64 * per_min,
        idle.writes as f64 * per_min,
        (idle.writes - idle.controller_writes()) as f64 * per_min,
        idle.watches as f64 * per_min,
        mib(rss1),
        mib(hwm1.max(peak1).max(peak_idle))
    );
    println!("  settled RSS: {}", composition(first.id()));

    // Restart: SIGTERM, then a new process over the unchanged world.
    let stop = Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status();
    let _ = first.wait();
    println!(
        "SIGTERM: the operator exited after {:.2} s",
        stop.elapsed().as_secs_f64()
    );
    let before = stats(port)?;
    let mut second = operator(binary, &kubeconfig, "bench-b")?;
    let mut peak2 = 0;
    let (t2, ok2) = settle(port, second.id(), quiet, timeout, &mut peak2)?;
    let restart = stats(port)? - before;
    println!("  restart requests: {}", restart.breakdown());
    let (rss2, hwm2) = memory(second.id());
    println!(
        "restart: settled={ok2} in {:.1} s; {} reads, {} writes ({} besides Lease renewals), {} watches; RSS {:.1} MiB, peak {:.1} MiB",
        t2.as_secs_f64(),
        restart.reads,
        restart.writes,
        restart.controller_writes(),
        restart.watches,
        mib(rss2),
        mib(hwm2.max(peak2))
    );
    let _ = second.kill();
    let _ = second.wait();
    Ok(())
}

/// `pusdata webhook --from-cluster` against the world: its memory once the context is built
/// (the first full list of every kind it watches), after `--idle-seconds`, and through a
/// burst of `--churn` Rack changes sent one after the other, each of which the webhook
/// folds into a new context.
fn measure_webhook(
    args: &BenchOperatorArgs,
    binary: &std::path::Path,
    port: u16,
    dir: &std::path::Path,
    kubeconfig: &std::path::Path,
) -> Result<(), CliError> {
    let pki = pusdata::agent::tls::LocalPki::generate().map_err(internal)?;
    let files = pki.server.write_files(&dir.join("pki")).map_err(internal)?;
    let started = Instant::now();
    let mut child = Command::new(binary)
        .arg("webhook")
        .args(["--from-cluster", "--listen", "127.0.0.1:0", "--cert"])
        .arg(&files.cert)
        .arg("--key")
        .arg(&files.key)
        .env("KUBECONFIG", kubeconfig)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(internal)?;
    let result = webhook_phases(args, port, &mut child, started);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn webhook_phases(
    args: &BenchOperatorArgs,
    port: u16,
    child: &mut Child,
    started: Instant,
) -> Result<(), CliError> {
    let pid = child.id();
    let out = child
        .stdout
        .take()
        .ok_or_else(|| internal("webhook: no stdout"))?;
    // It prints `listening on …` once every store has its first list and the context is
    // built; memory is sampled meanwhile.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(out).read_line(&mut line);
        let _ = tx.send(line);
    });
    let mut peak = 0;
    loop {
        peak = peak.max(memory(pid).1);
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) if line.contains("listening on") => break,
            Ok(line) => return Err(internal(format!("webhook did not start: {line:?}"))),
            Err(_) if started.elapsed() < Duration::from_secs(args.timeout_seconds) => {}
            Err(_) => return Err(internal("webhook: not ready within --timeout-seconds")),
        }
    }
    let ready = started.elapsed();
    let (rss_ready, _) = memory(pid);
    let wait = |seconds: u64, peak: &mut u64| {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(seconds) {
            std::thread::sleep(Duration::from_millis(200));
            *peak = (*peak).max(memory(pid).1);
        }
    };
    wait(args.idle_seconds, &mut peak);
    let (rss_idle, hwm) = memory(pid);
    peak = peak.max(hwm);
    println!(
        "webhook: context built from the world in {:.1} s (RSS {:.1} MiB); after {} s idle RSS {:.1} MiB, peak {:.1} MiB",
        ready.as_secs_f64(),
        mib(rss_ready),
        args.idle_seconds,
        mib(rss_idle),
        mib(peak)
    );
    let racks = args.objects.saturating_sub(2 * args.agencies) / 3;
    let churn = args.churn.min(racks);
    let t = Instant::now();
    for i in 0..churn {
        let body =
            format!("{{\"metadata\":{{\"annotations\":{{\"bench.pusdata.io/churn\":\"{i}\"}}}}}}");
        merge_patch(
            port,
            &format!("/apis/pusdata.io/v1alpha1/racks/R{i:05}"),
            &body,
        )?;
        if i % 20 == 0 {
            peak = peak.max(memory(pid).1);
        }
    }
    let sent = t.elapsed();
    wait(args.quiet_seconds, &mut peak);
    let (rss_after, hwm) = memory(pid);
    peak = peak.max(hwm);
    println!(
        "burst: {churn} Rack changes in {:.1} s, then {} s quiet: RSS {:.1} MiB, peak {:.1} MiB",
        sent.as_secs_f64(),
        args.quiet_seconds,
        mib(rss_after),
        mib(peak)
    );
    Ok(())
}

/// A JSON merge patch of one object, straight to the world.
fn merge_patch(port: u16, path: &str, body: &str) -> Result<(), CliError> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(internal)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(internal)?;
    write!(
        s,
        "PATCH {path} HTTP/1.1\r\nHost: world\r\nContent-Type: application/merge-patch+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(internal)?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(internal)?;
    match text.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        _ => Err(internal(format!(
            "PATCH {path}: {}",
            text.lines().next().unwrap_or("")
        ))),
    }
}

fn tempfile_dir() -> Result<std::path::PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("pusdata-bench-operator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(internal)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(binary: Option<&std::path::Path>) -> BenchOperatorArgs {
        BenchOperatorArgs {
            objects: 10,
            agencies: 1,
            idle_seconds: 1,
            quiet_seconds: 1,
            timeout_seconds: 1,
            webhook: false,
            churn: 1,
            operator_binary: binary.map(std::path::Path::to_path_buf),
        }
    }

    /// A binary that is not there, or is a directory, is refused as input naming the flag
    /// (exit 2); without the flag this executable is measured.
    #[test]
    fn the_measured_binary_must_be_a_file() {
        let dir = std::env::temp_dir();
        let missing = dir.join("pusdata-bench-no-such-binary");
        for bad in [missing.as_path(), dir.as_path()] {
            let e = measured(&args(Some(bad))).expect_err("refused");
            assert_eq!(e.exit_code(), 2, "{e}");
            assert!(e.to_string().contains("--operator-binary"), "{e}");
        }
        let me = std::env::current_exe().unwrap();
        assert_eq!(measured(&args(Some(&me))).unwrap(), me);
        assert_eq!(measured(&args(None)).unwrap(), me);
    }
}

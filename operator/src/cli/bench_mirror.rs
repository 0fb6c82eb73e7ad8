//! `pusdata bench mirror`: pusdata's bucket mirror against `rclone sync` on the same
//! objects, in one run. Three S3 servers of the same kind on loopback (a source and one
//! destination per tool); `--rounds` full mirrors of each tool, each round into fresh
//! prefixes and the tools' order alternating (on a shared machine a neighbour's burst, or
//! the source's background work after the upload, must not always fall on the same tool);
//! then a change of 1 % of the objects plus some new ones and a second (incremental)
//! mirror into the first round's prefixes. Prints figures, per-round ratios and their
//! median; asserts nothing on time.

use crate::error::CliError;
use clap::Args;
use futures::StreamExt;
use pusdata::mirror::{self, S3Endpoint};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Arguments of `pusdata bench mirror`.
#[derive(Debug, Args)]
pub struct BenchMirrorArgs {
    /// Small objects (1 B – 32 KiB).
    #[arg(long, default_value_t = 10_000)]
    pub objects: u64,
    /// Large objects (multipart).
    #[arg(long, default_value_t = 2)]
    pub large: u64,
    /// Size of each large object.
    #[arg(long, default_value = "64MiB")]
    pub large_size: bytesize::ByteSize,
    /// Parallel transfers, for both tools (rclone: `--transfers` and `--checkers`).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Full copies per tool, alternating which goes first; the median ratio is reported.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=20))]
    pub rounds: u64,
    /// `garage` or `s3s-fs` (from PATH or ~/.cargo/bin); default: Garage when installed.
    #[arg(long)]
    pub server: Option<String>,
    /// Working directory (server data); a temp dir by default, removed at the end.
    #[arg(long)]
    pub workdir: Option<PathBuf>,
}

const ACCESS: &str = "GK0123456789abcdef01234567";
const BUCKET: &str = "bench";

fn secret() -> String {
    "b".repeat(8) + &"0123456789abcdef".repeat(3) + "01234567"
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

fn on_path(bin: &str) -> Option<PathBuf> {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut dirs: Vec<PathBuf> =
        std::env::split_paths(&std::env::var("PATH").unwrap_or_default()).collect();
    dirs.push(PathBuf::from(home).join(".cargo/bin"));
    dirs.into_iter().map(|d| d.join(bin)).find(|p| p.is_file())
}

fn free_port() -> Result<u16, CliError> {
    Ok(TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(fail)?
        .port())
}

/// One S3 server process, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(kind: &str, bin: &Path, dir: &Path) -> Result<Server, CliError> {
    std::fs::create_dir_all(dir).map_err(fail)?;
    let port = free_port()?;
    let log = std::fs::File::create(dir.join("server.log")).map_err(fail)?;
    let mut cmd = Command::new(bin);
    if kind == "garage" {
        let rpc = free_port()?;
        let cfg = dir.join("garage.toml");
        std::fs::write(
            &cfg,
            format!(
                "metadata_dir = \"{m}\"\ndata_dir = \"{d}\"\ndb_engine = \"sqlite\"\n\
                 replication_factor = 1\nrpc_bind_addr = \"127.0.0.1:{rpc}\"\n\
                 rpc_public_addr = \"127.0.0.1:{rpc}\"\nrpc_secret = \"{s}\"\n\
                 [s3_api]\ns3_region = \"garage\"\napi_bind_addr = \"127.0.0.1:{port}\"\n\
                 root_domain = \".s3.garage.localhost\"\n",
                m = dir.join("meta").display(),
                d = dir.join("data").display(),
                s = "0123456789abcdef".repeat(4),
            ),
        )
        .map_err(fail)?;
        cmd.arg("-c")
            .arg(&cfg)
            .args(["server", "--single-node", "--default-bucket"])
            .env("GARAGE_DEFAULT_ACCESS_KEY", ACCESS)
            .env("GARAGE_DEFAULT_SECRET_KEY", secret())
            .env("GARAGE_DEFAULT_BUCKET", BUCKET)
            .env("RUST_LOG", "warn");
    } else {
        let root = dir.join("fs");
        std::fs::create_dir_all(root.join(BUCKET)).map_err(fail)?;
        cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS, "--secret-key", &secret()])
            .arg(&root);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| fail(format!("{}: {e}", bin.display())))?;
    let s = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            std::thread::sleep(Duration::from_millis(if kind == "garage" {
                1500
            } else {
                100
            }));
            return Ok(s);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(fail(format!("{kind} did not start on port {port}")))
}

fn endpoint(s: &Server) -> S3Endpoint {
    endpoint_at(s, "")
}

/// The bench bucket under `prefix` (`""`, or ending in `/`).
fn endpoint_at(s: &Server, prefix: &str) -> S3Endpoint {
    S3Endpoint {
        endpoint: format!("http://127.0.0.1:{}", s.port),
        bucket: BUCKET.to_string(),
        prefix: prefix.to_string(),
        region: "garage".to_string(),
        access_key_id: ACCESS.to_string(),
        secret_access_key: secret(),
    }
}

/// splitmix64: the same objects in every run.
fn fill(seed: u64, buf: &mut [u8]) {
    let mut x = seed;
    for chunk in buf.chunks_mut(8) {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let v = (z ^ (z >> 31)).to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

async fn put_many(ep: &S3Endpoint, objs: Vec<(String, u64, u64)>) -> Result<(), CliError> {
    let client = ep.client();
    let mut s = futures::stream::iter(objs.into_iter().map(|(key, size, seed)| {
        let client = client.clone();
        async move {
            let mut buf = vec![0u8; size as usize];
            fill(seed, &mut buf);
            client
                .put_object()
                .bucket(BUCKET)
                .key(&key)
                .body(buf.into())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| fail(format!("put {key}: {e}")))
        }
    }))
    .buffer_unordered(16);
    while let Some(r) = s.next().await {
        r?;
    }
    Ok(())
}

fn rclone(
    src: &Server,
    dst: &Server,
    prefix: &str,
    concurrency: usize,
) -> Result<(f64, f64), CliError> {
    let mut cmd = Command::new("rclone");
    for (name, s) in [("SRC", src), ("DST", dst)] {
        let p = format!("RCLONE_CONFIG_{name}_");
        cmd.env(format!("{p}TYPE"), "s3")
            .env(format!("{p}PROVIDER"), "Other")
            .env(
                format!("{p}ENDPOINT"),
                format!("http://127.0.0.1:{}", s.port),
            )
            .env(format!("{p}ACCESS_KEY_ID"), ACCESS)
            .env(format!("{p}SECRET_ACCESS_KEY"), secret())
            .env(format!("{p}REGION"), "garage")
            .env(format!("{p}FORCE_PATH_STYLE"), "true");
    }
    // rclone's S3 backend cannot combine AWS_CA_BUNDLE with its own HTTP transport
    // ("LoadCustomCABundleError"); the endpoints here are plain HTTP anyway.
    cmd.env_remove("AWS_CA_BUNDLE");
    let n = concurrency.to_string();
    cmd.args([
        "sync",
        &format!("src:{BUCKET}"),
        &format!("dst:{BUCKET}/{prefix}"),
    ])
    .args(["--transfers", &n, "--checkers", &n])
    .args(["--s3-upload-cutoff", "16M", "--s3-chunk-size", "16M"])
    .args(["--config", "/dev/null"])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    timed(cmd, "rclone sync")
}

/// Runs `cmd` under `/usr/bin/time`: (wall seconds, peak RSS in MiB).
fn timed(cmd: Command, what: &str) -> Result<(f64, f64), CliError> {
    let out_file =
        std::env::temp_dir().join(format!("pusdata-bench-mirror-time-{}", std::process::id()));
    let mut time = Command::new("/usr/bin/time");
    time.arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&out_file)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => time.env(k, v),
            None => time.env_remove(k),
        };
    }
    let out = time
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| fail(format!("{what}: {e}")))?;
    if !out.status.success() {
        return Err(fail(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let text = std::fs::read_to_string(&out_file).map_err(fail)?;
    let _ = std::fs::remove_file(&out_file);
    let mut last = text.lines().last().unwrap_or("").split_whitespace();
    let secs = last.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    let kib: f64 = last.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    Ok((secs, kib / 1024.0))
}

/// `pusdata mirror` as its own process (this binary), so its peak RSS is its own.
fn pusdata_mirror(
    src: &Server,
    dst: &Server,
    prefix: &str,
    concurrency: usize,
) -> Result<(f64, f64), CliError> {
    let exe = std::env::current_exe().map_err(fail)?;
    let mut cmd = Command::new(exe);
    for (side, s) in [("SRC", src), ("DST", dst)] {
        cmd.env(format!("PUSDATA_{side}_ACCESS_KEY_ID"), ACCESS)
            .env(format!("PUSDATA_{side}_SECRET_ACCESS_KEY"), secret())
            .env(format!("PUSDATA_{side}_REGION"), "garage");
        let _ = s;
    }
    cmd.env("RUST_LOG", "warn").args([
        "mirror",
        "--from",
        &format!("s3:http://127.0.0.1:{}/{BUCKET}", src.port),
        "--to",
        &format!("s3:http://127.0.0.1:{}/{BUCKET}/{prefix}", dst.port),
        "--delete-after",
        "0s",
        "--concurrency",
        &concurrency.to_string(),
    ]);
    timed(cmd, "pusdata mirror")
}

/// Runs the benchmark.
pub fn run(args: &BenchMirrorArgs) -> Result<(), CliError> {
    let kind = match args.server.as_deref() {
        Some(k @ ("garage" | "s3s-fs")) => k.to_string(),
        Some(k) => return Err(CliError::Input(format!("--server {k}: garage or s3s-fs"))),
        None if on_path("garage").is_some() => "garage".into(),
        None => "s3s-fs".into(),
    };
    let bin = on_path(&kind).ok_or_else(|| CliError::Input(format!("{kind} not installed")))?;
    let work = match &args.workdir {
        Some(p) => p.clone(),
        None => tempfile_dir()?,
    };
    let src = start(&kind, &bin, &work.join("src"))?;
    let dst_p = start(&kind, &bin, &work.join("dst-pusdata"))?;
    let dst_r = start(&kind, &bin, &work.join("dst-rclone"))?;
    let rt = mirror::runtime().map_err(fail)?;

    let mut objs = Vec::new();
    let mut total = 0u64;
    for i in 0..args.objects {
        let size = 1 + (i.wrapping_mul(2_654_435_761) % (32 * 1024));
        total += size;
        objs.push((format!("d{:02}/obj-{i:06}", i % 50), size, i));
    }
    for i in 0..args.large {
        let size = args.large_size.as_u64();
        total += size;
        objs.push((format!("large/blob-{i}"), size, 1_000_000 + i));
    }
    eprintln!("load average at the start {}", loadavg());
    eprintln!(
        "bench mirror: {kind}, {} small + {} large objects, {:.1} MiB",
        args.objects,
        args.large,
        total as f64 / 1048576.0
    );
    rt.block_on(put_many(&endpoint(&src), objs))?;

    // pusdata runs as its own process, like rclone, so that each peak RSS is the tool's.
    let run_pusdata = |prefix: &str| pusdata_mirror(&src, &dst_p, prefix, args.concurrency);
    // key → size under `prefix` of a destination (or the whole source).
    let sizes = |s: &Server, prefix: &str| -> Result<Vec<(String, u64)>, CliError> {
        let ep = endpoint_at(s, prefix);
        let listing = rt.block_on(mirror::list(&ep.client(), &ep)).map_err(fail)?;
        Ok(listing.iter().map(|(k, o)| (k.clone(), o.size)).collect())
    };
    let source = sizes(&src, "")?;
    let (mut equal_p, mut equal_r) = (true, true);
    let mut rounds = Vec::new();
    for round in 0..args.rounds {
        let prefix = format!("round-{round}/");
        let pusdata_first = round % 2 == 0;
        eprintln!("round {} (load {})", round + 1, loadavg());
        let (p, r) = if pusdata_first {
            let p = run_pusdata(&prefix)?;
            (p, rclone(&src, &dst_r, &prefix, args.concurrency)?)
        } else {
            let r = rclone(&src, &dst_r, &prefix, args.concurrency)?;
            (run_pusdata(&prefix)?, r)
        };
        equal_p &= sizes(&dst_p, &prefix)? == source;
        equal_r &= sizes(&dst_r, &prefix)? == source;
        rounds.push((p, r, pusdata_first));
    }

    // 1 % changed (new sizes), 1 % new.
    let step = 100u64;
    let mut change = Vec::new();
    for i in (0..args.objects).step_by(step as usize) {
        change.push((
            format!("d{:02}/obj-{i:06}", i % 50),
            1000 + i % 5000,
            7_000_000 + i,
        ));
        change.push((format!("new/obj-{i:06}"), 2000, 8_000_000 + i));
    }
    let changed = change.len();
    rt.block_on(put_many(&endpoint(&src), change))?;
    let p_inc = run_pusdata("round-0/")?;
    let r_inc = rclone(&src, &dst_r, "round-0/", args.concurrency)?;

    // Both destinations must equal the source.
    let source = sizes(&src, "")?;
    equal_p &= sizes(&dst_p, "round-0/")? == source;
    equal_r &= sizes(&dst_r, "round-0/")? == source;

    println!(
        "| run | pusdata mirror | rclone sync | rclone ÷ pusdata time | peak RSS pusdata | peak RSS rclone | RSS pusdata ÷ rclone |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mib = total as f64 / 1048576.0;
    let n = args.objects + args.large;
    for (i, ((p, pm), (r, rm), pusdata_first)) in rounds.iter().enumerate() {
        let first = if *pusdata_first { "pusdata" } else { "rclone" };
        println!(
            "| full, round {} ({first} first; {n} objects, {mib:.1} MiB) | {p:.2} s | {r:.2} s | {:.2} | {pm:.1} MiB | {rm:.1} MiB | {:.2} |",
            i + 1,
            r / p,
            pm / rm
        );
    }
    let med = |f: &dyn Fn(&MirrorRound) -> f64| median(rounds.iter().map(f).collect());
    let range = |f: &dyn Fn(&MirrorRound) -> f64| {
        let v: Vec<f64> = rounds.iter().map(f).collect();
        (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    };
    let p_full = med(&|r| r.0.0);
    let r_full = med(&|r| r.1.0);
    let ratio_full = med(&|r| r.1.0 / r.0.0);
    let (rlo, rhi) = range(&|r| r.1.0 / r.0.0);
    let p_rss = med(&|r| r.0.1);
    let r_rss = med(&|r| r.1.1);
    let rss_ratio = med(&|r| r.0.1 / r.1.1);
    let (mlo, mhi) = range(&|r| r.0.1 / r.1.1);
    if rounds.len() > 1 {
        println!(
            "| full, median of {} rounds | {p_full:.2} s | {r_full:.2} s | **{ratio_full:.2}** ({rlo:.2}–{rhi:.2}) | {p_rss:.1} MiB | {r_rss:.1} MiB | **{rss_ratio:.2}** ({mlo:.2}–{mhi:.2}) |",
            rounds.len()
        );
    }
    println!(
        "| incremental ({changed} changed/new) | {:.2} s | {:.2} s | {:.2} | {:.1} MiB | {:.1} MiB | {:.2} |",
        p_inc.0,
        r_inc.0,
        r_inc.0 / p_inc.0,
        p_inc.1,
        r_inc.1,
        p_inc.1 / r_inc.1
    );
    println!(
        "destinations equal to the source: pusdata {equal_p}, rclone {equal_r} ({} objects); load average at the end {}",
        source.len(),
        loadavg()
    );
    let json = serde_json::json!({
        "server": kind, "objects": args.objects, "large": args.large, "bytes": total,
        "concurrency": args.concurrency,
        "rounds": rounds.iter().map(|((p, pm), (r, rm), pusdata_first)| serde_json::json!({
            "pusdataSeconds": p, "rcloneSeconds": r, "ratio": r / p, "pusdataFirst": pusdata_first,
            "pusdataPeakRssMiB": pm, "rclonePeakRssMiB": rm,
        })).collect::<Vec<_>>(),
        "pusdata": {"fullSeconds": p_full, "incrementalSeconds": p_inc.0, "peakRssMiB": p_rss},
        "rclone": {"fullSeconds": r_full, "incrementalSeconds": r_inc.0, "peakRssMiB": r_rss},
        "ratioFull": ratio_full, "ratioIncremental": r_inc.0 / p_inc.0, "rssRatio": rss_ratio,
        "equal": {"pusdata": equal_p, "rclone": equal_r},
    });
    println!("{json}");
    drop((src, dst_p, dst_r));
    if args.workdir.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    if equal_p && equal_r {
        Ok(())
    } else {
        Err(fail("a destination differs from the source"))
    }
}

/// One round: (seconds, peak RSS MiB) of pusdata, the same of rclone, pusdata went first.
type MirrorRound = ((f64, f64), (f64, f64), bool);

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The median (the mean of the middle two for an even count); `values` is not empty.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn tempfile_dir() -> Result<PathBuf, CliError> {
    let p = std::env::temp_dir().join(format!("pusdata-bench-mirror-{}", std::process::id()));
    std::fs::create_dir_all(&p).map_err(fail)?;
    Ok(p)
}

//! `pusdata bench mover`: pusdata's mover against the restic CLI on the same generated data,
//! in one run: first backup, a 1 % change, second backup, restores. Every step runs as a
//! child process under `/usr/bin/time`, so wall time and peak RSS are measured the same way
//! for both tools. Prints a table and ratios; asserts nothing about time.

use crate::cli::mover::BenchMoverArgs;
use crate::error::CliError;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const PASSWORD: &str = "pusdata-bench-password";

/// splitmix64: deterministic data without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Random bytes, or (compressible) text-like bytes: words from a small vocabulary.
    fn fill(&mut self, buf: &mut [u8], compressible: bool) {
        const WORDS: [&str; 12] = [
            "pusdata ",
            "bekasi ",
            "dinas ",
            "kesehatan ",
            "warga ",
            "nik ",
            "2026 ",
            "layanan ",
            "data ",
            "pusat ",
            "cadangan ",
            "pemulihan ",
        ];
        if compressible {
            let mut i = 0;
            while i < buf.len() {
                let w = WORDS[self.below(WORDS.len() as u64) as usize].as_bytes();
                let n = w.len().min(buf.len() - i);
                buf[i..i + n].copy_from_slice(&w[..n]);
                i += n;
                if self.below(16) == 0 && i < buf.len() {
                    buf[i] = b'0' + (self.below(10) as u8);
                    i += 1;
                }
            }
        } else {
            for chunk in buf.chunks_mut(8) {
                let v = self.next().to_le_bytes();
                chunk.copy_from_slice(&v[..chunk.len()]);
            }
        }
    }
}

fn parse_size(s: &str) -> Result<u64, CliError> {
    let s = s.trim();
    let (num, mult) = [
        ("GiB", 1u64 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
        ("B", 1),
    ]
    .iter()
    .find_map(|(suf, m)| s.strip_suffix(suf).map(|n| (n, *m)))
    .unwrap_or((s, 1));
    num.trim()
        .parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| CliError::Input(format!("--size `{s}`: use e.g. 1GiB or 200MiB")))
}

fn io(p: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::io(p, e)
}

/// 40 % of the bytes in small files (4 KiB–256 KiB, nested dirs), 60 % in large ones
/// (8–64 MiB); every other file is compressible text.
fn generate(root: &Path, total: u64, seed: u64) -> Result<(u64, u64), CliError> {
    let mut rng = Rng(seed);
    let (mut written, mut files) = (0u64, 0u64);
    let small_budget = total * 2 / 5;
    let mut buf = Vec::new();
    while written < total {
        let small = written < small_budget;
        let len = if small {
            4096 + rng.below(252 * 1024)
        } else {
            (8 << 20) + rng.below(56 << 20)
        }
        .min(total - written);
        let dir = if small {
            root.join(format!("app{}/part{}", files % 7, (files / 7) % 13))
        } else {
            root.join("db")
        };
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        buf.resize(len as usize, 0);
        rng.fill(&mut buf, files % 2 == 0);
        let path = dir.join(format!("f{files:06}.dat"));
        fs::write(&path, &buf).map_err(io(&path))?;
        written += len;
        files += 1;
    }
    Ok((written, files))
}

/// Changes ~1 % of the bytes: rewrites some small files, overwrites a region of a large one
/// and adds a new file.
fn change_one_percent(root: &Path, total: u64, seed: u64) -> Result<u64, CliError> {
    let mut rng = Rng(seed ^ 0xC0FFEE);
    let target = total / 100;
    let mut changed = 0u64;
    let mut files = Vec::new();
    collect(root, &mut files)?;
    files.sort();
    // A third: whole small files rewritten.
    for p in files.iter().filter(|p| !p.starts_with(root.join("db"))) {
        if changed >= target / 3 {
            break;
        }
        if rng.below(10) != 0 {
            continue;
        }
        let len = fs::metadata(p).map_err(io(p))?.len();
        let mut buf = vec![0u8; len as usize];
        rng.fill(&mut buf, false);
        fs::write(p, &buf).map_err(io(p))?;
        changed += len;
    }
    // A third: a region in the middle of a large file (a database page range).
    if let Some(big) = files.iter().find(|p| p.starts_with(root.join("db"))) {
        use std::io::{Seek, SeekFrom};
        let region = target / 3;
        let mut f = fs::OpenOptions::new()
            .write(true)
            .open(big)
            .map_err(io(big))?;
        let len = f.metadata().map_err(io(big))?.len();
        f.seek(SeekFrom::Start(len / 2)).map_err(io(big))?;
        let mut buf = vec![0u8; region.min(len / 2) as usize];
        rng.fill(&mut buf, false);
        f.write_all(&buf).map_err(io(big))?;
        changed += buf.len() as u64;
    }
    // The rest: a new file.
    let rest = target.saturating_sub(changed);
    let mut buf = vec![0u8; rest as usize];
    rng.fill(&mut buf, true);
    let p = root.join("new-after-change.dat");
    fs::write(&p, &buf).map_err(io(&p))?;
    Ok(changed + rest)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    for e in fs::read_dir(dir).map_err(io(dir))? {
        let p = e.map_err(io(dir))?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn tree_hash(root: &Path) -> Result<String, CliError> {
    let mut files = Vec::new();
    collect(root, &mut files)?;
    let mut map = BTreeMap::new();
    for p in files {
        let mut h = Sha256::new();
        let mut f = fs::File::open(&p).map_err(io(&p))?;
        std::io::copy(&mut f, &mut h).map_err(io(&p))?;
        let rel = p.strip_prefix(root).unwrap_or(&p).display().to_string();
        map.insert(rel, format!("{:x}", h.finalize()));
    }
    let mut h = Sha256::new();
    for (k, v) in map {
        h.update(k.as_bytes());
        h.update(v.as_bytes());
    }
    Ok(format!("{:x}", h.finalize()))
}

/// One measured step.
struct Step {
    name: String,
    tool: &'static str,
    seconds: f64,
    peak_rss_mib: f64,
    bytes: u64,
}

fn measured(
    work: &Path,
    tool: &'static str,
    name: &str,
    bytes: u64,
    cmd: &mut Command,
) -> Result<Step, CliError> {
    let time_out = work.join("time.out");
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(ToOwned::to_owned).collect();
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned())))
        .collect();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&time_out)
        .arg(program)
        .args(args)
        .envs(envs)
        .output()
        .map_err(|e| CliError::Failed(format!("cannot run /usr/bin/time: {e}")))?;
    if !out.status.success() {
        return Err(CliError::Failed(format!(
            "{tool} {name} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let t = fs::read_to_string(&time_out).map_err(io(&time_out))?;
    let mut parts = t
        .split_whitespace()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev();
    let seconds: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let rss_kib: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let step = Step {
        name: name.to_string(),
        tool,
        seconds,
        peak_rss_mib: rss_kib / 1024.0,
        bytes,
    };
    eprintln!(
        "{:<28} {:<8} {:>8.2} s {:>9.1} MiB/s {:>8.1} MiB RSS",
        step.name,
        step.tool,
        step.seconds,
        mibps(&step),
        step.peak_rss_mib
    );
    Ok(step)
}

fn mibps(s: &Step) -> f64 {
    if s.seconds > 0.0 {
        s.bytes as f64 / (1024.0 * 1024.0) / s.seconds
    } else {
        0.0
    }
}

fn dir_size(p: &Path) -> u64 {
    let mut files = Vec::new();
    if collect(p, &mut files).is_err() {
        return 0;
    }
    files
        .iter()
        .filter_map(|f| fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}

/// Runs the benchmark and prints a Markdown table with ratios.
pub fn run(args: &BenchMoverArgs) -> Result<(), CliError> {
    let size = parse_size(&args.size)?;
    let tmp;
    let work = match &args.workdir {
        Some(w) => {
            fs::create_dir_all(w).map_err(io(w))?;
            w.clone()
        }
        None => {
            tmp = std::env::temp_dir().join(format!("pusdata-bench-{}", std::process::id()));
            fs::create_dir_all(&tmp).map_err(io(&tmp))?;
            tmp.clone()
        }
    };
    let exe = std::env::current_exe().map_err(|e| CliError::Internal(e.to_string()))?;
    let src = work.join("data");
    let (repo_p, repo_r) = (work.join("repo-pusdata"), work.join("repo-restic"));
    for d in [&src, &repo_p, &repo_r] {
        if d.exists() {
            return Err(CliError::Input(format!(
                "{} exists: give an empty --workdir",
                d.display()
            )));
        }
    }
    let pw = work.join("password");
    fs::write(&pw, PASSWORD).map_err(io(&pw))?;
    eprintln!("generating {} bytes under {}", size, src.display());
    let (bytes, files) = generate(&src, size, args.seed)?;
    eprintln!("{files} files");
    let src_s = src.display().to_string();

    let pusdata = |a: &[&str]| {
        let mut c = Command::new(&exe);
        c.arg("mover")
            .args(a)
            .env("PUSDATA_REPOSITORY_PASSWORD", PASSWORD);
        c
    };
    let restic = |a: &[&str]| {
        let mut c = Command::new("restic");
        c.arg("-r")
            .arg(&repo_r)
            .arg("--password-file")
            .arg(&pw)
            .arg("--no-cache")
            .arg("-q")
            .args(a);
        c
    };
    let rp = repo_p.display().to_string();
    let init = restic(&["init"])
        .output()
        .map_err(|e| CliError::Failed(format!("restic: {e}")))?;
    if !init.status.success() {
        return Err(CliError::Failed(format!(
            "restic init: {}",
            String::from_utf8_lossy(&init.stderr)
        )));
    }

    let mut steps = Vec::new();
    let backup = [
        "backup",
        "-r",
        &rp,
        "--path",
        &src_s,
        "--tag",
        "bench=mover",
    ];
    steps.push(measured(
        &work,
        "pusdata",
        "backup 1 (full)",
        bytes,
        &mut pusdata(&backup),
    )?);
    steps.push(measured(
        &work,
        "restic",
        "backup 1 (full)",
        bytes,
        &mut restic(&["backup", &src_s]),
    )?);
    let size1 = (dir_size(&repo_p), dir_size(&repo_r));
    let changed = change_one_percent(&src, bytes, args.seed)?;
    let bytes2 = dir_size(&src);
    eprintln!("changed {changed} bytes");
    steps.push(measured(
        &work,
        "pusdata",
        "backup 2 (1 % changed)",
        bytes2,
        &mut pusdata(&backup),
    )?);
    steps.push(measured(
        &work,
        "restic",
        "backup 2 (1 % changed)",
        bytes2,
        &mut restic(&["backup", &src_s]),
    )?);
    let size2 = (dir_size(&repo_p), dir_size(&repo_r));

    let expected = tree_hash(&src)?;
    let (t1, t2, t3) = (
        work.join("restore-pusdata"),
        work.join("restore-rustic"),
        work.join("restore-restic"),
    );
    let (t1s, t2s, t3s) = (
        t1.display().to_string(),
        t2.display().to_string(),
        t3.display().to_string(),
    );
    steps.push(measured(
        &work,
        "pusdata",
        "restore (streaming)",
        bytes2,
        &mut pusdata(&["restore", "-r", &rp, "--target", &t1s]),
    )?);
    steps.push(measured(
        &work,
        "pusdata",
        "restore (rustic engine)",
        bytes2,
        &mut pusdata(&["restore", "-r", &rp, "--target", &t2s, "--engine", "rustic"]),
    )?);
    steps.push(measured(
        &work,
        "restic",
        "restore",
        bytes2,
        &mut restic(&["restore", "latest", "--target", &t3s]),
    )?);
    // The same engines on restic's repository: same packs for both tools, and proof that
    // pusdata restores what restic wrote.
    let (t4, t5) = (
        work.join("restore-pusdata-from-restic"),
        work.join("restore-rustic-from-restic"),
    );
    let (t4s, t5s) = (t4.display().to_string(), t5.display().to_string());
    let rr = repo_r.display().to_string();
    let pw_s = pw.display().to_string();
    let from_restic = ["restore", "-r", &rr, "--password-file", &pw_s, "--target"];
    let mut a4: Vec<&str> = from_restic.to_vec();
    a4.push(&t4s);
    steps.push(measured(
        &work,
        "pusdata",
        "restore restic repo (streaming)",
        bytes2,
        &mut pusdata(&a4),
    )?);
    let mut a5: Vec<&str> = from_restic.to_vec();
    a5.extend([t5s.as_str(), "--engine", "rustic"]);
    steps.push(measured(
        &work,
        "pusdata",
        "restore restic repo (rustic engine)",
        bytes2,
        &mut pusdata(&a5),
    )?);
    let restic_root = t3.join(src.strip_prefix("/").unwrap_or(&src));
    for (name, dir) in [
        ("streaming", &t1),
        ("rustic engine", &t2),
        ("streaming from restic repo", &t4),
        ("rustic engine from restic repo", &t5),
        ("restic", &restic_root),
    ] {
        let h = tree_hash(dir)?;
        if h != expected {
            return Err(CliError::Failed(format!(
                "{name} restore differs from the source"
            )));
        }
    }

    println!(
        "## Mover benchmark: {bytes} bytes in {files} files ({} MiB), 1 % change = {changed} bytes\n",
        bytes >> 20
    );
    println!(
        "| step | tool | seconds | MiB/s | peak RSS MiB | pusdata/restic time | pusdata/restic RSS |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    let restic_of = |name: &str| -> Option<&Step> {
        let base = if name.starts_with("restore") {
            "restore"
        } else {
            name
        };
        steps.iter().find(|s| s.tool == "restic" && s.name == base)
    };
    for s in &steps {
        let (rt, rr) = match (s.tool, restic_of(&s.name)) {
            ("pusdata", Some(r)) => (
                format!("{:.2}", s.seconds / r.seconds.max(0.001)),
                format!("{:.2}", s.peak_rss_mib / r.peak_rss_mib.max(0.001)),
            ),
            _ => (String::new(), String::new()),
        };
        println!(
            "| {} | {} | {:.2} | {:.1} | {:.1} | {rt} | {rr} |",
            s.name,
            s.tool,
            s.seconds,
            mibps(s),
            s.peak_rss_mib
        );
    }
    println!(
        "\nRepository size after backup 1: pusdata {} MiB, restic {} MiB; after backup 2: pusdata {} MiB, restic {} MiB. All restores matched the source (SHA-256).",
        size1.0 >> 20,
        size1.1 >> 20,
        size2.0 >> 20,
        size2.1 >> 20
    );
    if !args.keep && args.workdir.is_none() {
        let _ = fs::remove_dir_all(&work);
    }
    Ok(())
}

//! `pusdata bench mover`: pusdata's mover against the restic CLI on the same data, in one
//! run, round after round: full backup, a seeded ~1 % change, incremental backup, restore.
//! Two shapes of data: generated files, and a copy of part of a real tree (`/usr`: tens of
//! thousands of small files in deep directories, symlinks, hard links, a few large files).
//! Odd rounds run pusdata first, even rounds restic first, so neither tool always meets the
//! page cache or the neighbours' load the other left. Each round also times the compression
//! floor (`tar | zstd -3 -T<cores>`) and a plain read (`tar | cat`) of the same tree.
//! Every step runs as a child process under `/usr/bin/time`, so wall time and peak RSS are
//! measured the same way for both tools. Every pusdata restore is checked field by field
//! against its snapshot (the metadata-aware `verify_restored`) and both tools' restores by
//! content against the source. Prints medians and ranges; asserts nothing about time.

use crate::error::CliError;
use clap::{Args, ValueEnum};
use pusdata::mover::{self, RepoConfig, SnapshotRef};
use pusdata_crds::v1alpha1::VerificationStatus;
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

/// Every entry under `dir` (not following symlinks), files and symlinks only.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    for e in fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let p = e.path();
        if e.file_type().map_err(io(&p))?.is_dir() {
            collect(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Content of a tree: every path with its kind, a file's SHA-256, a symlink's target.
fn tree_hash(root: &Path) -> Result<String, CliError> {
    fn walk(root: &Path, dir: &Path, map: &mut BTreeMap<String, String>) -> Result<(), CliError> {
        for e in fs::read_dir(dir).map_err(io(dir))? {
            let p = e.map_err(io(dir))?.path();
            let m = fs::symlink_metadata(&p).map_err(io(&p))?;
            let rel = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            let value = if m.is_dir() {
                walk(root, &p, map)?;
                "dir".to_string()
            } else if m.file_type().is_symlink() {
                format!("link {}", fs::read_link(&p).map_err(io(&p))?.display())
            } else if m.is_file() {
                let mut h = Sha256::new();
                let mut f = fs::File::open(&p).map_err(io(&p))?;
                std::io::copy(&mut f, &mut h).map_err(io(&p))?;
                format!("file {:x}", h.finalize())
            } else {
                "special".to_string()
            };
            map.insert(rel, value);
        }
        Ok(())
    }
    let mut map = BTreeMap::new();
    walk(root, root, &mut map)?;
    let mut h = Sha256::new();
    for (k, v) in map {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    Ok(format!("{:x}", h.finalize()))
}

/// What a real-tree copy holds.
#[derive(Default)]
struct Shape {
    bytes: u64,
    files: u64,
    symlinks: u64,
    dirs: u64,
    large: Vec<(String, u64)>,
    max_depth: usize,
    hard_linked: u64,
}

const LARGE: u64 = 50 << 20;
const SMALL: u64 = 1 << 20;

/// Copies part of `source` into `dest` with tar (modes, owners, times, xattrs and hard links
/// kept): in sorted path order, every file under 1 MiB until 70 % of `budget`, the first
/// (at most four) files over 50 MiB that fit into the rest, and every directory and symlink
/// in the part of the tree those files cover. The same source gives the same copy.
fn copy_real(source: &Path, dest: &Path, budget: u64) -> Result<Shape, CliError> {
    use std::os::unix::fs::MetadataExt;
    let mut entries: Vec<(PathBuf, fs::Metadata)> = Vec::new();
    fn walk(
        root: &Path,
        dir: &Path,
        out: &mut Vec<(PathBuf, fs::Metadata)>,
    ) -> Result<(), CliError> {
        let Ok(rd) = fs::read_dir(dir) else {
            return Ok(());
        };
        let mut names: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        names.sort();
        for p in names {
            let Ok(m) = fs::symlink_metadata(&p) else {
                continue;
            };
            let rel = p.strip_prefix(root).unwrap_or(&p).to_path_buf();
            let is_dir = m.is_dir();
            out.push((rel, m));
            if is_dir {
                walk(root, &p, out)?;
            }
        }
        Ok(())
    }
    walk(source, source, &mut entries)?;
    let mut large_left = budget * 3 / 10;
    let mut large: Vec<usize> = Vec::new();
    for (i, (_, m)) in entries.iter().enumerate() {
        if m.is_file() && m.len() >= LARGE && m.len() <= large_left && large.len() < 4 {
            large_left -= m.len();
            large.push(i);
        }
    }
    let large_bytes: u64 = large.iter().map(|&i| entries[i].1.len()).sum();
    let mut small_left = budget.saturating_sub(large_bytes);
    let mut cutoff = entries.len();
    for (i, (_, m)) in entries.iter().enumerate() {
        if m.is_file() && m.len() < SMALL {
            if m.len() > small_left {
                cutoff = i;
                break;
            }
            small_left -= m.len();
        }
    }
    // The directories above a large file past the cutoff come with it.
    let above_large: std::collections::BTreeSet<&Path> = large
        .iter()
        .flat_map(|&i| entries[i].0.ancestors().skip(1))
        .collect();
    let mut shape = Shape::default();
    let mut list = Vec::new();
    for (i, (rel, m)) in entries.iter().enumerate() {
        let take = if m.is_file() {
            (i < cutoff && m.len() < SMALL) || large.contains(&i)
        } else if m.is_dir() {
            i < cutoff || above_large.contains(rel.as_path())
        } else {
            i < cutoff && m.file_type().is_symlink()
        };
        if !take {
            continue;
        }
        if m.is_file() {
            shape.files += 1;
            shape.bytes += m.len();
            if m.nlink() > 1 {
                shape.hard_linked += 1;
            }
            if m.len() >= LARGE {
                shape.large.push((rel.display().to_string(), m.len()));
            }
        } else if m.is_dir() {
            shape.dirs += 1;
        } else {
            shape.symlinks += 1;
        }
        shape.max_depth = shape.max_depth.max(rel.components().count());
        list.extend_from_slice(rel.as_os_str().as_encoded_bytes());
        list.push(0);
    }
    fs::create_dir_all(dest).map_err(io(dest))?;
    let list_file = dest.with_extension("list");
    fs::write(&list_file, &list).map_err(io(&list_file))?;
    let script = format!(
        "tar -C '{}' --null --no-recursion --xattrs -T '{}' -cf - | tar -C '{}' --xattrs --xattrs-include='*' -xpf -",
        source.display(),
        list_file.display(),
        dest.display()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .map_err(|e| CliError::Failed(format!("tar: {e}")))?;
    let _ = fs::remove_file(&list_file);
    if !out.status.success() {
        return Err(CliError::Failed(format!(
            "copying {} failed: {}",
            source.display(),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(shape)
}

/// A seeded ~1 % change of a real tree: small files overwritten in place at a random offset,
/// a region of the largest file overwritten, some files deleted, new files added.
fn change_real(root: &Path, total: u64, seed: u64) -> Result<u64, CliError> {
    use std::io::{Seek, SeekFrom};
    let mut rng = Rng(seed ^ 0x5EED_C4A6);
    let target = total / 100;
    let mut files = Vec::new();
    collect(root, &mut files)?;
    files.retain(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file()));
    files.sort();
    let sizes: Vec<u64> = files
        .iter()
        .map(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .collect();
    let mut changed = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for (p, &len) in files.iter().zip(&sizes) {
        if len == 0 || len >= SMALL {
            continue;
        }
        match rng.below(60) {
            0 if changed < target / 3 => {
                let n = len.min(4096);
                let at = rng.below(len - n + 1);
                rng.fill(&mut buf[..n as usize], false);
                let mut f = fs::OpenOptions::new().write(true).open(p).map_err(io(p))?;
                f.seek(SeekFrom::Start(at)).map_err(io(p))?;
                f.write_all(&buf[..n as usize]).map_err(io(p))?;
                changed += n;
            }
            1 if rng.below(8) == 0 => {
                fs::remove_file(p).map_err(io(p))?;
            }
            _ => {}
        }
    }
    if let Some((big, &len)) = files.iter().zip(&sizes).max_by_key(|(_, l)| **l) {
        let region = (target / 3).min(len / 2);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .open(big)
            .map_err(io(big))?;
        f.seek(SeekFrom::Start(len / 2)).map_err(io(big))?;
        let mut left = region;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            rng.fill(&mut buf[..n], false);
            f.write_all(&buf[..n]).map_err(io(big))?;
            left -= n as u64;
        }
        changed += region;
    }
    let dir = root.join("pusdata-bench-new");
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut i = 0;
    while changed < target {
        let n = (4096 + rng.below(60 * 1024)).min(target - changed).max(1) as usize;
        let mut data = vec![0u8; n];
        rng.fill(&mut data, i % 2 == 0);
        let p = dir.join(format!("n{i:05}.txt"));
        fs::write(&p, &data).map_err(io(&p))?;
        changed += n as u64;
        i += 1;
    }
    Ok(changed)
}

/// One measured step.
#[derive(Debug)]
struct Step {
    seconds: f64,
    /// User plus system CPU time: on a machine whose cores both tools keep busy, the ratio
    /// of wall times is the ratio of CPU time per byte, and this says which it is.
    cpu_seconds: f64,
    peak_rss_mib: f64,
}

/// `/usr/bin/time -f "%e %U %S %M"` output (its last line: a failed child's status comes
/// before it). Anything else is an error, never a zero that would pass for a fast step.
fn parse_time(text: &str) -> Result<Step, String> {
    let line = text.lines().last().unwrap_or_default();
    let fields: Vec<f64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| format!("unreadable /usr/bin/time output: {text:?}"))?;
    let [wall, user, sys, rss_kib] = fields[..] else {
        return Err(format!("unreadable /usr/bin/time output: {text:?}"));
    };
    Ok(Step {
        seconds: wall,
        cpu_seconds: user + sys,
        peak_rss_mib: rss_kib / 1024.0,
    })
}

fn measured(work: &Path, label: &str, cmd: &mut Command) -> Result<Step, CliError> {
    let time_out = work.join("time.out");
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(ToOwned::to_owned).collect();
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned())))
        .collect();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %U %S %M")
        .arg("-o")
        .arg(&time_out)
        .arg(program)
        .args(args)
        .envs(envs)
        .output()
        .map_err(|e| CliError::Failed(format!("cannot run /usr/bin/time: {e}")))?;
    if !out.status.success() {
        return Err(CliError::Failed(format!(
            "{label} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let t = fs::read_to_string(&time_out).map_err(io(&time_out))?;
    let step = parse_time(&t).map_err(|e| CliError::Failed(format!("{label}: {e}")))?;
    eprintln!(
        "  {label:<34} {:>8.2} s {:>8.2} CPU s {:>8.1} MiB RSS",
        step.seconds, step.cpu_seconds, step.peak_rss_mib
    );
    Ok(step)
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| "?".into());
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or_else(|| "?".into(), |kib| format!("{} GiB", kib >> 20));
    format!("{} × {cpu}, {mem}", cores())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Median and range of a sample.
fn summary(v: &[f64]) -> (f64, f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let med = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    (med, s[0], s[n - 1])
}

fn fmt3((m, lo, hi): (f64, f64, f64), digits: usize) -> String {
    format!("{m:.digits$} ({lo:.digits$}–{hi:.digits$})")
}

/// The figures of one round.
#[derive(Default)]
struct Round {
    /// (pusdata, restic) per step: full, incremental, restore.
    steps: [(Option<Step>, Option<Step>); 3],
    zstd: f64,
    read: f64,
    pusdata_first: bool,
}

const STEPS: [&str; 3] = ["full backup", "incremental (~1 % changed)", "restore"];
/// Issue #18's targets on the real tree: restic's time ÷ pusdata's time at least this.
const TARGETS: [f64; 3] = [2.0, 3.0, 2.5];

/// `pusdata bench mover`.
#[derive(Debug, Args)]
pub struct BenchMoverArgs {
    /// Size of the generated data set (`1GiB`, `200MiB`).
    #[arg(long, default_value = "1GiB")]
    pub size: String,
    /// Working directory (data, repositories, restores); a temp dir by default.
    #[arg(long)]
    pub workdir: Option<PathBuf>,
    /// Keep the working directory.
    #[arg(long)]
    pub keep: bool,
    /// PRNG seed of the data set and of the change set.
    #[arg(long, default_value_t = 5)]
    pub seed: u64,
    /// Which data: the generated files, a copy of part of a real tree, or both.
    #[arg(long, value_enum, default_value_t = BenchShape::Both)]
    pub shape: BenchShape,
    /// The real tree copied for `--shape real-tree` (small files, symlinks, a few large files).
    #[arg(long, default_value = "/usr")]
    pub source: PathBuf,
    /// How much of `--source` to copy.
    #[arg(long, default_value = "1GiB")]
    pub real_size: String,
    /// Rounds; odd rounds run pusdata first, even rounds restic first.
    #[arg(long, default_value_t = 5)]
    pub rounds: u32,
}

/// The data of `pusdata bench mover`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BenchShape {
    /// Generated files (`--size`).
    Generated,
    /// A copy of part of `--source`.
    RealTree,
    /// Both, one after the other.
    Both,
}

/// Runs the benchmark and prints Markdown tables with medians and ranges.
pub fn run(args: &BenchMoverArgs) -> Result<(), CliError> {
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
    let pw = work.join("password");
    fs::write(&pw, PASSWORD).map_err(io(&pw))?;
    let shapes: &[BenchShape] = match args.shape {
        BenchShape::Both => &[BenchShape::Generated, BenchShape::RealTree],
        BenchShape::Generated => &[BenchShape::Generated],
        BenchShape::RealTree => &[BenchShape::RealTree],
    };
    println!(
        "# Mover benchmark\n\nMachine: {}. `restic` {}. Rounds: {}; odd rounds pusdata first.\n",
        machine(),
        restic_version(),
        args.rounds
    );
    for shape in shapes {
        run_shape(args, *shape, &work, &pw)?;
    }
    if !args.keep && args.workdir.is_none() {
        let _ = fs::remove_dir_all(&work);
    }
    Ok(())
}

fn restic_version() -> String {
    Command::new("restic")
        .arg("version")
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .nth(1)
                .unwrap_or("?")
                .to_string()
        })
        .unwrap_or_else(|| "?".into())
}

fn sync() {
    let _ = Command::new("sync").status();
}

fn run_shape(
    args: &BenchMoverArgs,
    shape: BenchShape,
    work: &Path,
    pw: &Path,
) -> Result<(), CliError> {
    let name = if shape == BenchShape::RealTree {
        "real-tree"
    } else {
        "generated"
    };
    let pristine = work.join(format!("{name}-pristine"));
    let src = work.join("data");
    for d in [&pristine, &src] {
        if d.exists() {
            return Err(CliError::Input(format!(
                "{} exists: give an empty --workdir",
                d.display()
            )));
        }
    }
    let description = if shape == BenchShape::RealTree {
        let budget = parse_size(&args.real_size)?;
        eprintln!(
            "copying {budget} bytes of {} to {}",
            args.source.display(),
            pristine.display()
        );
        let s = copy_real(&args.source, &pristine, budget)?;
        let large: Vec<String> = s
            .large
            .iter()
            .map(|(p, n)| format!("{p} ({} MiB)", n >> 20))
            .collect();
        format!(
            "a copy of part of `{}`: {} bytes ({} MiB) in {} files ({} hard-linked), {} symlinks, {} directories, depth up to {}; large files: {}",
            args.source.display(),
            s.bytes,
            s.bytes >> 20,
            s.files,
            s.hard_linked,
            s.symlinks,
            s.dirs,
            s.max_depth,
            large.join(", ")
        )
    } else {
        let size = parse_size(&args.size)?;
        let (bytes, files) = generate(&pristine, size, args.seed)?;
        format!(
            "generated (seed {}): {bytes} bytes ({} MiB) in {files} files, 40 % in 4–256 KiB files, 60 % in 8–64 MiB files",
            args.seed,
            bytes >> 20
        )
    };
    let exe = std::env::current_exe().map_err(|e| CliError::Internal(e.to_string()))?;
    let (repo_p, repo_r) = (work.join("repo-pusdata"), work.join("repo-restic"));
    let (out_p, out_r) = (work.join("restore-pusdata"), work.join("restore-restic"));
    let src_s = src.display().to_string();
    let rp = repo_p.display().to_string();
    let pusdata = |a: &[&str]| {
        let mut c = Command::new(&exe);
        c.arg("mover")
            .args(a)
            .env("PUSDATA_REPOSITORY_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn");
        c
    };
    let restic = |a: &[&str]| {
        let mut c = Command::new("restic");
        c.arg("-r")
            .arg(&repo_r)
            .arg("--password-file")
            .arg(pw)
            .arg("--no-cache")
            .arg("-q")
            .args(a);
        c
    };
    let load_start = loadavg();
    let mut rounds = Vec::new();
    let (mut bytes, mut bytes2, mut changed) = (0, 0, 0);
    for round in 1..=args.rounds {
        eprintln!("{name}, round {round} (load {})", loadavg());
        for d in [&src, &repo_p, &repo_r, &out_p, &out_r] {
            if d.exists() {
                fs::remove_dir_all(d).map_err(io(d))?;
            }
        }
        let cp = Command::new("cp")
            .arg("-a")
            .arg(&pristine)
            .arg(&src)
            .status()
            .map_err(|e| CliError::Failed(format!("cp: {e}")))?;
        if !cp.success() {
            return Err(CliError::Failed("cp -a of the pristine tree failed".into()));
        }
        bytes = dir_size(&src);
        let init = restic(&["init"])
            .output()
            .map_err(|e| CliError::Failed(format!("restic: {e}")))?;
        if !init.status.success() {
            return Err(CliError::Failed(format!(
                "restic init: {}",
                String::from_utf8_lossy(&init.stderr)
            )));
        }
        sync();
        let mut r = Round {
            pusdata_first: round % 2 == 1,
            ..Round::default()
        };
        let t = |cmd: &str| {
            let mut c = Command::new("sh");
            c.arg("-c").arg(cmd);
            c
        };
        r.zstd = measured(
            work,
            "tar | zstd (floor)",
            &mut t(&format!(
                "tar -C '{src_s}' -cf - . | zstd -q -3 -T{} > /dev/null",
                cores()
            )),
        )?
        .seconds;
        r.read = measured(
            work,
            "tar | cat (read)",
            &mut t(&format!("tar -C '{src_s}' -cf - . | cat > /dev/null")),
        )?
        .seconds;
        let backup = [
            "backup",
            "-r",
            &rp,
            "--path",
            &src_s,
            "--tag",
            "bench=mover",
        ];
        let order = if r.pusdata_first {
            [true, false]
        } else {
            [false, true]
        };
        for p in order {
            let s = if p {
                measured(work, "pusdata full", &mut pusdata(&backup))?
            } else {
                measured(work, "restic full", &mut restic(&["backup", &src_s]))?
            };
            if p {
                r.steps[0].0 = Some(s)
            } else {
                r.steps[0].1 = Some(s)
            }
        }
        changed = if shape == BenchShape::RealTree {
            change_real(&src, bytes, args.seed)?
        } else {
            change_one_percent(&src, bytes, args.seed)?
        };
        bytes2 = dir_size(&src);
        sync();
        for p in order {
            let s = if p {
                measured(work, "pusdata incremental", &mut pusdata(&backup))?
            } else {
                measured(work, "restic incremental", &mut restic(&["backup", &src_s]))?
            };
            if p {
                r.steps[1].0 = Some(s)
            } else {
                r.steps[1].1 = Some(s)
            }
        }
        let (ops, ors) = (out_p.display().to_string(), out_r.display().to_string());
        for p in order {
            let s = if p {
                measured(
                    work,
                    "pusdata restore",
                    &mut pusdata(&["restore", "-r", &rp, "--target", &ops]),
                )?
            } else {
                measured(
                    work,
                    "restic restore",
                    &mut restic(&["restore", "latest", "--target", &ors]),
                )?
            };
            if p {
                r.steps[2].0 = Some(s)
            } else {
                r.steps[2].1 = Some(s)
            }
            sync();
        }
        // Untimed checks: pusdata's restore field by field against its snapshot (type,
        // contents, mode with special bits, owner, times, xattrs, links, hard links,
        // holes); both restores by content against the source.
        let cfg = RepoConfig::local(&repo_p, PASSWORD);
        let report = mover::verify_restored(&cfg, &SnapshotRef::Latest, &[], &out_p)
            .map_err(|e| CliError::Failed(format!("verify: {e}")))?;
        if report.status != VerificationStatus::Verified {
            let first: Vec<String> = report
                .mismatches
                .iter()
                .take(5)
                .map(|m| format!("{}: {}", m.path, m.reason))
                .collect();
            return Err(CliError::Failed(format!(
                "pusdata's restore differs from its snapshot ({} mismatches): {}",
                report.mismatches.len(),
                first.join("; ")
            )));
        }
        let expected = tree_hash(&src)?;
        let restic_root = out_r.join(src.strip_prefix("/").unwrap_or(&src));
        for (tool, dir) in [("pusdata", &out_p), ("restic", &restic_root)] {
            if tree_hash(dir)? != expected {
                return Err(CliError::Failed(format!(
                    "{tool}'s restore differs from the source"
                )));
            }
        }
        rounds.push(r);
    }
    let load_end = loadavg();
    print_shape(
        name,
        &description,
        &rounds,
        bytes,
        bytes2,
        changed,
        &load_start,
        &load_end,
    );
    for d in [&src, &repo_p, &repo_r, &out_p, &out_r] {
        let _ = fs::remove_dir_all(d);
    }
    if !args.keep {
        let _ = fs::remove_dir_all(&pristine);
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn print_shape(
    name: &str,
    description: &str,
    rounds: &[Round],
    bytes: u64,
    bytes2: u64,
    changed: u64,
    load_start: &str,
    load_end: &str,
) {
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!("## Shape `{name}`\n\n{description}. Change set: {changed} bytes.\n");
    println!("Load average (1, 5, 15 min) at the start: {load_start}; at the end: {load_end}.\n");
    println!(
        "| step | pusdata s, median (range) | restic s, median (range) | speed-up restic ÷ pusdata, median (range) | target | pusdata MiB/s | CPU s pusdata / restic (median) | peak RSS pusdata ÷ restic, median (range) | peak RSS MiB pusdata / restic (median) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    // One figure of step `i` of every round, for pusdata (`p`) or restic.
    let of = |i: usize, p: bool, figure: fn(&Step) -> f64| -> Vec<f64> {
        rounds
            .iter()
            .filter_map(|r| if p { &r.steps[i].0 } else { &r.steps[i].1 }.as_ref())
            .map(figure)
            .collect()
    };
    let secs = |i: usize, p: bool| of(i, p, |s| s.seconds);
    let rss = |i: usize, p: bool| of(i, p, |s| s.peak_rss_mib);
    let cpu = |i: usize, p: bool| summary(&of(i, p, |s| s.cpu_seconds)).0;
    for (i, step) in STEPS.iter().enumerate() {
        let ratio: Vec<f64> = secs(i, false)
            .iter()
            .zip(secs(i, true))
            .map(|(r, p)| r / p.max(0.001))
            .collect();
        let rss_ratio: Vec<f64> = rss(i, true)
            .iter()
            .zip(rss(i, false))
            .map(|(p, r)| p / r.max(0.001))
            .collect();
        let (pm, _, _) = summary(&secs(i, true));
        let size = if i == 0 { bytes } else { bytes2 };
        let (r, _, _) = summary(&ratio);
        let met = if r >= TARGETS[i] {
            "met"
        } else {
            "**not met**"
        };
        println!(
            "| {step} | {} | {} | **{}** | ≥ {:.1}× ({met}) | {:.0} | {:.2} / {:.2} | {} | {:.0} / {:.0} |",
            fmt3(summary(&secs(i, true)), 2),
            fmt3(summary(&secs(i, false)), 2),
            fmt3(summary(&ratio), 2),
            TARGETS[i],
            mib(size) / pm.max(0.001),
            cpu(i, true),
            cpu(i, false),
            fmt3(summary(&rss_ratio), 2),
            summary(&rss(i, true)).0,
            summary(&rss(i, false)).0,
        );
    }
    let full = secs(0, true);
    let zstd: Vec<f64> = rounds.iter().map(|r| r.zstd).collect();
    let read: Vec<f64> = rounds.iter().map(|r| r.read).collect();
    let of_zstd: Vec<f64> = zstd
        .iter()
        .zip(&full)
        .map(|(z, p)| z / p.max(0.001))
        .collect();
    let of_read: Vec<f64> = read
        .iter()
        .zip(&full)
        .map(|(z, p)| z / p.max(0.001))
        .collect();
    let (zm, _, _) = summary(&zstd);
    let (rm, _, _) = summary(&read);
    println!(
        "\nFull backup's throughput as a fraction of `tar | zstd -3 -T{}` over the same tree (the compression floor, {:.0} MiB/s, {} s): **{}** (target ≥ 0.8); of a plain read (`tar | cat`, {:.0} MiB/s, {} s): **{}**.",
        cores(),
        mib(bytes) / zm.max(0.001),
        fmt3(summary(&zstd), 2),
        fmt3(summary(&of_zstd), 2),
        mib(bytes) / rm.max(0.001),
        fmt3(summary(&read), 2),
        fmt3(summary(&of_read), 2),
    );
    println!("\nPer round (restic ÷ pusdata time; `p` = pusdata ran first):\n");
    println!("| round | order | full | incremental | restore | floor ÷ full |");
    println!("|---:|---|---:|---:|---:|---:|");
    for (n, r) in rounds.iter().enumerate() {
        let ratio = |i: usize| match &r.steps[i] {
            (Some(p), Some(q)) => format!("{:.2}", q.seconds / p.seconds.max(0.001)),
            _ => "?".into(),
        };
        println!(
            "| {} | {} | {} | {} | {} | {:.2} |",
            n + 1,
            if r.pusdata_first { "p" } else { "r" },
            ratio(0),
            ratio(1),
            ratio(2),
            of_zstd.get(n).copied().unwrap_or(0.0)
        );
    }
    println!(
        "\nEvery pusdata restore verified field by field against its snapshot (`verify_restored`: type, contents, mode with special bits, owner, times, xattrs, symlink targets, hard links, holes); both tools' restores equal the source by content and symlink target.\n"
    );
}

fn dir_size(p: &Path) -> u64 {
    let mut files = Vec::new();
    if collect(p, &mut files).is_err() {
        return 0;
    }
    files
        .iter()
        .filter_map(|f| fs::symlink_metadata(f).ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_time_line_gives_wall_cpu_and_peak_memory() {
        let s = parse_time("10.11 13.28 4.28 101576\n").unwrap();
        assert_eq!(s.seconds, 10.11);
        assert!((s.cpu_seconds - 17.56).abs() < 1e-9, "{s:?}");
        assert!((s.peak_rss_mib - 99.195_312_5).abs() < 1e-9, "{s:?}");
        // A child's exit status line comes first when it failed; the figures are last.
        let s = parse_time("Command exited with non-zero status 1\n1.00 0.50 0.25 2048\n").unwrap();
        assert_eq!(s.peak_rss_mib, 2.0);
    }

    #[test]
    fn time_output_that_cannot_be_read_is_an_error_not_a_zero() {
        for bad in [
            "",
            "\n",
            "10.11 101576",
            "10.11 13.28 4.28 lots",
            "1 2 3 4 5",
        ] {
            let e = parse_time(bad).unwrap_err();
            assert!(
                e.contains("unreadable /usr/bin/time output"),
                "{bad:?}: {e}"
            );
        }
    }
}

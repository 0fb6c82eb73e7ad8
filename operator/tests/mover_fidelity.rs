//! Restore fidelity against the real restic 0.14 CLI: a tree with every file-system shape
//! (hard links, extended attributes, setuid/setgid/sticky bits, owners, FIFO, device node,
//! sparse file, awkward names, empty and deep directories, dangling and absolute symlinks,
//! 10 000 small files), written by either tool and restored by either, compared with the
//! source field by field — and a verify that names every field a restore can get wrong.
//!
//! Tests that need root (owners, device nodes) say so and check less when not root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Only part of the shared helpers (no S3 server here).
#[allow(unused_imports)]
mod common;

use common::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

/// `restic -r repo …` run in `cwd`.
fn restic_in(cwd: &Path, repo: &Path, pw: &Path, args: &[&str]) -> Output {
    Command::new("restic")
        .current_dir(cwd)
        .arg("-r")
        .arg(repo)
        .arg("--password-file")
        .arg(pw)
        .arg("--no-cache")
        .args(args)
        .output()
        .unwrap()
}

fn ok_restic(o: Output) -> String {
    assert!(
        o.status.success(),
        "restic failed: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The id of the newest snapshot (restic's JSON).
fn newest_restic_snapshot(work: &Path, repo: &Path, pw: &Path) -> serde_json::Value {
    let out = ok_restic(restic_in(work, repo, pw, &["snapshots", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array().unwrap().last().unwrap().clone()
}

fn set_mtime(p: &Path, secs: i64) {
    let t = filetime::FileTime::from_unix_time(secs, 123_456_789);
    filetime::set_symlink_file_times(p, t, t).unwrap();
}

/// Every shape restic records. `small_files` regular files go under `many/`.
fn build_tree(root: &Path, small_files: usize) {
    fs::create_dir_all(root).unwrap();
    let w = |rel: &str, data: &[u8]| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, data).unwrap();
        p
    };
    w("plain.txt", b"data kependudukan Kota Bekasi\n");
    w("empty-file", b"");
    // Hard links: a group of three, and a group of two in different directories.
    let a = w("hl/a", &b"linked three times\n".repeat(50));
    fs::hard_link(&a, root.join("hl/b")).unwrap();
    fs::hard_link(&a, root.join("hl/c")).unwrap();
    let x = w("hl2/x", b"linked twice\n");
    fs::create_dir_all(root.join("hl3")).unwrap();
    fs::hard_link(&x, root.join("hl3/y")).unwrap();
    // Extended attributes on a file and a directory.
    let xf = w("xattr/file", b"with attributes\n");
    xattr::set(&xf, "user.pusdata.agency", b"dinkes").unwrap();
    xattr::set(&xf, "user.empty", b"").unwrap();
    xattr::set(root.join("xattr"), "user.pusdata.tier", b"gold").unwrap();
    // Special permission bits.
    let su = w("modes/setuid", b"#!/bin/sh\n");
    fs::set_permissions(&su, fs::Permissions::from_mode(0o4755)).unwrap();
    let sg = w("modes/setgid", b"#!/bin/sh\n");
    fs::set_permissions(&sg, fs::Permissions::from_mode(0o2755)).unwrap();
    let ro = w("modes/readonly", b"ro\n");
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o400)).unwrap();
    fs::create_dir_all(root.join("modes/sticky")).unwrap();
    fs::set_permissions(
        root.join("modes/sticky"),
        fs::Permissions::from_mode(0o1777),
    )
    .unwrap();
    fs::create_dir_all(root.join("modes/setgid-dir")).unwrap();
    fs::set_permissions(
        root.join("modes/setgid-dir"),
        fs::Permissions::from_mode(0o2775),
    )
    .unwrap();
    // Owners other than root (only root can give them).
    if is_root() {
        let o = w("owners/postgres", b"owned by 999\n");
        std::os::unix::fs::lchown(&o, Some(999), Some(999)).unwrap();
        std::os::unix::fs::lchown(root.join("owners"), Some(1234), Some(5678)).unwrap();
        // chown cleared nothing here; a setuid file owned by another user:
        let s = w("owners/setuid-1234", b"x");
        std::os::unix::fs::lchown(&s, Some(1234), Some(1234)).unwrap();
        fs::set_permissions(&s, fs::Permissions::from_mode(0o4750)).unwrap();
    }
    // FIFO and (as root) a character device.
    fs::create_dir_all(root.join("special")).unwrap();
    nix::unistd::mkfifo(
        &root.join("special/fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o640),
    )
    .unwrap();
    if is_root() {
        nix::sys::stat::mknod(
            &root.join("special/null-like"),
            nix::sys::stat::SFlag::S_IFCHR,
            nix::sys::stat::Mode::from_bits_truncate(0o666),
            nix::sys::stat::makedev(1, 3),
        )
        .unwrap();
    }
    // A sparse file: 6 MiB apparent, 256 KiB of data in the middle (restic's chunker cuts
    // zeros into 512 KiB chunks, so most chunks are all zeros).
    {
        use std::os::unix::fs::FileExt;
        let f = fs::File::create(root.join("sparse.img")).unwrap();
        f.set_len(6 << 20).unwrap();
        let mut data = vec![0u8; 256 << 10];
        Rng::new(18).fill(&mut data);
        f.write_all_at(&data, 3 << 20).unwrap();
    }
    // Names.
    w("names/berkas-ü-日本語.txt", b"unicode\n");
    w("names/with space", b"space\n");
    w("names/tab\there", b"tab\n");
    w("names/new\nline", b"newline\n");
    w("names/ trailing and leading ", b"spaces\n");
    // Empty directories, deep nesting.
    fs::create_dir_all(root.join("empty/a/b")).unwrap();
    let mut deep = root.join("deep");
    for i in 0..40 {
        deep = deep.join(format!("level{i:02}"));
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("bottom.txt"), b"bottom\n").unwrap();
    // Symlinks: relative, dangling, absolute, to a directory.
    std::os::unix::fs::symlink("plain.txt", root.join("link-rel")).unwrap();
    std::os::unix::fs::symlink("does/not/exist", root.join("link-dangling")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", root.join("link-abs")).unwrap();
    std::os::unix::fs::symlink("deep", root.join("link-dir")).unwrap();
    // Many small files.
    let mut rng = Rng::new(7);
    for i in 0..small_files {
        let mut buf = vec![0u8; (rng.next() % 200) as usize + 1];
        rng.fill(&mut buf);
        w(&format!("many/{:02}/f{i:05}", i % 100), &buf);
    }
    // Distinct times on everything, directories last (children change them).
    let mut all = walk(root);
    all.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    for (i, rel) in all.iter().enumerate() {
        set_mtime(&root.join(rel), 1_600_000_000 + i as i64 * 7);
    }
}

/// Relative paths of every entry under `root`, sorted.
fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in fs::read_dir(root.join(&rel)).unwrap() {
            let e = e.unwrap();
            let child = rel.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                stack.push(child.clone());
            }
            out.push(child);
        }
    }
    out.sort();
    out
}

/// Fields a comparison leaves out, with the reason in the caller.
#[derive(Clone, Copy, Default)]
struct Skip {
    /// restic 0.14 restores sparse files fully allocated (`--sparse` came in 0.15).
    sparse: bool,
}

fn kind(m: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    match () {
        _ if t.is_symlink() => "symlink",
        _ if t.is_dir() => "dir",
        _ if t.is_file() => "file",
        _ if t.is_fifo() => "fifo",
        _ if t.is_char_device() => "chardev",
        _ if t.is_block_device() => "blockdev",
        _ => "socket",
    }
}

fn user_xattrs(p: &Path) -> BTreeMap<String, Vec<u8>> {
    xattr::list(p)
        .unwrap()
        .filter(|n| n.to_string_lossy().starts_with("user."))
        .map(|n| {
            let v = xattr::get(p, &n).unwrap().unwrap_or_default();
            (n.to_string_lossy().into_owned(), v)
        })
        .collect()
}

/// Whether a file has fewer blocks allocated than its length needs.
fn is_sparse(m: &fs::Metadata) -> bool {
    m.blocks() * 512 < m.len()
}

/// Compares `dst` with `src` entry by entry: type, contents, size, mode with special bits,
/// owner (as root), mtime of every entry but the top, user extended attributes, link
/// target, device number, hard-link groups and sparseness. Returns `path: field: detail`.
fn compare_trees(src: &Path, dst: &Path, skip: Skip) -> Vec<String> {
    let mut out = Vec::new();
    let src_entries: BTreeSet<PathBuf> = walk(src).into_iter().collect();
    let dst_entries: BTreeSet<PathBuf> = walk(dst).into_iter().collect();
    for p in src_entries.difference(&dst_entries) {
        out.push(format!("{p:?}: missing"));
    }
    for p in dst_entries.difference(&src_entries) {
        out.push(format!("{p:?}: unexpected"));
    }
    // Hard-link groups: each path → the first path sharing its inode, on both sides.
    let group_of = |root: &Path| {
        let mut first: HashMap<(u64, u64), PathBuf> = HashMap::new();
        let mut out: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
        for rel in walk(root) {
            let m = fs::symlink_metadata(root.join(&rel)).unwrap();
            if m.is_file() {
                let f = first
                    .entry((m.dev(), m.ino()))
                    .or_insert(rel.clone())
                    .clone();
                out.insert(rel, f);
            }
        }
        out
    };
    let (gs, gd) = (group_of(src), group_of(dst));
    for p in src_entries.intersection(&dst_entries) {
        let (a, b) = (src.join(p), dst.join(p));
        let (ma, mb) = (
            fs::symlink_metadata(&a).unwrap(),
            fs::symlink_metadata(&b).unwrap(),
        );
        let mut bad = |field: &str, detail: String| out.push(format!("{p:?}: {field}: {detail}"));
        if kind(&ma) != kind(&mb) {
            bad("type", format!("{} instead of {}", kind(&mb), kind(&ma)));
            continue;
        }
        if !ma.file_type().is_symlink() && ma.mode() & 0o7777 != mb.mode() & 0o7777 {
            bad(
                "mode",
                format!(
                    "{:04o} instead of {:04o}",
                    mb.mode() & 0o7777,
                    ma.mode() & 0o7777
                ),
            );
        }
        if is_root() && (ma.uid(), ma.gid()) != (mb.uid(), mb.gid()) {
            bad(
                "owner",
                format!(
                    "{}:{} instead of {}:{}",
                    mb.uid(),
                    mb.gid(),
                    ma.uid(),
                    ma.gid()
                ),
            );
        }
        if (ma.mtime(), ma.mtime_nsec()) != (mb.mtime(), mb.mtime_nsec()) {
            bad(
                "mtime",
                format!(
                    "{}.{:09} instead of {}.{:09}",
                    mb.mtime(),
                    mb.mtime_nsec(),
                    ma.mtime(),
                    ma.mtime_nsec()
                ),
            );
        }
        if !ma.file_type().is_symlink() && user_xattrs(&a) != user_xattrs(&b) {
            bad(
                "xattr",
                format!("{:?} instead of {:?}", user_xattrs(&b), user_xattrs(&a)),
            );
        }
        match kind(&ma) {
            "symlink" if fs::read_link(&a).unwrap() != fs::read_link(&b).unwrap() => bad(
                "target",
                format!("{:?} instead of {:?}", fs::read_link(&b), fs::read_link(&a)),
            ),
            "chardev" | "blockdev" if ma.rdev() != mb.rdev() => {
                bad("device", format!("{} instead of {}", mb.rdev(), ma.rdev()))
            }
            "file" => {
                if ma.len() != mb.len() {
                    bad("size", format!("{} instead of {}", mb.len(), ma.len()));
                } else if Sha256::digest(fs::read(&a).unwrap())
                    != Sha256::digest(fs::read(&b).unwrap())
                {
                    bad("content", "differs".into());
                }
                if gs.get(p) != gd.get(p) {
                    bad(
                        "hardlink",
                        format!("linked with {:?} instead of {:?}", gd.get(p), gs.get(p)),
                    );
                }
                if !skip.sparse && is_sparse(&ma) && !is_sparse(&mb) {
                    bad("sparse", format!("{} blocks allocated", mb.blocks()));
                }
            }
            _ => {}
        }
    }
    out
}

fn assert_same(src: &Path, dst: &Path, skip: Skip, what: &str) {
    let diffs = compare_trees(src, dst, skip);
    assert!(
        diffs.is_empty(),
        "{what}: {} difference(s):\n{}",
        diffs.len(),
        diffs
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn pusdata_restore(repo: &Path, snapshot: &str, target: &Path) -> serde_json::Value {
    restore_verified(repo, &["--snapshot", snapshot], target)
}

/// `pusdata mover backup` of `src` into `repo`.
fn pusdata_backup(repo: &Path, src: &Path) -> serde_json::Value {
    ok(&pusdata(
        &[
            "mover",
            "backup",
            "-r",
            repo.to_str().unwrap(),
            "--path",
            src.to_str().unwrap(),
        ],
        &[],
    ))
}

/// `pusdata mover restore --verify` of the snapshot `select` picks (`--snapshot ID` or
/// `--tag T`), into `target`.
fn restore_verified(repo: &Path, select: &[&str], target: &Path) -> serde_json::Value {
    let mut args = vec!["mover", "restore", "-r", repo.to_str().unwrap()];
    args.extend_from_slice(select);
    args.extend_from_slice(&["--target", target.to_str().unwrap(), "--verify"]);
    ok(&pusdata(&args, &[]))
}

/// `pusdata mover …` run in `cwd`.
fn pusdata_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pusdata"))
        .current_dir(cwd)
        .args(args)
        .env("PUSDATA_REPOSITORY_PASSWORD", PASSWORD)
        .env_remove("PUSDATA_REPOSITORY")
        .env_remove("PUSDATA_PASSWORD_FILE")
        .env("PUSDATA_LOG_FORMAT", "json")
        .output()
        .unwrap()
}

fn restic_init(work: &Path, repo: &Path, pw: &Path) {
    ok_restic(restic_in(work, repo, pw, &["init"]));
}

/// Issue 17 item 6 (and the restic → Pusdata column of issue 18's matrix): snapshots the
/// restic CLI made from a relative path, from `.`, from `./dir`, from an absolute path,
/// from several paths, with excludes, selected by tag — each restored and verified by
/// Pusdata and matching the source in every field. Before the fix every form but the
/// absolute one failed: "Node `…` not found in tree".
#[test]
fn fidelity_matrix_restic_to_pusdata_from_every_path_form() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let pw = password_file(work);
    let repo = work.join("repo");
    restic_init(work, &repo, &pw);
    let data = work.join("data");
    let src = data.join("simpus");
    build_tree(&src, 50);
    fs::create_dir_all(data.join("other/empty")).unwrap();
    fs::write(data.join("other/x.txt"), b"other\n").unwrap();

    // Relative path, typed in the parent.
    ok_restic(restic_in(
        &data,
        &repo,
        &pw,
        &["backup", "simpus", "--tag", "shape=relative"],
    ));
    // `.`, typed in the directory itself.
    ok_restic(restic_in(
        &src,
        &repo,
        &pw,
        &["backup", ".", "--tag", "shape=dot"],
    ));
    // `./sub/..`-style relative path with a leading `./`.
    ok_restic(restic_in(
        &data,
        &repo,
        &pw,
        &["backup", "./simpus", "--tag", "shape=dot-slash"],
    ));
    // Absolute.
    ok_restic(restic_in(
        work,
        &repo,
        &pw,
        &["backup", src.to_str().unwrap(), "--tag", "shape=absolute"],
    ));
    // Excludes.
    ok_restic(restic_in(
        &data,
        &repo,
        &pw,
        &[
            "backup",
            "simpus",
            "--exclude",
            "simpus/many",
            "--tag",
            "shape=exclude",
        ],
    ));
    // Several paths: restic keeps the tree as typed, and so does Pusdata's restore.
    ok_restic(restic_in(
        &data,
        &repo,
        &pw,
        &[
            "backup",
            "simpus",
            "other",
            "--host",
            "drc-bekasi",
            "--tag",
            "shape=several",
        ],
    ));

    for shape in ["relative", "dot", "dot-slash", "absolute"] {
        let target = work.join(format!("restore-{shape}"));
        let tag = format!("shape={shape}");
        let out = restore_verified(&repo, &["--tag", &tag], &target);
        assert_eq!(out["verification"]["status"], "Verified", "{shape}: {out}");
        assert_same(&src, &target, Skip::default(), shape);
        let v = ok(&pusdata(
            &[
                "mover",
                "verify",
                "-r",
                repo.to_str().unwrap(),
                "--tag",
                &tag,
            ],
            &[],
        ));
        assert_eq!(v["status"], "Verified", "{shape}: {v}");
    }

    let excluded = work.join("restore-exclude");
    let out = restore_verified(&repo, &["--tag", "shape=exclude"], &excluded);
    assert_eq!(out["verification"]["status"], "Verified", "{out}");
    assert!(!excluded.join("many").exists());
    assert_eq!(
        fs::read(excluded.join("plain.txt")).unwrap(),
        fs::read(src.join("plain.txt")).unwrap()
    );

    let several = work.join("restore-several");
    let out = restore_verified(&repo, &["--tag", "shape=several"], &several);
    assert_eq!(out["verification"]["status"], "Verified", "{out}");
    assert_same(
        &src,
        &several.join("simpus"),
        Skip::default(),
        "several: simpus",
    );
    assert_same(
        &data.join("other"),
        &several.join("other"),
        Skip::default(),
        "several: other",
    );
}

/// The reverse direction (issue 17 item 6, and the Pusdata → restic column of issue 18's
/// matrix): Pusdata's snapshots of a path typed absolute, relative and as `.`, restored by
/// restic, match the source in every field but sparseness.
#[test]
fn fidelity_matrix_pusdata_to_restic_from_every_path_form() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let pw = password_file(work);
    let repo = work.join("repo");
    let data = work.join("data");
    let src = data.join("simpus");
    build_tree(&src, 50);
    let r = repo.to_str().unwrap();
    for (name, cwd, path) in [
        ("absolute", work, src.to_str().unwrap()),
        ("relative", data.as_path(), "simpus"),
        ("dot", src.as_path(), "."),
    ] {
        let out = ok(&pusdata_in(
            cwd,
            &["mover", "backup", "-r", r, "--path", path],
        ));
        let id = out["snapshotId"].as_str().unwrap();
        let target = work.join(format!("by-restic-{name}"));
        ok_restic(restic_in(
            work,
            &repo,
            &pw,
            &["restore", id, "--target", target.to_str().unwrap()],
        ));
        // restic 0.14 has no --sparse.
        assert_same(
            &src,
            &target.join(src.strip_prefix("/").unwrap()),
            Skip { sparse: true },
            &format!("pusdata ({name}) → restic"),
        );
    }
}

/// The `rustic` engine (rustic_core's own restore) is held to the same table: it writes
/// zero chunks out, so Pusdata punches the holes afterwards and puts the time back.
#[test]
fn the_rustic_engine_restores_the_same_fields() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let repo = work.join("repo");
    let src = work.join("src");
    build_tree(&src, 20);
    pusdata_backup(&repo, &src);
    let target = work.join("by-rustic");
    let out = ok(&pusdata(
        &[
            "mover",
            "restore",
            "-r",
            repo.to_str().unwrap(),
            "--target",
            target.to_str().unwrap(),
            "--engine",
            "rustic",
            "--verify",
        ],
        &[],
    ));
    assert_eq!(out["verification"]["status"], "Verified", "{out}");
    assert_same(&src, &target, Skip::default(), "rustic engine");
}

/// Issue 18 item 4: the fidelity matrix at scale. One tree with every shape and 10 000
/// small files: Pusdata → Pusdata, Pusdata → restic and restic → Pusdata, each compared with
/// the source field by field. (The other path forms — relative, `.`, several paths — are
/// `fidelity_matrix_restic_to_pusdata_from_every_path_form` and
/// `fidelity_matrix_pusdata_to_restic_from_every_path_form`, on the same shapes.)
#[test]
fn fidelity_matrix_with_10000_files() {
    let work = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    let stage = |what: &str| eprintln!("{what}: {:?}", t0.elapsed());
    let work = work.path();
    let pw = password_file(work);
    let src = work.join("data/simpus");
    build_tree(&src, 10_000);
    stage("tree built");
    if !is_root() {
        eprintln!("not root: owners and device nodes are left out of the matrix");
    }
    let repo = work.join("repo");

    // Pusdata → Pusdata and Pusdata → restic.
    pusdata_backup(&repo, &src);
    stage("pusdata backup");
    let pp = work.join("p-to-p");
    let out = pusdata_restore(&repo, "latest", &pp);
    assert_eq!(out["verification"]["status"], "Verified", "{out}");
    stage("pusdata restore and verify");
    assert_same(&src, &pp, Skip::default(), "pusdata → pusdata");
    stage("compared");
    fs::remove_dir_all(&pp).unwrap();

    let pr = work.join("p-to-r");
    ok_restic(restic_in(
        work,
        &repo,
        &pw,
        &["restore", "latest", "--target", pr.to_str().unwrap()],
    ));
    stage("restic restore");
    assert_same(
        &src,
        &pr.join(src.strip_prefix("/").unwrap()),
        Skip { sparse: true }, // restic 0.14 has no --sparse
        "pusdata → restic",
    );
    fs::remove_dir_all(&pr).unwrap();

    // restic → Pusdata, into the same repository (restic's own snapshot, Pusdata's parent).
    ok_restic(restic_in(
        work,
        &repo,
        &pw,
        &["backup", src.to_str().unwrap()],
    ));
    stage("restic backup");
    let id = newest_restic_snapshot(work, &repo, &pw)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rp = work.join("r-to-p");
    let out = pusdata_restore(&repo, &id, &rp);
    stage("pusdata restore and verify");
    assert_eq!(out["verification"]["status"], "Verified", "{out}");
    assert_same(&src, &rp, Skip::default(), "restic → pusdata");
}

/// Issue 18 item 2: verify checks what restore promises. A faithful restore verifies; then
/// each field is corrupted on one path of the restored tree and verify must fail naming
/// that path and field — and nothing it was not given.
#[test]
fn verify_names_every_corrupted_field() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let repo = work.join("repo");
    let src = work.join("src");
    build_tree(&src, 20);
    pusdata_backup(&repo, &src);
    let t = work.join("restored");
    let out = pusdata_restore(&repo, "latest", &t);
    assert_eq!(out["verification"]["status"], "Verified", "{out}");
    assert_same(&src, &t, Skip::default(), "before corruption");

    let keep_time = |p: &Path, f: &dyn Fn()| {
        let m = fs::symlink_metadata(p).unwrap();
        f();
        let tm = filetime::FileTime::from_last_modification_time(&m);
        filetime::set_symlink_file_times(p, tm, tm).unwrap();
    };
    let mut expected: Vec<(&str, &str)> = Vec::new();

    let p = t.join("plain.txt");
    keep_time(&p, &|| {
        let mut d = fs::read(&p).unwrap();
        d[0] ^= 1;
        fs::write(&p, d).unwrap();
    });
    expected.push(("plain.txt", "content"));

    let p = t.join("names/with space");
    keep_time(&p, &|| fs::write(&p, b"longer than before\n").unwrap());
    expected.push(("names/with space", "size"));

    let p = t.join("empty/a/b");
    fs::remove_dir(&p).unwrap();
    fs::write(&p, b"").unwrap();
    expected.push(("empty/a/b", "type"));

    let p = t.join("special/fifo");
    fs::remove_file(&p).unwrap();
    fs::write(&p, b"").unwrap();
    expected.push(("special/fifo", "type"));

    fs::set_permissions(t.join("modes/setuid"), fs::Permissions::from_mode(0o755)).unwrap();
    expected.push(("modes/setuid", "mode"));
    fs::set_permissions(t.join("modes/sticky"), fs::Permissions::from_mode(0o777)).unwrap();
    expected.push(("modes/sticky", "mode"));

    set_mtime(&t.join("names/berkas-ü-日本語.txt"), 1_000_000_000);
    expected.push(("names/berkas-ü-日本語.txt", "mtime"));
    set_mtime(&t.join("deep"), 1_000_000_000);
    expected.push(("deep", "mtime"));
    set_mtime(&t.join("link-rel"), 1_000_000_000);
    expected.push(("link-rel", "mtime"));

    let p = t.join("xattr/file");
    keep_time(&p, &|| xattr::remove(&p, "user.pusdata.agency").unwrap());
    expected.push(("xattr/file", "xattr"));
    let p = t.join("xattr");
    keep_time(&p, &|| xattr::set(&p, "user.intruder", b"x").unwrap());
    expected.push(("xattr", "xattr"));

    let p = t.join("link-dangling");
    keep_time(&t, &|| {
        fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink("elsewhere", &p).unwrap();
    });
    set_mtime(
        &p,
        fs::symlink_metadata(src.join("link-dangling"))
            .unwrap()
            .mtime(),
    );
    expected.push(("link-dangling", "target"));

    // A hard link broken into a copy with the same contents, mode and time.
    let p = t.join("hl/b");
    keep_time(&t.join("hl"), &|| {
        let m = fs::metadata(&p).unwrap();
        let d = fs::read(&p).unwrap();
        fs::remove_file(&p).unwrap();
        fs::write(&p, d).unwrap();
        fs::set_permissions(&p, m.permissions()).unwrap();
        let tm = filetime::FileTime::from_last_modification_time(&m);
        filetime::set_file_times(&p, tm, tm).unwrap();
    });
    expected.push(("hl/b", "hardlink"));

    // The sparse file rewritten fully allocated, same bytes and time.
    let p = t.join("sparse.img");
    keep_time(&p, &|| {
        let d = fs::read(&p).unwrap();
        fs::write(&p, d).unwrap();
    });
    expected.push(("sparse.img", "sparse"));

    keep_time(&t, &|| fs::remove_file(t.join("empty-file")).unwrap());
    expected.push(("empty-file", "missing"));
    keep_time(&t, &|| fs::write(t.join("intruder"), b"x").unwrap());
    expected.push(("intruder", "unexpected"));

    if is_root() {
        std::os::unix::fs::lchown(t.join("owners/postgres"), Some(0), Some(0)).unwrap();
        expected.push(("owners/postgres", "owner"));
        let p = t.join("special/null-like");
        keep_time(&t.join("special"), &|| {
            let m = fs::symlink_metadata(&p).unwrap();
            fs::remove_file(&p).unwrap();
            nix::sys::stat::mknod(
                &p,
                nix::sys::stat::SFlag::S_IFCHR,
                nix::sys::stat::Mode::from_bits_truncate(0o666),
                nix::sys::stat::makedev(1, 5),
            )
            .unwrap();
            let tm = filetime::FileTime::from_last_modification_time(&m);
            filetime::set_symlink_file_times(&p, tm, tm).unwrap();
        });
        expected.push(("special/null-like", "device"));
    } else {
        eprintln!("not root: owner and device-number corruption are not tested");
    }

    let o = pusdata(
        &[
            "mover",
            "verify",
            "-r",
            repo.to_str().unwrap(),
            "--restored",
            t.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let v = json(&o);
    assert_eq!(v["status"], "VerificationFailed", "{v}");
    let found: Vec<(String, String)> = v["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let reason = m["reason"].as_str().unwrap();
            let field = reason.split(':').next().unwrap().to_string();
            (m["path"].as_str().unwrap().to_string(), field)
        })
        .collect();
    for (path, field) in &expected {
        assert!(
            found.iter().any(|(p, f)| p == path && f == field),
            "verify did not report {field} of {path}: {v}"
        );
    }
    // Nothing else: each reported path is a corrupted one or the directory holding one.
    let touched: BTreeSet<String> = expected
        .iter()
        .flat_map(|(p, _)| {
            let parent = Path::new(p).parent().unwrap().display().to_string();
            [p.to_string(), parent]
        })
        .collect();
    for (path, field) in &found {
        assert!(
            touched.contains(path),
            "unexpected mismatch {field} of {path}: {v}"
        );
    }
}

/// Issue 18 item 4: snapshots restic users can read — the real host name and the absolute
/// path, even when the path was typed relative — and restic's parent rule (same host and
/// paths), so each tool takes the other's snapshot as its parent.
#[test]
fn snapshots_record_host_and_absolute_path_and_each_tool_is_the_others_parent() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let pw = password_file(work);
    let repo = work.join("repo");
    let data = work.join("data");
    let src = data.join("simpus");
    build_tree(&src, 30);
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();

    // Typed relative, in the parent directory.
    let first = ok(&pusdata_in(
        &data,
        &[
            "mover",
            "backup",
            "-r",
            repo.to_str().unwrap(),
            "--path",
            "simpus",
            "--tag",
            "pvc=simpus",
        ],
    ));
    let snap = newest_restic_snapshot(work, &repo, &pw);
    assert_eq!(snap["id"], first["snapshotId"], "{snap}");
    assert_eq!(snap["hostname"], host.as_str(), "{snap}");
    assert_eq!(
        snap["paths"],
        serde_json::json!([src.to_str().unwrap()]),
        "{snap}"
    );

    // restic, backing up the same directory, takes Pusdata's snapshot as its parent…
    ok_restic(restic_in(
        work,
        &repo,
        &pw,
        &["backup", src.to_str().unwrap()],
    ));
    let by_restic = newest_restic_snapshot(work, &repo, &pw);
    assert_eq!(by_restic["parent"], first["snapshotId"], "{by_restic}");
    assert_eq!(by_restic["hostname"], host.as_str());

    // …and Pusdata takes restic's, with no file read again.
    let third = ok(&pusdata_in(
        work,
        &[
            "mover",
            "backup",
            "-r",
            repo.to_str().unwrap(),
            "--path",
            src.to_str().unwrap(),
        ],
    ));
    assert_eq!(third["parentId"], by_restic["id"], "{third}");
    assert_eq!(third["filesNew"], 0, "{third}");
    assert_eq!(third["bytesAdded"], 0, "{third}");
    // rustic_core records a symlink's size as its target's length, restic as 0, so the
    // tree's four symlinks count as changed against restic's parent; a symlink has no
    // contents to read again. Every regular file is unmodified.
    assert_eq!(third["filesChanged"], 4, "{third}");

    // Another host's snapshot of the same path is no parent (restic's rule).
    let other = ok(&pusdata_in(
        work,
        &[
            "mover",
            "backup",
            "-r",
            repo.to_str().unwrap(),
            "--path",
            src.to_str().unwrap(),
            "--host",
            "siak-data.disdukcapil.disdukcapil",
        ],
    ));
    assert_eq!(other["parentId"], serde_json::Value::Null, "{other}");
}

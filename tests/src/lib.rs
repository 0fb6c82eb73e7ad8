//! Helpers for black-box tests of the `pusdata` binary: they run the real program, the way a
//! user or CI does, and look only at its exit code and output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Path of the `pusdata` binary of this workspace.
///
/// `PUSDATA_BIN` overrides it (to test an installed or release binary). Otherwise it is the
/// binary in the target directory this test was built into — a workspace test run
/// (`tests/run.sh`) builds it with the tests. Only when it is missing (this crate's tests run
/// alone) is it built; building it while other tests run could replace it under them.
pub fn pusdata_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("PUSDATA_BIN") {
            return PathBuf::from(p);
        }
        // target/debug/deps/<test> → target/debug/pusdata
        let exe = std::env::current_exe().unwrap_or_default();
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| repo_root().join("target/debug"));
        let bin = profile_dir.join("pusdata");
        if !bin.is_file() {
            let status = Command::new(env!("CARGO"))
                .args(["build", "-q", "-p", "pusdata", "--bin", "pusdata"])
                .current_dir(repo_root())
                .status();
            match status {
                Ok(s) if s.success() => {}
                other => panic!("cannot build the pusdata binary: {other:?}"),
            }
        }
        bin
    })
    .clone()
}

/// Runs `pusdata` with `args` in the repository root, with a neutral locale.
pub fn pusdata(args: &[&str]) -> Output {
    Command::new(pusdata_bin())
        .args(args)
        .current_dir(repo_root())
        .env_remove("PUSDATA_LANG")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap_or_else(|e| panic!("cannot run pusdata: {e}"))
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

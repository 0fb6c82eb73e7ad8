//! Generates the gRPC code of the site-to-site contract, and sets how the `pusdata`
//! executable is linked.
//!
//! protox parses the .proto in pure Rust, so no `protoc` is needed on build machines.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Relative relocations packed (DT_RELR; glibc 2.36, Debian 12): the executable is
    // still position-independent, but its 2.2 MiB table of relative relocations becomes a
    // few KiB. The loader reads that table once at start and its pages then stay mapped,
    // counted in the operator's resident memory (docs/benchmarks.md, operator at city
    // scale).
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    symbol_order();
    let proto = "proto/pusdata/agent/v1/agent.proto";
    println!("cargo::rerun-if-changed={proto}");
    let fds = protox::compile([proto], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}

/// The functions the operator runs, laid out first in `.text` (`link/symbol-order.txt`,
/// written by `tests/bench/symbol-order.py`). The operator's resident memory counts every
/// code page it touched: unordered, its ~5.6 MiB of code run at a start and when settled
/// was spread over ~20 MiB of pages shared with code it never runs (docs/benchmarks.md).
///
/// Only for release builds on x86_64 Linux with glibc, whose default linker since Rust 1.90
/// is the toolchain's LLD (the only one here that reads the file). Names the build does not
/// define (another compiler, changed code) are skipped without a warning.
/// `PUSDATA_SYMBOL_ORDER=off` leaves the order to the linker, e.g. for another linker.
fn symbol_order() {
    println!("cargo::rerun-if-env-changed=PUSDATA_SYMBOL_ORDER");
    let order = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("link")
        .join("symbol-order.txt");
    println!("cargo::rerun-if-changed={}", order.display());
    let target = std::env::var("TARGET").unwrap_or_default();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let off = std::env::var("PUSDATA_SYMBOL_ORDER").is_ok_and(|v| v == "off");
    if release && !off && target == "x86_64-unknown-linux-gnu" && order.is_file() {
        println!(
            "cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

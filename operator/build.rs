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
    let proto = "proto/pusdata/agent/v1/agent.proto";
    println!("cargo::rerun-if-changed={proto}");
    let fds = protox::compile([proto], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}

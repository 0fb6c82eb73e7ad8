//! Generates the gRPC code of the site-to-site contract.
//!
//! protox parses the .proto in pure Rust, so no `protoc` is needed on build machines.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = "proto/pusdata/agent/v1/agent.proto";
    println!("cargo::rerun-if-changed={proto}");
    let fds = protox::compile([proto], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}

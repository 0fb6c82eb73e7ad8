//! The linker's symbol order (`operator/link/symbol-order.txt`, passed by `build.rs` to
//! release links) is generated for one compiler: Rust's symbol names carry hashes that
//! change with the compiler version. A toolchain update without a new order would quietly
//! give back the operator's resident-memory savings (docs/benchmarks.md), so the pinned
//! toolchain and the order's header must agree.

use std::path::Path;

fn order() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("link/symbol-order.txt");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_symbol_order_was_generated_with_the_pinned_compiler() {
    let toolchain = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../rust-toolchain.toml"),
    )
    .unwrap();
    let channel = toolchain
        .lines()
        .find_map(|l| l.trim().strip_prefix("channel = "))
        .expect("rust-toolchain.toml names its channel")
        .trim_matches('"');
    let order = order();
    let generated_with = order
        .lines()
        .find_map(|l| l.strip_prefix("# rustc "))
        .expect("the order names the compiler it was generated with");
    assert!(
        generated_with.starts_with(&format!("{channel} ")),
        "link/symbol-order.txt was generated with rustc {generated_with}, the pinned toolchain \
         is {channel}: regenerate it (tests/bench/symbol-order.py profile)"
    );
}

#[test]
fn the_symbol_order_lists_each_mangled_function_once_in_order() {
    let order = order();
    let names: Vec<&str> = order
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(names.len() > 1000, "only {} functions listed", names.len());
    for n in &names {
        assert!(
            (n.starts_with("_ZN") || n.starts_with("_R")) && !n.contains(char::is_whitespace),
            "not a mangled Rust symbol: {n:?}"
        );
    }
    // Sorted and unique, so that a regenerated order differs from the last one only where
    // the functions differ.
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "not sorted or not unique"
    );
}

//! The committed, rendered manifests (`deploy/primary/pusdata.yaml`, `deploy/drc/pusdata.yaml`),
//! read as JSON documents. They are drift-checked against the chart (`pusdata chart --check`),
//! so reading them tests what a cluster would really be given, however they are rendered.

use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Which rendered install.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    /// `deploy/primary/pusdata.yaml`.
    Primary,
    /// `deploy/drc/pusdata.yaml`.
    Drc,
}

/// The namespace both installs are rendered for.
pub const RELEASE_NAMESPACE: &str = "pusdata-system";

fn path(site: Site) -> PathBuf {
    let dir = match site {
        Site::Primary => "primary",
        Site::Drc => "drc",
    };
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("deploy")
        .join(dir)
        .join("pusdata.yaml")
}

/// Splits a multi-document YAML stream and parses each non-empty document.
pub fn parse_stream(text: &str) -> Vec<Value> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        if current.lines().any(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        }) {
            let v: Option<Value> = serde_saphyr::from_str(current)
                .unwrap_or_else(|e| panic!("rendered manifest does not parse: {e}\n{current}"));
            if let Some(v) = v {
                docs.push(v);
            }
        }
        current.clear();
    };
    for line in text.lines() {
        if line.trim_end() == "---" {
            flush(&mut current);
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    flush(&mut current);
    docs
}

/// The documents of one rendered install (read once per process).
pub fn documents(site: Site) -> &'static [Value] {
    static PRIMARY: OnceLock<Vec<Value>> = OnceLock::new();
    static DRC: OnceLock<Vec<Value>> = OnceLock::new();
    let cell = match site {
        Site::Primary => &PRIMARY,
        Site::Drc => &DRC,
    };
    cell.get_or_init(|| {
        let p = path(site);
        let text = std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
        parse_stream(&text)
    })
}

/// The documents of `kind`.
pub fn of_kind<'a>(docs: &'a [Value], kind: &str) -> impl Iterator<Item = &'a Value> {
    let kind = kind.to_string();
    docs.iter().filter(move |d| d["kind"] == kind.as_str())
}

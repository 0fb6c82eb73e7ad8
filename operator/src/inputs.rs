//! Reading manifests for every offline command (`policy check`, `plan check`, `place`,
//! `report compliance`, `drill --local`) and the webhook's `--context`: files, directories
//! (recursively) and `-` for stdin, kubectl `List` wrappers expanded, every document typed
//! as a Pusdata object.
//!
//! Fail closed: a document that cannot be classified — an empty file, a document without
//! `apiVersion`/`kind`, a `pusdata.io` version or kind this build does not know, something
//! that is not a mapping — is an input error naming the file and the document's index,
//! unless the caller asked to skip such documents. Documents of other API groups (a
//! Namespace, a Deployment) are classified: they are not Pusdata's, and are skipped and
//! counted. Limits are on size and depth (YAML bombs, deep nesting, huge scalars), never on
//! the number of documents: a real inventory has tens of thousands.

use pusdata_core::i18n::{Lang, Msg, Text};
use pusdata_crds::{GROUP, Object, ObjectError, VERSION, check_rules};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest manifest file read (and the largest stdin): beyond it the input is refused
/// before it is parsed.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The deepest nesting of mappings and sequences in one document (the deepest Pusdata
/// object nests about ten levels).
pub const MAX_DEPTH: usize = 64;
/// Lists inside Lists: kubectl writes one level; more is refused.
const MAX_LIST_NESTING: usize = 4;

/// How the loader treats documents it cannot classify.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Skip (and count) unclassifiable documents instead of failing (`--skip-unknown`).
    pub skip_unknown: bool,
    /// Do not run the CRDs' CEL rules (`schema_errors` stays empty): for `place`, whose
    /// engine does not read them, over inventories of a hundred thousand objects.
    pub skip_schema: bool,
}

/// One object read from a manifest.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Where it came from (`<stdin>` for `-`).
    pub file: String,
    /// Which document of the file (from 1), with the `items` index inside a `List`.
    pub at: String,
    /// The object.
    pub object: Object,
    /// Messages of the CRD's own CEL rules it breaks (the API server would refuse it).
    pub schema_errors: Vec<String>,
}

/// A document that was not loaded, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// The file.
    pub file: String,
    /// The document.
    pub at: String,
    /// Why.
    pub why: Text,
    /// Whether it was unclassifiable (skipped only because the user asked), rather than a
    /// document of another API group.
    pub unknown: bool,
}

/// Everything read.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The Pusdata objects, in file and document order.
    pub objects: Vec<Loaded>,
    /// Documents not loaded.
    pub skipped: Vec<Skipped>,
}

impl Inputs {
    /// Moves `other`'s objects and skipped documents after this one's.
    pub fn extend(&mut self, other: Inputs) {
        self.objects.extend(other.objects);
        self.skipped.extend(other.skipped);
    }

    /// A one-line note of what was skipped, for stderr; `None` when nothing was.
    pub fn skipped_note(&self) -> Option<Text> {
        if self.skipped.is_empty() {
            return None;
        }
        let unknown = self.skipped.iter().filter(|s| s.unknown).count();
        let foreign = self.skipped.len() - unknown;
        Some(pusdata_core::t!(
            "cli-inputs-skipped-document-s-other",
            foreign = &foreign,
            unknown = &unknown
        ))
    }
}

/// Why input could not be read: the file, the document when one is to blame, and the
/// reason in both languages.
#[derive(Debug, Clone)]
pub struct InputError {
    /// The file (`<stdin>` for `-`).
    pub file: String,
    /// `document 3` or `document 3, items[7]`; empty when the whole file is to blame.
    pub at: String,
    /// Why.
    pub reason: Text,
}

impl InputError {
    fn file(file: &str, reason: Text) -> InputError {
        InputError {
            file: file.to_string(),
            at: String::new(),
            reason,
        }
    }

    /// The message in `lang`: `cannot read FILE (document N): REASON`.
    pub fn in_lang(&self, lang: Lang) -> String {
        let file = if self.at.is_empty() {
            self.file.clone()
        } else {
            format!("{} ({})", self.file, self.at)
        };
        Msg::BadInput {
            file,
            reason: self.reason.get(lang).to_string(),
        }
        .in_lang(lang)
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_lang(Lang::En))
    }
}

impl std::error::Error for InputError {}

fn plain(reason: impl std::fmt::Display) -> Text {
    let r = reason.to_string();
    Text::new(r.clone(), r)
}

/// Reads every path: `-` is stdin, a directory is walked for `*.yaml`, `*.yml` and
/// `*.json` in name order, a file is read whatever its name.
pub fn load(paths: &[PathBuf], opts: Options) -> Result<Inputs, InputError> {
    let mut out = Inputs::default();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| InputError::file("<stdin>", plain(e)))?;
            out.extend(parse_bytes("<stdin>", &bytes, opts)?);
            continue;
        }
        for file in files(p)? {
            out.extend(read_file(&file, opts)?);
        }
    }
    Ok(out)
}

/// Reads one file (size-checked before it is read).
pub fn read_file(file: &Path, opts: Options) -> Result<Inputs, InputError> {
    let name = file.display().to_string();
    let too_big = |n: u64| {
        InputError::file(
            &name,
            pusdata_core::t!(
                "cli-inputs-bytes-more-than-byte",
                size = &n,
                limit = &MAX_FILE_BYTES
            ),
        )
    };
    let f = std::fs::File::open(file).map_err(|e| InputError::file(&name, plain(e)))?;
    if let Ok(meta) = f.metadata()
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::file(&name, plain(e)))?;
    parse_bytes(&name, &bytes, opts)
}

/// The files of a path: the path itself, or a directory's manifests (recursively, sorted).
pub fn files(path: &Path) -> Result<Vec<PathBuf>, InputError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| InputError::file(&name, plain(e)))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let d = dir.display().to_string();
        let entries = std::fs::read_dir(&dir).map_err(|e| InputError::file(&d, plain(e)))?;
        for entry in entries {
            let p = entry.map_err(|e| InputError::file(&d, plain(e)))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if is_manifest(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A file a directory walk reads.
pub fn is_manifest(p: &Path) -> bool {
    p.extension()
        .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
}

/// Parses the bytes of one file: the function every offline command's input goes through,
/// pure but for the CEL check (fuzzed in this module's tests).
pub fn parse_bytes(file: &str, bytes: &[u8], opts: Options) -> Result<Inputs, InputError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::file(
            file,
            pusdata_core::t!("cli-inputs-more-than-byte-limit", limit = &MAX_FILE_BYTES),
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| InputError::file(file, pusdata_core::t!("cli-inputs-utf-text", error = &e)))?;
    let threads = workers(text.len());
    let docs = documents(text, threads).map_err(|e| InputError::file(file, plain(e)))?;
    let mut out = Inputs::default();
    if docs.is_empty() {
        let why = pusdata_core::t!("cli-inputs-holds-yaml-document");
        if opts.skip_unknown {
            out.skipped.push(Skipped {
                file: file.to_string(),
                at: String::new(),
                why,
                unknown: true,
            });
            return Ok(out);
        }
        return Err(InputError::file(file, why));
    }
    classify_all(file, docs, opts, threads, &mut out)?;
    Ok(out)
}

/// Below this size a file is parsed on one thread: starting threads would cost more than
/// they save.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// How many threads read a text of `len` bytes.
fn workers(len: usize) -> usize {
    if len < PARALLEL_FROM_BYTES {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Classifies the documents in order, on up to `threads` threads over contiguous runs of
/// documents; what comes out is what one thread would give, and the first error in
/// document order is the one reported.
fn classify_all(
    file: &str,
    docs: Vec<Value>,
    opts: Options,
    threads: usize,
    out: &mut Inputs,
) -> Result<(), InputError> {
    let run = |first: usize, docs: Vec<Value>| -> Result<Inputs, InputError> {
        let mut part = Inputs::default();
        for (i, doc) in docs.into_iter().enumerate() {
            let at = format!("document {}", first + i + 1);
            classify(file, at, doc, 0, opts, &mut part)?;
        }
        Ok(part)
    };
    if threads <= 1 || docs.len() < 2 * threads {
        out.extend(run(0, docs)?);
        return Ok(());
    }
    let per = docs.len().div_ceil(threads);
    let mut runs = Vec::new();
    let mut docs = docs.into_iter();
    let mut first = 0;
    loop {
        let chunk: Vec<Value> = docs.by_ref().take(per).collect();
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len();
        runs.push((first, chunk));
        first += n;
    }
    let parts: Vec<Result<Inputs, InputError>> = std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|(first, chunk)| s.spawn(move || run(first, chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(InputError::file(
                        file,
                        pusdata_core::t!("cli-inputs-reader-thread-failed"),
                    ))
                })
            })
            .collect()
    });
    for part in parts {
        out.extend(part?);
    }
    Ok(())
}

/// Every document of a YAML stream, with limits on size and depth but not on how many
/// documents there are. Empty documents (`---` alone) are dropped.
///
/// With more than one thread the stream is cut at document markers (a `---` at the start
/// of a line, which YAML forbids inside any scalar, so a cut never falls inside one) and
/// the pieces are parsed in parallel. Anchors do not reach across documents, so the
/// pieces parse as they would in the stream. If any piece fails, the whole stream is
/// parsed on one thread, so an error names the same line it always did.
fn documents(text: &str, threads: usize) -> Result<Vec<Value>, serde_saphyr::Error> {
    if threads > 1
        && let Some(pieces) = split_at_documents(text, threads)
        && pieces.len() > 1
    {
        let parsed: Vec<Option<Vec<Value>>> = std::thread::scope(|s| {
            let handles: Vec<_> = pieces
                .iter()
                .map(|p| s.spawn(move || documents_on_one_thread(p).ok()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        if let Some(all) = parsed.into_iter().collect::<Option<Vec<Vec<Value>>>>() {
            return Ok(all.into_iter().flatten().collect());
        }
    }
    documents_on_one_thread(text)
}

/// Cuts a stream into about `pieces` runs of whole documents of similar size, each
/// starting at a document marker (the first at the start of the text).
///
/// Only the shape every Kubernetes manifest has is cut: each document's root is a block
/// mapping whose first key starts its line, and markers carry nothing but a comment. A
/// marker line inside a scalar then cannot be mistaken for a cut, whatever the parser's
/// reading of the spec (it keeps `---` inside a root block scalar as text). Anything
/// else — directives (`%YAML`), document ends (`...`), a root scalar or sequence, a
/// marker followed by content — gives `None`, and the stream is parsed whole.
fn split_at_documents(text: &str, pieces: usize) -> Option<Vec<&str>> {
    let starts_mapping = |line: &str| {
        line.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && line.split_once(':').is_some_and(|(_, after)| {
                after.is_empty() || after.starts_with([' ', '\t', '\r', '\n'])
            })
    };
    let target = text.len() / pieces.max(1);
    let mut cuts = vec![0];
    let mut at = 0;
    let mut root_pending = true;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        if line.starts_with('%') || marker(line, "...").is_some() {
            return None;
        }
        if let Some(rest) = marker(line, "---") {
            if !(rest.is_empty() || rest.starts_with('#')) {
                return None;
            }
            root_pending = true;
            if start > 0
                && start - cuts.last().copied().unwrap_or(0) >= target
                && cuts.len() < pieces
            {
                cuts.push(start);
            }
            continue;
        }
        if root_pending {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if !starts_mapping(line) {
                return None;
            }
            root_pending = false;
        }
    }
    cuts.push(text.len());
    Some(
        cuts.windows(2)
            .filter_map(|w| text.get(w[0]..w[1]))
            .collect(),
    )
}

/// What follows a document marker (`---`) or end (`...`) on its line, when the line is one.
fn marker<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(marker)?;
    match rest.chars().next() {
        None | Some(' ' | '\t' | '\r' | '\n') => Some(rest.trim()),
        _ => None,
    }
}

fn documents_on_one_thread(text: &str) -> Result<Vec<Value>, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_documents: usize::MAX,
            max_depth: MAX_DEPTH,
            // Scale with the input: a 64 MiB manifest has far fewer than 16M nodes.
            max_nodes: 16 * 1024 * 1024,
            max_events: 64 * 1024 * 1024,
            max_reader_input_bytes: Some(MAX_FILE_BYTES as usize),
            max_total_scalar_bytes: MAX_FILE_BYTES as usize,
        },
    };
    let docs: Vec<Option<Value>> = serde_saphyr::from_multiple_with_options(text, options)?;
    Ok(docs
        .into_iter()
        .flatten()
        .filter(|v| !v.is_null())
        .collect())
}

fn classify(
    file: &str,
    at: String,
    doc: Value,
    lists: usize,
    opts: Options,
    out: &mut Inputs,
) -> Result<(), InputError> {
    let unknown = |why: Text, out: &mut Inputs| -> Result<(), InputError> {
        if opts.skip_unknown {
            out.skipped.push(Skipped {
                file: file.to_string(),
                at: at.clone(),
                why,
                unknown: true,
            });
            Ok(())
        } else {
            Err(InputError {
                file: file.to_string(),
                at: at.clone(),
                reason: pusdata_core::t!("cli-inputs-unknown-skip-hint", why = &why),
            })
        }
    };
    let Some(map) = doc.as_object() else {
        return unknown(
            pusdata_core::t!("cli-inputs-kubernetes-object-document-mapping"),
            out,
        );
    };
    let field = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or_default();
    let (api_version, kind) = (field("apiVersion").to_string(), field("kind").to_string());
    if api_version.is_empty() || kind.is_empty() {
        return unknown(
            pusdata_core::t!(
                "cli-inputs-apiversion-kind-apiversion-kind",
                api_version = &api_version,
                kind = &kind
            ),
            out,
        );
    }
    if kind.ends_with("List")
        && let Some(items) = map.get("items")
    {
        let Some(items) = items.as_array() else {
            return unknown(
                pusdata_core::t!("cli-inputs-whose-items-list", kind = &kind),
                out,
            );
        };
        if lists >= MAX_LIST_NESTING {
            return Err(InputError {
                file: file.to_string(),
                at,
                reason: pusdata_core::t!(
                    "cli-inputs-lists-nested-more-than",
                    MAX_LIST_NESTING = &MAX_LIST_NESTING
                ),
            });
        }
        for (j, item) in items.iter().enumerate() {
            classify(
                file,
                format!("{at}, items[{j}]"),
                item.clone(),
                lists + 1,
                opts,
                out,
            )?;
        }
        return Ok(());
    }
    let group = api_version.split_once('/').map_or("", |(g, _)| g);
    if group != GROUP {
        out.skipped.push(Skipped {
            file: file.to_string(),
            at,
            why: pusdata_core::t!(
                "cli-inputs-pusdata-kind",
                kind = &kind,
                api_version = &api_version
            ),
            unknown: false,
        });
        return Ok(());
    }
    let object = match Object::from_value(doc) {
        Ok(o) => o,
        Err(ObjectError::NotPusdata { .. }) => {
            return unknown(
                pusdata_core::t!(
                    "cli-inputs-unknown-pusdata-apiversion-kind",
                    api_version = &api_version,
                    kind = &kind,
                    GROUP = &GROUP,
                    VERSION = &VERSION
                ),
                out,
            );
        }
        Err(e) => {
            return Err(InputError {
                file: file.to_string(),
                at,
                reason: plain(e),
            });
        }
    };
    let rules = if opts.skip_schema {
        Ok(Ok(()))
    } else {
        object.to_value().map(|v| check_rules(&v, None))
    };
    let schema_errors = match rules {
        Ok(Ok(())) => Vec::new(),
        Ok(Err(ObjectError::Rule { messages, .. })) => {
            messages.split("; ").map(str::to_string).collect()
        }
        Ok(Err(e)) => vec![e.to_string()],
        Err(e) => {
            return Err(InputError {
                file: file.to_string(),
                at,
                reason: plain(e),
            });
        }
    };
    out.objects.push(Loaded {
        file: file.to_string(),
        at,
        object,
        schema_errors,
    });
    Ok(())
}

/// The paths of a command that reads a plan: the paths given, and for every file given
/// the other manifests of its directory, which hold the plan's Sites and repositories
/// (`dr-plans/bekasi.yaml` beside `dr-plans/repositories.yaml`). `plan check` and
/// `drill --local` resolve their context with this one function.
pub fn with_siblings(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), InputError> {
    let mut given = Vec::new();
    for p in paths {
        given.extend(files(p)?);
    }
    let mut siblings: Vec<PathBuf> = Vec::new();
    for p in paths.iter().filter(|p| !p.is_dir() && p.as_os_str() != "-") {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|s| s.is_file() && s.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        found.sort();
        siblings.extend(found);
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    let mut context: Vec<PathBuf> = Vec::new();
    for s in siblings {
        if !given.iter().any(|g| same(g, &s)) && !context.iter().any(|c| same(c, &s)) {
            context.push(s);
        }
    }
    Ok((given, context))
}

#[cfg(test)]
mod tests;

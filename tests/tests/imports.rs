#![allow(clippy::unwrap_used, clippy::expect_used)]
//! No import circle among the files of the operator and core crates (issue #15).
//!
//! Reads the `mod` lines to know which file is which module, and the `use` lines (braces
//! expanded, `pub use` included) and the paths written out in the code (`super::x::f()`,
//! `crate::a::B`) to know which file imports from which. An edge goes from a
//! file to the file of the deepest module its path names; a circle of such edges means the
//! files cannot be understood, tested or split one at a time. `use super::…` inside an inline
//! `mod tests { … }` names the file itself and is no edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A crate: its name in paths from the other crates, and its root file.
struct Krate {
    /// Name other crates use (`pusdata_core`, `pusdata`); the bin has none.
    extern_name: Option<&'static str>,
    /// Label in messages.
    label: &'static str,
    root: PathBuf,
}

/// Module path (segments after `crate`) → file, for one crate.
type Modules = BTreeMap<Vec<String>, PathBuf>;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// Source without comments and string contents (so braces and `use` in them do not count).
fn strip(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let b: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                if b[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && raw_start(&b, i) {
            // r"…" or r#"…"#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            j += 1;
            out.push_str("\"\"");
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            i = j;
        } else if c == '"' {
            out.push_str("\"\"");
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if b.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && is_char_literal(&b, i) {
            out.push_str("' '");
            i += 1;
            while i < b.len() && b[i] != '\'' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn raw_start(b: &[char], i: usize) -> bool {
    let prev_ident = i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_');
    if prev_ident {
        return false;
    }
    let mut j = i + 1;
    while b.get(j) == Some(&'#') {
        j += 1;
    }
    b.get(j) == Some(&'"')
}

/// A char literal (`'x'`, `'\n'`, `'{'`), not a lifetime (`'a`).
fn is_char_literal(b: &[char], i: usize) -> bool {
    matches!(
        (b.get(i + 1), b.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// `mod name;` declarations of a stripped file (outside inline modules too: a declared file
/// module is a file whatever encloses it), with their `#[path]`.
fn declared_modules(src: &str, raw: &str) -> Vec<(String, Option<String>)> {
    let raw_lines: Vec<&str> = raw.lines().collect();
    let mut out = Vec::new();
    for (n, line) in src.lines().enumerate() {
        let t = line.trim();
        let t = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        if let Some(rest) = t.strip_prefix("mod ")
            && let Some(name) = rest.strip_suffix(';')
        {
            let path = n
                .checked_sub(1)
                .and_then(|p| raw_lines.get(p))
                .and_then(|l| l.trim().strip_prefix("#[path = \""))
                .and_then(|l| l.strip_suffix("\"]"))
                .map(str::to_string);
            out.push((name.trim().to_string(), path));
        }
    }
    out
}

/// Walks the module tree of a crate from its root file.
fn modules(root: &Path) -> Modules {
    let mut out = Modules::new();
    let mut todo = vec![(Vec::<String>::new(), root.to_path_buf())];
    while let Some((path, file)) = todo.pop() {
        let raw =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let src = strip(&raw);
        let is_dir_owner = path.is_empty()
            || file
                .file_name()
                .is_some_and(|n| n == "mod.rs" || n == "lib.rs" || n == "main.rs");
        let dir = if is_dir_owner {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        for (name, at) in declared_modules(&src, &raw) {
            let child = match at {
                Some(p) => file.parent().unwrap().join(p),
                None => {
                    let flat = dir.join(format!("{name}.rs"));
                    if flat.exists() {
                        flat
                    } else {
                        dir.join(&name).join("mod.rs")
                    }
                }
            };
            let mut p = path.clone();
            p.push(name);
            todo.push((p, child));
        }
        out.insert(path, file);
    }
    out
}

/// The paths of one `use` tree (`a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`).
fn expand(tree: &str) -> Vec<Vec<String>> {
    // `a as b` keeps its name through the removal of whitespace as `a#b`.
    let tree = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree: String = tree
        .replace(" as ", "#")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut out = Vec::new();
    expand_into(&tree, &mut Vec::new(), &mut out);
    out
}

fn expand_into(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Some(open) = tree.find('{') {
        let head = &tree[..open];
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let segs: Vec<String> = head
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let n = prefix.len();
        prefix.extend(segs);
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_into(&inner[start..i], prefix, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_into(&inner[start..], prefix, out);
        prefix.truncate(n);
    } else if !tree.is_empty() {
        let name = tree.split('#').next().unwrap_or(tree);
        let mut p = prefix.clone();
        p.extend(
            name.split("::")
                .filter(|s| !s.is_empty() && *s != "*")
                .map(str::to_string),
        );
        out.push(p);
    }
}

/// `use` statements of a stripped file, each with the inline-module path it sits in.
fn uses(src: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut inline: Vec<(String, i64)> = Vec::new();
    let mut depth: i64 = 0;
    let mut pending: Option<String> = None;
    for line in src.lines() {
        let t = line.trim();
        if let Some(p) = pending.as_mut() {
            p.push_str(t);
            if t.contains(';') {
                let stmt = pending.take().unwrap_or_default();
                out.push((inline.iter().map(|m| m.0.clone()).collect(), stmt));
            }
        } else {
            let body = t
                .strip_prefix("pub(crate) ")
                .or_else(|| t.strip_prefix("pub(super) "))
                .or_else(|| t.strip_prefix("pub "))
                .unwrap_or(t);
            if let Some(rest) = body.strip_prefix("use ") {
                if rest.contains(';') {
                    out.push((
                        inline.iter().map(|m| m.0.clone()).collect(),
                        rest.to_string(),
                    ));
                } else {
                    pending = Some(rest.to_string());
                }
            } else if let Some(rest) = body.strip_prefix("mod ")
                && let Some(name) = rest.strip_suffix('{').map(str::trim)
            {
                inline.push((name.to_string(), depth));
            } else {
                for path in written_paths(t) {
                    out.push((inline.iter().map(|m| m.0.clone()).collect(), path));
                }
            }
        }
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if inline.last().is_some_and(|m| m.1 == depth) {
                        inline.pop();
                    }
                }
                _ => {}
            }
        }
    }
    out.into_iter()
        .map(|(m, s)| (m, s.trim_end_matches(';').to_string()))
        .collect()
}

/// Paths written out in a line of code: `crate::…`, `super::…`, `self::…` and the other
/// crates' names, as far as they go (`super::schedule::sources(` → `super::schedule::sources`).
fn written_paths(line: &str) -> Vec<String> {
    const HEADS: [&str; 5] = [
        "crate::",
        "super::",
        "self::",
        "pusdata_core::",
        "pusdata::",
    ];
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let at_boundary = line[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !ident(c) && c != ':');
        if at_boundary && let Some(h) = HEADS.iter().find(|h| rest.starts_with(**h)) {
            let mut end = h.len();
            loop {
                let seg = rest[end..]
                    .chars()
                    .take_while(|c| ident(*c))
                    .map(char::len_utf8)
                    .sum::<usize>();
                if seg == 0 {
                    break;
                }
                end += seg;
                if rest[end..].starts_with("::") && rest[end + 2..].starts_with(|c: char| ident(c))
                {
                    end += 2;
                } else {
                    break;
                }
            }
            out.push(rest[..end].trim_end_matches("::").to_string());
            i += end;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// A file of some crate.
type Node = (usize, PathBuf);

#[test]
fn no_import_circle_among_files() {
    let r = repo();
    let krates = [
        Krate {
            extern_name: Some("pusdata_core"),
            label: "core",
            root: r.join("operator/core/src/lib.rs"),
        },
        Krate {
            extern_name: Some("pusdata"),
            label: "lib",
            root: r.join("operator/src/lib.rs"),
        },
        Krate {
            extern_name: None,
            label: "bin",
            root: r.join("operator/src/main.rs"),
        },
    ];
    let mods: Vec<Modules> = krates.iter().map(|k| modules(&k.root)).collect();
    assert!(
        mods[2].len() > 40 && mods[0].len() > 40,
        "module trees found"
    );
    let mut edges: BTreeMap<Node, BTreeSet<Node>> = BTreeMap::new();
    // One path that makes each edge, to say why it is there.
    let mut why: BTreeMap<(Node, Node), String> = BTreeMap::new();
    for (k, tree) in mods.iter().enumerate() {
        for (module, file) in tree {
            let src = strip(&std::fs::read_to_string(file).unwrap());
            let from: Node = (k, file.clone());
            for (inline, stmt) in uses(&src) {
                // The module the statement is written in.
                let mut here = module.clone();
                here.extend(inline);
                for path in expand(&stmt) {
                    let Some((target_crate, target)) = resolve(&krates, &mods, k, &here, &path)
                    else {
                        continue;
                    };
                    let to = deepest(&mods[target_crate], &target);
                    if let Some(to) = to
                        && (target_crate, to.clone()) != from
                    {
                        edges
                            .entry(from.clone())
                            .or_default()
                            .insert((target_crate, to.clone()));
                        why.entry((from.clone(), (target_crate, to)))
                            .or_insert_with(|| path.join("::"));
                    }
                }
            }
        }
    }
    let circles = circles(&edges);
    let show = |n: &Node| {
        format!(
            "{}:{}",
            krates[n.0].label,
            n.1.strip_prefix(&r).unwrap_or(&n.1).display()
        )
    };
    let text: Vec<String> = circles
        .iter()
        .map(|c| {
            let cycle = cycle_in(&edges, c);
            let mut line = show(&cycle[0]);
            for w in cycle.windows(2) {
                line.push_str(&format!(
                    " →({}) {}",
                    why.get(&(w[0].clone(), w[1].clone()))
                        .map_or("", String::as_str),
                    show(&w[1])
                ));
            }
            format!("[{} files] {line}", c.len())
        })
        .collect();
    assert!(
        text.is_empty(),
        "{} import circle(s) among files:\n{}",
        text.len(),
        text.join("\n")
    );
}

/// Where a `use` path points: (crate, module path inside it), or `None` for another crate.
fn resolve(
    krates: &[Krate],
    mods: &[Modules],
    k: usize,
    here: &[String],
    path: &[String],
) -> Option<(usize, Vec<String>)> {
    let first = path.first()?;
    let mut base: Vec<String>;
    let mut rest = &path[1..];
    let mut krate = k;
    match first.as_str() {
        "crate" => base = Vec::new(),
        "self" => base = here.to_vec(),
        "super" => {
            base = here.to_vec();
            base.pop();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        name => {
            if let Some(i) = krates.iter().position(|c| c.extern_name == Some(name)) {
                krate = i;
                base = Vec::new();
            } else {
                // A child module of the current one (uniform paths), else another crate.
                let mut child = here.to_vec();
                child.push(name.to_string());
                if mods[k].contains_key(&child) {
                    base = here.to_vec();
                    rest = path;
                } else {
                    return None;
                }
            }
        }
    }
    base.extend(rest.iter().cloned());
    Some((krate, base))
}

/// The file of the deepest module `path` names.
fn deepest(tree: &Modules, path: &[String]) -> Option<PathBuf> {
    (0..=path.len())
        .rev()
        .find_map(|n| tree.get(&path[..n]).cloned())
}

/// One cycle through the first file of a strongly connected set: a shortest way back to it.
fn cycle_in(edges: &BTreeMap<Node, BTreeSet<Node>>, set: &[Node]) -> Vec<Node> {
    let start = set[0].clone();
    let inside: BTreeSet<&Node> = set.iter().collect();
    let mut came: BTreeMap<Node, Node> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start.clone()]);
    while let Some(v) = queue.pop_front() {
        for w in edges.get(&v).into_iter().flatten() {
            if !inside.contains(w) {
                continue;
            }
            if *w == start {
                let mut path = vec![start.clone(), v.clone()];
                let mut at = v.clone();
                while let Some(p) = came.get(&at) {
                    path.push(p.clone());
                    at = p.clone();
                }
                // path: start, v, …, start's successor… reversed except the closing start.
                let closing = path.remove(0);
                path.reverse();
                path.push(closing);
                return path;
            }
            if !came.contains_key(w) && *w != start {
                came.insert(w.clone(), v.clone());
                queue.push_back(w.clone());
            }
        }
    }
    set.to_vec()
}

/// Every strongly connected set of more than one file (Tarjan), as a cycle to print.
fn circles(edges: &BTreeMap<Node, BTreeSet<Node>>) -> Vec<Vec<Node>> {
    struct State<'a> {
        edges: &'a BTreeMap<Node, BTreeSet<Node>>,
        index: BTreeMap<Node, usize>,
        low: BTreeMap<Node, usize>,
        stack: Vec<Node>,
        on: BTreeSet<Node>,
        next: usize,
        out: Vec<Vec<Node>>,
    }
    fn visit(s: &mut State<'_>, v: &Node) {
        s.index.insert(v.clone(), s.next);
        s.low.insert(v.clone(), s.next);
        s.next += 1;
        s.stack.push(v.clone());
        s.on.insert(v.clone());
        let succ: Vec<Node> = s
            .edges
            .get(v)
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default();
        for w in succ {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let l = s.low[&w].min(s.low[v]);
                s.low.insert(v.clone(), l);
            } else if s.on.contains(&w) {
                let l = s.index[&w].min(s.low[v]);
                s.low.insert(v.clone(), l);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(&w);
                let done = &w == v;
                comp.push(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    let nodes: Vec<Node> = edges.keys().cloned().collect();
    for v in &nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn the_reader_sees_braces_renames_and_inline_modules() {
    assert_eq!(
        expand("crate::{a::{b, c as d}, e::*}"),
        vec![
            vec!["crate", "a", "b"],
            vec!["crate", "a", "c"],
            vec!["crate", "e"]
        ]
    );
    let src = strip(
        "use super::x; // use crate::commented;\nlet s = \"use crate::in_string;\";\nmod tests {\n    use super::*;\n}\nuse crate::y::{z};\n",
    );
    let found = uses(&src);
    assert_eq!(
        found,
        vec![
            (vec![], "super::x".to_string()),
            (vec!["tests".to_string()], "super::*".to_string()),
            (vec![], "crate::y::{z}".to_string()),
        ]
    );
    // A circle of three files is found; a chain is not.
    let n = |s: &str| (0usize, PathBuf::from(s));
    let mut e: BTreeMap<Node, BTreeSet<Node>> = BTreeMap::new();
    e.entry(n("a")).or_default().insert(n("b"));
    e.entry(n("b")).or_default().insert(n("c"));
    assert!(circles(&e).is_empty());
    e.entry(n("c")).or_default().insert(n("a"));
    assert_eq!(circles(&e), vec![vec![n("a"), n("b"), n("c")]]);
}

//! Source-level checks of the message catalogue (issue #19): code names messages by ID and
//! never writes a user-facing sentence pair itself.
//!
//! A small Rust lexer (comments, string, raw string and char literals, lifetimes) reads every
//! `*.rs` file under the workspace's `src/` trees, with `#[cfg(test)]` items and test-only
//! files left out.

use pusdata_core::i18n::{Lang, has};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Lit(String),
    Punct(char),
}

struct Lexed {
    toks: Vec<(Tok, usize)>,
}

fn lex(src: &str) -> Lexed {
    let c: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' || ((ch == 'b' || ch == 'c') && at(i + 1) == '"') {
            let start_line = line;
            i += if ch == '"' { 1 } else { 2 };
            let mut s = String::new();
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    // A line continuation drops the newline and the next line's indent.
                    if at(i + 1) == '\n' {
                        i += 2;
                        line += 1;
                        while i < c.len() && c[i].is_whitespace() {
                            if c[i] == '\n' {
                                line += 1;
                            }
                            i += 1;
                        }
                        continue;
                    }
                    s.push(c[i]);
                    s.push(at(i + 1));
                    i += 2;
                    continue;
                }
                if c[i] == '\n' {
                    line += 1;
                }
                s.push(c[i]);
                i += 1;
            }
            i += 1;
            toks.push((Tok::Lit(s), start_line));
        } else if (ch == 'r' && (at(i + 1) == '"' || at(i + 1) == '#'))
            || (ch == 'b' && at(i + 1) == 'r' && (at(i + 2) == '"' || at(i + 2) == '#'))
        {
            let start_line = line;
            i += if ch == 'r' { 1 } else { 2 };
            let mut hashes = 0;
            while at(i) == '#' {
                hashes += 1;
                i += 1;
            }
            if at(i) != '"' {
                // `r#ident`: a raw identifier.
                let mut id = String::new();
                while at(i).is_alphanumeric() || at(i) == '_' {
                    id.push(c[i]);
                    i += 1;
                }
                toks.push((Tok::Ident(id), line));
                continue;
            }
            i += 1;
            let mut s = String::new();
            loop {
                if i >= c.len() {
                    break;
                }
                if c[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                    i += 1 + hashes;
                    break;
                }
                if c[i] == '\n' {
                    line += 1;
                }
                s.push(c[i]);
                i += 1;
            }
            toks.push((Tok::Lit(s), start_line));
        } else if ch == '\'' {
            if at(i + 1) == '\\' {
                // `'\''`, `'\n'`, `'\u{..}'`: the escaped character is never the end.
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                // A lifetime or label.
                i += 1;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let mut id = String::new();
            while at(i).is_alphanumeric() || at(i) == '_' {
                id.push(c[i]);
                i += 1;
            }
            toks.push((Tok::Ident(id), line));
        } else {
            toks.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    Lexed {
        toks: strip_cfg_test(toks),
    }
}

/// Drops every item marked `#[cfg(test)]` (a `mod tests;` line or a braced item).
fn strip_cfg_test(toks: Vec<(Tok, usize)>) -> Vec<(Tok, usize)> {
    let is = |i: usize, t: &Tok| toks.get(i).map(|(x, _)| x) == Some(t);
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let cfg_test = is(i, &Tok::Punct('#'))
            && is(i + 1, &Tok::Punct('['))
            && is(i + 2, &Tok::Ident("cfg".into()))
            && is(i + 3, &Tok::Punct('('))
            && is(i + 4, &Tok::Ident("test".into()))
            && is(i + 5, &Tok::Punct(')'))
            && is(i + 6, &Tok::Punct(']'));
        if !cfg_test {
            out.push(toks[i].clone());
            i += 1;
            continue;
        }
        i += 7;
        // Skip to the end of the item: a `;` before any `{`, or the matching `}`.
        let mut depth = 0usize;
        while i < toks.len() {
            match &toks[i].0 {
                Tok::Punct(';') if depth == 0 => {
                    i += 1;
                    break;
                }
                Tok::Punct('{') => depth += 1,
                Tok::Punct('}') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Production sources: `src/` of each crate, without test-only files and directories.
fn sources() -> Vec<(String, String)> {
    let root = workspace();
    let mut out = Vec::new();
    for dir in ["crds/src", "operator/core/src", "operator/src"] {
        walk(&root.join(dir), &mut out);
    }
    out.into_iter()
        .filter_map(|p| {
            let rel = p
                .strip_prefix(&root)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            let test_only = rel
                .split('/')
                .any(|c| c == "tests" || c == "testkit" || c == "vendor")
                || rel.ends_with("/tests.rs")
                || rel.ends_with("_tests.rs")
                || rel.ends_with("/testing.rs");
            if test_only {
                return None;
            }
            Some((rel, std::fs::read_to_string(&p).ok()?))
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The tokens of one call's argument list, `open` being the index of its `(`.
fn call_args(toks: &[(Tok, usize)], open: usize) -> &[(Tok, usize)] {
    let mut depth = 0usize;
    for (k, (t, _)) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &toks[open + 1..k];
                }
            }
            _ => {}
        }
    }
    &toks[open + 1..]
}

/// The argument names of each `t!("id", name = …)` call: `(id, line, names)`.
fn t_calls(toks: &[(Tok, usize)]) -> Vec<(String, usize, BTreeSet<String>)> {
    let mut out = Vec::new();
    for i in 0..toks.len() {
        let is_t = toks[i].0 == Tok::Ident("t".into())
            && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Punct('!'))
            && toks.get(i + 2).map(|t| &t.0) == Some(&Tok::Punct('('));
        if !is_t {
            continue;
        }
        let args = call_args(toks, i + 2);
        let Some((Tok::Lit(id), line)) = args.first() else {
            continue;
        };
        let mut names = BTreeSet::new();
        let mut depth = 0usize;
        for (k, (t, _)) in args.iter().enumerate() {
            match t {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
                Tok::Ident(name) if depth == 0 => {
                    let after_comma = k > 0 && args[k - 1].0 == Tok::Punct(',');
                    let eq = args.get(k + 1).map(|t| &t.0) == Some(&Tok::Punct('='))
                        && args.get(k + 2).map(|t| &t.0) != Some(&Tok::Punct('='));
                    if after_comma && eq {
                        names.insert(name.clone());
                    }
                }
                _ => {}
            }
        }
        out.push((id.clone(), *line, names));
    }
    out
}

/// Every message's variables, from the English catalogue (the catalogue tests hold the
/// Indonesian one to the same set).
fn catalogue_variables() -> BTreeMap<String, BTreeSet<String>> {
    use fluent_syntax::ast;
    fn inline(e: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                arguments.positional.iter().for_each(|p| inline(p, out));
                arguments.named.iter().for_each(|n| inline(&n.value, out));
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    fn expr(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Inline(i) => inline(i, out),
            ast::Expression::Select { selector, variants } => {
                inline(selector, out);
                variants.iter().for_each(|v| pattern(&v.value, out));
            }
        }
    }
    fn pattern(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expr(expression, out);
            }
        }
    }
    let mut all = BTreeMap::new();
    for (_, en, _) in pusdata_core::i18n::AREAS {
        let resource = fluent_syntax::parser::parse(*en).unwrap_or_else(|(r, _)| r);
        for entry in &resource.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern(p, &mut vars);
                }
                all.insert(m.id.name.to_string(), vars);
            }
        }
    }
    all
}

/// Message IDs named in code: `t!("id"…)`, `tr(lang, "id"…)`, `text("id"…)`.
fn used_ids(toks: &[(Tok, usize)]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for i in 0..toks.len() {
        let Tok::Ident(name) = &toks[i].0 else {
            continue;
        };
        let after_path = i == 0 || !matches!(toks[i - 1].0, Tok::Punct('.'));
        let (open, literal_index) = match name.as_str() {
            "t" if matches!(toks.get(i + 1), Some((Tok::Punct('!'), _))) => (i + 2, 0),
            "tr" if after_path => (i + 1, 1),
            "text" if i >= 2 && toks[i - 2].0 == Tok::Ident("i18n".into()) => (i + 1, 0),
            _ => continue,
        };
        if !matches!(toks.get(open), Some((Tok::Punct('('), _))) {
            continue;
        }
        // The literal after `literal_index` top-level commas.
        let args = call_args(toks, open);
        let mut commas = 0;
        let mut depth = 0usize;
        for (t, line) in args {
            match t {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
                Tok::Punct(',') if depth == 0 => commas += 1,
                Tok::Lit(s) if depth == 0 && commas == literal_index => {
                    out.push((s.clone(), *line));
                    break;
                }
                _ if depth == 0 && commas > literal_index => break,
                _ => {}
            }
        }
    }
    out
}

/// `Text::new(` calls whose arguments contain a string literal.
fn text_new_with_literals(toks: &[(Tok, usize)]) -> Vec<usize> {
    let mut out = Vec::new();
    for i in 0..toks.len() {
        let is_call = toks[i].0 == Tok::Ident("Text".into())
            && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Punct(':'))
            && toks.get(i + 2).map(|t| &t.0) == Some(&Tok::Punct(':'))
            && toks.get(i + 3).map(|t| &t.0) == Some(&Tok::Ident("new".into()))
            && toks.get(i + 4).map(|t| &t.0) == Some(&Tok::Punct('('));
        if is_call
            && call_args(toks, i + 4)
                .iter()
                .any(|(t, _)| matches!(t, Tok::Lit(_)))
        {
            out.push(toks[i].1);
        }
    }
    out
}

/// Words that mark the Indonesian half of an inline "English / Indonesian" literal.
const INDONESIAN: &[&str] = &[
    "tidak",
    "yang",
    "dan",
    "gagal",
    "berhasil",
    "dari",
    "untuk",
    "sesuai",
    "ditulis",
    "berkas",
    "langkah",
    "semua",
    "setiap",
    "memerlukan",
    "jalankan",
    "belum",
    "sudah",
    "ditolak",
    "tanpa",
    "instansi",
    "anggota",
    "jadwal",
    "tercapai",
    "pemeriksaan",
    "kehilangan",
    "pusat",
    "dilupakan",
    "rusak",
    "lini",
    "temuan",
    "dibuat",
    "laporan",
    "terhadap",
    "berjalan",
    "bersih",
    "usang",
    "mutakhir",
    "terpasang",
    "mesin",
    "replika",
    "bukan",
    "pemimpin",
    "dengan",
    "kuota",
    "batasan",
    "kebijakan",
    "jaringan",
    "melewati",
    "berada",
    "dalam",
    "otomatis",
    "sejak",
    "selama",
    "rencana",
    "telah",
    "dicerminkan",
    "pada",
    "ini",
    "ada",
    "dijadwalkan",
    "backupnya",
    "skema",
    "menerapkan",
    "dipangkas",
    "waktu",
    "aturan",
    "kepatuhan",
    "situs",
    "memiliki",
    "lagi",
    "menjawab",
];

/// What a literal with " / " in it is.
#[derive(Debug, PartialEq)]
enum Slash {
    /// Not a sentence pair.
    No,
    /// `"x failed / x gagal"`, or `"{en} / {id}"` joining two halves by name.
    Pair,
    /// `"{} / {}"`: a pair if its arguments are the `.en` and `.id` of something.
    Anonymous,
}

/// A literal that writes both languages itself, or that joins two halves instead of using
/// `Display for Text`.
fn classify(lit: &str) -> Slash {
    let Some((left, right)) = lit.split_once(" / ") else {
        return Slash::No;
    };
    let placeholder = |s: &str| -> Option<String> {
        let s = s.trim();
        let inner = s.strip_prefix('{')?.strip_suffix('}')?;
        inner
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            .then(|| inner.to_string())
    };
    if let (Some(a), Some(b)) = (placeholder(left), placeholder(right)) {
        let lang = |p: &str, l: &str| {
            p == l || p.ends_with(&format!(".{l}")) || p.ends_with(&format!("_{l}"))
        };
        return if a.is_empty() && b.is_empty() {
            Slash::Anonymous
        } else if lang(&a, "en") && (lang(&b, "id") || b.ends_with("id_text")) {
            Slash::Pair
        } else {
            Slash::No
        };
    }
    let indonesian = right
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| INDONESIAN.contains(&w.to_lowercase().as_str()));
    if indonesian { Slash::Pair } else { Slash::No }
}

fn inline_pairs(toks: &[(Tok, usize)]) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, (t, line)) in toks.iter().enumerate() {
        let Tok::Lit(s) = t else {
            continue;
        };
        let pair = match classify(s) {
            Slash::No => false,
            Slash::Pair => true,
            // The arguments that follow, up to the end of the statement.
            Slash::Anonymous => {
                let rest: Vec<&Tok> = toks[i + 1..]
                    .iter()
                    .map(|(t, _)| t)
                    .take_while(|t| **t != Tok::Punct(';'))
                    .take(40)
                    .collect();
                let has = |name: &str| {
                    rest.windows(2)
                        .any(|w| *w[0] == Tok::Punct('.') && *w[1] == Tok::Ident(name.into()))
                };
                has("en") && (has("id") || has("id_text"))
            }
        };
        if pair {
            out.push(*line);
        }
    }
    out
}

/// More words that only Indonesian sentences use, for [`indonesian_literals`] (too short or
/// too common to mark the right half of a `" / "` pair).
const MORE_INDONESIAN: &[&str] = &[
    "di",
    "ke",
    "atau",
    "oleh",
    "dapat",
    "harus",
    "akan",
    "sebagai",
    "memakai",
    "hanya",
    "juga",
    "saat",
    "bila",
    "jika",
    "setelah",
    "sebelum",
    "paling",
    "sedikit",
    "wilayah",
    "perangkat",
    "daerah",
    "berbentuk",
    "dilengkapi",
    "disimpan",
    "amankan",
    "laporkan",
];

/// Literals that read as Indonesian sentences (three or more words, two or more of them
/// marker words): a translation written in code, e.g. the Indonesian column of a static
/// table (`id_text: "Server di Pusat Data …"`), instead of a catalogue message. Literals
/// already counted as inline pairs are not counted again.
fn indonesian_literals(toks: &[(Tok, usize)]) -> Vec<usize> {
    let mut out = Vec::new();
    for (t, line) in toks {
        let Tok::Lit(s) = t else {
            continue;
        };
        if classify(s) != Slash::No {
            continue;
        }
        let words: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let markers: BTreeSet<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| INDONESIAN.contains(w) || MORE_INDONESIAN.contains(w))
            .collect();
        if words.len() >= 3 && markers.len() >= 2 {
            out.push(*line);
        }
    }
    out
}

/// The one place both languages are joined (`Display for Text`).
const THE_HELPER: &str = "operator/core/src/i18n/language.rs";

/// Files not migrated yet: `(path, Text::new with literals, inline pairs, Indonesian
/// literals)`. Counts may only go down; a file migrated in full leaves the list. Empty: every
/// file is migrated (docs/rules.md, bilingual by design, gets both languages from the
/// catalogue through `Display for Text`).
const NOT_MIGRATED: &[(&str, usize, usize, usize)] = &[];

#[test]
fn lexer_reads_literals_comments_and_test_modules() {
    let src = r##"
        // Text::new("comment", "komentar")
        let a = r#"raw "quoted" / yang"#;
        let b = 'x'; let c: &'static str = "x";
        fn f() { Text::new("a", format!("b {}", 1)); t!("cli-object-ok", object = o); }
        #[cfg(test)]
        mod tests { fn g() { Text::new("hidden", "tersembunyi"); } }
        let d = "{en} / {id}";
        const RULES: &[Rule] = &[Rule { en: "Servers are rackmount.",
            id_text: "Server berbentuk rackmount dan berada di Pusat Data." }];
        let e = "tidak"; let f = "no rule broken";
    "##;
    let l = lex(src);
    assert_eq!(text_new_with_literals(&l.toks), vec![5]);
    assert_eq!(inline_pairs(&l.toks), vec![3, 8]);
    assert_eq!(
        indonesian_literals(&l.toks),
        vec![10],
        "the Indonesian column of a static table"
    );
    assert_eq!(used_ids(&l.toks), vec![("cli-object-ok".to_string(), 5)]);
    let calls = t_calls(&l.toks);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].2, BTreeSet::from(["object".to_string()]));
    assert_eq!(classify("backup failed / backup gagal"), Slash::Pair);
    assert_eq!(classify("RPO achieved / target"), Slash::No);
    assert_eq!(classify("{load} W / {budget} W"), Slash::No);
    assert_eq!(classify("{t.en} / {t.id}"), Slash::Pair);
    let joined =
        lex(r#"let a = format!("{} / {}", t.en, t.id); let b = format!("{} / {}", x, y);"#);
    assert_eq!(inline_pairs(&joined.toks), vec![1]);
}

#[test]
fn every_message_id_used_in_the_source_is_in_both_catalogues() {
    let mut missing = Vec::new();
    let mut seen = 0;
    for (path, src) in sources() {
        for (id, line) in used_ids(&lex(&src).toks) {
            seen += 1;
            for lang in [Lang::En, Lang::Id] {
                if !has(lang, &id) {
                    missing.push(format!(
                        "{path}:{line}: {id} is not in the {lang:?} catalogue"
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(
        seen > 0,
        "no t!/tr call found: is the scan reading the sources?"
    );
}

#[test]
fn every_t_call_passes_exactly_the_variables_its_message_uses() {
    let vars = catalogue_variables();
    let mut problems = Vec::new();
    let mut calls = 0;
    for (path, src) in sources() {
        for (id, line, names) in t_calls(&lex(&src).toks) {
            calls += 1;
            if let Some(wanted) = vars.get(&id)
                && *wanted != names
            {
                problems.push(format!(
                    "{path}:{line}: t!(\"{id}\") passes {names:?}, the message uses {wanted:?}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(calls > 100, "only {calls} t! calls found");
}

#[test]
fn no_sentences_outside_the_catalogue() {
    let allowed: BTreeMap<&str, (usize, usize, usize)> = NOT_MIGRATED
        .iter()
        .map(|(p, a, b, c)| (*p, (*a, *b, *c)))
        .collect();
    let mut problems = Vec::new();
    let mut files = 0;
    let (mut total_new, mut total_pairs, mut total_id) = (0, 0, 0);
    let mut current = Vec::new();
    for (path, src) in sources() {
        files += 1;
        let l = lex(&src);
        let news = text_new_with_literals(&l.toks);
        let mut pairs = inline_pairs(&l.toks);
        if path == THE_HELPER {
            pairs.clear();
        }
        let indonesian = indonesian_literals(&l.toks);
        total_new += news.len();
        total_pairs += pairs.len();
        total_id += indonesian.len();
        if !news.is_empty() || !pairs.is_empty() || !indonesian.is_empty() {
            current.push(format!(
                "    (\"{path}\", {}, {}, {}),",
                news.len(),
                pairs.len(),
                indonesian.len()
            ));
        }
        let (max_new, max_pairs, max_id) = allowed.get(path.as_str()).copied().unwrap_or((0, 0, 0));
        if indonesian.len() > max_id {
            problems.push(format!(
                "{path}: Indonesian sentences in code at lines {indonesian:?} (allowed {max_id}): \
                 a table or literal carrying a translation; put both languages in \
                 operator/core/i18n/{{en,id}}/*.ftl and name the message by ID"
            ));
        }
        if news.len() > max_new {
            problems.push(format!(
                "{path}: Text::new with literals at lines {news:?} (allowed {max_new}): \
                 put the sentence in operator/core/i18n/{{en,id}}/*.ftl and use t!(\"id\")"
            ));
        }
        if pairs.len() > max_pairs {
            problems.push(format!(
                "{path}: inline \"English / Indonesian\" literals at lines {pairs:?} (allowed \
                 {max_pairs}): use t!(\"id\") and Display for Text where both are shown"
            ));
        }
    }
    assert!(files > 100, "only {files} source files found");
    // `PUSDATA_I18N_ALLOWLIST=1 cargo nextest run -p pusdata-core --no-capture no_sentences`
    // prints the table to paste into NOT_MIGRATED after a migration.
    if std::env::var_os("PUSDATA_I18N_ALLOWLIST").is_some() {
        eprintln!("{}", current.join("\n"));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s); {total_new} Text::new with literals, {total_pairs} inline pairs and \
         {total_id} Indonesian literals in all:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

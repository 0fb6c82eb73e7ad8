use super::*;

#[test]
fn locale_picks_indonesian_only_for_indonesian() {
    assert_eq!(Lang::from_locale("id_ID.UTF-8"), Lang::Id);
    assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
    assert_eq!(Lang::from_locale("C.UTF-8"), Lang::En);
    assert_eq!(Lang::from_locale(""), Lang::En);
    assert_eq!(Lang::parse("ID"), Some(Lang::Id));
    assert_eq!(Lang::parse("fr"), None);
}

#[test]
fn every_catalogue_message_has_both_languages_and_they_differ() {
    let all = [
        Msg::CrdWritten { files: 12 },
        Msg::CrdUpToDate,
        Msg::CrdDrift {
            file: "x.yaml".into(),
        },
        Msg::BadInput {
            file: "a".into(),
            reason: "b".into(),
        },
        Msg::ObjectOk {
            object: "Site/x".into(),
        },
        Msg::PolicySummary {
            objects: 3,
            denied: 1,
            warnings: 0,
        },
        Msg::Excepted {
            rule: "CLOUD-NKRI".into(),
            exception: "e".into(),
            expires_at: "t".into(),
        },
        Msg::SchemaRule {
            message: "m".into(),
        },
    ];
    for m in all {
        let t = m.text();
        assert!(!t.en.is_empty() && !t.id.is_empty(), "{m:?}");
        assert_ne!(t.en, t.id, "{m:?} is not translated");
    }
}

// ---- The catalogue files (parsed with fluent-syntax, independently of the runtime bundles).

use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};

/// Message ID → the variables it uses, for one catalogue file.
type Messages = BTreeMap<String, BTreeSet<String>>;

fn inline_vars(e: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => call_vars(arguments, out),
        ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => call_vars(arguments, out),
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, out),
        _ => {}
    }
}

fn call_vars(args: &ast::CallArguments<&str>, out: &mut BTreeSet<String>) {
    for p in &args.positional {
        inline_vars(p, out);
    }
    for n in &args.named {
        inline_vars(&n.value, out);
    }
}

fn expression_vars(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, out),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for v in variants {
                pattern_vars(&v.value, out);
            }
        }
    }
}

fn pattern_vars(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            expression_vars(expression, out);
        }
    }
}

/// Whether a pattern shows nothing: no text but whitespace and no placeable.
fn pattern_is_empty(p: &ast::Pattern<&str>) -> bool {
    p.elements.iter().all(|el| match el {
        ast::PatternElement::TextElement { value } => value.trim().is_empty(),
        ast::PatternElement::Placeable { .. } => false,
    })
}

/// Parses one catalogue file; every problem is pushed to `problems`.
fn parse_file(label: &str, source: &str, problems: &mut Vec<String>) -> Messages {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(r) => r,
        Err((r, errors)) => {
            for e in errors {
                problems.push(format!("{label}: syntax error {e:?}"));
            }
            r
        }
    };
    let mut messages = Messages::new();
    for entry in &resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let id = m.id.name.to_string();
                let mut vars = BTreeSet::new();
                match &m.value {
                    Some(p) if !pattern_is_empty(p) => pattern_vars(p, &mut vars),
                    _ => problems.push(format!("{label}: message {id} is empty")),
                }
                for a in &m.attributes {
                    pattern_vars(&a.value, &mut vars);
                }
                if messages.insert(id.clone(), vars).is_some() {
                    problems.push(format!("{label}: message {id} is defined twice"));
                }
            }
            ast::Entry::Junk { content } => {
                problems.push(format!("{label}: unparsable text {content:?}"));
            }
            _ => {}
        }
    }
    messages
}

#[test]
fn every_message_exists_in_both_languages_with_the_same_arguments() {
    let mut problems = Vec::new();
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    let mut count = 0;
    for (area, en_src, id_src) in AREAS {
        let en = parse_file(&format!("en/{area}.ftl"), en_src, &mut problems);
        let id = parse_file(&format!("id/{area}.ftl"), id_src, &mut problems);
        for (msg, vars) in &en {
            match id.get(msg) {
                None => problems.push(format!("{msg} ({area}) has no Indonesian text")),
                Some(id_vars) if id_vars != vars => problems.push(format!(
                    "{msg} ({area}): English uses {vars:?}, Indonesian uses {id_vars:?}"
                )),
                Some(_) => {}
            }
            if let Some(other) = owner.insert(msg.clone(), area) {
                problems.push(format!(
                    "{msg} is defined in both {other}.ftl and {area}.ftl"
                ));
            }
            count += 1;
        }
        for msg in id.keys().filter(|m| !en.contains_key(*m)) {
            problems.push(format!("{msg} ({area}) has no English text"));
        }
    }
    assert!(
        problems.is_empty(),
        "catalogue problems:\n{}",
        problems.join("\n")
    );
    assert!(
        count >= 8,
        "only {count} messages found: is the catalogue compiled in?"
    );
}

#[test]
fn every_catalogue_file_is_compiled_in() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n");
    for lang in ["en", "id"] {
        let mut on_disk: Vec<String> = std::fs::read_dir(dir.join(lang))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter_map(|n| n.strip_suffix(".ftl").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        on_disk.sort();
        let mut listed: Vec<String> = AREAS.iter().map(|(a, _, _)| a.to_string()).collect();
        listed.sort();
        assert_eq!(
            on_disk, listed,
            "i18n/{lang}/*.ftl and AREAS in catalogue.rs differ"
        );
    }
}

#[test]
fn runtime_bundles_render_every_message_without_leftover_syntax() {
    // Renders each message with every argument it names set to a sample, so a message the
    // runtime parser reads differently from fluent-syntax shows up here.
    let mut problems = Vec::new();
    let mut ignored = Vec::new();
    for (area, en_src, _) in AREAS {
        for (msg, vars) in parse_file(area, en_src, &mut ignored) {
            let args: Vec<(&str, Arg)> = vars.iter().map(|v| (v.as_str(), Arg::Int(2))).collect();
            for lang in [Lang::En, Lang::Id] {
                let out = tr(lang, &msg, &args);
                if !has(lang, &msg) || out.is_empty() || out.contains("{$") {
                    problems.push(format!("{msg} in {lang:?} renders as {out:?}"));
                }
                if out.contains('\u{2068}') || out.contains('\u{2069}') {
                    problems.push(format!("{msg} in {lang:?} has bidi isolation marks"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn t_renders_arguments_plurals_and_numbers_per_language() {
    let one = crate::t!(
        "cli-policy-summary",
        objects = 1,
        denied = 0,
        warnings = 1usize
    );
    assert_eq!(one.en, "1 object checked: 0 denied, 1 warning");
    assert_eq!(one.id, "1 objek diperiksa: 0 ditolak, 1 peringatan");
    let many = crate::t!(
        "cli-policy-summary",
        objects = 12345,
        denied = 2,
        warnings = 3
    );
    assert_eq!(many.en, "12,345 objects checked: 2 denied, 3 warnings");
    assert_eq!(many.id, "12.345 objek diperiksa: 2 ditolak, 3 peringatan");
    let text_arg = crate::t!(
        "cli-bad-input",
        file = "a.yaml",
        reason = &Msg::CrdUpToDate.text()
    );
    assert!(
        text_arg.id.ends_with("sesuai dengan tipe Rust"),
        "{}",
        text_arg.id
    );
    assert!(
        text_arg.en.ends_with("match the Rust types"),
        "{}",
        text_arg.en
    );
    assert_eq!(
        tr(Lang::Id, "cli-crd-up-to-date", &[]),
        Msg::CrdUpToDate.text().id
    );
}

#[test]
fn dates_and_floats_are_formatted_inside_messages() {
    let d = crate::t!(
        "cli-excepted",
        rule = "CLOUD-NKRI",
        exception = "e",
        expires = date(jiff::civil::date(2026, 12, 6))
    );
    assert_eq!(
        d.id,
        "CLOUD-NKRI dikecualikan oleh e sampai 6 Desember 2026"
    );
    assert_eq!(d.en, "CLOUD-NKRI excepted by e until 6 December 2026");
    let f = crate::t!("cli-bad-input", file = "x", reason = 1234.5);
    assert_eq!(f.id, "tidak dapat membaca x: 1.234,5");
    assert_eq!(f.en, "cannot read x: 1,234.5");
}

#[test]
fn an_unknown_message_renders_its_id_instead_of_panicking() {
    assert_eq!(tr(Lang::Id, "no-such-message", &[]), "no-such-message");
    assert!(!has(Lang::En, "no-such-message"));
    let missing_arg = tr(Lang::En, "cli-crd-drift", &[]);
    assert!(
        missing_arg.contains("differs from the Rust types"),
        "{missing_arg}"
    );
}

#[test]
fn display_joins_both_languages_english_first() {
    let t = Text::new("a", "b");
    assert_eq!(t.to_string(), "a / b");
}

#[test]
fn t_takes_display_values_and_keeps_numbers_as_numbers() {
    let path = std::path::Path::new("/tmp/x.yaml");
    let t = crate::t!("cli-bad-input", file = path.display(), reason = 12345u64);
    assert_eq!(t.en, "cannot read /tmp/x.yaml: 12,345");
    assert_eq!(t.id, "tidak dapat membaca /tmp/x.yaml: 12.345");
}

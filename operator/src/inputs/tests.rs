#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use proptest::prelude::*;

const RACK: &str = "apiVersion: pusdata.io/v1alpha1
kind: Rack
metadata: { name: r1 }
spec:
  site: dc-bekasi
  heightU: 42
  depthMm: 1070
  feedA: { name: PDU-1-A, capacityWatts: 7360 }
  feedB: { name: PDU-1-B, capacityWatts: 7360 }
  coolingWatts: 6000
";

fn strict() -> Options {
    Options::default()
}

fn skip() -> Options {
    Options {
        skip_unknown: true,
        ..Default::default()
    }
}

#[test]
fn an_empty_file_is_an_error_naming_the_file() {
    for text in ["", "\n", "---\n", "# only a comment\n", "---\n---\n"] {
        let e = parse_bytes("empty.yaml", text.as_bytes(), strict()).unwrap_err();
        assert_eq!(e.file, "empty.yaml");
        assert!(e.reason.en.contains("no YAML document"), "{text:?}: {e}");
        let ok = parse_bytes("empty.yaml", text.as_bytes(), skip()).unwrap();
        assert!(ok.objects.is_empty());
        assert_eq!(ok.skipped.len(), 1);
    }
}

#[test]
fn an_unknown_pusdata_version_or_kind_is_an_error_naming_the_document() {
    for doc in [
        "apiVersion: pusdata.io/v9beta7\nkind: Rack\nmetadata: {name: x}\n",
        "apiVersion: pusdata.io/v1alpha1\nkind: Datacenter\nmetadata: {name: x}\n",
        "kind: Rack\nmetadata: {name: x}\n",
        "apiVersion: pusdata.io/v1alpha1\nmetadata: {name: x}\n",
        "just a string\n",
        "- a\n- list\n",
    ] {
        let text = format!("{RACK}---\n{doc}");
        let e = parse_bytes("m.yaml", text.as_bytes(), strict()).unwrap_err();
        assert_eq!(e.at, "document 2", "{doc}");
        assert!(e.in_lang(Lang::En).contains("m.yaml (document 2)"), "{e}");
        assert!(e.in_lang(Lang::En).contains("--skip-unknown"), "{e}");
        assert!(e.in_lang(Lang::Id).contains("tidak dapat membaca"), "{e}");
        let ok = parse_bytes("m.yaml", text.as_bytes(), skip()).unwrap();
        assert_eq!(ok.objects.len(), 1);
        assert!(ok.skipped[0].unknown);
    }
}

#[test]
fn other_api_groups_are_skipped_and_counted_not_errors() {
    let text = format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: a}}\n---\n{RACK}");
    let got = parse_bytes("m.yaml", text.as_bytes(), strict()).unwrap();
    assert_eq!(got.objects.len(), 1);
    assert_eq!(got.skipped.len(), 1);
    assert!(!got.skipped[0].unknown);
    assert!(
        got.skipped_note()
            .unwrap()
            .en
            .contains("1 document(s) of other API groups")
    );
}

#[test]
fn a_kubectl_list_is_expanded_and_its_items_are_classified() {
    let item = RACK.replace('\n', "\n    ");
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n  - {item}\n  - apiVersion: pusdata.io/v9beta7\n    kind: Rack\n"
    );
    let e = parse_bytes("l.yaml", text.as_bytes(), strict()).unwrap_err();
    assert_eq!(e.at, "document 1, items[1]");
    let ok = parse_bytes("l.yaml", text.as_bytes(), skip()).unwrap();
    assert_eq!(ok.objects.len(), 1);
    assert_eq!(ok.objects[0].at, "document 1, items[0]");
    assert_eq!(ok.objects[0].object.kind(), "Rack");
}

#[test]
fn many_documents_load_but_deep_nesting_and_huge_inputs_are_refused() {
    // More documents than serde-saphyr's default budget of 1 024.
    let many: String = (0..3000)
        .map(|i| RACK.replace("name: r1", &format!("name: r{i}")) + "---\n")
        .collect();
    let got = parse_bytes("many.yaml", many.as_bytes(), strict()).unwrap();
    assert_eq!(got.objects.len(), 3000);

    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let e = parse_bytes("deep.yaml", deep.as_bytes(), strict()).unwrap_err();
    assert!(e.reason.en.to_lowercase().contains("depth"), "{e}");

    let huge = vec![b'a'; (MAX_FILE_BYTES + 1) as usize];
    let e = parse_bytes("huge.yaml", &huge, strict()).unwrap_err();
    assert!(e.reason.en.contains("limit"), "{e}");

    // The billion laughs: aliases expanding to far more than the text.
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, prev) in ('b'..='j').zip('a'..='i') {
        bomb.push_str(&format!(
            "{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    assert!(parse_bytes("bomb.yaml", bomb.as_bytes(), strict()).is_err());
}

#[test]
fn bytes_that_are_not_utf8_are_an_error() {
    let e = parse_bytes("bin.yaml", &[0xff, 0xfe, b'a'], strict()).unwrap_err();
    assert!(e.reason.en.contains("UTF-8"), "{e}");
}

#[test]
fn siblings_of_a_plan_file_are_context_once() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["plan.yaml", "sites.yaml", "notes.txt"] {
        std::fs::write(dir.path().join(f), "x: 1\n").unwrap();
    }
    let (given, context) = with_siblings(&[dir.path().join("plan.yaml")]).unwrap();
    assert_eq!(given, vec![dir.path().join("plan.yaml")]);
    assert_eq!(context, vec![dir.path().join("sites.yaml")]);
    // A directory brings no siblings of its own.
    let (given, context) = with_siblings(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(given.len(), 2);
    assert!(context.is_empty());
}

fn any_doc() -> impl Strategy<Value = String> {
    let api = prop_oneof![
        Just("pusdata.io/v1alpha1".to_string()),
        Just("pusdata.io/v9beta7".to_string()),
        Just("v1".to_string()),
        "[a-z./0-9]{0,12}",
    ];
    let kind = prop_oneof![
        Just("Rack".to_string()),
        Just("Site".to_string()),
        Just("HostingRequest".to_string()),
        Just("List".to_string()),
        Just("DisasterRecoveryPlan".to_string()),
        "[A-Za-z]{0,12}",
    ];
    let body = prop_oneof![
        Just(String::new()),
        Just("spec: {}\n".to_string()),
        Just("items: []\n".to_string()),
        Just(format!("items:\n  - {}", RACK.replace('\n', "\n    "))),
        "[ -~\n]{0,80}",
    ];
    (api, kind, body)
        .prop_map(|(a, k, b)| format!("apiVersion: {a}\nkind: {k}\nmetadata: {{name: x}}\n{b}\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes: an answer, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), skip_unknown in any::<bool>()) {
        let _ = parse_bytes("fuzz.yaml", &bytes, Options { skip_unknown, ..Default::default() });
    }

    /// Streams of plausible and implausible documents and Lists: with `--skip-unknown`
    /// nothing unclassifiable fails; without it, every unclassifiable document fails and
    /// whatever loads is a Pusdata object.
    #[test]
    fn arbitrary_documents_load_or_fail_closed(docs in proptest::collection::vec(any_doc(), 0..6)) {
        let text = docs.join("---\n");
        match parse_bytes("fuzz.yaml", text.as_bytes(), strict()) {
            // (An empty List loads nothing, and that is no error of the loader's: the
            // commands refuse a run with nothing to check.)
            Ok(got) => prop_assert!(got.skipped.iter().all(|s| !s.unknown)),
            Err(e) => prop_assert!(!e.in_lang(Lang::En).is_empty()),
        }
        if let Ok(got) = parse_bytes("fuzz.yaml", text.as_bytes(), skip()) {
            for o in &got.objects {
                prop_assert!(!o.object.kind().is_empty());
            }
        }
    }
}

/// A document with the shapes a cut must respect: a block scalar holding an indented
/// `---`, a comment, a flow mapping, and a marker with content on its line.
fn awkward_doc(i: usize) -> String {
    format!(
        "--- # rack {i}\napiVersion: pusdata.io/v1alpha1\nkind: Rack\nmetadata: {{ name: r{i}, annotations: {{ note: \"a\" }} }}\nspec:\n  site: dc-bekasi\n  heightU: 42\n  depthMm: 1070\n  description: |\n    line one\n    ---\n    line three\n  feedA: {{ name: PDU-{i}-A, capacityWatts: 7360 }}\n  feedB: {{ name: PDU-{i}-B, capacityWatts: 7360 }}\n  coolingWatts: 6000\n"
    )
}

#[test]
fn a_stream_cut_at_its_document_markers_reads_as_the_whole_stream() {
    let mut text = String::from(
        "apiVersion: pusdata.io/v1alpha1\nkind: Rack\nmetadata: {name: first}\nspec: {}\n",
    );
    for i in 0..40 {
        text.push_str(&awkward_doc(i));
        if i % 7 == 0 {
            text.push_str("---\n"); // an empty document, dropped either way
        }
    }
    let pieces = split_at_documents(&text, 4).unwrap();
    assert_eq!(pieces.len(), 4, "four runs of whole documents");
    assert_eq!(pieces.concat(), text, "the pieces are the text, in order");
    for p in &pieces[1..] {
        assert!(
            p.starts_with("--- # rack"),
            "every cut is at a marker: {p:.40}"
        );
    }
    assert_eq!(documents(&text, 4).unwrap(), documents(&text, 1).unwrap());
    assert_eq!(documents(&text, 1).unwrap().len(), 41);

    // Directives and document ends change how documents are read: such streams are not cut.
    assert!(split_at_documents(&format!("%YAML 1.2\n{text}"), 4).is_none());
    assert!(split_at_documents(&format!("{}...\n{text}", awkward_doc(99)), 4).is_none());
}

#[test]
fn a_broken_document_in_a_cut_stream_is_reported_as_in_the_whole_stream() {
    let mut text: String = (0..30).map(awkward_doc).collect();
    assert!(split_at_documents(&text, 4).is_some_and(|p| p.len() == 4));
    text.push_str("--- \nkind: Rack\nmetadata: [unclosed\n");
    text.extend((30..60).map(awkward_doc));
    let whole = documents(&text, 1).unwrap_err().to_string();
    let cut = documents(&text, 4).unwrap_err().to_string();
    assert_eq!(cut, whole, "the same error, naming the same line");
}

#[test]
fn classifying_on_several_threads_numbers_and_fails_as_one_thread_does() {
    let mut docs: Vec<Value> = (0..50)
        .map(|i| documents(&awkward_doc(i), 1).unwrap().remove(0))
        .collect();
    docs.insert(
        17,
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace"}),
    );
    docs.insert(
        33,
        serde_json::json!({"apiVersion": "pusdata.io/v1alpha1", "kind": "Nope"}),
    );
    docs.insert(
        41,
        serde_json::json!({"apiVersion": "pusdata.io/v1alpha1", "kind": "Bogus"}),
    );
    let run = |threads: usize, opts: Options| {
        let mut out = Inputs::default();
        let r = classify_all("f.yaml", docs.clone(), opts, threads, &mut out);
        let seen: Vec<String> = out
            .objects
            .iter()
            .map(|o| o.at.clone())
            .chain(out.skipped.iter().map(|s| format!("skipped {}", s.at)))
            .collect();
        (r.map_err(|e| e.in_lang(Lang::En)), seen)
    };
    let (err, _) = run(4, strict());
    assert_eq!(err, run(1, strict()).0);
    let err = err.unwrap_err();
    assert!(
        err.contains("document 34"),
        "the first unknown kind is reported: {err}"
    );
    let (ok, seen) = run(4, skip());
    assert!(ok.is_ok());
    assert_eq!(seen, run(1, skip()).1);
    assert!(seen.contains(&"document 53".to_string()));
    assert!(seen.contains(&"skipped document 18".to_string()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any stream of plausible documents reads the same cut as whole.
    #[test]
    fn cutting_a_stream_never_changes_what_it_reads(
        docs in proptest::collection::vec(any_doc(), 1..12),
        threads in 2usize..5,
    ) {
        let text = docs.join("---\n");
        let whole = documents(&text, 1).map_err(|e| e.to_string());
        let cut = documents(&text, threads).map_err(|e| e.to_string());
        prop_assert_eq!(cut, whole);
    }
}

#[test]
fn markers_inside_scalars_and_flow_collections_read_the_same_cut_or_whole() {
    let tricky = [
        "--- |\nfoo\n---\nbar\n",
        "a: 'x\n--- y'\n---\nb: 1\n",
        "a: \"x\n---\ny\"\n---\nb: 1\n",
        "a: [1,\n---\n2]\n---\nb: 1\n",
        "a: {k: 1,\n--- \nz: 2}\n",
        "a: &x 1\n---\nb: *x\n",
        "---\n---\n---\n",
        "a: 1\n---\t# tab after the marker\nb: 2\n",
        "a: 1\r\n---\r\nb: 2\r\n",
        "---a: 1\n---\nb: 2\n",
        "a: |\nfoo\n---\nb: 1\n",
        "a: foo\nbar\n---\nb: 1\n",
        "a: |\n  foo\n---\n  bar\n---\nb: 1\n",
        "- 1\n---\n- 2\n",
        "a: 1\n--- |\n  text\n---\nb: 2\n",
    ];
    for t in tricky {
        for threads in [2, 3] {
            let whole = documents(t, 1).map_err(|e| e.to_string());
            let cut = documents(t, threads).map_err(|e| e.to_string());
            assert_eq!(cut, whole, "{t:?} on {threads} threads");
        }
    }
}

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

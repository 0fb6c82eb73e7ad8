#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The user guides come in both languages, and their links lead somewhere.

use pusdata_tests::repo_root;
use std::path::Path;

fn links(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|l| l.split('#').next().unwrap_or("").to_string())
        .filter(|l| !l.is_empty() && !l.starts_with("http"))
        .collect()
}

#[test]
fn every_guide_has_an_indonesian_twin_and_working_links() {
    let dir = repo_root().join("docs/guides");
    let mut english = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name != "README.md" && !name.ends_with(".id.md") {
            english += 1;
            let twin = dir.join(name.replace(".md", ".id.md"));
            assert!(twin.is_file(), "{name} has no Bahasa Indonesia version");
        }
        check_links(&path);
    }
    assert!(english >= 3, "platform team, agency, DR operator");
    for page in [
        "conditions",
        "compliance-report",
        "observability",
        "kubectl-plugin",
        "restore",
    ] {
        check_links(&repo_root().join(format!("docs/reference/{page}.md")));
    }
}

fn check_links(page: &Path) {
    let text = std::fs::read_to_string(page).unwrap();
    for l in links(&text) {
        let target = page.parent().unwrap().join(&l);
        assert!(target.exists(), "{}: broken link {l}", page.display());
    }
}

/// The install guide exists in both languages, covers install, upgrade and uninstall, names
/// every top-level value of the operator chart, and its links lead somewhere.
#[test]
fn the_install_guide_covers_every_value_in_both_languages() {
    let values = std::fs::read_to_string(repo_root().join("charts/pusdata/values.yaml")).unwrap();
    let keys: Vec<&str> = values
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && l.contains(':'))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert!(keys.len() >= 10, "{keys:?}");
    for (page, sections) in [
        ("docs/install.md", ["## 8. Upgrade", "## 9. Uninstall"]),
        (
            "docs/install.id.md",
            ["## 8. Pemutakhiran", "## 9. Pencopotan"],
        ),
    ] {
        let path = repo_root().join(page);
        let text = std::fs::read_to_string(&path).unwrap();
        for s in sections {
            assert!(text.contains(s), "{page}: no section {s}");
        }
        for k in &keys {
            assert!(
                text.contains(&format!("`{k}")),
                "{page} does not name the value {k}"
            );
        }
        check_links(&path);
    }
}

//! `pusdata crd`: print, write or check the generated CRD manifests.

use crate::error::CliError;
use pusdata_core::i18n::{Lang, Msg};
use std::path::{Path, PathBuf};

/// Where the generated files live, relative to the repository root.
pub const CRD_DIRS: [&str; 2] = ["crds/yaml", "charts/pusdata-crds/templates"];
/// The rules table, generated from `pusdata_core::rules`.
pub const RULES_DOC: &str = "docs/rules.md";

/// Prints every CRD, or writes / checks the committed copies (YAML and the generated API
/// reference pages) under a root.
pub fn run(write: Option<&Path>, check: Option<&Path>, lang: Lang) -> Result<(), CliError> {
    let files = pusdata_crds::render_all().map_err(|e| CliError::Internal(e.to_string()))?;
    if let Some(root) = write {
        let mut n = 0;
        for dir in CRD_DIRS {
            let dir = root.join(dir);
            std::fs::create_dir_all(&dir).map_err(|e| CliError::io(&dir, e))?;
            for f in &files {
                let path = dir.join(&f.file_name);
                std::fs::write(&path, &f.yaml).map_err(|e| CliError::io(&path, e))?;
                n += 1;
            }
        }
        let docs_dir = root.join(pusdata_crds::DOCS_DIR);
        std::fs::create_dir_all(&docs_dir).map_err(|e| CliError::io(&docs_dir, e))?;
        for page in pusdata_crds::render_docs() {
            let path = docs_dir.join(&page.file_name);
            std::fs::write(&path, &page.markdown).map_err(|e| CliError::io(&path, e))?;
            n += 1;
        }
        let rules = root.join(RULES_DOC);
        std::fs::write(&rules, pusdata_core::rules::render_markdown())
            .map_err(|e| CliError::io(&rules, e))?;
        n += 1;
        eprintln!("{}", Msg::CrdWritten { files: n }.in_lang(lang));
        return Ok(());
    }
    if let Some(root) = check {
        for dir in CRD_DIRS {
            for f in &files {
                let path: PathBuf = root.join(dir).join(&f.file_name);
                let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
                if on_disk != f.yaml {
                    return Err(CliError::Check(
                        Msg::CrdDrift {
                            file: path.display().to_string(),
                        }
                        .in_lang(lang),
                    ));
                }
            }
        }
        for page in pusdata_crds::render_docs() {
            let path = root.join(pusdata_crds::DOCS_DIR).join(&page.file_name);
            if std::fs::read_to_string(&path).unwrap_or_default() != page.markdown {
                return Err(CliError::Check(
                    Msg::CrdDrift {
                        file: path.display().to_string(),
                    }
                    .in_lang(lang),
                ));
            }
        }
        let rules = root.join(RULES_DOC);
        if std::fs::read_to_string(&rules).unwrap_or_default()
            != pusdata_core::rules::render_markdown()
        {
            return Err(CliError::Check(
                Msg::CrdDrift {
                    file: rules.display().to_string(),
                }
                .in_lang(lang),
            ));
        }
        eprintln!("{}", Msg::CrdUpToDate.in_lang(lang));
        return Ok(());
    }
    for (i, f) in files.iter().enumerate() {
        if i > 0 {
            println!("---");
        }
        print!("{}", f.yaml);
    }
    Ok(())
}

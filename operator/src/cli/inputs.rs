//! Reading manifests for the offline checker and the webhook's context: files, directories
//! (recursively) and `-` for stdin, every YAML document typed as a Pusdata object.

use crate::error::CliError;
use pusdata_core::i18n::Msg;
use pusdata_crds::{Object, ObjectError, check_rules, yaml_documents};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One object read from a manifest.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Where it came from (`<stdin>` for `-`).
    pub file: String,
    /// The object.
    pub object: Object,
    /// Messages of the CRD's own CEL rules it breaks (the API server would refuse it).
    pub schema_errors: Vec<String>,
}

/// Reads every path. Documents of other API groups are skipped (a directory of manifests
/// mixes kinds); a file that cannot be read, or a Pusdata document of the wrong shape, is an
/// input error naming the file.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Loaded>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| bad("<stdin>", &e.to_string()))?;
            parse("<stdin>", &text, &mut out)?;
            continue;
        }
        for file in files(p)? {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file).map_err(|e| bad(&name, &e.to_string()))?;
            parse(&name, &text, &mut out)?;
        }
    }
    Ok(out)
}

fn bad(file: &str, reason: &str) -> CliError {
    CliError::Input(
        Msg::BadInput {
            file: file.to_string(),
            reason: reason.to_string(),
        }
        .text()
        .to_string(),
    )
}

fn files(path: &Path) -> Result<Vec<PathBuf>, CliError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| bad(&name, &e.to_string()))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| bad(&dir.display().to_string(), &e.to_string()))?;
        for entry in entries {
            let p = entry
                .map_err(|e| bad(&dir.display().to_string(), &e.to_string()))?
                .path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn parse(file: &str, text: &str, out: &mut Vec<Loaded>) -> Result<(), CliError> {
    let docs = yaml_documents(text).map_err(|e| bad(file, &e.to_string()))?;
    for doc in docs {
        let object = match Object::from_value(doc) {
            Ok(o) => o,
            Err(ObjectError::NotPusdata { .. }) => continue,
            Err(e) => return Err(bad(file, &e.to_string())),
        };
        let schema_errors = match object.to_value().map(|v| check_rules(&v, None)) {
            Ok(Ok(())) => Vec::new(),
            Ok(Err(ObjectError::Rule { messages, .. })) => {
                messages.split("; ").map(str::to_string).collect()
            }
            Ok(Err(e)) => vec![e.to_string()],
            Err(e) => return Err(bad(file, &e.to_string())),
        };
        out.push(Loaded {
            file: file.to_string(),
            object,
            schema_errors,
        });
    }
    Ok(())
}

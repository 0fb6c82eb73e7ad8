//! The shared input loader (`pusdata::inputs`) with the CLI's error type and language: every
//! offline command reads its manifests through here, so they agree on Lists, unknown
//! documents and limits.

use crate::error::CliError;
use pusdata::inputs::InputError;
pub use pusdata::inputs::{Inputs, Loaded, Options};
use pusdata_core::i18n::Lang;
use std::path::PathBuf;

/// Reads every path (files, directories, `-`); see [`pusdata::inputs::load`].
pub fn load(paths: &[PathBuf], opts: Options, lang: Lang) -> Result<Inputs, CliError> {
    pusdata::inputs::load(paths, opts).map_err(|e| error(&e, lang))
}

/// An input error as the CLI reports it (exit 2).
pub fn error(e: &InputError, lang: Lang) -> CliError {
    CliError::Input(e.in_lang(lang))
}

/// Says on stderr what was skipped, so a skipped document is never silent.
pub fn note_skipped(inputs: &Inputs, lang: Lang) {
    if let Some(t) = inputs.skipped_note() {
        eprintln!("pusdata: {}", t.get(lang));
    }
}

/// Refuses a run that found nothing it could check: "0 problems" about nothing is not a
/// pass (exit 2).
pub fn require_objects(inputs: &Inputs, paths: &[PathBuf], lang: Lang) -> Result<(), CliError> {
    if !inputs.objects.is_empty() {
        return Ok(());
    }
    let files = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Err(CliError::Input(
        pusdata_core::t!("cli-inputs-pusdata-object-check", files = &files)
            .get(lang)
            .to_string(),
    ))
}

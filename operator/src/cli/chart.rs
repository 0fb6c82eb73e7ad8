//! `pusdata chart`: write or check the generated parts of `charts/pusdata` (the operator's
//! ClusterRole and Role, from the permissions the controllers declare) and the rendered
//! manifests in `deploy/primary/` and `deploy/drc/`.

use crate::chart;
use crate::error::CliError;
use std::path::Path;

/// Writes the files under `write`, or fails if those under `check` differ; without either,
/// prints the primary manifest.
pub fn run(write: Option<&Path>, check: Option<&Path>) -> Result<(), CliError> {
    let internal = |e: chart::ChartError| CliError::Input(e.to_string());
    if let Some(root) = write {
        let files = chart::generated_files(root).map_err(internal)?;
        for (path, text) in &files {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, e))?;
            }
            std::fs::write(path, text).map_err(|e| CliError::io(path, e))?;
        }
        eprintln!(
            "wrote {} files / {} berkas ditulis",
            files.len(),
            files.len()
        );
        return Ok(());
    }
    if let Some(root) = check {
        for (path, text) in chart::generated_files(root).map_err(internal)? {
            if std::fs::read_to_string(&path).unwrap_or_default() != text {
                return Err(CliError::Check(format!(
                    "{} is out of date: run `pusdata chart --write` / {} usang: jalankan `pusdata chart --write`",
                    path.display(),
                    path.display()
                )));
            }
        }
        eprintln!("chart and deploy/ are up to date / chart dan deploy/ mutakhir");
        return Ok(());
    }
    let files = chart::generated_files(Path::new(".")).map_err(internal)?;
    if let Some((_, text)) = files
        .iter()
        .find(|(p, _)| p.ends_with("deploy/primary/pusdata.yaml"))
    {
        print!("{text}");
    }
    Ok(())
}

//! `pusdata chart`: write or check the generated parts of `charts/pusdata` (the operator's
//! ClusterRoles and Role, from the permissions the controllers declare) and the manifests in
//! `deploy/primary/` and `deploy/drc/`, rendered by Helm's own engine (`chart::Helm`).

use crate::chart;
use crate::error::CliError;
use pusdata_core::i18n::Lang;
use std::path::{Path, PathBuf};

fn input(e: chart::ChartError) -> CliError {
    CliError::Input(e.to_string())
}

fn write_all(files: &[(PathBuf, String)]) -> Result<(), CliError> {
    for (path, text) in files {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, e))?;
        }
        std::fs::write(path, text).map_err(|e| CliError::io(path, e))?;
    }
    Ok(())
}

fn check_all(files: &[(PathBuf, String)], lang: Lang) -> Result<(), CliError> {
    for (path, text) in files {
        if std::fs::read_to_string(path).unwrap_or_default() != *text {
            return Err(CliError::Check(
                pusdata_core::t!("cli-chart-out-of-date", path = path.display())
                    .get(lang)
                    .to_string(),
            ));
        }
    }
    Ok(())
}

/// Writes the files under `write`, or fails if those under `check` differ; without either,
/// prints the primary manifest.
pub fn run(write: Option<&Path>, check: Option<&Path>, lang: Lang) -> Result<(), CliError> {
    if let Some(root) = write {
        // The templates first: Helm renders deploy/ from the chart on disk.
        let templates = chart::template_files(root);
        write_all(&templates)?;
        let deploy =
            chart::deploy_files(root, &chart::Helm::locate(root).map_err(input)?).map_err(input)?;
        write_all(&deploy)?;
        let n = templates.len() + deploy.len();
        eprintln!(
            "{}",
            pusdata_core::t!("cli-chart-wrote", files = n).get(lang)
        );
        return Ok(());
    }
    if let Some(root) = check {
        check_all(&chart::template_files(root), lang)?;
        let helm = chart::Helm::locate(root).map_err(input)?;
        // `helm lint --strict` of both charts: a warning is a finding.
        for dir in [chart::CHART_DIR, chart::CRDS_CHART_DIR] {
            helm.lint(&root.join(dir), &[])
                .map_err(|e| CliError::Check(e.to_string()))?;
        }
        check_all(&chart::deploy_files(root, &helm).map_err(input)?, lang)?;
        eprintln!("{}", pusdata_core::t!("cli-chart-up-to-date").get(lang));
        return Ok(());
    }
    let root = Path::new(".");
    let helm = chart::Helm::locate(root).map_err(input)?;
    let files = chart::deploy_files(root, &helm).map_err(input)?;
    if let Some((_, text)) = files
        .iter()
        .find(|(p, _)| p.ends_with("deploy/primary/pusdata.yaml"))
    {
        print!("{text}");
    }
    Ok(())
}

//! `pusdata agent`: serve the site-to-site gRPC API until SIGTERM or Ctrl-C.

use super::{AgentArgs, AgentWorkKind};
use crate::error::CliError;
use pusdata::agent::AgentError;
use pusdata::agent::kube_work::{KubeSettings, KubeWork};
use pusdata::agent::rustic_work::RusticWork;
use pusdata::agent::server::{AgentConfig, bind};
use pusdata::agent::tls::TlsMaterial;
use pusdata::agent::work::{DirCopyWork, SiteWork};
use std::io::Write;
use std::sync::Arc;

fn cli_error(e: AgentError) -> CliError {
    if e.is_input() {
        CliError::Input(e.to_string())
    } else {
        CliError::Internal(e.to_string())
    }
}

/// An S3 repository base from its URL, with credentials and region from the environment.
pub fn s3_base(url: &str) -> Result<pusdata::mover::RepoLocation, CliError> {
    let region = std::env::var("PUSDATA_S3_REGION").unwrap_or_else(|_| "garage".into());
    let base = pusdata::mover::RepoLocation::parse(url, &region, true)
        .map_err(|e| CliError::Input(e.to_string()))?;
    if !matches!(base, pusdata::mover::RepoLocation::S3(_)) {
        return Err(CliError::Input(format!("{url}: not an s3: URL")));
    }
    base.with_env_credentials().map_err(CliError::Input)
}

/// Runs the agent.
pub fn run(args: AgentArgs) -> Result<(), CliError> {
    let tls =
        TlsMaterial::read(&args.tls_cert, &args.tls_key, &args.client_ca).map_err(cli_error)?;
    let repo_root = args
        .repo_root
        .clone()
        .unwrap_or_else(|| args.state_dir.join("repo"));
    let restore_root = args
        .restore_root
        .clone()
        .unwrap_or_else(|| args.state_dir.join("restores"));
    for dir in [&repo_root, &restore_root] {
        std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, e))?;
    }
    // With agency keys, restores read the restic repositories (the real mover); without,
    // the directory-copy stand-in serves contract tests.
    let work: Arc<dyn SiteWork> = match args.keys_dir.clone() {
        Some(keys_dir) => Arc::new(RusticWork::new(
            repo_root,
            match &args.s3_repo_base {
                Some(url) => Some(s3_base(url)?),
                None => None,
            },
            keys_dir,
            restore_root,
        )),
        None => Arc::new(DirCopyWork {
            repo_root,
            restore_root,
        }),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(format!("tokio runtime: {e}")))?;
    let work = match args.work {
        AgentWorkKind::Local => work,
        // In the DRC's cluster: in-cluster credentials (the chart's ClusterRole
        // pusdata-agent), or the kubeconfig outside a cluster.
        AgentWorkKind::Kubernetes => {
            let client = runtime
                .block_on(kube::Client::try_default())
                .map_err(|e| CliError::Internal(format!("Kubernetes client: {e}")))?;
            Arc::new(KubeWork::new(
                client,
                runtime.handle().clone(),
                KubeSettings {
                    smoke_image: args.smoke_image.clone(),
                    repository: args.restore_repository.clone(),
                    storage_class: args.storage_class.clone(),
                    ..KubeSettings::default()
                },
            ))
        }
    };
    runtime.block_on(async move {
        let config = AgentConfig {
            listen: args.listen,
            site: args.site,
            state_dir: args.state_dir,
            tls,
        };
        let agent = bind(config, work).await.map_err(cli_error)?;
        let addr = agent.local_addr();
        tracing::info!(%addr, "agent listening (mTLS)");
        // The contract with a parent process or test: this line means "ready".
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {addr}");
        let _ = out.flush();
        agent.serve(shutdown_signal()).await.map_err(cli_error)
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("agent stopping");
}

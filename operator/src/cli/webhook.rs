//! `pusdata webhook`: load the context, bind, serve HTTPS until Ctrl-C / SIGTERM.

use super::inputs;
use super::{ModeArg, WebhookArgs};
use crate::error::CliError;
use crate::webhook::{self, State};
use pusdata_core::policy::Context;
use pusdata_crds::v1alpha1::EnforcementMode;
use std::sync::Arc;

/// Runs the webhook.
pub fn run(args: &WebhookArgs) -> Result<(), CliError> {
    let (Some(cert), Some(key)) = (&args.cert, &args.key) else {
        return Err(CliError::Input(
            "pusdata webhook needs --cert and --key (PEM): the API server only calls webhooks over HTTPS / pusdata webhook memerlukan --cert dan --key (PEM)".into(),
        ));
    };
    // Re-read when the files change (certificate rotation); the key's content never reaches
    // a log or an error message: only its path.
    let acceptor = webhook::reloading_acceptor(cert, key)
        .map_err(|e| CliError::Input(format!("{} / {}: {e}", cert.display(), key.display())))?;
    let loaded = inputs::load(&args.context)?;
    let ctx = Context::from_objects(loaded.iter().map(|l| &l.object));
    let mut state = State::new(ctx);
    if let Some(m) = args.mode {
        state.mode = match m {
            ModeArg::Enforce => EnforcementMode::Enforce,
            ModeArg::Monitor => EnforcementMode::Monitor,
        };
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(e.to_string()))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| CliError::Input(format!("--listen {}: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::Internal(e.to_string()))?;
        tracing::info!(
            %addr,
            mode = ?state.mode,
            objects = loaded.len(),
            catalogue = %state.ctx.catalogue.version,
            "webhook listening"
        );
        // Tests and scripts that bind port 0 learn the port from this line.
        println!("listening on https://{addr}");
        webhook::serve(listener, acceptor, Arc::new(state), shutdown()).await;
        Ok(())
    })
}

async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

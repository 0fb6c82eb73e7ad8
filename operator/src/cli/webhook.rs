//! `pusdata webhook`: load the context (manifests, or watches of the cluster), bind, serve
//! HTTPS until Ctrl-C / SIGTERM. The certificate follows its files.

use super::inputs;
use super::{ModeArg, WebhookArgs};
use crate::error::CliError;
use crate::webhook::{self, ReloadingCert, State};
use pusdata_core::policy::Context;
use pusdata_crds::v1alpha1::EnforcementMode;
use std::sync::Arc;

/// Runs the webhook.
pub fn run(args: &WebhookArgs, lang: pusdata_core::i18n::Lang) -> Result<(), CliError> {
    let (Some(cert), Some(key)) = (&args.cert, &args.key) else {
        return Err(CliError::Input(
            pusdata_core::t!("cli-webhook-needs-cert-key")
                .get(lang)
                .to_string(),
        ));
    };
    // Errors name the paths only: the key's content never reaches a log or a message.
    let resolver =
        ReloadingCert::load(cert, key, webhook::tls::CHECK_EVERY).map_err(CliError::Input)?;
    let acceptor = webhook::tls::acceptor(Arc::new(resolver)).map_err(CliError::Internal)?;
    let mode = args.mode.map(|m| match m {
        ModeArg::Enforce => EnforcementMode::Enforce,
        ModeArg::Monitor => EnforcementMode::Monitor,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(e.to_string()))?;
    runtime.block_on(async {
        let (state, source) = if args.from_cluster {
            let client = kube::Client::try_default()
                .await
                .map_err(|e| CliError::Internal(format!("kubernetes client: {e}")))?;
            let state = Arc::new(State::new(Context::empty()).with_mode(mode));
            let (mut ready, watch) = webhook::cluster::watch(client, state.clone());
            tokio::spawn(watch);
            // A burst of changes folds into a new context and frees the old one; without
            // this glibc kept ~20 MiB of it resident (docs/benchmarks.md, the webhook's
            // context at 1 000 agencies).
            tokio::spawn(crate::allocator::trim_periodically(
                crate::allocator::TRIM_PERIOD,
            ));
            // Serving before the first full list would judge requests against an empty
            // cluster (every agency unknown): wait for it.
            ready
                .wait_for(|r| *r)
                .await
                .map_err(|e| CliError::Internal(format!("watches: {e}")))?;
            (state, "cluster".to_string())
        } else {
            let loaded = inputs::load(
                &args.context,
                inputs::Options::default(),
                pusdata_core::i18n::Lang::En,
            )?;
            let ctx = Context::from_objects(loaded.objects.iter().map(|l| &l.object));
            let state = Arc::new(State::new(ctx).with_mode(mode));
            (state, format!("{} manifests", loaded.objects.len()))
        };
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| CliError::Input(format!("--listen {}: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| CliError::Internal(e.to_string()))?;
        let ctx = state.context();
        tracing::info!(
            %addr,
            mode = ?state.mode(&ctx),
            context = %source,
            catalogue = %ctx.catalogue.version,
            "webhook listening"
        );
        // Tests and scripts that bind port 0 learn the port from this line.
        println!("listening on https://{addr}");
        webhook::serve(
            listener,
            acceptor,
            state,
            crate::controllers::run::terminate_signal(),
        )
        .await;
        Ok(())
    })
}

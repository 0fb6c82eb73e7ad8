//! `pusdata probe URL...`: asks each URL with GET and succeeds only when every answer is 2xx.
//! The chart's `helm test` hook and the image check in CI run it: the image holds glibc,
//! libgcc, CA certificates and `pusdata`, and no shell or curl.

use crate::cli::ProbeArgs;
use crate::error::CliError;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::sync::Arc;
use std::time::Duration;

/// GETs every URL in turn; prints one line per answer.
pub fn run(args: &ProbeArgs, lang: pusdata_core::i18n::Lang) -> Result<(), CliError> {
    let tls = match &args.ca {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert =
                    cert.map_err(|e| CliError::Input(format!("--ca {}: {e}", path.display())))?;
                roots
                    .add(cert)
                    .map_err(|e| CliError::Input(format!("--ca {}: {e}", path.display())))?;
            }
            Some(Arc::new(
                rustls::ClientConfig::builder()
                    .with_root_certificates(roots)
                    .with_no_client_auth(),
            ))
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(e.to_string()))?;
    let timeout = Duration::from_secs(args.timeout_seconds);
    let mut failed = Vec::new();
    for url in &args.urls {
        let answer = runtime.block_on(async {
            tokio::time::timeout(timeout, get(url, tls.clone()))
                .await
                .unwrap_or_else(|_| Err(format!("no answer within {}s", timeout.as_secs())))
        });
        match answer {
            Ok(status) if (200..300).contains(&status) => println!("{url}: {status}"),
            Ok(status) => {
                println!("{url}: {status}");
                failed.push(format!("{url}: HTTP {status}"));
            }
            Err(e) => {
                println!("{url}: {e}");
                failed.push(format!("{url}: {e}"));
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(
            pusdata_core::t!("cli-probe-failed", failures = &failed.join("; "))
                .get(lang)
                .to_string(),
        ))
    }
}

async fn get(url: &str, tls: Option<Arc<rustls::ClientConfig>>) -> Result<u16, String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("only http:// and https:// URLs".into()),
    };
    let host = uri.host().ok_or("the URL names no host")?.to_string();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connect {host}:{port}: {e}"))?;
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, format!("{host}:{port}"))
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let response = if https {
        let config = tls.ok_or("https needs --ca (the CA that signed the server's certificate)")?;
        let name = ServerName::try_from(host.clone()).map_err(|e| e.to_string())?;
        let stream = tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        send(hyper_util::rt::TokioIo::new(stream), request).await?
    } else {
        send(hyper_util::rt::TokioIo::new(tcp), request).await?
    };
    Ok(response)
}

async fn send<T>(io: T, request: hyper::Request<Empty<Bytes>>) -> Result<u16, String>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    // Read the body so a server that fails half-way is not taken for healthy.
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?;
    Ok(status)
}

//! Getting the key set over HTTP(S): straight from a `jwks_uri`, or through the issuer's
//! OpenID Connect discovery document.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, USER_AGENT};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::JwtAuthorizerConfig;
use crate::keys::{KeySet, KeySetError};

/// The limit on each request (discovery document, key set), connecting included: a request
/// waiting for keys waits at most this long per request.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Key sets and discovery documents are a few kilobytes; anything near this is not one.
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Why the key set could not be had.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("{url} is not a valid URL: {source}")]
    InvalidUrl {
        url: String,
        source: http::uri::InvalidUri,
    },
    #[error("GET {url}: {}", with_causes(source))]
    Request {
        url: String,
        source: hyper_util::client::legacy::Error,
    },
    #[error("GET {url}: no answer within {FETCH_TIMEOUT:?}")]
    Timeout { url: String },
    #[error("GET {url}: answered {status}")]
    Status {
        url: String,
        status: http::StatusCode,
    },
    #[error("GET {url}: reading the body: {source}")]
    Body {
        url: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the discovery document at {url} is not JSON with a jwks_uri")]
    NoJwksUri { url: String },
    #[error("{url} is not a JWKS: {source}")]
    NotAKeySet { url: String, source: KeySetError },
}

/// hyper's errors say "client error (Connect)" and keep the reason in their sources.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

type HttpClient = Client<HttpsConnector<HttpConnector>, Empty<Bytes>>;

/// Built once: Mozilla's roots (no dependence on the host's certificate store, so a
/// container without one still reaches Cognito or Auth0) and ring, named explicitly so that
/// another crate enabling aws-lc in rustls cannot make the process default ambiguous.
static TLS: LazyLock<rustls::ClientConfig> = LazyLock::new(|| {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports rustls's default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
});

enum Source {
    Jwks(String),
    /// The discovery document's URL.
    Discovery(String),
}

pub(crate) struct Fetcher {
    /// One client (and connection pool) per verifier, not per process: a pooled connection
    /// belongs to the runtime that opened it.
    client: HttpClient,
    source: Source,
}

impl fmt::Display for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Jwks(url) | Source::Discovery(url) => f.write_str(url),
        }
    }
}

impl Fetcher {
    pub(crate) fn new(config: &JwtAuthorizerConfig) -> Fetcher {
        let mut http = HttpConnector::new();
        // http:// is allowed: local issuers and tests.
        http.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(TLS.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        let source = match &config.jwks_uri {
            Some(uri) => Source::Jwks(uri.clone()),
            None => Source::Discovery(format!(
                "{}/.well-known/openid-configuration",
                config.issuer.trim_end_matches('/')
            )),
        };
        Fetcher { client, source }
    }

    pub(crate) async fn key_set(&self) -> Result<KeySet, FetchError> {
        let jwks_uri = match &self.source {
            Source::Jwks(uri) => uri.clone(),
            Source::Discovery(url) => {
                let document = self.get(url).await?;
                serde_json::from_slice::<Value>(&document)
                    .ok()
                    .and_then(|d| d.get("jwks_uri")?.as_str().map(str::to_owned))
                    .ok_or_else(|| FetchError::NoJwksUri { url: url.clone() })?
            }
        };
        let document = self.get(&jwks_uri).await?;
        KeySet::parse(&document).map_err(|source| FetchError::NotAKeySet {
            url: jwks_uri,
            source,
        })
    }

    async fn get(&self, url: &str) -> Result<Bytes, FetchError> {
        let uri: http::Uri = url.parse().map_err(|source| FetchError::InvalidUrl {
            url: url.to_owned(),
            source,
        })?;
        let request = http::Request::get(uri)
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, concat!("tollgate/", env!("CARGO_PKG_VERSION")))
            .body(Empty::new())
            .expect("a GET with a parsed URI and static headers is a valid request");
        let exchange = async {
            let response =
                self.client
                    .request(request)
                    .await
                    .map_err(|source| FetchError::Request {
                        url: url.to_owned(),
                        source,
                    })?;
            if !response.status().is_success() {
                return Err(FetchError::Status {
                    url: url.to_owned(),
                    status: response.status(),
                });
            }
            Limited::new(response.into_body(), MAX_DOCUMENT_BYTES)
                .collect()
                .await
                .map(|body| body.to_bytes())
                .map_err(|source| FetchError::Body {
                    url: url.to_owned(),
                    source,
                })
        };
        tokio::time::timeout(FETCH_TIMEOUT, exchange)
            .await
            .map_err(|_| FetchError::Timeout {
                url: url.to_owned(),
            })?
    }
}

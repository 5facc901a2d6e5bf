//! The pooled HTTP client for HTTP and HTTP_PROXY integrations (keep-alive connections
//! reused across requests; HTTP/1.1 to backends).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::body::BodyError;

/// A request body sent to a backend.
pub type UpstreamBody = BoxBody<Bytes, BodyError>;

type BackendClient = Client<HttpConnector, UpstreamBody>;

thread_local! {
    /// Each data-plane thread keeps its own pool: a pooled connection is a task on the
    /// runtime that opened it, so sharing one pool across threads would hand a request's
    /// I/O to another thread and wake it on every response.
    static CLIENT: BackendClient = new_client();
}

fn new_client() -> BackendClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(Duration::from_secs(10)));
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(256)
        .build(connector)
}

/// The backend client: a keep-alive pool per data-plane thread.
#[derive(Clone)]
pub struct Upstream;

impl Upstream {
    pub fn new() -> Upstream {
        Upstream
    }

    /// Sends a request.
    pub async fn send(
        &self,
        request: http::Request<UpstreamBody>,
    ) -> Result<http::Response<hyper::body::Incoming>, hyper_util::client::legacy::Error> {
        CLIENT.with(|client| client.request(request)).await
    }
}

impl Default for Upstream {
    fn default() -> Self {
        Upstream::new()
    }
}

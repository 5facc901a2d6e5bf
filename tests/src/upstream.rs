//! A real HTTP backend for HTTP and HTTP_PROXY integrations: it answers with a JSON echo of
//! what it received (and `upstream`: its own address, so a test can tell two backends apart).
//! `/status/{code}` answers that status; `/slow/{millis}` waits first.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;

/// A running backend; stops when dropped.
pub struct Upstream {
    pub address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

async fn echo(
    request: Request<Incoming>,
    address: SocketAddr,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let mut status = 200;
    if let Some(code) = path.strip_prefix("/status/") {
        status = code.parse().unwrap_or(500);
    }
    if let Some(millis) = path.strip_prefix("/slow/") {
        let millis: u64 = millis.parse().unwrap_or(1000);
        tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
    }
    let headers: serde_json::Map<String, serde_json::Value> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                serde_json::Value::String(v.to_str().unwrap_or_default().to_string()),
            )
        })
        .collect();
    let echo = serde_json::json!({
        "method": parts.method.as_str(),
        "path": path,
        "query": parts.uri.query(),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
        "bodyLength": body.len(),
        "upstream": address.to_string(),
    });
    let response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-upstream", "echo")
        .body(Full::new(Bytes::from(echo.to_string())))
        .expect("response");
    Ok(response)
}

impl Upstream {
    /// Starts the backend on a free loopback port.
    pub async fn start() -> Upstream {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the upstream");
        let address = listener.local_addr().expect("upstream address");
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(async move {
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(
                            TokioIo::new(stream),
                            service_fn(move |request| echo(request, address)),
                        )
                        .await;
                });
            }
        });
        Upstream { address, task }
    }

    /// `http://ADDR`.
    pub fn base(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

//! The upstream every peer proxies to: one fast HTTP/1.1 server (hyper), run as its own
//! process (`tollgate-bench upstream`) so its CPU is not the runner's and it can be pinned.
//!
//! | route | answer |
//! | --- | --- |
//! | `/small` (any method) | [`SMALL_BODY`], an 85-byte JSON document; a request body is read and dropped |
//! | `/large` (any method) | a 64 KiB (65,536-byte) JSON document |
//! | `/echo` (any method) | the request body, as `application/json` |
//! | anything else | 404 |

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::proc_stats::ProcessGroup;

/// The body of `/small`.
pub const SMALL_BODY: &str =
    r#"{"id":"4f1c2b","name":"tollgate","price":3,"tags":["api","gateway"],"available":true}"#;

/// The size of `/large`'s body.
pub const LARGE_BODY_BYTES: usize = 64 * 1024;

/// `{"data":"xxx…"}`, exactly [`LARGE_BODY_BYTES`] long.
pub fn large_body() -> String {
    let frame = r#"{"data":""}"#.len();
    format!(r#"{{"data":"{}"}}"#, "x".repeat(LARGE_BODY_BYTES - frame))
}

/// The prepared answers, shared by every connection.
#[derive(Clone)]
struct Bodies {
    small: Bytes,
    large: Bytes,
}

async fn answer(
    request: Request<Incoming>,
    bodies: Bodies,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    // Read the request body whole whatever the route: a proxy's request must be consumed for
    // the connection to be reused.
    let received = request
        .into_body()
        .collect()
        .await
        .map(|body| body.to_bytes())
        .unwrap_or_default();
    let (status, body) = match path.as_str() {
        "/small" => (StatusCode::OK, bodies.small),
        "/large" => (StatusCode::OK, bodies.large),
        "/echo" => (StatusCode::OK, received),
        _ => (
            StatusCode::NOT_FOUND,
            Bytes::from_static(b"{\"message\":\"no route\"}"),
        ),
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// Serves until the process is killed; prints `listening on http://ADDR` once bound.
pub fn serve(listen: SocketAddr) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        println!("listening on http://{}", listener.local_addr()?);
        let bodies = Bodies {
            small: Bytes::from_static(SMALL_BODY.as_bytes()),
            large: Bytes::from(large_body()),
        };
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let bodies = bodies.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| answer(request, bodies.clone()));
                // Errors are clients going away mid-request (wrk stopping): nothing to do.
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// The upstream running as a child process; killed when dropped.
pub struct UpstreamProcess {
    child: Child,
    pub address: SocketAddr,
}

/// The upstream did not start.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("starting the upstream ({0}): {1}")]
    Spawn(String, std::io::Error),
    #[error("the upstream exited before saying where it listens")]
    NoAddress,
}

impl UpstreamProcess {
    /// Starts `RUNNER upstream` under `taskset -c CPUS`.
    pub fn start(runner: &Path, cpus: &str) -> Result<UpstreamProcess, UpstreamError> {
        let mut child = Command::new("taskset")
            .args(["-c", cpus])
            .arg(runner)
            .args(["upstream", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|error| UpstreamError::Spawn(runner.display().to_string(), error))?;
        let stdout = child.stdout.take().ok_or(UpstreamError::NoAddress)?;
        let mut lines = BufReader::new(stdout).lines();
        let address = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("listening on http://")
                    .and_then(|address| address.trim().parse().ok())
            })
            .ok_or(UpstreamError::NoAddress)?;
        Ok(UpstreamProcess { child, address })
    }

    pub fn processes(&self) -> ProcessGroup {
        ProcessGroup::single(self.child.id())
    }
}

impl Drop for UpstreamProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_large_body_is_64_kib_of_json() {
        let body = large_body();
        assert_eq!(body.len(), LARGE_BODY_BYTES);
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok());
    }

    #[test]
    fn the_small_body_is_json() {
        assert!(serde_json::from_str::<serde_json::Value>(SMALL_BODY).is_ok());
    }
}

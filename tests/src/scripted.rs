//! A real HTTP backend whose answers the test scripts and which records, byte for byte, every
//! request it receives — for assertions on the exact integration request (a mapping
//! template's output, a base64-encoded binary payload) and for backends that must answer
//! something precise (a base64 body, a header, a status).
//!
//! Unlike [`crate::Upstream`], which answers with a JSON echo, the body a
//! [`ScriptedUpstream`] records is the raw bytes received, and the answer is whatever the
//! script returns for the request.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;

/// One request the backend received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    /// The path of the request line, without the query.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Every header, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, exactly as received.
    pub body: Bytes,
}

impl Received {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What the backend answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Reply {
    /// A reply with `status`, one `content-type` header and `body`.
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".to_string(), content_type.to_string())],
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

type Script = dyn Fn(&Received) -> Reply + Send + Sync;

/// A running scripted backend; stops when dropped.
pub struct ScriptedUpstream {
    pub address: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

async fn answer(
    request: Request<Incoming>,
    script: Arc<Script>,
    received: Arc<Mutex<Vec<Received>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let request = Received {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let reply = script(&request);
    received.lock().expect("received requests").push(request);
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name.as_str(), value.as_str());
    }
    Ok(response
        .body(Full::new(reply.body))
        .expect("a valid scripted response"))
}

impl ScriptedUpstream {
    /// Starts the backend on a free loopback port; `script` chooses the answer to each
    /// request.
    pub async fn start(
        script: impl Fn(&Received) -> Reply + Send + Sync + 'static,
    ) -> ScriptedUpstream {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the scripted upstream");
        let address = listener.local_addr().expect("scripted upstream address");
        let script: Arc<Script> = Arc::new(script);
        let received = Arc::new(Mutex::new(Vec::new()));
        let recorded = received.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let script = script.clone();
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(
                            TokioIo::new(stream),
                            service_fn(move |request| {
                                answer(request, script.clone(), recorded.clone())
                            }),
                        )
                        .await;
                });
            }
        });
        ScriptedUpstream {
            address,
            received,
            task,
        }
    }

    /// A backend answering every request with `reply`.
    pub async fn always(reply: Reply) -> ScriptedUpstream {
        ScriptedUpstream::start(move |_| reply.clone()).await
    }

    /// `ADDR` as `host:port`, for a stage variable.
    pub fn host(&self) -> String {
        self.address.to_string()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().expect("received requests").clone()
    }

    /// The last request received, if any.
    pub fn last(&self) -> Option<Received> {
        self.requests().pop()
    }

    /// Waits (a liveness bound of 10 s, not a timing assertion) until `count` requests have
    /// been received, and returns them.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let requests = self.requests();
            if requests.len() >= count || Instant::now() > deadline {
                return requests;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for ScriptedUpstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

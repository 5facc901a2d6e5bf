//! A small HTTP client over hyper for talking to the gateway.

use bytes::Bytes;
use http::{HeaderMap, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// A response, read in full.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request with extra headers and a body; panics when the request fails.
pub async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    try_send(method, url, headers, body)
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

/// Sends one request with extra headers and a body; an error when there is no answer
/// (connection refused, reset, or closed before the whole response arrived).
pub async fn try_send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<Answer, String> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("method"))
        .uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(body.into())).expect("request");
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("sending the request: {e}"))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("reading the body: {e}"))?
        .to_bytes();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// One HTTP/1.1 connection kept open for many requests (keep-alive guaranteed: every
/// request goes over this one TCP connection, or fails).
pub struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
    task: tokio::task::JoinHandle<()>,
}

impl Connection {
    /// Connects to `address`.
    pub async fn open(address: std::net::SocketAddr) -> Connection {
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .unwrap_or_else(|e| panic!("connecting to {address}: {e}"));
        let _ = stream.set_nodelay(true);
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .expect("HTTP/1.1 handshake");
        let task = tokio::spawn(async move {
            let _ = connection.await;
        });
        Connection {
            sender,
            host: address.to_string(),
            task,
        }
    }

    /// Sends one request (`path` with its query) on this connection and reads the whole
    /// response. A `host` header is added unless `headers` has one. An error means the
    /// connection failed or was closed: nothing more can be sent on it.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Result<Answer, String> {
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(path);
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            request = request.header("host", self.host.as_str());
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(body.into())).expect("request");
        self.sender
            .ready()
            .await
            .map_err(|e| format!("connection not ready: {e}"))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("sending the request: {e}"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the body: {e}"))?
            .to_bytes();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// `GET path`; panics when the connection fails.
    pub async fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.request("GET", path, headers, Bytes::new())
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Sends `total` `GET path` requests over `connections` keep-alive connections at once
/// (spread evenly) and returns every answer, grouped by connection.
pub async fn send_many(
    address: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    connections: usize,
    total: usize,
) -> Vec<Vec<Answer>> {
    let connections = connections.max(1);
    let mut tasks = Vec::new();
    for index in 0..connections {
        let count = total / connections + usize::from(index < total % connections);
        let path = path.to_string();
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        tasks.push(tokio::spawn(async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let mut connection = Connection::open(address).await;
            let mut answers = Vec::with_capacity(count);
            for _ in 0..count {
                answers.push(connection.get(&path, &headers).await);
            }
            answers
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.push(task.await.expect("a request task panicked"));
    }
    all
}

/// One response (or failure) seen by a [`Load`] connection.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Which connection sent it (0-based).
    pub connection: usize,
    /// Status and body, or why the request failed (the connection then stops).
    pub result: Result<(u16, Bytes), String>,
    /// The load's phase counter read just before the request was sent.
    pub phase_before: u64,
    /// The phase counter read just after the whole response was received.
    pub phase_after: u64,
}

/// N keep-alive connections, each sending `GET path` in a loop until stopped, recording
/// every response with the value of a test-controlled phase counter before and after it.
/// A test that changes the gateway bumps the counter around each change; a response whose
/// two readings are equal was sent and received entirely within one phase.
pub struct Load {
    phase: std::sync::Arc<std::sync::atomic::AtomicU64>,
    completed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    per_connection: std::sync::Arc<Vec<std::sync::atomic::AtomicUsize>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    extra: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    tasks: Vec<tokio::task::JoinHandle<Vec<Sample>>>,
}

impl Load {
    /// Opens `connections` connections to `address` and starts the loops.
    pub async fn start(
        address: std::net::SocketAddr,
        path: &str,
        headers: &[(&str, &str)],
        connections: usize,
    ) -> Load {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
        let phase = Arc::new(AtomicU64::new(0));
        let completed = Arc::new(AtomicUsize::new(0));
        let per_connection: Arc<Vec<AtomicUsize>> =
            Arc::new((0..connections).map(|_| AtomicUsize::new(0)).collect());
        let stop = Arc::new(AtomicBool::new(false));
        let extra = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for index in 0..connections {
            let mut connection = Connection::open(address).await;
            let (phase, completed, stop, extra) = (
                phase.clone(),
                completed.clone(),
                stop.clone(),
                extra.clone(),
            );
            let per_connection = per_connection.clone();
            let path = path.to_string();
            let headers: Vec<(String, String)> = headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            tasks.push(tokio::spawn(async move {
                let headers: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                let mut samples = Vec::new();
                let mut remaining: Option<usize> = None;
                loop {
                    if remaining.is_none() && stop.load(Ordering::SeqCst) {
                        remaining = Some(extra.load(Ordering::SeqCst));
                    }
                    if remaining == Some(0) {
                        break;
                    }
                    let phase_before = phase.load(Ordering::SeqCst);
                    let result = connection
                        .request("GET", &path, &headers, Bytes::new())
                        .await
                        .map(|answer| (answer.status, answer.body));
                    let phase_after = phase.load(Ordering::SeqCst);
                    let failed = result.is_err();
                    samples.push(Sample {
                        connection: index,
                        result,
                        phase_before,
                        phase_after,
                    });
                    per_connection[index].fetch_add(1, Ordering::SeqCst);
                    completed.fetch_add(1, Ordering::SeqCst);
                    if failed {
                        break;
                    }
                    if let Some(left) = remaining.as_mut() {
                        *left -= 1;
                    }
                }
                samples
            }));
        }
        Load {
            phase,
            completed,
            per_connection,
            stop,
            extra,
            tasks,
        }
    }

    /// The phase counter the connections read around each request.
    pub fn phase(&self) -> &std::sync::atomic::AtomicU64 {
        &self.phase
    }

    /// Sets the phase counter.
    pub fn set_phase(&self, phase: u64) {
        self.phase.store(phase, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many requests have completed (or failed) so far, over all connections.
    pub fn completed(&self) -> usize {
        self.completed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until at least `count` requests have completed in total. The bound is a
    /// liveness guard (a stuck gateway fails the test instead of hanging it), not a timing
    /// assertion.
    pub async fn wait_for_completed(&self, count: usize) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
        while self.completed() < count {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the load made no progress: {} of {count} requests completed",
                self.completed()
            );
            if self.tasks.iter().all(|t| t.is_finished()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// Waits until every connection has completed at least `count` requests (same liveness
    /// bound as [`Load::wait_for_completed`]).
    pub async fn wait_for_each_connection(&self, count: usize) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let done: Vec<usize> = self
                .per_connection
                .iter()
                .map(|c| c.load(std::sync::atomic::Ordering::SeqCst))
                .collect();
            if done.iter().all(|d| *d >= count) || self.tasks.iter().all(|t| t.is_finished()) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the load made no progress: {done:?} requests per connection, {count} wanted"
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// Tells every connection to send `extra` more requests (all read the phase current
    /// at this call) and stop; returns every sample, in order per connection.
    pub async fn stop(self, extra: usize) -> Vec<Sample> {
        self.extra.store(extra, std::sync::atomic::Ordering::SeqCst);
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut all = Vec::new();
        for task in self.tasks {
            all.extend(task.await.expect("a load task panicked"));
        }
        all
    }
}

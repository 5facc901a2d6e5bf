//! The runner's own HTTP client: single requests that check what a peer answers before it
//! is loaded (HTTP/1.1, or cleartext HTTP/2 for the `-h2` scenarios), and many idle
//! keep-alive connections for the memory measurement.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

/// One answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A request failed at the HTTP level (no answer at all).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("connecting to {0}: {1}")]
    Connect(SocketAddr, std::io::Error),
    #[error("HTTP exchange with {0}: {1}")]
    Http(SocketAddr, hyper::Error),
    #[error("building the request: {0}")]
    Request(#[from] http::Error),
    #[error("no answer from {0} within {1:?}")]
    Timeout(SocketAddr, Duration),
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a str,
}

/// An open connection.
pub struct Connection {
    address: SocketAddr,
    sender: Sender,
}

enum Sender {
    Http1(http1::SendRequest<Full<Bytes>>),
    /// Cleartext HTTP/2 with prior knowledge.
    Http2(http2::SendRequest<Full<Bytes>>),
}

impl Connection {
    pub async fn open(address: SocketAddr) -> Result<Connection, ProbeError> {
        let stream = connect(address).await?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|error| ProbeError::Http(address, error))?;
        tokio::spawn(connection);
        Ok(Connection {
            address,
            sender: Sender::Http1(sender),
        })
    }

    /// A cleartext HTTP/2 connection (prior knowledge, as h2load opens them).
    pub async fn open_h2(address: SocketAddr) -> Result<Connection, ProbeError> {
        let stream = connect(address).await?;
        let (sender, connection) = http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .map_err(|error| ProbeError::Http(address, error))?;
        tokio::spawn(connection);
        Ok(Connection {
            address,
            sender: Sender::Http2(sender),
        })
    }

    pub async fn send(&mut self, outgoing: &Outgoing<'_>) -> Result<Answer, ProbeError> {
        let request = Request::builder().method(outgoing.method);
        let mut request = match self.sender {
            Sender::Http1(_)
                if !outgoing
                    .headers
                    .iter()
                    .any(|(name, _)| name.eq_ignore_ascii_case("host")) =>
            {
                request
                    .uri(outgoing.path)
                    .header("host", self.address.to_string())
            }
            Sender::Http1(_) => request.uri(outgoing.path),
            // HTTP/2 names the host in `:authority`, from an absolute URI.
            Sender::Http2(_) => request.uri(format!("http://{}{}", self.address, outgoing.path)),
        };
        for (name, value) in outgoing.headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::copy_from_slice(outgoing.body.as_bytes())))?;
        let address = self.address;
        let response = match &mut self.sender {
            Sender::Http1(sender) => sender.send_request(request).await,
            Sender::Http2(sender) => sender.send_request(request).await,
        }
        .map_err(|error| ProbeError::Http(address, error))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| ProbeError::Http(address, error))?
            .to_bytes();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

async fn connect(address: SocketAddr) -> Result<TcpStream, ProbeError> {
    let stream = TcpStream::connect(address)
        .await
        .map_err(|error| ProbeError::Connect(address, error))?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// One request over a fresh cleartext HTTP/2 connection, bounded by `timeout`.
pub async fn send_once_h2(
    address: SocketAddr,
    outgoing: &Outgoing<'_>,
    timeout: Duration,
) -> Result<Answer, ProbeError> {
    send_on_fresh_connection(address, outgoing, timeout, true).await
}

/// One request on a fresh connection, bounded by `timeout`.
pub async fn send_once(
    address: SocketAddr,
    outgoing: &Outgoing<'_>,
    timeout: Duration,
) -> Result<Answer, ProbeError> {
    send_on_fresh_connection(address, outgoing, timeout, false).await
}

async fn send_on_fresh_connection(
    address: SocketAddr,
    outgoing: &Outgoing<'_>,
    timeout: Duration,
    http2: bool,
) -> Result<Answer, ProbeError> {
    tokio::time::timeout(timeout, async {
        let mut connection = if http2 {
            Connection::open_h2(address).await?
        } else {
            Connection::open(address).await?
        };
        connection.send(outgoing).await
    })
    .await
    .map_err(|_| ProbeError::Timeout(address, timeout))?
}

/// Opens `count` keep-alive connections and sends one request on each, so the peer holds
/// every connection's state (buffers, a task, an upstream-less idle session). The
/// connections stay open until the returned value is dropped.
pub async fn open_idle_connections(
    address: SocketAddr,
    count: usize,
    outgoing: &Outgoing<'_>,
) -> Result<Vec<Connection>, ProbeError> {
    let mut connections = Vec::with_capacity(count);
    for _ in 0..count {
        let mut connection = Connection::open(address).await?;
        connection.send(outgoing).await?;
        connections.push(connection);
    }
    Ok(connections)
}

//! Step 1 of the pipeline: accept connections (HTTP/1.1 and cleartext HTTP/2 on one port),
//! turn each request into a [`MethodRequest`] and hand it to the pipeline.

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};

use crate::gateway::Gateway;
use crate::pipeline;
use crate::request::{MethodRequest, RequestBody};

fn method_request(request: hyper::Request<Incoming>, peer: SocketAddr) -> MethodRequest {
    let (mut parts, body) = request.into_parts();
    // HTTP/2 carries the host in `:authority`; stage selection by `Host` and SigV4 (which
    // always signs `host`) read it as the header HTTP/1.1 sends.
    if !parts.headers.contains_key(http::header::HOST)
        && let Some(authority) = parts.uri.authority()
        && let Ok(host) = http::HeaderValue::from_str(authority.as_str())
    {
        parts.headers.insert(http::header::HOST, host);
    }
    let protocol = match parts.version {
        http::Version::HTTP_2 => "HTTP/2.0",
        http::Version::HTTP_10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    MethodRequest {
        request_id: request_id(),
        received_at: crate::clock::now(),
        method: parts.method,
        full_path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        source_ip: peer.ip(),
        protocol,
        body: RequestBody::Streaming(body),
    }
}

/// A new request id, a random UUID in AWS's lower-case hyphenated form.
fn request_id() -> String {
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    // Encoding into a buffer skips the formatting machinery `to_string` goes through.
    uuid::Uuid::new_v4()
        .hyphenated()
        .encode_lower(&mut text)
        .to_string()
}

/// Serves the data plane on `listener` until `shutdown` resolves, then lets open
/// connections finish their requests.
///
/// One thread per CPU, each with its own single-threaded runtime (nginx's worker model): a
/// connection, its requests and their backend connections (a pool per thread, `upstream.rs`)
/// stay on the thread that was given it, so a request wakes no other thread. One accept loop
/// hands connections to the workers in turn: workers accepting from the shared socket
/// themselves left whichever was awake with most of them (15 of 16 in one measurement), and
/// `SO_REUSEPORT` would let a second gateway bind the same port without an error.
/// BENCHMARKS.md has the profiles and the before/after.
pub async fn serve(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut finished = Vec::with_capacity(workers);
    let mut handoff = Vec::with_capacity(workers);
    for index in 0..workers {
        let gateway = gateway.clone();
        let mut stopped = stopped.clone();
        let (give, accepted) = tokio::sync::mpsc::unbounded_channel();
        let (done, done_receiver) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name(format!("tollgate-data-{index}"))
            .spawn(move || {
                let served = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|runtime| {
                        runtime.block_on(async move {
                            let shutdown = async move {
                                let _ = stopped.wait_for(|stop| *stop).await;
                            };
                            worker(accepted, gateway, shutdown).await;
                        });
                    });
                let _ = done.send(served);
            })?;
        handoff.push(give);
        finished.push(done_receiver);
    }
    tokio::pin!(shutdown);
    let mut next = 0;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Running out of file descriptors must not end the server.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Leaves this runtime's poller for the worker's.
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(%error, %peer, "could not hand over a connection");
                continue;
            }
        };
        // A worker that is gone (it panicked) takes no more connections.
        let mut connection = Some((stream, peer));
        for _ in 0..handoff.len() {
            let worker = &handoff[next];
            next = (next + 1) % handoff.len();
            match worker.send(connection.take().expect("not yet handed over")) {
                Ok(()) => break,
                Err(returned) => connection = Some(returned.0),
            }
        }
        if connection.is_some() {
            return Err(std::io::Error::other("every data-plane worker has stopped"));
        }
    }
    let _ = stop.send(true);
    drop(handoff);
    let mut result = Ok(());
    for done in finished {
        // A worker that panicked dropped its sender; the others still finish their requests.
        if let Ok(Err(error)) = done.await {
            result = Err(error);
        }
    }
    result
}

/// One worker: serves the connections it is given on the current (single-threaded) runtime.
async fn worker(
    mut accepted: tokio::sync::mpsc::UnboundedReceiver<(std::net::TcpStream, SocketAddr)>,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            given = accepted.recv() => match given {
                Some(given) => given,
                None => break,
            },
            () = &mut shutdown => break,
        };
        let stream = match TcpStream::from_std(stream) {
            Ok(stream) => stream,
            Err(error) => {
                tracing::warn!(%error, %peer, "could not register a connection");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let gateway = gateway.clone();
        let service = service_fn(move |request: hyper::Request<Incoming>| {
            let gateway = gateway.clone();
            // Boxed: hyper keeps room for one in-flight request future in every connection,
            // idle or not, and the pipeline's future is several KiB.
            Box::pin(async move {
                let request = method_request(request, peer);
                Ok::<_, std::convert::Infallible>(pipeline::serve(&gateway, request).await)
            })
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, error = %error, "connection ended with an error");
            }
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(std::time::Duration::from_secs(30)) => {
            tracing::warn!("connections still open after 30 s; closing them");
        }
    }
}

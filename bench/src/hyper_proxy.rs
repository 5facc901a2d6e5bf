//! The `hyper` peer: the least proxy that can be built from Tollgate's HTTP stack, run as
//! `tollgate-bench hyper-proxy`. It has Tollgate's shape — one single-threaded tokio runtime
//! per CPU, each given connections in turn by one accept loop, hyper's `auto` server builder, a thread-local
//! hyper-util legacy client pool, mimalloc — and none of its pipeline: no stage, route,
//! access check, metric or request id. What separates Tollgate from it is what the pipeline
//! costs; what separates it from nginx is what hyper and tokio cost.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Uri, header};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;

type Body = BoxBody<Bytes, hyper::Error>;

thread_local! {
    static CLIENT: Client<HttpConnector, Incoming> = {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(256)
            .build(connector)
    };
}

/// Serves until killed: every request goes to `upstream` with its method, path, query,
/// headers and body, and the answer comes back as it is. Connections are handed to the
/// workers in turn, as Tollgate's listener does.
pub fn serve(listen: SocketAddr, upstream: SocketAddr) -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind(listen)?;
    println!("listening on {}", listener.local_addr()?);
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let handoff: Vec<_> = (0..workers)
        .map(|_| {
            let (give, accepted) = tokio::sync::mpsc::unbounded_channel();
            std::thread::spawn(move || worker(accepted, upstream));
            give
        })
        .collect();
    for (index, stream) in listener.incoming().enumerate() {
        let stream = stream?;
        stream.set_nonblocking(true)?;
        handoff[index % workers]
            .send(stream)
            .map_err(|_| std::io::Error::other("a worker stopped"))?;
    }
    Ok(())
}

fn worker(
    mut accepted: tokio::sync::mpsc::UnboundedReceiver<std::net::TcpStream>,
    upstream: SocketAddr,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let builder = auto::Builder::new(TokioExecutor::new());
        while let Some(stream) = accepted.recv().await {
            let stream = tokio::net::TcpStream::from_std(stream)?;
            let _ = stream.set_nodelay(true);
            let service = service_fn(move |request| proxy(request, upstream));
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .into_owned();
            tokio::spawn(async move {
                let _ = connection.await;
            });
        }
        Ok(())
    })
}

async fn proxy(
    request: Request<Incoming>,
    upstream: SocketAddr,
) -> Result<Response<Body>, Infallible> {
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let uri: Result<Uri, _> = format!("http://{upstream}{path}").parse();
    let Ok(uri) = uri else {
        return Ok(status(http::StatusCode::BAD_REQUEST));
    };
    parts.uri = uri;
    // An HTTP/2 request goes on to the HTTP/1.1 upstream as HTTP/1.1.
    parts.version = http::Version::HTTP_11;
    parts.headers.remove(header::CONNECTION);
    let request = Request::from_parts(parts, body);
    match CLIENT.with(|client| client.request(request)).await {
        Ok(response) => Ok(response.map(|body| body.boxed())),
        Err(_) => Ok(status(http::StatusCode::BAD_GATEWAY)),
    }
}

fn status(code: http::StatusCode) -> Response<Body> {
    let mut response = Response::new(
        http_body_util::Empty::new()
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = code;
    response
}

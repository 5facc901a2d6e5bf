//! Outbound `wasi:http` requests from guests. Denied unless a stage grants an allow-list
//! (a later setting): a plugin reaches no network the operator did not hand it.

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// Which outbound requests a guest may make.
#[derive(Debug, Clone, Default)]
pub enum OutboundPolicy {
    /// None at all (the default).
    #[default]
    DenyAll,
}

type ResponseFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = Result<(), Error>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for OutboundPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        _options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> ResponseFuture {
        let uri = request.uri().clone();
        Box::new(async move {
            tracing::warn!(%uri, "guest outbound HTTP request denied: no allow-list granted");
            Err(Error::HttpRequestDenied)
        })
    }
}

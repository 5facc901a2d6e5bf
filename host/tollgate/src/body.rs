//! The response body type of the data plane: either bytes the gateway built, or a backend's
//! body streamed through untouched (HTTP_PROXY).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::Full;
use http_body_util::combinators::UnsyncBoxBody;

/// An error while streaming a body through.
pub type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// The body of every response the gateway sends.
pub enum GatewayBody {
    /// Bytes built in full.
    Full(Full<Bytes>),
    /// A body streamed from a backend.
    Streaming(UnsyncBoxBody<Bytes, BodyError>),
}

impl GatewayBody {
    /// A body of exactly these bytes.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        GatewayBody::Full(Full::new(bytes.into()))
    }
}

impl Body for GatewayBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        match self.get_mut() {
            GatewayBody::Full(full) => Pin::new(full)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            GatewayBody::Streaming(stream) => Pin::new(stream).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            GatewayBody::Full(full) => full.is_end_stream(),
            GatewayBody::Streaming(stream) => stream.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            GatewayBody::Full(full) => full.size_hint(),
            GatewayBody::Streaming(stream) => stream.size_hint(),
        }
    }
}

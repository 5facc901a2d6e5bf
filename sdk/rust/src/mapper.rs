//! Mappers: the `mapper` world, a request and response transform (the WASM counterpart of a
//! VTL mapping template).
//!
//! Implement [`Mapper`] and export it with [`export_mapper!`](crate::export_mapper). The
//! `mapper` world imports `log` and `stage` only: a mapper must not use [`kv`](crate::kv).

use crate::bindings::mapper::tollgate::plugin::types;
use crate::fields;

/// An HTTP request as a mapper sees it: method, percent-decoded path after the stage,
/// query pairs, headers and raw body.
pub use types::HttpRequest;
/// An HTTP response as a mapper sees it: status, headers and raw body.
pub use types::HttpResponse;
/// The caller, as API Gateway's `$context.identity` describes it.
pub use types::Identity;
/// What the gateway knows about the request being served (`$context`).
pub use types::RequestContext;

/// A request/response transform.
///
/// Both methods default to passing their input through unchanged, so a mapper implements
/// only the direction it transforms. An `Err` fails the request with a 500 and the message
/// in the gateway log.
pub trait Mapper {
    /// Maps the method request into the integration request.
    fn map_request(request: HttpRequest, context: RequestContext) -> Result<HttpRequest, String> {
        let _ = context;
        Ok(request)
    }

    /// Maps the integration response into the method response.
    fn map_response(
        response: HttpResponse,
        context: RequestContext,
    ) -> Result<HttpResponse, String> {
        let _ = context;
        Ok(response)
    }
}

impl HttpRequest {
    /// The first value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        fields::get_ignore_case(&self.headers, name)
    }

    /// Sets header `name` to `value`, replacing every header of that name in any case.
    pub fn set_header(&mut self, name: &str, value: &str) {
        fields::set_ignore_case(&mut self.headers, name, value);
    }

    /// Like [`set_header`](HttpRequest::set_header), by value.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.set_header(name, value);
        self
    }

    /// Removes every header `name`, compared case-insensitively.
    pub fn remove_header(&mut self, name: &str) {
        fields::remove_ignore_case(&mut self.headers, name);
    }

    /// The first value of query-string parameter `name` (compared exactly).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        fields::get_exact(&self.query, name)
    }

    /// The body as UTF-8 text, or `None` when it is not valid UTF-8.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

impl HttpResponse {
    /// The first value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        fields::get_ignore_case(&self.headers, name)
    }

    /// Sets header `name` to `value`, replacing every header of that name in any case.
    pub fn set_header(&mut self, name: &str, value: &str) {
        fields::set_ignore_case(&mut self.headers, name, value);
    }

    /// Like [`set_header`](HttpResponse::set_header), by value.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.set_header(name, value);
        self
    }

    /// Removes every header `name`, compared case-insensitively.
    pub fn remove_header(&mut self, name: &str) {
        fields::remove_ignore_case(&mut self.headers, name);
    }

    /// The body as UTF-8 text, or `None` when it is not valid UTF-8.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

impl RequestContext {
    /// The value of stage variable `name`, as the context carries it.
    pub fn stage_variable(&self, name: &str) -> Option<&str> {
        fields::get_exact(&self.stage_variables, name)
    }

    /// The value of `$context.authorizer.{name}`, when an authorizer ran.
    pub fn authorizer_value(&self, name: &str) -> Option<&str> {
        fields::get_exact(&self.authorizer, name)
    }
}

/// Exports a [`Mapper`] as the component's `tollgate:plugin/mapping` (world `mapper`).
///
/// ```no_run
/// use tollgate_sdk::{HttpRequest, Mapper, RequestContext};
///
/// struct Tag;
///
/// impl Mapper for Tag {
///     fn map_request(request: HttpRequest, context: RequestContext) -> Result<HttpRequest, String> {
///         Ok(request.with_header("x-stage", &context.stage))
///     }
/// }
///
/// tollgate_sdk::export_mapper!(Tag);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! export_mapper {
    ($ty:ty) => {
        // Checks `$ty` on every target; the export itself exists only in WebAssembly.
        const _: fn(
            $crate::HttpRequest,
            $crate::RequestContext,
        ) -> ::std::result::Result<$crate::HttpRequest, ::std::string::String> =
            <$ty as $crate::Mapper>::map_request;
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct TollgateMapperExport;
            impl $crate::bindings::mapper::exports::tollgate::plugin::mapping::Guest
                for TollgateMapperExport
            {
                fn map_request(
                    request: $crate::HttpRequest,
                    context: $crate::RequestContext,
                ) -> ::std::result::Result<$crate::HttpRequest, ::std::string::String> {
                    $crate::panic::install_hook();
                    <$ty as $crate::Mapper>::map_request(request, context)
                }
                fn map_response(
                    response: $crate::HttpResponse,
                    context: $crate::RequestContext,
                ) -> ::std::result::Result<$crate::HttpResponse, ::std::string::String> {
                    $crate::panic::install_hook();
                    <$ty as $crate::Mapper>::map_response(response, context)
                }
            }
            $crate::bindings::mapper::export_mapper_world!(
                TollgateMapperExport with_types_in $crate::bindings::mapper
            );
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path: "/items".into(),
            query: vec![("a".into(), "1".into()), ("A".into(), "2".into())],
            headers: vec![
                ("X-One".into(), "1".into()),
                ("x-one".into(), "2".into()),
                ("Accept".into(), "*/*".into()),
            ],
            body: b"hi".to_vec(),
        }
    }

    #[test]
    fn header_helpers_ignore_case() {
        let mut request = request();
        assert_eq!(request.header("x-ONE"), Some("1"));
        request.set_header("X-one", "3");
        assert_eq!(
            request.headers,
            vec![
                ("Accept".to_owned(), "*/*".to_owned()),
                ("X-one".to_owned(), "3".to_owned())
            ]
        );
        request.remove_header("accept");
        assert_eq!(request.header("Accept"), None);
        assert_eq!(request.query_param("A"), Some("2"));
        assert_eq!(request.body_text(), Some("hi"));
    }

    #[test]
    fn response_helpers() {
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: vec![0xff],
        }
        .with_header("x-mapped", "1");
        assert_eq!(response.header("X-Mapped"), Some("1"));
        assert_eq!(response.body_text(), None);
    }
}

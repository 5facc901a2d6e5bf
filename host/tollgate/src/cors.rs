//! Step 12's CORS, the HTTP API way (`x-amazon-apigateway-cors`): the gateway answers
//! preflight requests itself, on any path of the stage and whether or not an `OPTIONS` route
//! exists, and adds the `Access-Control-*` headers to every other response of an allowed
//! origin — errors included — replacing whatever the integration sent, as API Gateway
//! ignores a backend's CORS headers when CORS is configured. (A REST API answers CORS with
//! `OPTIONS` MOCK methods and response parameters instead; that runs through the mapping
//! steps and needs nothing here.)

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderMap, HeaderName,
    HeaderValue, ORIGIN, VARY,
};
use http::{Method, Response, StatusCode};
use tollgate_definition::CorsConfiguration;

use crate::body::GatewayBody;
use crate::request::MethodRequest;

/// A stage's CORS configuration, ready to answer with.
pub struct Cors {
    origins: Vec<OriginPattern>,
    allow_methods: Option<HeaderValue>,
    allow_headers: Option<HeaderValue>,
    /// Whether `allowHeaders` is `*`: the preflight echoes the requested headers.
    any_header: bool,
    expose_headers: Option<HeaderValue>,
    max_age: Option<HeaderValue>,
    allow_credentials: bool,
}

enum OriginPattern {
    /// `*`.
    Any,
    /// `https://*` or `http://*`: any origin of that scheme.
    Scheme(String),
    /// An exact origin, compared case-insensitively.
    Exact(String),
}

fn joined(items: &[String]) -> Option<HeaderValue> {
    if items.is_empty() {
        return None;
    }
    HeaderValue::from_str(&items.join(",")).ok()
}

impl Cors {
    pub fn new(configuration: &CorsConfiguration) -> Cors {
        let origins = configuration
            .allow_origins
            .iter()
            .map(|origin| match origin.as_str() {
                "*" => OriginPattern::Any,
                pattern if pattern.ends_with("://*") => {
                    OriginPattern::Scheme(pattern.trim_end_matches('*').to_ascii_lowercase())
                }
                exact => OriginPattern::Exact(exact.to_ascii_lowercase()),
            })
            .collect();
        Cors {
            origins,
            allow_methods: joined(&configuration.allow_methods),
            any_header: configuration.allow_headers.iter().any(|h| h == "*"),
            allow_headers: joined(&configuration.allow_headers),
            expose_headers: joined(&configuration.expose_headers),
            max_age: configuration
                .max_age
                .map(|seconds| HeaderValue::from(u64::from(seconds))),
            allow_credentials: configuration.allow_credentials,
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, when it is allowed.
    fn allowed_origin(&self, origin: &str) -> Option<HeaderValue> {
        let lower = origin.to_ascii_lowercase();
        let mut any = false;
        for pattern in &self.origins {
            match pattern {
                OriginPattern::Any => any = true,
                OriginPattern::Scheme(prefix) if lower.starts_with(prefix.as_str()) => {
                    return HeaderValue::from_str(origin).ok();
                }
                OriginPattern::Exact(exact) if *exact == lower => {
                    return HeaderValue::from_str(origin).ok();
                }
                _ => {}
            }
        }
        any.then(|| HeaderValue::from_static("*"))
    }

    /// Whether a request is a CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    pub fn is_preflight(request: &MethodRequest) -> bool {
        request.method == Method::OPTIONS
            && request.headers.contains_key(ORIGIN)
            && request.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// The gateway's answer to a preflight: 204, with the CORS headers when the origin is
    /// allowed (without them, the browser refuses the actual request).
    pub fn preflight(&self, request: &MethodRequest) -> Response<GatewayBody> {
        let mut response = Response::new(GatewayBody::full(bytes::Bytes::new()));
        *response.status_mut() = StatusCode::NO_CONTENT;
        let origin = request.header(ORIGIN.as_str()).unwrap_or_default();
        let Some(allowed) = self.allowed_origin(origin) else {
            return response;
        };
        let headers = response.headers_mut();
        self.common_headers(headers, allowed);
        if let Some(methods) = &self.allow_methods {
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, methods.clone());
        }
        let requested_headers = request.headers.get(ACCESS_CONTROL_REQUEST_HEADERS).cloned();
        match (&self.allow_headers, requested_headers) {
            (_, Some(requested)) if self.any_header => {
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, requested);
            }
            (Some(allowed), _) => {
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, allowed.clone());
            }
            (None, _) => {}
        }
        if let Some(max_age) = &self.max_age {
            headers.insert(ACCESS_CONTROL_MAX_AGE, max_age.clone());
        }
        response
    }

    /// Sets the CORS headers of an actual (non-preflight) response, replacing any the
    /// integration sent.
    pub fn apply(&self, origin: Option<&HeaderValue>, response: &mut Response<GatewayBody>) {
        let headers = response.headers_mut();
        for name in [
            ACCESS_CONTROL_ALLOW_ORIGIN,
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            ACCESS_CONTROL_EXPOSE_HEADERS,
            ACCESS_CONTROL_ALLOW_METHODS,
            ACCESS_CONTROL_ALLOW_HEADERS,
            ACCESS_CONTROL_MAX_AGE,
        ] {
            headers.remove(name);
        }
        let Some(allowed) = origin
            .and_then(|origin| origin.to_str().ok())
            .and_then(|origin| self.allowed_origin(origin))
        else {
            return;
        };
        self.common_headers(headers, allowed);
        if let Some(expose) = &self.expose_headers {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
        }
    }

    fn common_headers(&self, headers: &mut HeaderMap, allowed: HeaderValue) {
        let echoed = allowed.as_bytes() != b"*";
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        if self.allow_credentials {
            headers.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if echoed {
            // The answer depends on the request's origin: caches must key on it.
            headers.append(VARY, HeaderValue::from_static("Origin"));
        }
    }
}

/// The `Origin` of a request, kept before the request is consumed.
pub fn request_origin(request: &MethodRequest) -> Option<HeaderValue> {
    request
        .headers
        .get(HeaderName::from_static("origin"))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cors(origins: &[&str]) -> Cors {
        Cors::new(&CorsConfiguration {
            allow_origins: origins.iter().map(|o| o.to_string()).collect(),
            allow_methods: vec!["GET".into(), "POST".into()],
            allow_headers: vec!["content-type".into()],
            expose_headers: vec!["x-request-id".into()],
            max_age: Some(300),
            allow_credentials: false,
        })
    }

    #[test]
    fn origins_match_exactly_by_scheme_or_any() {
        let exact = cors(&["https://www.example.com"]);
        assert_eq!(
            exact.allowed_origin("https://WWW.example.com").unwrap(),
            "https://WWW.example.com"
        );
        assert!(exact.allowed_origin("https://evil.example.com").is_none());
        assert!(exact.allowed_origin("http://www.example.com").is_none());
        let scheme = cors(&["https://*"]);
        assert!(scheme.allowed_origin("https://a.b").is_some());
        assert!(scheme.allowed_origin("http://a.b").is_none());
        let any = cors(&["*"]);
        assert_eq!(any.allowed_origin("http://x").unwrap(), "*");
    }

    #[test]
    fn integration_cors_headers_are_replaced() {
        let cors = cors(&["https://www.example.com"]);
        let mut response = Response::new(GatewayBody::full(bytes::Bytes::new()));
        response
            .headers_mut()
            .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        cors.apply(
            Some(&HeaderValue::from_static("https://evil.test")),
            &mut response,
        );
        assert!(
            response
                .headers()
                .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
    }
}

//! Tollgate's mapping-template engine: Apache Velocity (VTL) as AWS API Gateway runs it, so
//! that templates users already run on AWS produce the same bytes here.
//!
//! ```
//! use std::collections::BTreeMap;
//! use tollgate_vtl::{RenderInput, Template};
//!
//! let template = Template::compile(r#"{"name": "$input.path('$.name')", "stage": "$context.stage"}"#)?;
//! let context = serde_json::json!({"stage": "dev"});
//! let stage_variables = BTreeMap::new();
//! let output = template.render(&RenderInput {
//!     body: r#"{"name": "apple"}"#,
//!     path_params: &[],
//!     query_params: &[],
//!     headers: &[],
//!     context: &context,
//!     stage_variables: &stage_variables,
//! })?;
//! assert_eq!(output, r#"{"name": "apple", "stage": "dev"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it implements
//!
//! - The language of Velocity 1.7 (the version API Gateway uses): `#set`, `#if`/`#elseif`/
//!   `#else`, `#foreach` (`$foreach.index/count/hasNext/first/last`, `$velocityCount`),
//!   `#break`, `#stop`, `#define`, `#macro`, comments, escapes, `$!quiet` and `${formal}`
//!   references, method calls, maps, lists, ranges, string interpolation, arithmetic and
//!   logic — parsed by a port of Velocity's own lexer, so whitespace and newlines are eaten
//!   exactly where Velocity eats them.
//! - API Gateway's variables: `$input` (`body`, `json()`, `path()`, `params()`), `$util`
//!   (`escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode`,
//!   `base64Decode`), `$context`, `$stageVariables`.
//! - API Gateway's rendering: a reference to nothing renders as the empty string.
//!
//! The behaviours, quirks included, and the sources they were taken from are listed in
//! `tests/conformance/README.md` next to the conformance suite that pins them.
//!
//! # What it never does
//!
//! It never panics, loops or recurses without bound, or allocates without bound on any
//! template or input: compile errors and render errors carry a line and column, and every
//! render runs within fixed limits (1000 iterations per `#foreach` as API Gateway's quota
//! says, 10 MB of output, bounded recursion and work). It has no dependency on the gateway,
//! no I/O, no threads: it builds for `wasm32-wasip2` as the VTL mapper plugin.

#![warn(missing_docs)]

mod ast;
mod jsonpath;
mod lexer;
mod methods;
mod parser;
mod render;
mod util;
mod value;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

/// A compiled mapping template: parse once, render many times (from any thread).
#[derive(Clone)]
pub struct Template {
    inner: Arc<Compiled>,
}

struct Compiled {
    nodes: ast::Block,
    macros: HashMap<String, Arc<ast::Macro>>,
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("nodes", &self.inner.nodes.len())
            .field("macros", &self.inner.macros.len())
            .finish()
    }
}

/// A template that does not parse, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// A template that failed while rendering (a Java method that throws, a body that is not
/// JSON for `$input.json`, a limit exceeded), with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderError {
    /// 1-based line (0 when the error has no single source position).
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What went wrong.
    pub message: String,
}

impl RenderError {
    /// Whether the error is API Gateway's "Could not parse request body into json": the
    /// template read the body as JSON (`$input.json`/`$input.path`) and it is not JSON. API
    /// Gateway answers such a request with 400 rather than 500.
    pub fn is_body_parse_error(&self) -> bool {
        self.message.starts_with(render::BODY_PARSE_PREFIX)
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for CompileError {}
impl std::error::Error for RenderError {}

/// What a template renders against: one request (or integration response).
#[derive(Clone, Copy, Debug)]
pub struct RenderInput<'a> {
    /// `$input.body` and the document `$input.json`/`$input.path` evaluate JSONPath on.
    pub body: &'a str,
    /// `$input.params()` / `$input.params('x')`: path, querystring, header (in that
    /// precedence for `params('x')`).
    pub path_params: &'a [(String, String)],
    /// Query-string parameters.
    pub query_params: &'a [(String, String)],
    /// Headers.
    pub headers: &'a [(String, String)],
    /// `$context`: a JSON object tree (`requestId`, `stage`, `resourcePath`, `httpMethod`,
    /// `identity.sourceIp`, `identity.userAgent`, `authorizer.*`, `requestTime`,
    /// `requestTimeEpoch`, `path`, `apiId`, ...).
    pub context: &'a serde_json::Value,
    /// `$stageVariables`.
    pub stage_variables: &'a BTreeMap<String, String>,
}

/// The full result of a render: the output, and the `$context` overrides the template set
/// (`#set($context.responseOverride.status = 400)`), which API Gateway applies to the
/// integration request or method response.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// The rendered text.
    pub output: String,
    /// `$context.requestOverride` after rendering: `{"header": {}, "path": {}, "querystring": {}}`
    /// plus whatever the template set.
    pub request_override: serde_json::Value,
    /// `$context.responseOverride` after rendering: `{"header": {}}` plus whatever the template
    /// set (e.g. `"status": 400`).
    pub response_override: serde_json::Value,
}

impl Template {
    /// Parses `source`. Errors carry the line and column Velocity would report.
    pub fn compile(source: &str) -> Result<Template, CompileError> {
        let parsed = parser::parse(source)?;
        Ok(Template {
            inner: Arc::new(Compiled {
                nodes: parsed.nodes,
                macros: parsed.macros,
            }),
        })
    }

    /// Renders the template against `input`.
    pub fn render(&self, input: &RenderInput<'_>) -> Result<String, RenderError> {
        self.render_detailed(input).map(|r| r.output)
    }

    /// Renders the template, also returning the `$context` overrides it set.
    pub fn render_detailed(&self, input: &RenderInput<'_>) -> Result<Rendered, RenderError> {
        let renderer = render::Renderer::new(&self.inner.macros, input);
        let finished = renderer.run(&self.inner.nodes)?;
        let context = value::to_json(&finished.context, 0);
        let take = |name: &str| {
            context
                .get(name)
                .cloned()
                .unwrap_or_else(|| serde_json::Value::Object(Default::default()))
        };
        Ok(Rendered {
            output: finished.output,
            request_override: take("requestOverride"),
            response_override: take("responseOverride"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn template_is_send_sync_clone() {
        assert_send_sync::<Template>();
    }
}

//! The OpenAPI structure around the integrations: the version (`openapi: 3.0.x` or
//! `swagger: "2.0"`), `info`, top-level `security`, `paths` (resources: their templates and
//! the AWS rule of one variable child per parent) and path items. Operations (methods) are
//! read in [`operation`]; where each `x-amazon-apigateway-*` extension may appear (request
//! validators, gateway responses, the API key source, the resource policy and CORS among
//! them), and the sweep that reports any extension nothing handled, in [`extensions`].
//! Models (`components.schemas`, `definitions`) and security schemes are read before the
//! paths, so that body schemas and `security` requirements can name them (see
//! `super::schema` and `super::security`); the top-level `security` is every operation's
//! default.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

mod extensions;
mod operation;

use super::Problems;
use super::pointer;
use super::schema::Schemas;
use super::security::{Access, SecuritySchemes};
use crate::error::ImportErrorKind;
use crate::model::{ApiDefinition, Method, Parameter, RequestValidator, Resource};
use crate::resource_path::{self, PathSegment};

const ANY_METHOD: &str = "x-amazon-apigateway-any-method";
const INTEGRATION: &str = "x-amazon-apigateway-integration";

const HTTP_METHOD_KEYS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("patch", "PATCH"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
    (ANY_METHOD, "ANY"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    OpenApi3,
    Swagger2,
}

impl Dialect {
    fn top_level_keys(self) -> &'static [&'static str] {
        match self {
            Dialect::OpenApi3 => &[
                "openapi",
                "info",
                "servers",
                "paths",
                "components",
                "security",
                "tags",
                "externalDocs",
            ],
            Dialect::Swagger2 => &[
                "swagger",
                "info",
                "host",
                "basePath",
                "schemes",
                "consumes",
                "produces",
                "paths",
                "definitions",
                "parameters",
                "responses",
                "securityDefinitions",
                "security",
                "tags",
                "externalDocs",
            ],
        }
    }

    fn operation_keys(self) -> &'static [&'static str] {
        match self {
            Dialect::OpenApi3 => &[
                "tags",
                "summary",
                "description",
                "externalDocs",
                "operationId",
                "parameters",
                "requestBody",
                "responses",
                "callbacks",
                "deprecated",
                "security",
                "servers",
            ],
            Dialect::Swagger2 => &[
                "tags",
                "summary",
                "description",
                "externalDocs",
                "operationId",
                "consumes",
                "produces",
                "parameters",
                "responses",
                "schemes",
                "deprecated",
                "security",
            ],
        }
    }

    /// Where the document's models are.
    fn models_at(self) -> &'static str {
        match self {
            Dialect::OpenApi3 => "/components/schemas",
            Dialect::Swagger2 => "/definitions",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Dialect::OpenApi3 => "an OpenAPI 3.0 document",
            Dialect::Swagger2 => "a Swagger 2.0 document",
        }
    }
}

/// An `x-` key (any case: a mis-cased `X-Amazon-...` is reported as an unknown extension).
fn is_extension(key: &str) -> bool {
    key.get(..2)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("x-"))
}

fn unknown_key_message(key: &str, place: &str, expected: &[&str]) -> String {
    if key == "<<" {
        return "YAML merge keys (`<<`) are not supported: write the members out".to_owned();
    }
    format!(
        "unknown key `{key}` in {place} (expected one of {}, or an x- extension)",
        expected.join(", ")
    )
}

/// Reads a parsed document. `None` when it is not even a mapping with a known version.
pub(crate) fn read(document: &Value, problems: &mut Problems) -> Option<ApiDefinition> {
    let Value::Object(root) = document else {
        problems.invalid(
            "",
            "an OpenAPI document (a mapping with `openapi: 3.0.x`)",
            document,
        );
        return None;
    };
    let dialect = read_dialect(root, problems)?;
    let mut reader = Reader {
        document,
        dialect,
        handled: HashSet::new(),
        skipped: HashSet::new(),
        schemas: Schemas::new(document, dialect.models_at()),
        validators: BTreeMap::new(),
        broken_validators: HashSet::new(),
        default_validator: None,
        security: SecuritySchemes::default(),
        default_access: Access::default(),
        problems,
    };
    let definition = reader.read_root(root);
    reader.sweep_extensions(document, "");
    Some(definition)
}

fn read_dialect(root: &Map<String, Value>, problems: &mut Problems) -> Option<Dialect> {
    const EXPECTED_OPENAPI: &str = "an OpenAPI 3.0.x version such as \"3.0.1\" \
         (API Gateway imports OpenAPI 3.0 and Swagger 2.0)";
    match (root.get("openapi"), root.get("swagger")) {
        (Some(version), None) => {
            let is_3_0 = version.as_str().is_some_and(|v| {
                v.strip_prefix("3.0.").is_some_and(|patch| {
                    !patch.is_empty() && patch.chars().all(|c| c.is_ascii_digit())
                })
            });
            if is_3_0 {
                Some(Dialect::OpenApi3)
            } else {
                problems.invalid("/openapi", EXPECTED_OPENAPI, version);
                None
            }
        }
        (None, Some(version)) => {
            if version.as_str() == Some("2.0") {
                Some(Dialect::Swagger2)
            } else {
                problems.invalid("/swagger", "\"2.0\" (or use `openapi: 3.0.x`)", version);
                None
            }
        }
        (Some(_), Some(_)) => {
            problems.push(
                "/swagger",
                ImportErrorKind::Conflict,
                "a document has either `openapi` (3.0.x) or `swagger` (2.0), not both",
            );
            None
        }
        (None, None) => {
            problems.missing(
                "/openapi",
                "missing `openapi`: expected an OpenAPI 3.0.x document (`openapi: 3.0.1`) \
                 or a Swagger 2.0 document (`swagger: \"2.0\"`)",
            );
            None
        }
    }
}

struct Reader<'d, 'p> {
    document: &'d Value,
    dialect: Dialect,
    /// Pointers of the extension keys read (accepted or refused) where AWS defines them.
    handled: HashSet<String>,
    /// Values not read because they were refused as a whole (a path item under an invalid
    /// path): the extension sweep does not report what is inside them again.
    skipped: HashSet<String>,
    /// The models, converted; body schemas are converted against them.
    schemas: Schemas<'d>,
    /// `x-amazon-apigateway-request-validators`, the valid entries.
    validators: BTreeMap<String, RequestValidator>,
    /// Names of the entries of `x-amazon-apigateway-request-validators` that have errors
    /// (already reported): naming one is not reported again.
    broken_validators: HashSet<String>,
    /// The API-level `x-amazon-apigateway-request-validator`.
    default_validator: Option<RequestValidator>,
    /// The security schemes, and the authorizers among them (plus the IAM one of
    /// `x-amazon-apigateway-auth`, once an operation uses it).
    security: SecuritySchemes,
    /// The top-level `security`: the access of every operation without its own.
    default_access: Access,
    problems: &'p mut Problems,
}

/// What an operation inherits from its path item.
struct PathItemContext<'a> {
    resource_path: &'a str,
    variables: &'a [String],
    parameters: &'a [Parameter],
    /// Swagger 2.0: the path item's `in: body` parameter.
    body: Option<&'a operation::SwaggerBody>,
}

impl<'d> Reader<'d, '_> {
    fn read_root(&mut self, root: &'d Map<String, Value>) -> ApiDefinition {
        let allowed = self.dialect.top_level_keys();
        for key in root.keys() {
            if !allowed.contains(&key.as_str()) && !is_extension(key) {
                self.problems.unknown_key(
                    &pointer::child("", key),
                    unknown_key_message(key, self.dialect.name(), allowed),
                );
            }
        }

        let (title, version, description) = self.read_info(root.get("info"));
        let extensions = self.read_root_extensions(root);
        self.security = self.read_security_schemes(root);
        if let Some(security) = root.get("security") {
            self.default_access = self
                .security
                .requirements(security, "/security", self.problems)
                .unwrap_or_default();
        }
        if let Some(Value::Array(tags)) = root.get("tags") {
            for (index, tag) in tags.iter().enumerate() {
                if let Value::Object(tag) = tag
                    && tag.contains_key("x-amazon-apigateway-tag-value")
                {
                    let at = pointer::index("/tags", index);
                    self.handled
                        .insert(pointer::child(&at, "x-amazon-apigateway-tag-value"));
                }
            }
        }
        let models = self.schemas.read_models(self.problems);
        let resources = self.read_paths(root.get("paths"));

        ApiDefinition {
            title,
            version,
            description,
            resources,
            binary_media_types: extensions.binary_media_types,
            document: self.document.clone(),
            models,
            request_validators: std::mem::take(&mut self.validators),
            default_request_validator: self.default_validator.as_ref().map(|v| v.name.clone()),
            gateway_responses: extensions.gateway_responses,
            authorizers: std::mem::take(&mut self.security.authorizers),
            api_key_source: extensions.api_key_source,
            resource_policy: extensions.resource_policy,
            cors: extensions.cors,
        }
    }

    fn read_info(&mut self, info: Option<&Value>) -> (String, Option<String>, Option<String>) {
        let Some(info) = info else {
            self.problems.missing(
                "/info",
                "missing `info` (with at least `title`, the API's name)",
            );
            return (String::new(), None, None);
        };
        let Value::Object(info) = info else {
            self.problems
                .invalid("/info", "a mapping with `title` and `version`", info);
            return (String::new(), None, None);
        };
        let title = match info.get("title") {
            Some(Value::String(title)) if !title.trim().is_empty() => title.clone(),
            Some(other) => {
                self.problems
                    .invalid("/info/title", "the API's name (a non-empty string)", other);
                String::new()
            }
            None => {
                self.problems
                    .missing("/info/title", "missing `info.title` (the API's name)");
                String::new()
            }
        };
        let version = match info.get("version") {
            None => None,
            Some(Value::String(version)) => Some(version.clone()),
            // `version: 1.0` in YAML is a number; it means the text.
            Some(Value::Number(number)) => Some(number.to_string()),
            Some(other) => {
                self.problems.invalid("/info/version", "a string", other);
                None
            }
        };
        let description = match info.get("description") {
            None => None,
            Some(Value::String(description)) => Some(description.clone()),
            Some(other) => {
                self.problems
                    .invalid("/info/description", "a string", other);
                None
            }
        };
        (title, version, description)
    }

    fn read_paths(&mut self, paths: Option<&'d Value>) -> Vec<Resource> {
        let Some(paths) = paths else {
            self.problems.missing(
                "/paths",
                "missing `paths` (the API's resources and methods)",
            );
            return Vec::new();
        };
        let Value::Object(paths) = paths else {
            self.problems
                .invalid("/paths", "a mapping of resource path to path item", paths);
            return Vec::new();
        };

        let before = self.problems.len();
        // Parent resource path → (its variable child as written, the path that declared it).
        let mut variable_children: HashMap<String, (String, String)> = HashMap::new();
        let mut resources = Vec::with_capacity(paths.len());
        for (path, item) in paths {
            let at = pointer::child("/paths", path);
            let segments = match resource_path::parse(path) {
                Ok(segments) => segments,
                Err(error) => {
                    self.problems.push(&at, ImportErrorKind::Invalid, error.0);
                    self.skipped.insert(at);
                    continue;
                }
            };
            self.check_sibling_variables(path, &segments, &at, &mut variable_children);
            let variables: Vec<String> = segments
                .iter()
                .filter_map(|s| s.variable_name().map(str::to_owned))
                .collect();
            if let Some(methods) = self.read_path_item(item, &at, path, &variables) {
                resources.push(Resource {
                    path: path.clone(),
                    methods,
                });
            }
        }

        let no_methods = resources.iter().all(|r| r.methods.is_empty());
        if no_methods && self.problems.len() == before {
            self.problems.push(
                "/paths",
                ImportErrorKind::Missing,
                "the API has no methods (API Gateway refuses to import an API without any)",
            );
        }
        resources
    }

    /// AWS allows one variable path part (`{id}` or `{proxy+}`) among a resource's children.
    fn check_sibling_variables(
        &mut self,
        path: &str,
        segments: &[PathSegment],
        at: &str,
        seen: &mut HashMap<String, (String, String)>,
    ) {
        for (depth, segment) in segments.iter().enumerate() {
            if segment.variable_name().is_none() {
                continue;
            }
            let parent: Vec<String> = segments[..depth].iter().map(ToString::to_string).collect();
            let parent = format!("/{}", parent.join("/"));
            let written = segment.to_string();
            match seen.get(&parent) {
                Some((sibling, declared_by)) if *sibling != written => {
                    self.problems.push(
                        at,
                        ImportErrorKind::Conflict,
                        format!(
                            "the path variable {written} of {path} and the path variable \
                             {sibling} of {declared_by} are siblings under {parent}: AWS allows \
                             one variable path part per parent resource"
                        ),
                    );
                    return;
                }
                Some(_) => {}
                None => {
                    seen.insert(parent, (written, path.to_owned()));
                }
            }
        }
    }

    fn read_path_item(
        &mut self,
        item: &'d Value,
        at: &str,
        resource_path: &str,
        variables: &[String],
    ) -> Option<Vec<Method>> {
        let Value::Object(item) = item else {
            self.problems.invalid(
                at,
                "a path item (a mapping of HTTP method to operation)",
                item,
            );
            return None;
        };
        let parameters = match item.get("parameters") {
            Some(value) => self.read_parameters(
                value,
                &pointer::child(at, "parameters"),
                resource_path,
                variables,
            ),
            None => Vec::new(),
        };
        let body = match (self.dialect, item.get("parameters")) {
            (Dialect::Swagger2, Some(value)) => {
                self.read_swagger_body(value, &pointer::child(at, "parameters"))
            }
            _ => None,
        };
        let context = PathItemContext {
            resource_path,
            variables,
            parameters: &parameters,
            body: body.as_ref(),
        };

        let mut methods = Vec::new();
        for (key, value) in item {
            let member_at = pointer::child(at, key);
            if let Some((_, http_method)) = HTTP_METHOD_KEYS.iter().find(|(k, _)| k == key) {
                if key == ANY_METHOD {
                    self.handled.insert(member_at.clone());
                }
                if let Some(method) = self.read_operation(value, &member_at, http_method, &context)
                {
                    methods.push(method);
                }
                continue;
            }
            match key.as_str() {
                "parameters" | "summary" | "description" | "servers" => {}
                "$ref" => self
                    .problems
                    .not_supported(&member_at, "path items by reference (`$ref`)"),
                "trace" => self.problems.push(
                    &member_at,
                    ImportErrorKind::Invalid,
                    "API Gateway REST APIs have no TRACE method (expected get, put, post, \
                     delete, patch, head, options or x-amazon-apigateway-any-method)",
                ),
                _ if is_extension(key) => {}
                _ => self.problems.unknown_key(
                    &member_at,
                    unknown_key_message(
                        key,
                        "a path item",
                        &[
                            "get",
                            "put",
                            "post",
                            "delete",
                            "patch",
                            "head",
                            "options",
                            ANY_METHOD,
                            "parameters",
                            "summary",
                            "description",
                            "servers",
                        ],
                    ),
                ),
            }
        }
        Some(methods)
    }
}

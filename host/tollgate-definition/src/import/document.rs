//! The OpenAPI structure around the integrations: version, `info`, `paths` (resources),
//! path items and operations (methods), parameters, method responses, security
//! requirements, and where each `x-amazon-apigateway-*` extension may appear.
//!
//! Extensions are handled where AWS defines them; afterwards a sweep over the whole document
//! reports every `x-amazon-apigateway-*` or `x-tollgate-*` key that nothing handled: an
//! unknown extension, or a known one in the wrong place (a mis-indented integration must not
//! leave a method silently without one).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::Problems;
use super::integration::{self, MethodContext, MethodResponses};
use super::pointer;
use crate::error::ImportErrorKind;
use crate::model::{ApiDefinition, Method, Parameter, ParameterLocation, Resource};
use crate::resource_path::{self, PathSegment};

const AWS_EXTENSION_PREFIX: &str = "x-amazon-apigateway-";
const TOLLGATE_EXTENSION_PREFIX: &str = "x-tollgate-";
const ANY_METHOD: &str = "x-amazon-apigateway-any-method";
const INTEGRATION: &str = "x-amazon-apigateway-integration";

/// Every extension AWS defines, with where it belongs, for "not valid here" messages.
const KNOWN_AWS_EXTENSIONS: &[(&str, &str)] = &[
    ("x-amazon-apigateway-any-method", "in a path item"),
    ("x-amazon-apigateway-integration", "in an operation"),
    ("x-amazon-apigateway-auth", "in an operation"),
    (
        "x-amazon-apigateway-request-validator",
        "at the top level or in an operation",
    ),
    ("x-amazon-apigateway-request-validators", "at the top level"),
    ("x-amazon-apigateway-api-key-source", "at the top level"),
    ("x-amazon-apigateway-binary-media-types", "at the top level"),
    ("x-amazon-apigateway-documentation", "at the top level"),
    (
        "x-amazon-apigateway-endpoint-configuration",
        "at the top level",
    ),
    ("x-amazon-apigateway-gateway-responses", "at the top level"),
    (
        "x-amazon-apigateway-importexport-version",
        "at the top level",
    ),
    (
        "x-amazon-apigateway-minimum-compression-size",
        "at the top level",
    ),
    ("x-amazon-apigateway-policy", "at the top level"),
    ("x-amazon-apigateway-cors", "at the top level"),
    ("x-amazon-apigateway-integrations", "in components"),
    ("x-amazon-apigateway-authorizer", "in a security scheme"),
    ("x-amazon-apigateway-authtype", "in a security scheme"),
    ("x-amazon-apigateway-tag-value", "in a tag"),
];

/// The largest `x-amazon-apigateway-minimum-compression-size` AWS accepts (10 MiB).
const MAX_MINIMUM_COMPRESSION_SIZE: u64 = 10_485_760;

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
    problems: &'p mut Problems,
}

/// What an operation inherits from its path item.
struct PathItemContext<'a> {
    resource_path: &'a str,
    variables: &'a [String],
    parameters: &'a [Parameter],
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
        if let Some(security) = root.get("security") {
            self.check_security(security, "/security");
        }
        let binary_media_types = self.read_root_extensions(root);
        self.read_security_schemes(root);
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
        let resources = self.read_paths(root.get("paths"));

        ApiDefinition {
            title,
            version,
            description,
            resources,
            binary_media_types,
            document: self.document.clone(),
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

    /// `security` at the top level or in an operation: only "no requirement" is accepted.
    fn check_security(&mut self, security: &Value, at: &str) {
        let Value::Array(requirements) = security else {
            self.problems
                .invalid(at, "a list of security requirements", security);
            return;
        };
        let requires_something = requirements
            .iter()
            .any(|r| !matches!(r, Value::Object(names) if names.is_empty()));
        if requires_something {
            self.problems.not_supported(
                at,
                "`security` (authorization of callers: IAM, API keys, authorizers)",
            );
        }
    }

    /// Top-level `x-amazon-apigateway-*` extensions; returns the binary media types.
    fn read_root_extensions(&mut self, root: &Map<String, Value>) -> Vec<String> {
        let mut binary_media_types = Vec::new();
        for (key, value) in root {
            let at = pointer::child("", key);
            match key.as_str() {
                "x-amazon-apigateway-binary-media-types" => {
                    binary_media_types = self.read_binary_media_types(value, &at);
                }
                "x-amazon-apigateway-minimum-compression-size" => {
                    if value
                        .as_u64()
                        .is_none_or(|size| size > MAX_MINIMUM_COMPRESSION_SIZE)
                    {
                        self.problems.invalid(
                            &at,
                            format_args!(
                                "an integer from 0 to {MAX_MINIMUM_COMPRESSION_SIZE} (bytes)"
                            ),
                            value,
                        );
                    }
                }
                "x-amazon-apigateway-gateway-responses" => {
                    if !value.is_object() {
                        self.problems.invalid(
                            &at,
                            "a mapping of gateway response type to gateway response",
                            value,
                        );
                    }
                }
                "x-amazon-apigateway-endpoint-configuration" => {
                    let private = value
                        .get("vpcEndpointIds")
                        .and_then(Value::as_array)
                        .is_some_and(|ids| !ids.is_empty());
                    if private {
                        self.problems.not_supported(
                            &pointer::child(&at, "vpcEndpointIds"),
                            "private APIs (`vpcEndpointIds`)",
                        );
                    }
                }
                "x-amazon-apigateway-documentation"
                | "x-amazon-apigateway-importexport-version" => {}
                "x-amazon-apigateway-api-key-source" => self
                    .problems
                    .not_supported(&at, "API keys (`x-amazon-apigateway-api-key-source`)"),
                "x-amazon-apigateway-policy" => self
                    .problems
                    .not_supported(&at, "resource policies (`x-amazon-apigateway-policy`)"),
                "x-amazon-apigateway-request-validators"
                | "x-amazon-apigateway-request-validator" => self
                    .problems
                    .not_supported(&at, format_args!("request validation (`{key}`)")),
                "x-amazon-apigateway-cors" => self.problems.not_supported(
                    &at,
                    "`x-amazon-apigateway-cors` (the CORS configuration of HTTP APIs; a REST API \
                     answers CORS with OPTIONS methods)",
                ),
                _ => continue,
            }
            self.handled.insert(at);
        }
        binary_media_types
    }

    fn read_binary_media_types(&mut self, value: &Value, at: &str) -> Vec<String> {
        let Value::Array(entries) = value else {
            self.problems
                .invalid(at, "a list of media types such as \"image/png\"", value);
            return Vec::new();
        };
        let mut types = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            match entry.as_str() {
                Some(media_type) if media_type.contains('/') => types.push(media_type.to_owned()),
                _ => self.problems.invalid(
                    &pointer::index(at, index),
                    "a media type such as \"image/png\" or \"*/*\"",
                    entry,
                ),
            }
        }
        types
    }

    /// Security schemes (`components.securitySchemes`, `securityDefinitions`) and the
    /// HTTP-API-only `components.x-amazon-apigateway-integrations`.
    fn read_security_schemes(&mut self, root: &Map<String, Value>) {
        let (schemes_at, schemes) = match self.dialect {
            Dialect::OpenApi3 => {
                if let Some(Value::Object(components)) = root.get("components")
                    && components.contains_key("x-amazon-apigateway-integrations")
                {
                    let at = "/components/x-amazon-apigateway-integrations";
                    self.problems.not_supported(
                        at,
                        "`x-amazon-apigateway-integrations` (reusable integrations of HTTP APIs)",
                    );
                    self.handled.insert(at.to_owned());
                }
                (
                    "/components/securitySchemes",
                    root.get("components")
                        .and_then(|c| c.get("securitySchemes")),
                )
            }
            Dialect::Swagger2 => ("/securityDefinitions", root.get("securityDefinitions")),
        };
        let Some(Value::Object(schemes)) = schemes else {
            return;
        };
        for (name, scheme) in schemes {
            let Value::Object(scheme) = scheme else {
                continue;
            };
            let scheme_at = pointer::child(schemes_at, name);
            for (key, what) in [
                (
                    "x-amazon-apigateway-authorizer",
                    "authorizers (`x-amazon-apigateway-authorizer`)",
                ),
                (
                    "x-amazon-apigateway-authtype",
                    "custom authorization types (`x-amazon-apigateway-authtype`)",
                ),
            ] {
                if scheme.contains_key(key) {
                    let at = pointer::child(&scheme_at, key);
                    self.problems.not_supported(&at, what);
                    self.handled.insert(at);
                }
            }
        }
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
        let context = PathItemContext {
            resource_path,
            variables,
            parameters: &parameters,
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

    fn read_operation(
        &mut self,
        value: &'d Value,
        at: &str,
        http_method: &str,
        path_item: &PathItemContext<'_>,
    ) -> Option<Method> {
        let Value::Object(operation) = value else {
            self.problems.invalid(at, "an operation (a mapping)", value);
            return None;
        };
        let allowed = self.dialect.operation_keys();
        for key in operation.keys() {
            if !allowed.contains(&key.as_str()) && !is_extension(key) {
                self.problems.unknown_key(
                    &pointer::child(at, key),
                    unknown_key_message(key, "an operation", allowed),
                );
            }
        }

        for (key, what) in [
            (
                "x-amazon-apigateway-request-validator",
                "request validation (`x-amazon-apigateway-request-validator`)",
            ),
            (
                "x-amazon-apigateway-auth",
                "method authorization (`x-amazon-apigateway-auth`)",
            ),
        ] {
            if operation.contains_key(key) {
                let key_at = pointer::child(at, key);
                self.problems.not_supported(&key_at, what);
                self.handled.insert(key_at);
            }
        }
        if let Some(security) = operation.get("security") {
            self.check_security(security, &pointer::child(at, "security"));
        }

        let operation_id = match operation.get("operationId") {
            None => None,
            Some(Value::String(id)) => Some(id.clone()),
            Some(other) => {
                self.problems
                    .invalid(&pointer::child(at, "operationId"), "a string", other);
                None
            }
        };

        let own_parameters = match operation.get("parameters") {
            Some(value) => self.read_parameters(
                value,
                &pointer::child(at, "parameters"),
                path_item.resource_path,
                path_item.variables,
            ),
            None => Vec::new(),
        };
        let parameters = merge_parameters(path_item.parameters, own_parameters);
        let method_responses = match operation.get("responses") {
            Some(responses) => {
                self.read_method_responses(responses, &pointer::child(at, "responses"))
            }
            None => None,
        };

        let integration_at = pointer::child(at, INTEGRATION);
        let Some(integration_value) = operation.get(INTEGRATION) else {
            self.problems.missing(
                &integration_at,
                format!(
                    "missing {INTEGRATION}: every method needs an integration (API Gateway \
                     refuses to deploy a method without one)"
                ),
            );
            return None;
        };
        self.handled.insert(integration_at.clone());
        let context = MethodContext {
            resource_path: path_item.resource_path,
            path_variables: path_item.variables,
            parameters: &parameters,
            method_responses: method_responses.as_ref(),
        };
        let integration =
            integration::read(integration_value, &integration_at, &context, self.problems)?;
        Some(Method {
            http_method: http_method.to_owned(),
            operation_id,
            parameters,
            integration,
        })
    }

    /// Follows a local `$ref` (`#/components/...`); returns the value and its pointer.
    fn resolve(&mut self, value: &'d Value, at: &str) -> Option<(&'d Value, String)> {
        let mut current = value;
        let mut current_at = at.to_owned();
        for _ in 0..16 {
            let Some(reference) = current.get("$ref") else {
                return Some((current, current_at));
            };
            let ref_at = pointer::child(&current_at, "$ref");
            let Some(reference) = reference.as_str() else {
                self.problems.invalid(
                    &ref_at,
                    "a reference such as \"#/components/parameters/Id\"",
                    reference,
                );
                return None;
            };
            let Some(target_pointer) = reference.strip_prefix('#') else {
                self.problems.not_supported(
                    &ref_at,
                    format_args!("references to other documents (\"{reference}\")"),
                );
                return None;
            };
            let Some(target) = self.document.pointer(target_pointer) else {
                self.problems.push(
                    &ref_at,
                    ImportErrorKind::Invalid,
                    format!("the reference \"{reference}\" points to nothing in this document"),
                );
                return None;
            };
            current = target;
            current_at = target_pointer.to_owned();
        }
        self.problems.push(
            at,
            ImportErrorKind::Invalid,
            "references (`$ref`) nest too deeply or form a cycle",
        );
        None
    }

    fn read_parameters(
        &mut self,
        value: &'d Value,
        at: &str,
        resource_path: &str,
        variables: &[String],
    ) -> Vec<Parameter> {
        let Value::Array(entries) = value else {
            self.problems.invalid(at, "a list of parameters", value);
            return Vec::new();
        };
        let mut parameters: Vec<Parameter> = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            let entry_at = pointer::index(at, index);
            let Some((entry, entry_at)) = self.resolve(entry, &entry_at) else {
                continue;
            };
            let Some(parameter) = self.read_parameter(entry, &entry_at, resource_path, variables)
            else {
                continue;
            };
            let duplicate = parameters
                .iter()
                .any(|p| p.location == parameter.location && same_name(p, &parameter));
            if duplicate {
                self.problems.push(
                    &entry_at,
                    ImportErrorKind::Conflict,
                    format!(
                        "the {} parameter `{}` is declared twice",
                        parameter.location.as_aws_str(),
                        parameter.name
                    ),
                );
                continue;
            }
            parameters.push(parameter);
        }
        parameters
    }

    fn read_parameter(
        &mut self,
        value: &Value,
        at: &str,
        resource_path: &str,
        variables: &[String],
    ) -> Option<Parameter> {
        let Value::Object(parameter) = value else {
            self.problems
                .invalid(at, "a parameter (a mapping with `name` and `in`)", value);
            return None;
        };
        let name = match parameter.get("name") {
            Some(Value::String(name)) if !name.is_empty() => name.clone(),
            Some(other) => {
                self.problems
                    .invalid(&pointer::child(at, "name"), "a parameter name", other);
                return None;
            }
            None => {
                self.problems
                    .missing(&pointer::child(at, "name"), "missing the parameter `name`");
                return None;
            }
        };
        let in_at = pointer::child(at, "in");
        let expected_in = match self.dialect {
            Dialect::OpenApi3 => "one of path, query, header",
            Dialect::Swagger2 => "one of path, query, header, body, formData",
        };
        let location = match (parameter.get("in").and_then(Value::as_str), self.dialect) {
            (Some("path"), _) => ParameterLocation::Path,
            (Some("query"), _) => ParameterLocation::Query,
            (Some("header"), _) => ParameterLocation::Header,
            // Swagger 2.0 describes the request body as a parameter; it is not one to AWS.
            (Some("body" | "formData"), Dialect::Swagger2) => return None,
            (Some("cookie"), _) => {
                self.problems
                    .not_supported(&in_at, "cookie parameters (`in: cookie`)");
                return None;
            }
            (_, _) => {
                match parameter.get("in") {
                    Some(found) => self.problems.invalid(&in_at, expected_in, found),
                    None => self.problems.missing(
                        &in_at,
                        format!("missing the parameter location `in` (expected {expected_in})"),
                    ),
                }
                return None;
            }
        };
        let required = match parameter.get("required") {
            None => false,
            Some(Value::Bool(required)) => *required,
            Some(other) => {
                self.problems
                    .invalid(&pointer::child(at, "required"), "true or false", other);
                false
            }
        };
        if location == ParameterLocation::Path && !variables.contains(&name) {
            self.problems.push(
                &pointer::child(at, "name"),
                ImportErrorKind::Invalid,
                format!(
                    "the path parameter `{name}` is not a variable of the resource path {resource_path}"
                ),
            );
            return None;
        }
        Some(Parameter {
            name,
            location,
            // Path parameters are always required: a resource path matches only with a value.
            required: required || location == ParameterLocation::Path,
        })
    }

    /// The operation's `responses`: status codes and the headers each declares.
    fn read_method_responses(&mut self, value: &'d Value, at: &str) -> Option<MethodResponses> {
        let Value::Object(responses) = value else {
            self.problems
                .invalid(at, "a mapping of status code to response", value);
            return None;
        };
        let mut declared = MethodResponses::default();
        for (status, response) in responses {
            let response_at = pointer::child(at, status);
            let Some((response, _)) = self.resolve(response, &response_at) else {
                continue;
            };
            let headers = response
                .get("headers")
                .and_then(Value::as_object)
                .map(|headers| headers.keys().map(|h| h.to_ascii_lowercase()).collect())
                .unwrap_or_default();
            declared.headers_by_status.insert(status.clone(), headers);
        }
        Some(declared)
    }

    /// Reports every `x-amazon-apigateway-*` and `x-tollgate-*` key nothing handled.
    fn sweep_extensions(&mut self, value: &Value, at: &str) {
        match value {
            Value::Object(members) => {
                for (key, member) in members {
                    let member_at = pointer::child(at, key);
                    let lower = key.to_ascii_lowercase();
                    if lower.starts_with(AWS_EXTENSION_PREFIX) && !self.handled.contains(&member_at)
                    {
                        let message = match KNOWN_AWS_EXTENSIONS
                            .iter()
                            .find(|(name, _)| *name == key)
                        {
                            Some((_, place)) => format!(
                                "the extension `{key}` is not valid here (API Gateway reads it {place})"
                            ),
                            None => format!("unknown extension `{key}`"),
                        };
                        self.problems.unknown_key(&member_at, message);
                    } else if lower.starts_with(TOLLGATE_EXTENSION_PREFIX) {
                        self.problems.unknown_key(
                            &member_at,
                            format!(
                                "unknown extension `{key}` (Tollgate defines no x-tollgate-* \
                                 extensions yet)"
                            ),
                        );
                    }
                    if !self.skipped.contains(&member_at) {
                        self.sweep_extensions(member, &member_at);
                    }
                }
            }
            Value::Array(elements) => {
                for (index, element) in elements.iter().enumerate() {
                    self.sweep_extensions(element, &pointer::index(at, index));
                }
            }
            _ => {}
        }
    }
}

fn same_name(a: &Parameter, b: &Parameter) -> bool {
    if a.location == ParameterLocation::Header {
        a.name.eq_ignore_ascii_case(&b.name)
    } else {
        a.name == b.name
    }
}

/// Path-item parameters, overridden by the operation's own on the same name and location.
fn merge_parameters(path_level: &[Parameter], own: Vec<Parameter>) -> Vec<Parameter> {
    let mut merged: Vec<Parameter> = path_level
        .iter()
        .filter(|inherited| {
            !own.iter()
                .any(|p| p.location == inherited.location && same_name(p, inherited))
        })
        .cloned()
        .collect();
    merged.extend(own);
    merged
}

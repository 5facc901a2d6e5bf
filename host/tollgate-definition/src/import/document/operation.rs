//! Operations (methods): their keys, access (`security`, else the document's, and
//! `x-amazon-apigateway-auth`), parameters (with local `$ref`s), request body (OpenAPI 3
//! `requestBody`, Swagger 2 `in: body`), request validator, declared method responses,
//! mapper, and the integration they must have.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Dialect, INTEGRATION, PathItemContext, Reader, is_extension, unknown_key_message};
use crate::access::{Authorizer, AuthorizerKind, MethodAuthorization};
use crate::error::ImportErrorKind;
use crate::import::integration::{self, MethodContext, MethodResponses};
use crate::import::security::{self, Access, AuthType};
use crate::import::{mapper, pointer};
use crate::model::{Method, Parameter, ParameterLocation, RequestBodySpec, Schema};

const REQUEST_VALIDATOR: &str = "x-amazon-apigateway-request-validator";

const REQUEST_BODY_KEYS: &[&str] = &["description", "content", "required"];

const MEDIA_TYPE_KEYS: &[&str] = &["schema", "example", "examples", "encoding"];

/// A Swagger 2.0 `in: body` parameter. Its content types are the operation's `consumes`.
pub(crate) struct SwaggerBody {
    required: bool,
    /// `None` when the schema has errors (reported).
    schema: Option<Schema>,
}

impl<'d> Reader<'d, '_> {
    pub(super) fn read_operation(
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

        let access = self.read_access(operation, at);
        let request_validator = match operation.get(REQUEST_VALIDATOR) {
            Some(value) => {
                let key_at = pointer::child(at, REQUEST_VALIDATOR);
                self.handled.insert(key_at.clone());
                self.request_validator(value, &key_at)
            }
            None => self.default_validator.clone(),
        };
        let mapper = operation.get(mapper::MAPPER).and_then(|value| {
            let key_at = pointer::child(at, mapper::MAPPER);
            self.handled.insert(key_at.clone());
            mapper::read(value, &key_at, self.problems).map(|mapper| (mapper, key_at))
        });

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
        let request_body = match self.dialect {
            Dialect::OpenApi3 => operation.get("requestBody").and_then(|value| {
                self.read_request_body(value, &pointer::child(at, "requestBody"))
            }),
            Dialect::Swagger2 => {
                let own = operation.get("parameters").and_then(|value| {
                    self.read_swagger_body(value, &pointer::child(at, "parameters"))
                });
                let body = own.as_ref().or(path_item.body);
                body.and_then(|body| {
                    let schema = body.schema.clone()?;
                    let content = self
                        .consumes(operation.get("consumes"), at)
                        .into_iter()
                        .map(|content_type| (content_type, schema.clone()))
                        .collect();
                    Some(RequestBodySpec {
                        required: body.required,
                        content,
                    })
                })
            }
        };
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
        if let Some((_, mapper_at)) = &mapper
            && integration.integration_type.is_proxy()
        {
            self.problems.push(
                mapper_at,
                ImportErrorKind::Invalid,
                format!(
                    "a mapper maps the requests and responses of mock, http and aws \
                     integrations; this {} integration passes them through unmapped",
                    integration
                        .integration_type
                        .as_aws_str()
                        .to_ascii_lowercase()
                ),
            );
            return None;
        }
        Some(Method {
            http_method: http_method.to_owned(),
            operation_id,
            parameters,
            integration,
            request_validator,
            request_body,
            mapper: mapper.map(|(mapper, _)| mapper),
            authorization: access.authorization,
            api_key_required: access.api_key_required,
        })
    }

    /// Who may call the operation: its `security` (else the document's), with the
    /// authorization `x-amazon-apigateway-auth` sets.
    fn read_access(&mut self, operation: &Map<String, Value>, at: &str) -> Access {
        let own = operation.get("security").map(|security| {
            self.security
                .requirements(security, &pointer::child(at, "security"), self.problems)
        });
        let mut access = match &own {
            Some(Some(access)) => access.clone(),
            // Errors are reported; the default keeps further checks quiet.
            Some(None) => Access::default(),
            None => self.default_access.clone(),
        };
        let Some(value) = operation.get(security::AUTH) else {
            return access;
        };
        let auth_at = pointer::child(at, security::AUTH);
        self.handled.insert(auth_at.clone());
        let Some(auth) = security::read_auth_extension(value, &auth_at, self.problems) else {
            return access;
        };
        // Like an operation's `security`, the extension replaces the document's authorizer;
        // next to the operation's own authorizer it would be a second authorization.
        if let Some(Some(own)) = &own
            && own.authorization != MethodAuthorization::None
        {
            self.problems.push(
                &auth_at,
                ImportErrorKind::Conflict,
                "the operation's `security` names an authorizer and x-amazon-apigateway-auth \
                 sets the authorization too: a method is authorized one way (keep one of them)",
            );
            return access;
        }
        access.authorization = match auth {
            AuthType::None => MethodAuthorization::None,
            AuthType::AwsIam => {
                let name = Authorizer::AWS_IAM_EXTENSION;
                self.security
                    .authorizers
                    .entry(name.to_owned())
                    .or_insert_with(|| Authorizer {
                        name: name.to_owned(),
                        kind: AuthorizerKind::Iam,
                    });
                MethodAuthorization::Iam {
                    authorizer: name.to_owned(),
                }
            }
        };
        access
    }

    /// OpenAPI 3 `requestBody` (or a `$ref` to `components.requestBodies`).
    fn read_request_body(&mut self, value: &'d Value, at: &str) -> Option<RequestBodySpec> {
        let (value, at) = self.resolve(value, at)?;
        let Value::Object(body) = value else {
            self.problems
                .invalid(&at, "a request body (a mapping with `content`)", value);
            return None;
        };
        let before = self.problems.len();
        for key in body.keys() {
            if !REQUEST_BODY_KEYS.contains(&key.as_str()) && !is_extension(key) {
                self.problems.unknown_key(
                    &pointer::child(&at, key),
                    unknown_key_message(key, "a request body", REQUEST_BODY_KEYS),
                );
            }
        }
        let required = self.read_required(body.get("required"), &at);
        let content_at = pointer::child(&at, "content");
        let mut content = BTreeMap::new();
        match body.get("content") {
            None => self.problems.missing(
                &content_at,
                "missing `content` (the request body's media types, each with its `schema`)",
            ),
            Some(Value::Object(media_types)) => {
                for (media_type, media) in media_types {
                    let media_at = pointer::child(&content_at, media_type);
                    if let Some(schema) = self.read_media_type(media_type, media, &media_at) {
                        content.insert(media_type.clone(), schema);
                    }
                }
            }
            Some(other) => self.problems.invalid(
                &content_at,
                "a mapping of media type to media type object",
                other,
            ),
        }
        (self.problems.len() == before).then_some(RequestBodySpec { required, content })
    }

    /// One entry of a request body's `content`: its schema, if it has one.
    fn read_media_type(&mut self, media_type: &str, value: &Value, at: &str) -> Option<Schema> {
        // `$default` is API Gateway's key for "any content type without its own model".
        if !media_type.contains('/') && media_type != "$default" {
            self.problems.invalid(
                at,
                "a media type such as \"application/json\", or \"$default\" (the key)",
                &Value::from(media_type),
            );
            return None;
        }
        let Value::Object(media) = value else {
            self.problems
                .invalid(at, "a media type object (a mapping with `schema`)", value);
            return None;
        };
        for key in media.keys() {
            if !MEDIA_TYPE_KEYS.contains(&key.as_str()) && !is_extension(key) {
                self.problems.unknown_key(
                    &pointer::child(at, key),
                    unknown_key_message(key, "a media type object", MEDIA_TYPE_KEYS),
                );
            }
        }
        let schema = media.get("schema")?;
        self.schemas
            .body_schema(schema, &pointer::child(at, "schema"), self.problems)
    }

    fn read_required(&mut self, value: Option<&Value>, at: &str) -> bool {
        match value {
            None => false,
            Some(Value::Bool(required)) => *required,
            Some(other) => {
                self.problems
                    .invalid(&pointer::child(at, "required"), "true or false", other);
                false
            }
        }
    }

    /// Swagger 2.0: the `in: body` parameter among `parameters` (a list), if any.
    pub(super) fn read_swagger_body(&mut self, value: &'d Value, at: &str) -> Option<SwaggerBody> {
        let Value::Array(entries) = value else {
            return None;
        };
        let mut body: Option<(SwaggerBody, String)> = None;
        for (index, entry) in entries.iter().enumerate() {
            let Some((entry, entry_at)) = self.resolve(entry, &pointer::index(at, index)) else {
                continue;
            };
            if entry.get("in").and_then(Value::as_str) != Some("body") {
                continue;
            }
            if let Some((_, first_at)) = &body {
                self.problems.push(
                    &entry_at,
                    ImportErrorKind::Conflict,
                    format!(
                        "a second body parameter (the first is {first_at}): an operation has \
                         at most one `in: body` parameter"
                    ),
                );
                continue;
            }
            let required = self.read_required(entry.get("required"), &entry_at);
            let schema_at = pointer::child(&entry_at, "schema");
            let schema = match entry.get("schema") {
                Some(schema) => self.schemas.body_schema(schema, &schema_at, self.problems),
                None => {
                    self.problems.missing(
                        &schema_at,
                        "missing the `schema` of the body parameter (Swagger 2.0 requires one)",
                    );
                    None
                }
            };
            body = Some((SwaggerBody { required, schema }, entry_at));
        }
        body.map(|(body, _)| body)
    }

    /// Swagger 2.0: the content types an operation's body may have — its `consumes`, else
    /// the document's, else `application/json`.
    fn consumes(&mut self, operation_consumes: Option<&Value>, at: &str) -> Vec<String> {
        let (value, consumes_at) = match operation_consumes {
            Some(value) => (value, pointer::child(at, "consumes")),
            None => match self.document.get("consumes") {
                Some(value) => (value, "/consumes".to_owned()),
                None => return vec!["application/json".to_owned()],
            },
        };
        let Value::Array(entries) = value else {
            self.problems
                .invalid(&consumes_at, "a list of media types", value);
            return Vec::new();
        };
        let mut types = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            match entry.as_str() {
                Some(media_type) if media_type.contains('/') => types.push(media_type.to_owned()),
                _ => self.problems.invalid(
                    &pointer::index(&consumes_at, index),
                    "a media type such as \"application/json\"",
                    entry,
                ),
            }
        }
        if entries.is_empty() {
            types.push("application/json".to_owned());
        }
        types
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

    pub(super) fn read_parameters(
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

//! Where each `x-amazon-apigateway-*` extension may appear, which are accepted (and kept in
//! the document), which are read into the model (binary media types, request validators,
//! gateway responses, the API key source, the resource policy, CORS; the security schemes'
//! authorizers through `crate::import::security`), which are refused as not supported yet,
//! and the final sweep that reports every extension nothing handled: unknown, or known but
//! out of place.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Dialect, Reader};
use crate::access::{ApiKeySource, CorsConfiguration};
use crate::import::security::SecuritySchemes;
use crate::import::{authorizer, cors, gateway_responses, mapper, pointer, policy};
use crate::model::{GatewayResponse, RequestValidator};

const AWS_EXTENSION_PREFIX: &str = "x-amazon-apigateway-";
const TOLLGATE_EXTENSION_PREFIX: &str = "x-tollgate-";

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

/// Every `x-tollgate-*` extension Tollgate defines, with where it belongs.
const KNOWN_TOLLGATE_EXTENSIONS: &[(&str, &str)] = &[
    (mapper::MAPPER, "in an operation"),
    (
        authorizer::JWKS_URI,
        "in an x-amazon-apigateway-authorizer of type jwt or cognito_user_pools",
    ),
];

/// The largest `x-amazon-apigateway-minimum-compression-size` AWS accepts (10 MiB).
const MAX_MINIMUM_COMPRESSION_SIZE: u64 = 10_485_760;

const VALIDATOR: &str = "x-amazon-apigateway-request-validator";
const VALIDATORS: &str = "x-amazon-apigateway-request-validators";
const VALIDATOR_KEYS: &[&str] = &["validateRequestBody", "validateRequestParameters"];

/// What the top-level extensions define.
pub(super) struct RootExtensions {
    pub(super) binary_media_types: Vec<String>,
    pub(super) gateway_responses: BTreeMap<String, GatewayResponse>,
    pub(super) api_key_source: ApiKeySource,
    pub(super) resource_policy: Option<serde_json::Value>,
    pub(super) cors: Option<CorsConfiguration>,
}

impl Reader<'_, '_> {
    /// Top-level `x-amazon-apigateway-*` extensions. The request validators are kept in the
    /// reader, for the operations.
    pub(super) fn read_root_extensions(&mut self, root: &Map<String, Value>) -> RootExtensions {
        let mut binary_media_types = Vec::new();
        let mut gateway_responses = BTreeMap::new();
        let mut api_key_source = ApiKeySource::default();
        let mut resource_policy = None;
        let mut cors = None;
        if let Some(value) = root.get(VALIDATORS) {
            let at = pointer::child("", VALIDATORS);
            self.read_request_validators(value, &at);
            self.handled.insert(at);
        }
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
                    gateway_responses = gateway_responses::read(value, &at, self.problems);
                }
                VALIDATORS => {}
                VALIDATOR => {
                    self.default_validator = self.request_validator(value, &at);
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
                "x-amazon-apigateway-api-key-source" => {
                    api_key_source = match value.as_str() {
                        Some(source) if source.eq_ignore_ascii_case("HEADER") => {
                            ApiKeySource::Header
                        }
                        Some(source) if source.eq_ignore_ascii_case("AUTHORIZER") => {
                            ApiKeySource::Authorizer
                        }
                        _ => {
                            self.problems.invalid(
                                &at,
                                "HEADER (the x-api-key header) or AUTHORIZER (the \
                                 usageIdentifierKey a token or request authorizer returns)",
                                value,
                            );
                            ApiKeySource::default()
                        }
                    };
                }
                policy::POLICY => resource_policy = policy::read(value, &at, self.problems),
                cors::CORS => cors = cors::read(value, &at, self.problems),
                _ => continue,
            }
            self.handled.insert(at);
        }
        RootExtensions {
            binary_media_types,
            gateway_responses,
            api_key_source,
            resource_policy,
            cors,
        }
    }

    /// `x-amazon-apigateway-request-validators`: name → which checks the validator makes.
    fn read_request_validators(&mut self, value: &Value, at: &str) {
        let Value::Object(entries) = value else {
            self.problems.invalid(
                at,
                "a mapping of validator name to {validateRequestBody, validateRequestParameters}",
                value,
            );
            return;
        };
        for (name, entry) in entries {
            let entry_at = pointer::child(at, name);
            let Value::Object(flags) = entry else {
                self.problems.invalid(
                    &entry_at,
                    "a request validator (a mapping with validateRequestBody and \
                     validateRequestParameters)",
                    entry,
                );
                self.broken_validators.insert(name.clone());
                continue;
            };
            let before = self.problems.len();
            for key in flags.keys() {
                if !VALIDATOR_KEYS.contains(&key.as_str()) {
                    self.problems.unknown_key(
                        &pointer::child(&entry_at, key),
                        format!(
                            "unknown key `{key}` in a request validator (expected one of {})",
                            VALIDATOR_KEYS.join(", ")
                        ),
                    );
                }
            }
            let mut flag = |key: &str| match flags.get(key) {
                None => false,
                Some(Value::Bool(flag)) => *flag,
                Some(other) => {
                    self.problems
                        .invalid(&pointer::child(&entry_at, key), "true or false", other);
                    false
                }
            };
            let validate_request_body = flag("validateRequestBody");
            let validate_request_parameters = flag("validateRequestParameters");
            if self.problems.len() != before {
                self.broken_validators.insert(name.clone());
                continue;
            }
            self.validators.insert(
                name.clone(),
                RequestValidator {
                    name: name.clone(),
                    validate_request_body,
                    validate_request_parameters,
                },
            );
        }
    }

    /// An `x-amazon-apigateway-request-validator` value: the validator it names.
    pub(super) fn request_validator(
        &mut self,
        value: &Value,
        at: &str,
    ) -> Option<RequestValidator> {
        let name = value.as_str();
        if let Some(validator) = name.and_then(|name| self.validators.get(name)) {
            return Some(validator.clone());
        }
        if name.is_some_and(|name| self.broken_validators.contains(name)) {
            return None;
        }
        let mut names: Vec<&str> = self
            .validators
            .keys()
            .chain(self.broken_validators.iter())
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        let expected = if names.is_empty() {
            format!(
                "the name of a request validator, but the API declares none (declare them in \
                 {VALIDATORS} at the top level)"
            )
        } else {
            format!(
                "the name of a request validator declared in {VALIDATORS} (one of {})",
                names.join(", ")
            )
        };
        self.problems.invalid(at, expected, value);
        None
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

    /// Security schemes (`components.securitySchemes`, `securityDefinitions`; see
    /// `crate::import::security`) and the HTTP-API-only
    /// `components.x-amazon-apigateway-integrations`.
    pub(super) fn read_security_schemes(&mut self, root: &Map<String, Value>) -> SecuritySchemes {
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
        SecuritySchemes::read(
            schemes,
            schemes_at,
            self.dialect == Dialect::OpenApi3,
            self.problems,
            &mut self.handled,
        )
    }

    /// Reports every `x-amazon-apigateway-*` and `x-tollgate-*` key nothing handled.
    pub(super) fn sweep_extensions(&mut self, value: &Value, at: &str) {
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
                    } else if lower.starts_with(TOLLGATE_EXTENSION_PREFIX)
                        && !self.handled.contains(&member_at)
                    {
                        let message = match KNOWN_TOLLGATE_EXTENSIONS
                            .iter()
                            .find(|(name, _)| *name == key)
                        {
                            Some((_, place)) => format!(
                                "the extension `{key}` is not valid here (Tollgate reads it {place})"
                            ),
                            None => format!(
                                "unknown extension `{key}` (the x-tollgate-* extensions are: {})",
                                KNOWN_TOLLGATE_EXTENSIONS
                                    .iter()
                                    .map(|(name, _)| *name)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        };
                        self.problems.unknown_key(&member_at, message);
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

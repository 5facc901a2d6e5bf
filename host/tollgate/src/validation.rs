//! Step 7 of the pipeline: request validation, as API Gateway's request validators do it —
//! required request parameters (`validateRequestParameters`) and the body against the
//! method's model for its content type (`validateRequestBody`, JSON Schema draft 4). The
//! schemas are compiled once when the stage is built.

use std::collections::BTreeMap;

use jsonschema::Validator;
use serde_json::Value;
use tollgate_definition::{ApiDefinition, Method, ParameterLocation};

use crate::gateway_response::GatewayError;
use crate::mapping::templates::media_type;
use crate::pipeline::RoutedRequest;

/// A method's validation, compiled.
pub struct MethodValidation {
    /// Required query-string and header parameters, in declaration order.
    required: Vec<(ParameterLocation, String)>,
    /// Content type → compiled schema.
    bodies: BTreeMap<String, Validator>,
    body_required: bool,
    check_parameters: bool,
    check_body: bool,
}

impl MethodValidation {
    /// The validation a method's request validator asks for; `None` when it has none (or
    /// asks for nothing).
    pub fn compile(
        method: &Method,
        definition: &ApiDefinition,
    ) -> Result<Option<MethodValidation>, String> {
        let Some(validator) = &method.request_validator else {
            return Ok(None);
        };
        if !validator.validate_request_body && !validator.validate_request_parameters {
            return Ok(None);
        }
        // API Gateway lists missing parameters headers first, then query strings.
        let mut required: Vec<(ParameterLocation, String)> = method
            .parameters
            .iter()
            .filter(|p| p.required && p.location != ParameterLocation::Path)
            .map(|p| (p.location, p.name.clone()))
            .collect();
        required.sort_by_key(|(location, _)| match location {
            ParameterLocation::Header => 0,
            ParameterLocation::Path => 1,
            ParameterLocation::Query => 2,
        });
        let mut bodies = BTreeMap::new();
        let mut body_required = false;
        if validator.validate_request_body
            && let Some(spec) = &method.request_body
        {
            body_required = spec.required;
            for (content_type, schema) in &spec.content {
                let document = definition.schema_document(schema).ok_or_else(|| {
                    format!("request body schema for {content_type} names an unknown model")
                })?;
                let compiled = jsonschema::draft4::new(document)
                    .map_err(|e| format!("request body schema for {content_type}: {e}"))?;
                bodies.insert(media_type(content_type), compiled);
            }
        }
        Ok(Some(MethodValidation {
            required,
            bodies,
            body_required,
            check_parameters: validator.validate_request_parameters,
            check_body: validator.validate_request_body,
        }))
    }

    /// Whether checking needs the body.
    pub fn needs_body(&self) -> bool {
        self.check_body
    }

    /// Checks a request: parameters first, then the body (as API Gateway orders them).
    pub fn check(
        &self,
        routed: &RoutedRequest<'_>,
        body: Option<&[u8]>,
    ) -> Result<(), GatewayError> {
        if self.check_parameters {
            let query = routed.request.query_pairs();
            let missing: Vec<String> = self
                .required
                .iter()
                // Required parameters must be present and not blank.
                .filter(|(location, name)| match location {
                    ParameterLocation::Query => {
                        !query.iter().any(|(k, v)| k == name && !v.trim().is_empty())
                    }
                    ParameterLocation::Header => routed
                        .request
                        .header(name)
                        .is_none_or(|v| v.trim().is_empty()),
                    ParameterLocation::Path => false,
                })
                .map(|(_, name)| name.clone())
                .collect();
            if !missing.is_empty() {
                return Err(GatewayError::BadRequestParameters { missing });
            }
        }
        if self.check_body {
            let content_type = routed
                .request
                .header("content-type")
                .map(media_type)
                .unwrap_or_else(|| "application/json".to_string());
            let body = body.unwrap_or_default();
            if body.is_empty() && self.body_required {
                return Err(GatewayError::BadRequestBody {
                    reason: "the request has no body".into(),
                });
            }
            // A content type without its own model falls back to the `$default` one.
            if let Some(validator) = self
                .bodies
                .get(&content_type)
                .or_else(|| self.bodies.get("$default"))
            {
                let instance: Value =
                    serde_json::from_slice(body).map_err(|e| GatewayError::BadRequestBody {
                        reason: format!("the body is not JSON: {e}"),
                    })?;
                if let Some(error) = validator.iter_errors(&instance).next() {
                    return Err(GatewayError::BadRequestBody {
                        reason: format!("{} at {}", error, error.instance_path()),
                    });
                }
            }
        }
        Ok(())
    }
}

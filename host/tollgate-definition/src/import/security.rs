//! Security schemes (OpenAPI 3 `components.securitySchemes`, Swagger 2 `securityDefinitions`),
//! the `security` requirements that name them (the document's, the default of every
//! operation, and an operation's own, which replaces it), and an operation's
//! `x-amazon-apigateway-auth`.
//!
//! A scheme is one of:
//! - the API key: `type: apiKey, name: x-api-key, in: header`, without AWS extensions. A
//!   requirement naming it sets [`Method::api_key_required`](crate::model::Method);
//! - an authorizer, read into [`Authorizer`]: an `x-amazon-apigateway-authorizer` (see
//!   `super::authorizer`; its `x-amazon-apigateway-authtype` is free-form, as AWS says, and
//!   not read), or `x-amazon-apigateway-authtype: awsSigv4` (IAM). Other `aws…` authtypes are
//!   reserved by AWS and refused.
//!
//! Anything else (OAuth2, HTTP or OpenID Connect schemes without an AWS authorizer, an API
//! key in another header or in the query string) is refused with what is accepted.
//!
//! Requirements follow AWS rather than OpenAPI's "any one of": API Gateway's own export
//! writes a method with an authorizer and an API key as two requirement objects
//! (`[{auth: []}, {api_key: []}]`), so the list is read as one requirement — every scheme it
//! names applies. A method has one authorizer: naming two is refused, as is `{}` next to
//! other requirements (OpenAPI's "optional", which API Gateway cannot express). Scopes are
//! those of a JWT / Cognito authorizer (the token must carry one of them); `security: []` or
//! `[{}]` means no authorization.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use super::authorizer::{self, AUTHORIZER};
use super::{Problems, pointer};
use crate::access::{Authorizer, AuthorizerKind, MethodAuthorization};
use crate::error::ImportErrorKind;

/// The scheme extension naming the kind of authorization.
pub(crate) const AUTHTYPE: &str = "x-amazon-apigateway-authtype";

/// The operation extension setting NONE or AWS_IAM authorization.
pub(crate) const AUTH: &str = "x-amazon-apigateway-auth";

/// The header API Gateway reads API keys from (with `api-key-source: HEADER`).
const API_KEY_HEADER: &str = "x-api-key";

const OPENAPI3_SCHEME_KEYS: &[&str] = &[
    "type",
    "description",
    "name",
    "in",
    "scheme",
    "bearerFormat",
    "flows",
    "openIdConnectUrl",
];

const SWAGGER2_SCHEME_KEYS: &[&str] = &[
    "type",
    "description",
    "name",
    "in",
    "flow",
    "authorizationUrl",
    "tokenUrl",
    "scopes",
];

const ACCEPTED_SCHEMES: &str = "API Gateway's schemes: the API key (type: apiKey, name: \
     x-api-key, in: header), an x-amazon-apigateway-authorizer (token, request, jwt or \
     cognito_user_pools), or x-amazon-apigateway-authtype: awsSigv4 (IAM)";

/// What a requirement naming a scheme asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SchemeClass {
    ApiKey,
    /// A WASM authorizer (token or request).
    Custom,
    /// A JWT / Cognito authorizer: the only kind with scopes.
    Jwt,
    Iam,
}

impl SchemeClass {
    fn of(kind: &AuthorizerKind) -> SchemeClass {
        match kind {
            AuthorizerKind::Token { .. } | AuthorizerKind::Request { .. } => SchemeClass::Custom,
            AuthorizerKind::Jwt { .. } => SchemeClass::Jwt,
            AuthorizerKind::Iam => SchemeClass::Iam,
        }
    }
}

/// Who may call a method: its authorizer and whether it needs an API key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Access {
    pub(crate) authorization: MethodAuthorization,
    pub(crate) api_key_required: bool,
}

/// `x-amazon-apigateway-auth`'s `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthType {
    None,
    AwsIam,
}

/// The document's security schemes.
#[derive(Debug, Default)]
pub(crate) struct SecuritySchemes {
    classes: BTreeMap<String, SchemeClass>,
    /// Schemes with errors (already reported): naming one is not reported again.
    broken: HashSet<String>,
    /// The authorizers, by scheme name.
    pub(crate) authorizers: BTreeMap<String, Authorizer>,
}

impl SecuritySchemes {
    /// Reads the schemes mapping at `at` (`None`: the document has none). `openapi3` tells
    /// the dialect (which scheme keys exist). Marks the AWS and Tollgate extensions read as
    /// handled.
    pub(crate) fn read(
        value: Option<&Value>,
        at: &str,
        openapi3: bool,
        problems: &mut Problems,
        handled: &mut HashSet<String>,
    ) -> SecuritySchemes {
        let mut schemes = SecuritySchemes::default();
        let Some(value) = value else {
            return schemes;
        };
        let Value::Object(entries) = value else {
            problems.invalid(at, "a mapping of scheme name to security scheme", value);
            return schemes;
        };
        for (name, scheme) in entries {
            let lower = name.to_ascii_lowercase();
            // The extension sweep reports these names: no scheme can take an extension's
            // name (so `Authorizer::AWS_IAM_EXTENSION` never collides with one).
            if lower.starts_with("x-amazon-apigateway-") || lower.starts_with("x-tollgate-") {
                continue;
            }
            let scheme_at = pointer::child(at, name);
            match read_scheme(scheme, &scheme_at, openapi3, problems, handled) {
                Some(Scheme::ApiKey) => {
                    schemes.classes.insert(name.clone(), SchemeClass::ApiKey);
                }
                Some(Scheme::Authorizer(kind)) => {
                    schemes.classes.insert(name.clone(), SchemeClass::of(&kind));
                    schemes.authorizers.insert(
                        name.clone(),
                        Authorizer {
                            name: name.clone(),
                            kind,
                        },
                    );
                }
                None => {
                    schemes.broken.insert(name.clone());
                }
            }
        }
        schemes
    }

    /// Reads a `security` list at `at`. `None` when it has errors (reported).
    pub(crate) fn requirements(
        &self,
        value: &Value,
        at: &str,
        problems: &mut Problems,
    ) -> Option<Access> {
        let Value::Array(requirements) = value else {
            problems.invalid(
                at,
                "a list of security requirements (such as [{api_key: []}]; [] for none)",
                value,
            );
            return None;
        };
        let before = problems.len();
        let mut api_key_required = false;
        // The authorizer named so far: (scheme name, class, scopes, where it was named).
        let mut named: Option<(&str, SchemeClass, Vec<String>, String)> = None;
        for (index, requirement) in requirements.iter().enumerate() {
            let requirement_at = pointer::index(at, index);
            let Value::Object(schemes) = requirement else {
                problems.invalid(
                    &requirement_at,
                    "a security requirement (a mapping of scheme name to a list of scopes)",
                    requirement,
                );
                continue;
            };
            if schemes.is_empty() && requirements.len() > 1 {
                problems.push(
                    &requirement_at,
                    ImportErrorKind::Invalid,
                    "an empty requirement ({}) next to others makes them optional, which API \
                     Gateway cannot express: a method is authorized one way (remove the {} \
                     or the others)",
                );
                continue;
            }
            for (name, scopes) in schemes {
                let name_at = pointer::child(&requirement_at, name);
                let scopes = self.read_scopes(scopes, &name_at, problems);
                let Some(class) = self.classes.get(name) else {
                    if !self.broken.contains(name) {
                        self.unknown_scheme(name, &name_at, problems);
                    }
                    continue;
                };
                let Some(scopes) = scopes else {
                    continue;
                };
                if !scopes.is_empty() && *class != SchemeClass::Jwt {
                    let what = match class {
                        SchemeClass::ApiKey => "the API key scheme",
                        SchemeClass::Custom => "a token or request authorizer",
                        _ => "an IAM (awsSigv4) scheme",
                    };
                    problems.push(
                        &name_at,
                        ImportErrorKind::Invalid,
                        format!(
                            "`{name}` is {what}: scopes apply to jwt and cognito_user_pools \
                             authorizers only (expected [])"
                        ),
                    );
                    continue;
                }
                if *class == SchemeClass::ApiKey {
                    api_key_required = true;
                    continue;
                }
                match &mut named {
                    None => named = Some((name, *class, scopes, name_at)),
                    // The same authorizer twice: its scopes are alternatives either way.
                    Some((first, _, first_scopes, _)) if *first == name.as_str() => {
                        for scope in scopes {
                            if !first_scopes.contains(&scope) {
                                first_scopes.push(scope);
                            }
                        }
                    }
                    Some((first, _, _, first_at)) => problems.push(
                        &name_at,
                        ImportErrorKind::Conflict,
                        format!(
                            "a second authorizer, `{name}` (`{first}` is named at {first_at}): \
                             API Gateway runs one authorizer per method (the API key scheme \
                             may be named as well)"
                        ),
                    ),
                }
            }
        }
        if problems.len() != before {
            return None;
        }
        let authorization = match named {
            None => MethodAuthorization::None,
            Some((name, SchemeClass::Custom, _, _)) => MethodAuthorization::Custom {
                authorizer: name.to_owned(),
            },
            Some((name, SchemeClass::Jwt, scopes, _)) => MethodAuthorization::Jwt {
                authorizer: name.to_owned(),
                scopes,
            },
            Some((name, _, _, _)) => MethodAuthorization::Iam {
                authorizer: name.to_owned(),
            },
        };
        Some(Access {
            authorization,
            api_key_required,
        })
    }

    fn read_scopes(&self, value: &Value, at: &str, problems: &mut Problems) -> Option<Vec<String>> {
        let expected = "a list of scopes (strings; [] for none)";
        let Value::Array(entries) = value else {
            problems.invalid(at, expected, value);
            return None;
        };
        let mut scopes = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            match entry {
                Value::String(scope) if !scope.is_empty() => {
                    if !scopes.contains(scope) {
                        scopes.push(scope.clone());
                    }
                }
                other => {
                    problems.invalid(&pointer::index(at, index), "a scope (a string)", other);
                    return None;
                }
            }
        }
        Some(scopes)
    }

    fn unknown_scheme(&self, name: &str, at: &str, problems: &mut Problems) {
        let mut declared: Vec<&str> = self
            .classes
            .keys()
            .chain(self.broken.iter())
            .map(String::as_str)
            .collect();
        declared.sort_unstable();
        let message = if declared.is_empty() {
            format!(
                "`{name}` is not a security scheme of this document, which declares none \
                 (declare it in components.securitySchemes, or securityDefinitions in \
                 Swagger 2.0)"
            )
        } else {
            format!(
                "`{name}` is not a security scheme of this document (expected one of {})",
                declared.join(", ")
            )
        };
        problems.push(at, ImportErrorKind::Invalid, message);
    }
}

/// What a scheme defines.
enum Scheme {
    ApiKey,
    Authorizer(AuthorizerKind),
}

fn read_scheme(
    value: &Value,
    at: &str,
    openapi3: bool,
    problems: &mut Problems,
    handled: &mut HashSet<String>,
) -> Option<Scheme> {
    let Value::Object(scheme) = value else {
        problems.invalid(at, "a security scheme (a mapping with `type`)", value);
        return None;
    };
    if scheme.contains_key("$ref") {
        problems.not_supported(
            &pointer::child(at, "$ref"),
            "security schemes by reference (`$ref`)",
        );
        return None;
    }
    let before = problems.len();
    let (keys, types): (&[&str], &[&str]) = if openapi3 {
        (
            OPENAPI3_SCHEME_KEYS,
            &["apiKey", "http", "oauth2", "openIdConnect"],
        )
    } else {
        (SWAGGER2_SCHEME_KEYS, &["apiKey", "basic", "oauth2"])
    };
    for key in scheme.keys() {
        if !keys.contains(&key.as_str()) && !key.to_ascii_lowercase().starts_with("x-") {
            problems.unknown_key(
                &pointer::child(at, key),
                format!(
                    "unknown key `{key}` in a security scheme (expected one of {}, or an x- \
                     extension)",
                    keys.join(", ")
                ),
            );
        }
    }
    let authtype_at = pointer::child(at, AUTHTYPE);
    let authorizer_at = pointer::child(at, AUTHORIZER);
    if scheme.contains_key(AUTHTYPE) {
        handled.insert(authtype_at.clone());
    }
    if scheme.contains_key(AUTHORIZER) {
        handled.insert(authorizer_at.clone());
    }

    let type_at = pointer::child(at, "type");
    let scheme_type = match scheme.get("type") {
        Some(Value::String(found)) if types.contains(&found.as_str()) => found.as_str(),
        Some(other) => {
            problems.invalid(&type_at, format_args!("one of {}", types.join(", ")), other);
            return None;
        }
        None => {
            problems.missing(
                &type_at,
                format!(
                    "missing the scheme `type` (one of {}; {ACCEPTED_SCHEMES})",
                    types.join(", ")
                ),
            );
            return None;
        }
    };
    let authtype = match scheme.get(AUTHTYPE) {
        None => None,
        Some(Value::String(authtype)) => Some(authtype.as_str()),
        Some(other) => {
            problems.invalid(
                &authtype_at,
                "a string (awsSigv4 for IAM; free-form for an authorizer)",
                other,
            );
            return None;
        }
    };

    let result = match (authtype, scheme.get(AUTHORIZER)) {
        (Some(authtype), authorizer) if authtype.eq_ignore_ascii_case("awsSigv4") => {
            if authorizer.is_some() {
                problems.push(
                    &authorizer_at,
                    ImportErrorKind::Conflict,
                    "an awsSigv4 scheme is IAM authorization (AWS Signature Version 4): it \
                     has no x-amazon-apigateway-authorizer (remove one of them)",
                );
            }
            if scheme_type != "apiKey" {
                problems.invalid(
                    &type_at,
                    "apiKey (an awsSigv4 scheme is type: apiKey, name: Authorization, in: \
                     header)",
                    &Value::from(scheme_type),
                );
            }
            Some(Scheme::Authorizer(AuthorizerKind::Iam))
        }
        (Some(authtype), _)
            if authtype
                .get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case("aws")) =>
        {
            problems.invalid(
                &authtype_at,
                "awsSigv4 (IAM authorization): AWS reserves the other values starting with \
                 `aws`; an authorizer's authtype is free-form, such as custom",
                &Value::from(authtype),
            );
            None
        }
        (_, Some(authorizer)) => {
            authorizer::read(authorizer, &authorizer_at, scheme, at, problems, handled)
                .map(Scheme::Authorizer)
        }
        (Some(authtype), None) => {
            problems.missing(
                &authorizer_at,
                format!(
                    "the scheme has x-amazon-apigateway-authtype `{authtype}` but no \
                     x-amazon-apigateway-authorizer: add the authorizer (token, request, jwt or \
                     cognito_user_pools), or use authtype awsSigv4 for IAM"
                ),
            );
            None
        }
        (None, None) => read_plain_scheme(scheme, at, scheme_type, problems),
    };
    (problems.len() == before).then_some(result).flatten()
}

/// A scheme without AWS extensions: only the API key scheme means something to API Gateway.
fn read_plain_scheme(
    scheme: &Map<String, Value>,
    at: &str,
    scheme_type: &str,
    problems: &mut Problems,
) -> Option<Scheme> {
    if scheme_type != "apiKey" {
        problems.push(
            &pointer::child(at, "type"),
            ImportErrorKind::NotSupportedYet,
            format!(
                "a scheme of type `{scheme_type}` without an x-amazon-apigateway-authorizer is \
                 not supported (expected {ACCEPTED_SCHEMES})"
            ),
        );
        return None;
    }
    let in_at = pointer::child(at, "in");
    match scheme.get("in") {
        Some(Value::String(location)) if location == "header" => {}
        Some(other) => {
            problems.invalid(
                &in_at,
                "header (API Gateway reads API keys from the x-api-key header)",
                other,
            );
            return None;
        }
        None => {
            problems.missing(
                &in_at,
                "missing `in: header` (the API key is the x-api-key header)",
            );
            return None;
        }
    }
    let name_at = pointer::child(at, "name");
    match scheme.get("name") {
        Some(Value::String(name)) if name.eq_ignore_ascii_case(API_KEY_HEADER) => {
            Some(Scheme::ApiKey)
        }
        Some(other) => {
            problems.invalid(
                &name_at,
                "x-api-key (API Gateway reads API keys from that header; a scheme for another \
                 header needs an x-amazon-apigateway-authorizer)",
                other,
            );
            None
        }
        None => {
            problems.missing(&name_at, "missing `name: x-api-key` (the API key header)");
            None
        }
    }
}

/// Reads an operation's `x-amazon-apigateway-auth` at `at`. `None` when it has errors.
pub(crate) fn read_auth_extension(
    value: &Value,
    at: &str,
    problems: &mut Problems,
) -> Option<AuthType> {
    const EXPECTED: &str = "NONE or AWS_IAM (case-insensitive; an authorizer is named by the \
         operation's `security`)";
    let Value::Object(object) = value else {
        problems.invalid(at, "a mapping with `type` (NONE or AWS_IAM)", value);
        return None;
    };
    let before = problems.len();
    for key in object.keys() {
        if key != "type" {
            problems.unknown_key(
                &pointer::child(at, key),
                format!("unknown key `{key}` in {AUTH} (expected type)"),
            );
        }
    }
    let type_at = pointer::child(at, "type");
    let auth = match object.get("type") {
        Some(Value::String(text)) if text.eq_ignore_ascii_case("NONE") => Some(AuthType::None),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("AWS_IAM") => Some(AuthType::AwsIam),
        Some(other) => {
            problems.invalid(&type_at, EXPECTED, other);
            None
        }
        None => {
            problems.missing(&type_at, format!("missing the `type` ({EXPECTED})"));
            None
        }
    };
    (problems.len() == before).then_some(auth).flatten()
}

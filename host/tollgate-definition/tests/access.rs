//! Access control: security schemes (authorizers and the API key), `security` requirements,
//! `x-amazon-apigateway-auth`, the API key source, the resource policy and CORS — what each
//! imports to, and each error with its pointer, line, column and what was expected.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use tollgate_definition::{
    ApiDefinition, ApiKeySource, Authorizer, AuthorizerComponent, AuthorizerKind,
    CorsConfiguration, IdentitySource, ImportError, ImportErrorKind, Method, MethodAuthorization,
    import_file, import_str,
};

fn access_fixture() -> ApiDefinition {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/access.yaml");
    import_file(&path).unwrap_or_else(|error| panic!("{error}"))
}

fn get<'a>(definition: &'a ApiDefinition, path: &str) -> &'a Method {
    definition
        .resources
        .iter()
        .find(|r| r.path == path)
        .and_then(|r| r.methods.first())
        .unwrap_or_else(|| panic!("GET {path} not imported"))
}

fn custom(name: &str) -> MethodAuthorization {
    MethodAuthorization::Custom {
        authorizer: name.to_owned(),
    }
}

fn header(name: &str) -> IdentitySource {
    IdentitySource::Header(name.to_owned())
}

#[test]
fn every_scheme_kind_imports_into_an_authorizer() {
    let definition = access_fixture();
    let component = |name: &str, qualifier: Option<&str>| AuthorizerComponent {
        name: name.to_owned(),
        qualifier: qualifier.map(str::to_owned),
    };
    let expected: BTreeMap<String, AuthorizerKind> = [
        (
            "tokens",
            AuthorizerKind::Token {
                component: component("token-check", Some("${stageVariables.alias}")),
                header: "X-Token".to_owned(),
                validation_expression: Some("Bearer [-0-9a-zA-Z._]+".to_owned()),
                ttl_seconds: 60,
            },
        ),
        (
            "requests",
            AuthorizerKind::Request {
                component: component("request-check", Some("7")),
                identity_sources: vec![
                    header("X-Tenant"),
                    IdentitySource::Query("key".to_owned()),
                    IdentitySource::StageVariable("zone".to_owned()),
                    IdentitySource::Context("identity.sourceIp".to_owned()),
                ],
                ttl_seconds: 300,
            },
        ),
        (
            "http_requests",
            AuthorizerKind::Request {
                component: component("request-check", None),
                identity_sources: vec![
                    header("Authorization"),
                    IdentitySource::Context("routeKey".to_owned()),
                ],
                ttl_seconds: 0,
            },
        ),
        (
            "users",
            AuthorizerKind::Jwt {
                issuer: "https://issuer.example.com".to_owned(),
                audiences: vec!["my-api".to_owned(), "my-app".to_owned()],
                identity_source: IdentitySource::Query("access_token".to_owned()),
                jwks_uri: Some("https://issuer.example.com/keys".to_owned()),
            },
        ),
        (
            "discovered",
            AuthorizerKind::Jwt {
                issuer: "https://login.example.com/realms/main".to_owned(),
                audiences: vec!["my-api".to_owned()],
                identity_source: header("Authorization"),
                jwks_uri: None,
            },
        ),
        (
            "pool",
            AuthorizerKind::Jwt {
                issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC".to_owned(),
                audiences: Vec::new(),
                identity_source: header("Authorization"),
                jwks_uri: None,
            },
        ),
        ("sigv4", AuthorizerKind::Iam),
        (Authorizer::AWS_IAM_EXTENSION, AuthorizerKind::Iam),
    ]
    .into_iter()
    .map(|(name, kind)| (name.to_owned(), kind))
    .collect();
    let imported: BTreeMap<String, AuthorizerKind> = definition
        .authorizers
        .iter()
        .map(|(name, authorizer)| {
            assert_eq!(&authorizer.name, name);
            (name.clone(), authorizer.kind.clone())
        })
        .collect();
    assert_eq!(imported, expected);
    assert!(
        !definition.authorizers.contains_key("api_key"),
        "the API key scheme is no authorizer"
    );
}

#[test]
fn requirements_set_each_methods_authorization_and_api_key() {
    let definition = access_fixture();
    let access = |path: &str| {
        let method = get(&definition, path);
        (method.authorization.clone(), method.api_key_required)
    };
    // The document's `security`, as AWS exports it: the authorizer and the key, both apply.
    assert_eq!(access("/default"), (custom("tokens"), true));
    assert_eq!(access("/open"), (MethodAuthorization::None, false));
    assert_eq!(access("/requests"), (custom("requests"), false));
    assert_eq!(access("/http-requests"), (custom("http_requests"), false));
    assert_eq!(
        access("/users"),
        (
            MethodAuthorization::Jwt {
                authorizer: "users".to_owned(),
                scopes: vec!["read".to_owned(), "write".to_owned()],
            },
            false
        ),
        "the scopes of one authorizer named twice are merged"
    );
    assert_eq!(
        access("/pool"),
        (
            MethodAuthorization::Jwt {
                authorizer: "pool".to_owned(),
                scopes: vec!["email".to_owned()],
            },
            true
        )
    );
    assert_eq!(
        access("/iam"),
        (
            MethodAuthorization::Iam {
                authorizer: "sigv4".to_owned()
            },
            false
        )
    );
    // x-amazon-apigateway-auth replaces the document's authorizer; the key stays required.
    assert_eq!(
        access("/iam-extension"),
        (
            MethodAuthorization::Iam {
                authorizer: Authorizer::AWS_IAM_EXTENSION.to_owned()
            },
            true
        )
    );
    assert_eq!(access("/none-extension"), (MethodAuthorization::None, true));
}

#[test]
fn api_key_source_policy_and_cors() {
    let definition = access_fixture();
    assert_eq!(definition.api_key_source, ApiKeySource::Authorizer);
    let policy = definition
        .resource_policy
        .as_ref()
        .expect("a resource policy");
    assert_eq!(policy["Statement"][1]["Effect"], "Deny");
    assert_eq!(
        policy["Statement"][1]["Condition"]["IpAddress"]["aws:SourceIp"],
        "192.0.2.0/24"
    );
    assert_eq!(
        policy["Statement"][0]["Resource"], "execute-api:/*",
        "the execute-api shorthand is kept as written"
    );
    let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        definition.cors,
        Some(CorsConfiguration {
            allow_origins: strings(&["https://www.example.com", "http://localhost:3000"]),
            allow_methods: strings(&["GET", "POST"]),
            allow_headers: strings(&["authorization", "content-type"]),
            expose_headers: strings(&["x-request-id"]),
            max_age: Some(300),
            allow_credentials: true,
        })
    );
}

#[test]
fn without_access_extensions_everything_is_open() {
    let definition =
        import_str(&document("", "", ""), "api.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert!(definition.authorizers.is_empty());
    assert_eq!(definition.api_key_source, ApiKeySource::Header);
    assert_eq!(definition.resource_policy, None);
    assert_eq!(definition.cors, None);
    let method = get(&definition, "/items");
    assert_eq!(method.authorization, MethodAuthorization::None);
    assert!(!method.api_key_required);
}

#[test]
fn swagger_2_security_definitions() {
    let text = "swagger: \"2.0\"\ninfo:\n  title: t\n\
                paths:\n  /items:\n    get:\n      security:\n        - api_key: []\n        \
                - tokens: []\n      x-amazon-apigateway-integration:\n        type: mock\n\
                securityDefinitions:\n  api_key:\n    type: apiKey\n    name: x-api-key\n    \
                in: header\n  tokens:\n    type: apiKey\n    name: Authorization\n    in: header\n    \
                x-amazon-apigateway-authtype: oauth2\n    x-amazon-apigateway-authorizer:\n      \
                type: TOKEN\n      authorizerUri: authorizer:token-check\n";
    let definition = import_str(text, "api.yaml").unwrap_or_else(|e| panic!("{e}"));
    let method = get(&definition, "/items");
    assert_eq!(method.authorization, custom("tokens"));
    assert!(method.api_key_required);
    assert_eq!(
        definition.authorizers["tokens"].kind,
        AuthorizerKind::Token {
            component: AuthorizerComponent {
                name: "token-check".to_owned(),
                qualifier: None,
            },
            header: "Authorization".to_owned(),
            validation_expression: None,
            ttl_seconds: 300,
        }
    );
}

#[test]
fn policy_as_a_json_string() {
    let policy = r#"'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}'"#;
    let text = document(&format!("x-amazon-apigateway-policy: {policy}\n"), "", "");
    let definition = import_str(&text, "api.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        definition
            .resource_policy
            .as_ref()
            .map(|p| &p["Statement"][0]["Effect"]),
        Some(&json!("Allow"))
    );
}

#[test]
fn cors_max_age_minus_one_means_no_caching() {
    let text = document(
        "x-amazon-apigateway-cors:\n  allowOrigins: ['*']\n  maxAge: -1\n",
        "",
        "",
    );
    let definition = import_str(&text, "api.yaml").unwrap_or_else(|e| panic!("{e}"));
    let cors = definition.cors.expect("cors");
    assert_eq!(cors.max_age, Some(0));
    assert!(!cors.allow_credentials);
}

// --- errors ----------------------------------------------------------------------------------

/// A document with `top` at the top level, GET /items with the members `operation` (before
/// its integration), and `schemes` under components.securitySchemes.
fn document(top: &str, operation: &str, schemes: &str) -> String {
    let mut text = String::from("openapi: 3.0.1\ninfo:\n  title: t\n");
    text.push_str(top);
    text.push_str("paths:\n  /items:\n    get:\n");
    text.push_str(&indent(operation, 6));
    text.push_str("      x-amazon-apigateway-integration:\n        type: mock\n");
    if !schemes.is_empty() {
        text.push_str("components:\n  securitySchemes:\n");
        text.push_str(&indent(schemes, 4));
    }
    text
}

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|line| format!("{}{line}\n", " ".repeat(by)))
        .collect()
}

/// A token authorizer scheme named `tokens`, with `authorizer` members after `type: token`.
fn token_scheme(authorizer: &str) -> String {
    format!(
        "tokens:\n  type: apiKey\n  name: Authorization\n  in: header\n  \
         x-amazon-apigateway-authtype: custom\n  x-amazon-apigateway-authorizer:\n    \
         type: token\n{}",
        indent(authorizer, 4)
    )
}

const SCHEMES: &str = "/components/securitySchemes";
const TOKENS: &str = "/components/securitySchemes/tokens/x-amazon-apigateway-authorizer";

fn import_error(text: &str) -> ImportError {
    match import_str(text, "api.yaml") {
        Ok(definition) => panic!("expected an import error, imported {definition:?}"),
        Err(error) => error,
    }
}

fn single_error(text: &str) -> ImportError {
    let error = import_error(text);
    assert_eq!(error.count(), 1, "expected one problem, got:\n{error}");
    error
}

/// The 1-based line and column where `needle` (unique in `text`) starts.
fn at(text: &str, needle: &str) -> (u32, u32) {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "{needle:?} is not unique in:\n{text}"
    );
    let offset = text.find(needle).expect("found");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
    (line as u32, column as u32)
}

/// Asserts the one problem of `text`: its pointer, where it is (the start of `needle`), its
/// kind, and a fragment of its message.
#[track_caller]
fn assert_problem(text: &str, pointer: &str, needle: &str, kind: ImportErrorKind, fragment: &str) {
    let error = single_error(text);
    let (line, column) = at(text, needle);
    assert_eq!(
        (error.pointer.as_str(), error.line, error.column, error.kind),
        (pointer, Some(line), Some(column), kind),
        "{error}"
    );
    assert!(
        error.message.contains(fragment),
        "message {:?} lacks {fragment:?}",
        error.message
    );
}

#[test]
fn unknown_scheme_in_a_requirement() {
    let text = document(
        "",
        "security:\n  - api_kee: []\n",
        "api_key: {type: apiKey, name: x-api-key, in: header}\n",
    );
    assert_problem(
        &text,
        "/paths/~1items/get/security/0/api_kee",
        "api_kee",
        ImportErrorKind::Invalid,
        "`api_kee` is not a security scheme of this document (expected one of api_key)",
    );
}

#[test]
fn unknown_scheme_in_a_document_without_schemes() {
    let text = document("security:\n  - sigv4: []\n", "", "");
    assert_problem(
        &text,
        "/security/0/sigv4",
        "sigv4",
        ImportErrorKind::Invalid,
        "which declares none",
    );
}

#[test]
fn security_must_be_a_list() {
    let text = document("", "security: {api_key: []}\n", "");
    assert_problem(
        &text,
        "/paths/~1items/get/security",
        "security",
        ImportErrorKind::Invalid,
        "expected a list of security requirements",
    );
}

#[test]
fn two_authorizers_on_one_method() {
    let schemes = format!(
        "{}sigv4: {{type: apiKey, name: Authorization, in: header, \
         x-amazon-apigateway-authtype: awsSigv4}}\n",
        token_scheme("authorizerUri: authorizer:t\n")
    );
    let text = document("", "security:\n  - tokens: []\n  - sigv4: []\n", &schemes);
    assert_problem(
        &text,
        "/paths/~1items/get/security/1/sigv4",
        "sigv4: []",
        ImportErrorKind::Conflict,
        "one authorizer per method",
    );
}

#[test]
fn scopes_only_for_jwt_authorizers() {
    let text = document(
        "",
        "security:\n  - tokens: [read]\n",
        &token_scheme("authorizerUri: authorizer:t\n"),
    );
    assert_problem(
        &text,
        "/paths/~1items/get/security/0/tokens",
        "tokens: [read]",
        ImportErrorKind::Invalid,
        "scopes apply to jwt and cognito_user_pools authorizers only (expected [])",
    );
}

#[test]
fn optional_security_cannot_be_expressed() {
    let text = document(
        "",
        "security:\n  - api_key: []\n  - {}\n",
        "api_key: {type: apiKey, name: x-api-key, in: header}\n",
    );
    assert_problem(
        &text,
        "/paths/~1items/get/security/1",
        "{}",
        ImportErrorKind::Invalid,
        "makes them optional",
    );
}

#[test]
fn oauth2_scheme_without_an_authorizer() {
    let text = document("", "", "oauth:\n  type: oauth2\n  flows: {}\n");
    assert_problem(
        &text,
        &format!("{SCHEMES}/oauth/type"),
        "type: oauth2",
        ImportErrorKind::NotSupportedYet,
        "expected API Gateway's schemes: the API key (type: apiKey, name: x-api-key, in: header)",
    );
}

#[test]
fn api_key_scheme_in_another_header() {
    let text = document(
        "",
        "",
        "key:\n  type: apiKey\n  name: X-Key\n  in: header\n",
    );
    assert_problem(
        &text,
        &format!("{SCHEMES}/key/name"),
        "name: X-Key",
        ImportErrorKind::Invalid,
        "expected x-api-key",
    );
}

#[test]
fn api_key_scheme_in_the_query_string() {
    let text = document(
        "",
        "",
        "key:\n  type: apiKey\n  name: x-api-key\n  in: query\n",
    );
    assert_problem(
        &text,
        &format!("{SCHEMES}/key/in"),
        "in: query",
        ImportErrorKind::Invalid,
        "expected header (API Gateway reads API keys from the x-api-key header); found \"query\"",
    );
}

#[test]
fn authtype_without_an_authorizer() {
    let text = document(
        "",
        "",
        "auth:\n  type: apiKey\n  name: Authorization\n  in: header\n  \
         x-amazon-apigateway-authtype: custom\n",
    );
    let error = single_error(&text);
    assert_eq!(
        (error.pointer.as_str(), error.kind),
        (
            "/components/securitySchemes/auth/x-amazon-apigateway-authorizer",
            ImportErrorKind::Missing
        )
    );
    // A missing member is located at its parent.
    assert_eq!(
        (error.line, error.column),
        (Some(at(&text, "auth:").0), Some(5))
    );
    assert!(
        error.message.contains("or use authtype awsSigv4 for IAM"),
        "{error}"
    );
}

#[test]
fn reserved_aws_authtype() {
    let text = document(
        "",
        "",
        "auth:\n  type: apiKey\n  name: Authorization\n  in: header\n  \
         x-amazon-apigateway-authtype: awsSigv5\n",
    );
    assert_problem(
        &text,
        &format!("{SCHEMES}/auth/x-amazon-apigateway-authtype"),
        "x-amazon-apigateway-authtype",
        ImportErrorKind::Invalid,
        "expected awsSigv4 (IAM authorization)",
    );
}

#[test]
fn unknown_authorizer_type() {
    let text = document(
        "",
        "",
        "auth:\n  type: apiKey\n  name: Authorization\n  in: header\n  \
         x-amazon-apigateway-authorizer:\n    type: lambda\n",
    );
    assert_problem(
        &text,
        "/components/securitySchemes/auth/x-amazon-apigateway-authorizer/type",
        "type: lambda",
        ImportErrorKind::Invalid,
        "expected one of token, request (Lambda authorizers, run as WASM authorizer \
         components), jwt, cognito_user_pools; found \"lambda\"",
    );
}

#[test]
fn token_authorizer_without_uri() {
    let text = document("", "", &token_scheme("authorizerResultTtlInSeconds: 0\n"));
    let error = single_error(&text);
    assert_eq!(
        (error.pointer.as_str(), error.kind),
        (
            format!("{TOKENS}/authorizerUri").as_str(),
            ImportErrorKind::Missing
        )
    );
    assert_eq!(
        error.line,
        Some(at(&text, "x-amazon-apigateway-authorizer:").0)
    );
    assert!(error.message.contains("authorizer:NAME"), "{error}");
}

#[test]
fn bad_authorizer_uri() {
    let text = document(
        "",
        "",
        &token_scheme("authorizerUri: function:token-check\n"),
    );
    assert_problem(
        &text,
        &format!("{TOKENS}/authorizerUri"),
        "authorizerUri",
        ImportErrorKind::Invalid,
        "expected an authorizer URI: authorizer:NAME, authorizer:NAME:QUALIFIER, or \
         arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/",
    );
}

#[test]
fn validation_expression_must_compile() {
    let text = document(
        "",
        "",
        &token_scheme("authorizerUri: authorizer:t\nidentityValidationExpression: 'Bearer (.*'\n"),
    );
    assert_problem(
        &text,
        &format!("{TOKENS}/identityValidationExpression"),
        "identityValidationExpression",
        ImportErrorKind::Invalid,
        "expected a regular expression (unclosed group",
    );
}

#[test]
fn ttl_out_of_range() {
    let text = document(
        "",
        "",
        &token_scheme("authorizerUri: authorizer:t\nauthorizerResultTtlInSeconds: 3601\n"),
    );
    assert_problem(
        &text,
        &format!("{TOKENS}/authorizerResultTtlInSeconds"),
        "authorizerResultTtlInSeconds",
        ImportErrorKind::Invalid,
        "expected an integer from 0 to 3600 (seconds; 0 disables caching); found 3601",
    );
}

#[test]
fn token_identity_source_is_one_header() {
    let text = document(
        "",
        "",
        &token_scheme(
            "authorizerUri: authorizer:t\nidentitySource: method.request.querystring.token\n",
        ),
    );
    assert_problem(
        &text,
        &format!("{TOKENS}/identitySource"),
        "identitySource",
        ImportErrorKind::Invalid,
        "expected method.request.header.NAME (a token authorizer reads one header)",
    );
}

#[test]
fn keys_that_do_not_apply_to_the_type() {
    let text = document(
        "",
        "",
        &token_scheme(
            "authorizerUri: authorizer:t\nproviderARNs: []\nx-tollgate-jwks-uri: https://k\n",
        ),
    );
    let error = import_error(&text);
    let problems: Vec<(&str, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line, e.kind))
        .collect();
    let providers = format!("{TOKENS}/providerARNs");
    let jwks = format!("{TOKENS}/x-tollgate-jwks-uri");
    assert_eq!(
        problems,
        [
            (
                providers.as_str(),
                Some(at(&text, "providerARNs").0),
                ImportErrorKind::Invalid
            ),
            (
                jwks.as_str(),
                Some(at(&text, "x-tollgate-jwks-uri").0),
                ImportErrorKind::Invalid
            ),
        ],
        "{error}"
    );
    assert!(
        error.message.contains(
            "`providerARNs` does not apply to token authorizers (only to cognito_user_pools)"
        ),
        "{error}"
    );
    assert!(
        error.further[0]
            .message
            .contains("(only to cognito_user_pools and jwt)"),
        "{error}"
    );
}

#[test]
fn unknown_key_in_an_authorizer() {
    let text = document(
        "",
        "",
        &token_scheme("authorizerUri: authorizer:t\nauthorizerTtl: 5\n"),
    );
    assert_problem(
        &text,
        &format!("{TOKENS}/authorizerTtl"),
        "authorizerTtl",
        ImportErrorKind::UnknownKey,
        "unknown key `authorizerTtl` in x-amazon-apigateway-authorizer (expected one of type, \
         authorizerUri",
    );
}

/// A request authorizer scheme named `requests` with `authorizer` members after its URI.
fn request_scheme(authorizer: &str) -> String {
    format!(
        "requests:\n  type: apiKey\n  name: Unused\n  in: header\n  \
         x-amazon-apigateway-authorizer:\n    type: request\n    \
         authorizerUri: authorizer:request-check\n{}",
        indent(authorizer, 4)
    )
}

const REQUESTS: &str = "/components/securitySchemes/requests/x-amazon-apigateway-authorizer";

#[test]
fn caching_request_authorizer_needs_identity_sources() {
    let text = document("", "", &request_scheme("identitySource: ''\n"));
    assert_problem(
        &text,
        &format!("{REQUESTS}/identitySource"),
        "identitySource",
        ImportErrorKind::Invalid,
        "needs an identitySource",
    );
    // Absent, with the default TTL: reported as missing, at the authorizer.
    let text = document("", "", &request_scheme(""));
    let error = single_error(&text);
    assert_eq!(
        (error.pointer.as_str(), error.kind, error.line),
        (
            format!("{REQUESTS}/identitySource").as_str(),
            ImportErrorKind::Missing,
            Some(at(&text, "x-amazon-apigateway-authorizer").0)
        ),
        "{error}"
    );
    assert!(error.message.contains("the default is 300"), "{error}");
    // Without caching, no identity source is needed.
    let text = document("", "", &request_scheme("authorizerResultTtlInSeconds: 0\n"));
    import_str(&text, "api.yaml").unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn identity_sources_use_one_spelling() {
    let text = document(
        "",
        "",
        &request_scheme("identitySource: method.request.header.A, $request.header.B\n"),
    );
    assert_problem(
        &text,
        &format!("{REQUESTS}/identitySource"),
        "identitySource",
        ImportErrorKind::Invalid,
        "one list uses one spelling",
    );
}

#[test]
fn http_api_payload_2_and_simple_responses_are_not_supported_yet() {
    let text = document(
        "",
        "",
        &request_scheme(
            "identitySource: $request.header.Authorization\n\
             authorizerPayloadFormatVersion: '2.0'\nenableSimpleResponses: true\n",
        ),
    );
    let error = import_error(&text);
    let problems: Vec<(&str, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line, e.kind))
        .collect();
    let version = format!("{REQUESTS}/authorizerPayloadFormatVersion");
    let simple = format!("{REQUESTS}/enableSimpleResponses");
    assert_eq!(
        problems,
        [
            (
                version.as_str(),
                Some(at(&text, "authorizerPayloadFormatVersion").0),
                ImportErrorKind::NotSupportedYet
            ),
            (
                simple.as_str(),
                Some(at(&text, "enableSimpleResponses").0),
                ImportErrorKind::NotSupportedYet
            ),
        ],
        "{error}"
    );
    assert!(error.message.contains("\"1.0\" is supported"), "{error}");
    assert!(
        error.further[0]
            .message
            .contains("an authorizer returns an IAM policy"),
        "{error}"
    );
}

/// A Cognito authorizer scheme named `pool` with the given `providerARNs` lines.
fn cognito_scheme(arns: &str) -> String {
    format!(
        "pool:\n  type: apiKey\n  name: Authorization\n  in: header\n  \
         x-amazon-apigateway-authorizer:\n    type: cognito_user_pools\n    providerARNs:\n{}",
        indent(arns, 6)
    )
}

const POOL: &str = "/components/securitySchemes/pool/x-amazon-apigateway-authorizer";

#[test]
fn cognito_authorizer_with_several_pools() {
    let text = document(
        "",
        "",
        &cognito_scheme(
            "- arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_A\n\
             - arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_B\n",
        ),
    );
    assert_problem(
        &text,
        &format!("{POOL}/providerARNs/1"),
        "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_B",
        ImportErrorKind::NotSupportedYet,
        "one issuer per authorizer",
    );
}

#[test]
fn cognito_authorizer_with_a_bad_arn() {
    let text = document(
        "",
        "",
        &cognito_scheme("- arn:aws:cognito-idp:eu-west-1:123456789012:pool/eu-west-1_A\n"),
    );
    assert_problem(
        &text,
        &format!("{POOL}/providerARNs/0"),
        "arn:aws:cognito-idp",
        ImportErrorKind::Invalid,
        "expected a user pool ARN, arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID",
    );
}

#[test]
fn jwt_authorizer_needs_an_audience() {
    let text = document(
        "",
        "",
        "users:\n  type: oauth2\n  flows: {}\n  x-amazon-apigateway-authorizer:\n    \
         type: jwt\n    jwtConfiguration:\n      issuer: https://issuer.example.com\n",
    );
    let error = single_error(&text);
    assert_eq!(
        (error.pointer.as_str(), error.kind, error.line),
        (
            "/components/securitySchemes/users/x-amazon-apigateway-authorizer/jwtConfiguration/audience",
            ImportErrorKind::Missing,
            Some(at(&text, "jwtConfiguration").0)
        ),
        "{error}"
    );
    assert!(
        error.message.contains("missing the `audience` list"),
        "{error}"
    );
}

#[test]
fn jwks_uri_must_be_a_url_and_belongs_in_an_authorizer() {
    let text = document(
        "",
        "x-tollgate-jwks-uri: https://issuer.example.com/keys\n",
        "users:\n  type: oauth2\n  flows: {}\n  x-amazon-apigateway-authorizer:\n    \
         type: jwt\n    jwtConfiguration:\n      issuer: https://issuer.example.com\n      \
         audience: [a]\n    x-tollgate-jwks-uri: keys.json\n",
    );
    let error = import_error(&text);
    let problems: Vec<(&str, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line, e.kind))
        .collect();
    assert_eq!(
        problems,
        [
            (
                "/paths/~1items/get/x-tollgate-jwks-uri",
                Some(at(&text, "x-tollgate-jwks-uri: https").0),
                ImportErrorKind::UnknownKey
            ),
            (
                "/components/securitySchemes/users/x-amazon-apigateway-authorizer/x-tollgate-jwks-uri",
                Some(at(&text, "x-tollgate-jwks-uri: keys").0),
                ImportErrorKind::Invalid
            ),
        ],
        "{error}"
    );
    assert!(
        error.message.contains(
            "not valid here (Tollgate reads it in an x-amazon-apigateway-authorizer of type jwt \
             or cognito_user_pools)"
        ),
        "{error}"
    );
    assert!(
        error.further[0]
            .message
            .contains("expected the URL of the issuer's JSON Web Key Set"),
        "{error}"
    );
}

#[test]
fn auth_extension_accepts_none_and_aws_iam_only() {
    let text = document("", "x-amazon-apigateway-auth:\n  type: CUSTOM\n", "");
    assert_problem(
        &text,
        "/paths/~1items/get/x-amazon-apigateway-auth/type",
        "type: CUSTOM",
        ImportErrorKind::Invalid,
        "expected NONE or AWS_IAM (case-insensitive; an authorizer is named by the operation's \
         `security`)",
    );
}

#[test]
fn auth_extension_next_to_the_operations_authorizer() {
    let text = document(
        "",
        "security:\n  - tokens: []\nx-amazon-apigateway-auth:\n  type: AWS_IAM\n",
        &token_scheme("authorizerUri: authorizer:t\n"),
    );
    assert_problem(
        &text,
        "/paths/~1items/get/x-amazon-apigateway-auth",
        "x-amazon-apigateway-auth:\n",
        ImportErrorKind::Conflict,
        "a method is authorized one way",
    );
}

#[test]
fn scheme_named_like_an_extension() {
    let text = document(
        "",
        "",
        "x-amazon-apigateway-auth: {type: apiKey, name: Authorization, in: header, \
         x-amazon-apigateway-authtype: awsSigv4}\n",
    );
    let error = import_error(&text);
    assert_eq!(
        (error.pointer.as_str(), error.kind),
        (
            "/components/securitySchemes/x-amazon-apigateway-auth",
            ImportErrorKind::UnknownKey
        ),
        "{error}"
    );
}

#[test]
fn api_key_source_values() {
    let text = document("x-amazon-apigateway-api-key-source: QUERY\n", "", "");
    assert_problem(
        &text,
        "/x-amazon-apigateway-api-key-source",
        "x-amazon-apigateway-api-key-source",
        ImportErrorKind::Invalid,
        "expected HEADER (the x-api-key header) or AUTHORIZER",
    );
}

#[test]
fn policy_needs_statements() {
    let text = document(
        "x-amazon-apigateway-policy:\n  Version: '2012-10-17'\n",
        "",
        "",
    );
    let error = single_error(&text);
    assert_eq!(
        (error.pointer.as_str(), error.kind, error.line),
        (
            "/x-amazon-apigateway-policy/Statement",
            ImportErrorKind::Missing,
            Some(at(&text, "x-amazon-apigateway-policy").0)
        ),
        "{error}"
    );
    assert!(error.message.contains("missing `Statement`"), "{error}");
}

#[test]
fn policy_statement_effect() {
    let text = document(
        "x-amazon-apigateway-policy:\n  Statement:\n    - Effect: Permit\n      \
         Principal: '*'\n      Action: execute-api:Invoke\n      Resource: execute-api:/*\n",
        "",
        "",
    );
    assert_problem(
        &text,
        "/x-amazon-apigateway-policy/Statement/0/Effect",
        "Effect: Permit",
        ImportErrorKind::Invalid,
        "expected Allow or Deny; found \"Permit\"",
    );
}

#[test]
fn policy_statements_are_parsed_as_a_resource_policy() {
    let text = document(
        "x-amazon-apigateway-policy:\n  Statement:\n    - Effect: Deny\n      \
         Principal: '*'\n      Action: execute-api:Invoke\n      Resource: execute-api:/*\n      \
         Condition:\n        IpAddres:\n          aws:SourceIp: 192.0.2.0/24\n",
        "",
        "",
    );
    assert_problem(
        &text,
        "/x-amazon-apigateway-policy/Statement/0/Condition/IpAddres",
        "IpAddres",
        ImportErrorKind::Invalid,
        "unknown condition operator \"IpAddres\"",
    );
}

#[test]
fn policy_must_be_a_document() {
    let text = document("x-amazon-apigateway-policy: [allow]\n", "", "");
    assert_problem(
        &text,
        "/x-amazon-apigateway-policy",
        "x-amazon-apigateway-policy",
        ImportErrorKind::Invalid,
        "expected a policy document (a mapping with `Version` and `Statement`, or a JSON string \
         holding one); found a list",
    );
}

#[test]
fn cors_credentials_with_any_origin() {
    let text = document(
        "x-amazon-apigateway-cors:\n  allowOrigins: ['*']\n  allowCredentials: true\n",
        "",
        "",
    );
    assert_problem(
        &text,
        "/x-amazon-apigateway-cors/allowCredentials",
        "allowCredentials",
        ImportErrorKind::Conflict,
        "allowCredentials: true is not supported with the \"*\" origin",
    );
}

#[test]
fn cors_values() {
    let text = document(
        "x-amazon-apigateway-cors:\n  allowOrigins: [https://example.com/]\n  maxAge: 86401\n  \
         allowHeader: [a]\n",
        "",
        "",
    );
    let error = import_error(&text);
    let problems: Vec<(&str, Option<u32>, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line, e.column, e.kind))
        .collect();
    let (origin_line, origin_column) = at(&text, "https://example.com/");
    assert_eq!(
        problems,
        [
            (
                "/x-amazon-apigateway-cors/allowOrigins/0",
                Some(origin_line),
                Some(origin_column),
                ImportErrorKind::Invalid
            ),
            (
                "/x-amazon-apigateway-cors/maxAge",
                Some(at(&text, "maxAge").0),
                Some(3),
                ImportErrorKind::Invalid
            ),
            (
                "/x-amazon-apigateway-cors/allowHeader",
                Some(at(&text, "allowHeader:").0),
                Some(3),
                ImportErrorKind::UnknownKey
            ),
        ],
        "{error}"
    );
    assert!(
        error.message.contains("scheme://host[:port], no path"),
        "{error}"
    );
    assert!(
        error.further[0]
            .message
            .contains("expected an integer from -1 to 86400 (seconds); found 86401"),
        "{error}"
    );
}

//! Import errors: each names the file, the JSON pointer and the line and column of the
//! offending member, and what was expected versus found.

use tollgate_definition::{ImportError, ImportErrorKind, import_str};

/// A document whose `GET /items` integration object is `integration` (indented by 8).
fn with_integration(integration: &str) -> String {
    let mut text = String::from(
        "openapi: 3.0.1\n\
         info:\n  title: t\n\
         paths:\n  /items:\n    get:\n      responses:\n        \"200\":\n          description: ok\n      \
         x-amazon-apigateway-integration:\n",
    );
    for line in integration.lines() {
        text.push_str("        ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The line of the first integration member in [`with_integration`].
const INTEGRATION_FIRST_LINE: u32 = 11;

const GET_ITEMS: &str = "/paths/~1items/get";
const INTEGRATION: &str = "/paths/~1items/get/x-amazon-apigateway-integration";

fn import_error(text: &str) -> ImportError {
    match import_str(text, "api.yaml") {
        Ok(definition) => panic!("expected an import error, imported {definition:?}"),
        Err(error) => error,
    }
}

/// Asserts the document has exactly one problem and returns it.
fn single_error(text: &str) -> ImportError {
    let error = import_error(text);
    assert_eq!(error.count(), 1, "expected one problem, got:\n{error}");
    error
}

#[track_caller]
fn assert_at(error: &ImportError, pointer: &str, line: u32, column: u32, kind: ImportErrorKind) {
    assert_eq!(
        (error.pointer.as_str(), error.line, error.column, error.kind),
        (pointer, Some(line), Some(column), kind),
        "{error}"
    );
}

#[track_caller]
fn assert_message_contains(error: &ImportError, fragment: &str) {
    assert!(
        error.message.contains(fragment),
        "message {:?} lacks {fragment:?}",
        error.message
    );
}

#[test]
fn unknown_integration_type() {
    let error = single_error(&with_integration("type: lambda"));
    assert_eq!(
        error.to_string(),
        "api.yaml:11:9: /paths/~1items/get/x-amazon-apigateway-integration/type: \
         expected one of mock, http, http_proxy, aws_proxy, aws; found \"lambda\""
    );
    assert_at(
        &error,
        &format!("{INTEGRATION}/type"),
        INTEGRATION_FIRST_LINE,
        9,
        ImportErrorKind::Invalid,
    );
}

#[test]
fn integration_type_is_case_insensitive() {
    let text = with_integration("type: HTTP_Proxy\nhttpMethod: get\nuri: https://example.com");
    let definition = import_str(&text, "api.yaml").unwrap_or_else(|error| panic!("{error}"));
    let integration = &definition.resources[0].methods[0].integration;
    assert_eq!(integration.http_method.as_deref(), Some("GET"));
}

#[test]
fn missing_integration_names_the_method() {
    let text =
        "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /items:\n    get:\n      responses: {}\n";
    let error = single_error(text);
    assert_at(&error, INTEGRATION, 6, 5, ImportErrorKind::Missing);
    assert_message_contains(&error, "every method needs an integration");
}

#[test]
fn bad_http_uri() {
    let error = single_error(&with_integration(
        "type: http\nhttpMethod: GET\nuri: ftp://example.com/items",
    ));
    assert_at(
        &error,
        &format!("{INTEGRATION}/uri"),
        INTEGRATION_FIRST_LINE + 2,
        9,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "http:// or https://");
    assert_message_contains(&error, "found \"ftp://example.com/items\"");
}

#[test]
fn bad_function_uri() {
    let error = single_error(&with_integration("type: aws_proxy\nuri: lambda:crud"));
    assert_at(
        &error,
        &format!("{INTEGRATION}/uri"),
        INTEGRATION_FIRST_LINE + 1,
        9,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "function:NAME");
}

#[test]
fn aws_service_integrations_are_not_supported_yet() {
    let error = single_error(&with_integration(
        "type: aws\nhttpMethod: POST\nuri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
    ));
    assert_at(
        &error,
        &format!("{INTEGRATION}/uri"),
        INTEGRATION_FIRST_LINE + 2,
        9,
        ImportErrorKind::NotSupportedYet,
    );
}

#[test]
fn function_integrations_need_a_uri_and_post() {
    let error = import_error(&with_integration("type: aws_proxy\nhttpMethod: GET"));
    let problems: Vec<(&str, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.kind))
        .collect();
    let uri = format!("{INTEGRATION}/uri");
    let method = format!("{INTEGRATION}/httpMethod");
    assert_eq!(
        problems,
        [
            // A missing member is located at its parent: the integration key, line 10.
            (uri.as_str(), ImportErrorKind::Missing),
            (method.as_str(), ImportErrorKind::Invalid),
        ]
    );
    assert_eq!(error.line, Some(INTEGRATION_FIRST_LINE - 1));
}

#[test]
fn http_integrations_need_an_http_method() {
    let error = single_error(&with_integration("type: http\nuri: https://example.com"));
    assert_eq!(error.pointer, format!("{INTEGRATION}/httpMethod"));
    assert_eq!(error.kind, ImportErrorKind::Missing);
}

#[test]
fn unknown_key_in_the_integration_object() {
    let error = single_error(&with_integration("type: mock\ntimeout: 100"));
    assert_at(
        &error,
        &format!("{INTEGRATION}/timeout"),
        INTEGRATION_FIRST_LINE + 1,
        9,
        ImportErrorKind::UnknownKey,
    );
    assert_message_contains(&error, "timeoutInMillis");
}

#[test]
fn integration_features_not_supported_yet() {
    for (member, kind) in [
        (
            "credentials: arn:aws:iam::123456789012:role/x",
            ImportErrorKind::NotSupportedYet,
        ),
        ("connectionType: VPC_LINK", ImportErrorKind::NotSupportedYet),
        ("connectionId: abc123", ImportErrorKind::NotSupportedYet),
        (
            "tlsConfig:\n  insecureSkipVerification: true",
            ImportErrorKind::NotSupportedYet,
        ),
        (
            "integrationSubtype: SQS-SendMessage",
            ImportErrorKind::NotSupportedYet,
        ),
        ("payloadFormatVersion: \"2.0\"", ImportErrorKind::Invalid),
        ("connectionType: CABLE", ImportErrorKind::Invalid),
    ] {
        let key = member.split(':').next().unwrap_or_default();
        let error = single_error(&with_integration(&format!("type: mock\n{member}")));
        assert_at(
            &error,
            &format!("{INTEGRATION}/{key}"),
            INTEGRATION_FIRST_LINE + 1,
            9,
            kind,
        );
    }
}

#[test]
fn timeout_out_of_range() {
    for timeout in ["49", "29001", "\"1000\"", "-1"] {
        let error = single_error(&with_integration(&format!(
            "type: mock\ntimeoutInMillis: {timeout}"
        )));
        assert_eq!(error.pointer, format!("{INTEGRATION}/timeoutInMillis"));
        assert_message_contains(&error, "an integer from 50 to 29000");
    }
}

#[test]
fn bad_selection_pattern() {
    let error = single_error(&with_integration(
        "type: mock\nresponses:\n  \"4\\\\d{2\":\n    statusCode: \"200\"",
    ));
    assert_at(
        &error,
        &format!("{INTEGRATION}/responses/4\\d{{2"),
        INTEGRATION_FIRST_LINE + 2,
        11,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "selection pattern");
    assert_message_contains(&error, "repetition");
}

#[test]
fn integration_response_status_needs_a_method_response() {
    let error = single_error(&with_integration(
        "type: mock\nresponses:\n  default:\n    statusCode: \"404\"",
    ));
    assert_at(
        &error,
        &format!("{INTEGRATION}/responses/default/statusCode"),
        INTEGRATION_FIRST_LINE + 3,
        13,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "status code 404 has no method response");
}

#[test]
fn response_header_must_be_declared() {
    let error = single_error(&with_integration(
        "type: mock\nresponses:\n  default:\n    statusCode: \"200\"\n    responseParameters:\n      method.response.header.X-Id: \"'1'\"",
    ));
    assert_eq!(
        error.pointer,
        format!("{INTEGRATION}/responses/default/responseParameters/method.response.header.X-Id")
    );
    assert_eq!(error.line, Some(INTEGRATION_FIRST_LINE + 5));
    assert_message_contains(&error, "not declared in the method response 200");
}

#[test]
fn mapping_expressions_are_checked() {
    let error = import_error(&with_integration(
        "type: http\nhttpMethod: GET\nuri: https://example.com/{id}\nrequestParameters:\n  \
         integration.request.path.id: method.request.path.id\n  \
         integration.request.querystring.q: method.request.querystring.q\n  \
         integration.request.body.x: \"'1'\"\n  \
         integration.request.header.y: request.header.y",
    ));
    let parameters = format!("{INTEGRATION}/requestParameters");
    let problems: Vec<(String, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.clone(), e.line, e.kind))
        .collect();
    let first = INTEGRATION_FIRST_LINE + 4;
    assert_eq!(
        problems,
        [
            (
                format!("{parameters}/integration.request.path.id"),
                Some(first),
                ImportErrorKind::Invalid
            ),
            (
                format!("{parameters}/integration.request.querystring.q"),
                Some(first + 1),
                ImportErrorKind::Invalid
            ),
            (
                format!("{parameters}/integration.request.body.x"),
                Some(first + 2),
                ImportErrorKind::UnknownKey
            ),
            (
                format!("{parameters}/integration.request.header.y"),
                Some(first + 3),
                ImportErrorKind::Invalid
            ),
        ],
        "{error}"
    );
    assert!(
        error
            .message
            .contains("names no variable of the resource path /items")
    );
    assert!(
        error.further[0]
            .message
            .contains("not a declared parameter")
    );
}

#[test]
fn uri_placeholders_must_be_mapped() {
    let error = single_error(&with_integration(
        "type: http_proxy\nhttpMethod: ANY\nuri: https://example.com/{proxy}",
    ));
    assert_at(
        &error,
        &format!("{INTEGRATION}/uri"),
        INTEGRATION_FIRST_LINE + 2,
        9,
        ImportErrorKind::Missing,
    );
    assert_message_contains(&error, "integration.request.path.proxy");
}

#[test]
fn unknown_extensions_anywhere() {
    let text = "openapi: 3.0.1\n\
                info:\n  title: t\n  x-tollgate-owner: me\n\
                x-amazon-apigateway-typo: 1\n\
                paths:\n  /items:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n      \
                X-Amazon-Apigateway-Auth: {}\n\
                components:\n  schemas:\n    Item:\n      x-amazon-apigateway-foo: true\n";
    let error = import_error(text);
    let problems: Vec<(&str, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line, e.kind))
        .collect();
    assert_eq!(
        problems,
        [
            (
                "/info/x-tollgate-owner",
                Some(4),
                ImportErrorKind::UnknownKey
            ),
            (
                "/x-amazon-apigateway-typo",
                Some(5),
                ImportErrorKind::UnknownKey
            ),
            (
                "/paths/~1items/get/X-Amazon-Apigateway-Auth",
                Some(11),
                ImportErrorKind::UnknownKey
            ),
            (
                "/components/schemas/Item/x-amazon-apigateway-foo",
                Some(15),
                ImportErrorKind::UnknownKey
            ),
        ],
        "{error}"
    );
    assert_eq!(
        error.further[0].message,
        "unknown extension `x-amazon-apigateway-typo`"
    );
}

#[test]
fn misplaced_integration_is_not_silently_ignored() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /items:\n    \
                x-amazon-apigateway-integration:\n      type: mock\n    get:\n      responses: {}\n";
    let error = import_error(text);
    let problems: Vec<(&str, Option<u32>)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line))
        .collect();
    assert_eq!(
        problems,
        [
            ("/paths/~1items/x-amazon-apigateway-integration", Some(6)),
            (INTEGRATION, Some(8)),
        ]
    );
    assert_message_contains(
        &error,
        "not valid here (API Gateway reads it in an operation)",
    );
}

#[test]
fn security_requirements_are_not_supported_yet() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\nsecurity:\n  - api_key: []\n\
                paths:\n  /items:\n    get:\n      security:\n        - sigv4: []\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    let error = import_error(text);
    let problems: Vec<(&str, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line, e.kind))
        .collect();
    assert_eq!(
        problems,
        [
            ("/security", Some(4), ImportErrorKind::NotSupportedYet),
            (
                "/paths/~1items/get/security",
                Some(9),
                ImportErrorKind::NotSupportedYet
            ),
        ]
    );
    assert_message_contains(&error, "is not supported yet");
}

#[test]
fn empty_security_requirements_are_accepted() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\nsecurity: []\n\
                paths:\n  /items:\n    get:\n      security:\n        - {}\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    import_str(text, "api.yaml").unwrap_or_else(|error| panic!("{error}"));
}

#[test]
fn access_control_extensions_are_not_supported_yet() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\n\
                x-amazon-apigateway-api-key-source: HEADER\n\
                x-amazon-apigateway-policy:\n  Version: \"2012-10-17\"\n\
                x-amazon-apigateway-request-validators:\n  all: {validateRequestBody: true}\n\
                paths:\n  /items:\n    get:\n      x-amazon-apigateway-request-validator: all\n      \
                x-amazon-apigateway-integration:\n        type: mock\n\
                components:\n  securitySchemes:\n    auth:\n      type: apiKey\n      name: Authorization\n      \
                in: header\n      x-amazon-apigateway-authtype: custom\n      \
                x-amazon-apigateway-authorizer:\n        type: token\n";
    let error = import_error(text);
    let problems: Vec<(&str, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line, e.kind))
        .collect();
    let not_yet = ImportErrorKind::NotSupportedYet;
    assert_eq!(
        problems,
        [
            ("/x-amazon-apigateway-api-key-source", Some(4), not_yet),
            ("/x-amazon-apigateway-policy", Some(5), not_yet),
            ("/x-amazon-apigateway-request-validators", Some(7), not_yet),
            (
                "/paths/~1items/get/x-amazon-apigateway-request-validator",
                Some(12),
                not_yet
            ),
            (
                "/components/securitySchemes/auth/x-amazon-apigateway-authtype",
                Some(21),
                not_yet
            ),
            (
                "/components/securitySchemes/auth/x-amazon-apigateway-authorizer",
                Some(22),
                not_yet
            ),
        ],
        "{error}"
    );
}

#[test]
fn greedy_path_variable_must_be_last() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /{proxy+}/items:\n    get:\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    let error = single_error(text);
    assert_at(
        &error,
        "/paths/~1{proxy+}~1items",
        5,
        3,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "must be the last part");
}

#[test]
fn sibling_path_variables_conflict() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /items/{id}:\n    get:\n      \
                x-amazon-apigateway-integration:\n        type: mock\n  /items/{proxy+}:\n    get:\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    let error = single_error(text);
    assert_at(
        &error,
        "/paths/~1items~1{proxy+}",
        9,
        3,
        ImportErrorKind::Conflict,
    );
    assert_message_contains(&error, "one variable path part per parent resource");
}

#[test]
fn path_parameter_must_be_a_variable_of_the_path() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /items:\n    get:\n      parameters:\n        \
                - name: id\n          in: path\n      x-amazon-apigateway-integration:\n        type: mock\n";
    let error = single_error(text);
    assert_at(
        &error,
        "/paths/~1items/get/parameters/0/name",
        8,
        11,
        ImportErrorKind::Invalid,
    );
}

#[test]
fn duplicate_keys_are_refused() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /items:\n    get:\n      \
                x-amazon-apigateway-integration:\n        type: mock\n    get:\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    let error = single_error(text);
    assert_at(&error, GET_ITEMS, 9, 5, ImportErrorKind::Conflict);
}

#[test]
fn openapi_version_must_be_3_0() {
    let error = single_error("openapi: 3.1.0\ninfo:\n  title: t\npaths: {}\n");
    assert_at(&error, "/openapi", 1, 1, ImportErrorKind::Invalid);
    assert_message_contains(&error, "expected an OpenAPI 3.0.x version");
    assert_message_contains(&error, "found \"3.1.0\"");

    let error = single_error("info:\n  title: t\npaths: {}\n");
    assert_eq!(
        (error.pointer.as_str(), error.kind),
        ("/openapi", ImportErrorKind::Missing)
    );
}

#[test]
fn api_without_methods_is_refused() {
    let error = single_error("openapi: 3.0.1\ninfo:\n  title: t\npaths: {}\n");
    assert_at(&error, "/paths", 4, 1, ImportErrorKind::Missing);
}

#[test]
fn yaml_syntax_error_has_its_line() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /items:\n    get: [\n";
    let error = single_error(text);
    assert_eq!(error.kind, ImportErrorKind::Syntax);
    assert_eq!(error.pointer, "");
    assert_eq!(error.line, Some(7));
    assert!(error.message.starts_with("YAML syntax error: "), "{error}");
    assert!(!error.message.contains(" at line "), "{error}");

    let error = single_error("openapi: 3.0.1\ninfo:\n  title: t\n bad: indentation\n");
    assert_eq!((error.kind, error.line), (ImportErrorKind::Syntax, Some(4)));
}

#[test]
fn json_syntax_error_has_its_line_and_column() {
    let error = single_error("{\n  \"openapi\": \"3.0.1\",\n  \"info\": {\"title\": \"t\",}\n}\n");
    assert_eq!(error.kind, ImportErrorKind::Syntax);
    assert_eq!((error.line, error.column), (Some(3), Some(25)));
    assert!(
        error
            .to_string()
            .starts_with("api.yaml:3:25: JSON syntax error: "),
        "{error}"
    );
}

#[test]
fn json_semantic_errors_have_positions() {
    let text = r#"{
  "openapi": "3.0.1",
  "info": {"title": "t"},
  "paths": {
    "/items": {
      "get": {
        "x-amazon-apigateway-integration": {"type": "lambda"}
      }
    }
  }
}"#;
    let error = single_error(text);
    assert_at(
        &error,
        &format!("{INTEGRATION}/type"),
        7,
        45,
        ImportErrorKind::Invalid,
    );
}

#[test]
fn every_problem_is_reported_in_document_order() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /a:\n    get:\n      \
                x-amazon-apigateway-integration:\n        type: lambda\n  /b:\n    post: {}\n  \
                /c/:\n    get: {}\n";
    let error = import_error(text);
    let lines: Vec<Option<u32>> = error.problems().map(|e| e.line).collect();
    assert_eq!(lines, [Some(8), Some(10), Some(11)], "{error}");
    assert_eq!(error.to_string().lines().count(), 3);
}

#[test]
fn yaml_merge_keys_are_explained() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /a:\n    get:\n      <<: {summary: x}\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    let error = single_error(text);
    assert_message_contains(&error, "merge keys");
}

#[test]
fn io_error_names_the_file() {
    let missing = std::path::Path::new("/nonexistent/tollgate/api.yaml");
    let error = tollgate_definition::import_file(missing).expect_err("no such file");
    assert_eq!(error.kind, ImportErrorKind::Io);
    assert_eq!(error.file, "/nonexistent/tollgate/api.yaml");
}

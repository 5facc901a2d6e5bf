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
fn empty_security_requirements_are_accepted() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\nsecurity: []\n\
                paths:\n  /items:\n    get:\n      security:\n        - {}\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    import_str(text, "api.yaml").unwrap_or_else(|error| panic!("{error}"));
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

/// A document with `extra` at the top level (each line as written) and `operation` inside
/// `GET /items` (indented by 6), before a mock integration.
fn document(extra: &str, operation: &str) -> String {
    let mut text = String::from("openapi: 3.0.1\ninfo:\n  title: t\n");
    text.push_str(extra);
    text.push_str("paths:\n  /items:\n    get:\n");
    for line in operation.lines() {
        text.push_str("      ");
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("      x-amazon-apigateway-integration:\n        type: mock\n");
    text
}

/// `(pointer, line, kind)` of every problem.
fn problems(error: &ImportError) -> Vec<(&str, Option<u32>, ImportErrorKind)> {
    error
        .problems()
        .map(|e| (e.pointer.as_str(), e.line, e.kind))
        .collect()
}

const VALIDATORS: &str = "x-amazon-apigateway-request-validators:\n  all:\n    \
                          validateRequestBody: true\n    validateRequestParameters: true\n";

#[test]
fn unknown_request_validator_of_a_method() {
    let error = single_error(&document(
        VALIDATORS,
        "x-amazon-apigateway-request-validator: everything",
    ));
    assert_at(
        &error,
        &format!("{GET_ITEMS}/x-amazon-apigateway-request-validator"),
        11,
        7,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(
        &error,
        "expected the name of a request validator declared in \
         x-amazon-apigateway-request-validators (one of all); found \"everything\"",
    );
}

#[test]
fn unknown_default_request_validator() {
    let error = single_error(&document(
        "x-amazon-apigateway-request-validator: basic\n",
        "",
    ));
    assert_at(
        &error,
        "/x-amazon-apigateway-request-validator",
        4,
        1,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "the API declares none");
}

#[test]
fn malformed_request_validators() {
    let error = import_error(&document(
        "x-amazon-apigateway-request-validators:\n  body:\n    validateRequestBody: yes please\n    \
         validateRequestHeaders: true\n  params: true\n\
         x-amazon-apigateway-request-validator: body\n",
        "x-amazon-apigateway-request-validator: params",
    ));
    assert_eq!(
        problems(&error),
        [
            (
                "/x-amazon-apigateway-request-validators/body/validateRequestBody",
                Some(6),
                ImportErrorKind::Invalid
            ),
            (
                "/x-amazon-apigateway-request-validators/body/validateRequestHeaders",
                Some(7),
                ImportErrorKind::UnknownKey
            ),
            (
                "/x-amazon-apigateway-request-validators/params",
                Some(8),
                ImportErrorKind::Invalid
            ),
        ],
        "{error}"
    );
    assert_message_contains(&error, "expected true or false; found \"yes please\"");
}

#[test]
fn request_validator_outside_the_api_and_its_operations() {
    let text = document(VALIDATORS, "").replace(
        "  /items:\n",
        "  /items:\n    x-amazon-apigateway-request-validator: all\n",
    );
    let error = single_error(&text);
    assert_at(
        &error,
        "/paths/~1items/x-amazon-apigateway-request-validator",
        10,
        5,
        ImportErrorKind::UnknownKey,
    );
    assert_message_contains(&error, "at the top level or in an operation");
}

#[test]
fn unknown_gateway_response_type() {
    let error = single_error(&document(
        "x-amazon-apigateway-gateway-responses:\n  DEFAULT_4XX:\n    statusCode: 400\n  \
         missing_authentication_token:\n    statusCode: 404\n",
        "",
    ));
    assert_at(
        &error,
        "/x-amazon-apigateway-gateway-responses/missing_authentication_token",
        7,
        3,
        ImportErrorKind::UnknownKey,
    );
    assert_message_contains(&error, "upper-case: `MISSING_AUTHENTICATION_TOKEN`");
    assert_message_contains(&error, "WAF_FILTERED");
}

#[test]
fn malformed_gateway_responses() {
    let responses = "/x-amazon-apigateway-gateway-responses";
    let error = import_error(&document(
        "x-amazon-apigateway-gateway-responses:\n  BAD_REQUEST_BODY:\n    statusCode: 99\n    \
         responseParameters:\n      method.response.header.X-A: \"'a'\"\n      \
         gatewayresponse.header.X-B: method.request.body\n      \
         gatewayresponse.header.X-C: request.header.c\n      \
         gatewayresponse.header.X-D: method.request.querystring.d\n    \
         responseTemplates:\n      application/json: [1]\n    body: x\n",
        "",
    ));
    let at = |member: &str| format!("{responses}/BAD_REQUEST_BODY/{member}");
    let header = |name: &str| at(&format!("responseParameters/{name}"));
    let found: Vec<(String, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.clone(), e.line, e.kind))
        .collect();
    assert_eq!(
        found,
        [
            (at("statusCode"), Some(6), ImportErrorKind::Invalid),
            (
                header("method.response.header.X-A"),
                Some(8),
                ImportErrorKind::UnknownKey
            ),
            (
                header("gatewayresponse.header.X-B"),
                Some(9),
                ImportErrorKind::Invalid
            ),
            (
                header("gatewayresponse.header.X-C"),
                Some(10),
                ImportErrorKind::Invalid
            ),
            (
                at("responseTemplates/application~1json"),
                Some(13),
                ImportErrorKind::Invalid
            ),
            (at("body"), Some(14), ImportErrorKind::UnknownKey),
        ],
        "{error}"
    );
    assert_message_contains(&error, "an HTTP status code from 100 to 599; found 99");
    assert_message_contains(
        &error.further[0],
        "gatewayresponse.header.NAME (a gateway response sets headers only)",
    );
    assert_message_contains(&error.further[1], "cannot read the request body");
}

/// A document whose model `Item` is `schema` (indented by 6; its first line is line 12).
fn with_model(schema: &str) -> String {
    let mut text = document("", "");
    text.push_str("components:\n  schemas:\n    Item:\n");
    for line in schema.lines() {
        text.push_str("      ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

const ITEM: &str = "/components/schemas/Item";

#[test]
fn schema_keywords_are_checked() {
    let error = import_error(&with_model(
        "type: record\nproperties:\n  a:\n    type: [string, string]\n  b:\n    \
         minimum: 1\n    exclusiveMinimum: 1\n  c:\n    maxLength: -1\n  d:\n    required: name\n  \
         e:\n    allOf: []\n  f:\n    enum: []\n  g: not a schema\n  h:\n    nullable: \"yes\"",
    ));
    let found: Vec<(String, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.clone(), e.line, e.kind))
        .collect();
    let invalid = ImportErrorKind::Invalid;
    let at = |member: &str| format!("{ITEM}/{member}");
    assert_eq!(
        found,
        [
            (at("type"), Some(12), invalid),
            (at("properties/a/type"), Some(15), invalid),
            (at("properties/b/exclusiveMinimum"), Some(18), invalid),
            (at("properties/c/maxLength"), Some(20), invalid),
            (at("properties/d/required"), Some(22), invalid),
            (at("properties/e/allOf"), Some(24), invalid),
            (at("properties/f/enum"), Some(26), invalid),
            (at("properties/g"), Some(27), invalid),
            (at("properties/h/nullable"), Some(29), invalid),
        ],
        "{error}"
    );
    assert_message_contains(
        &error,
        "expected one of array, boolean, integer, null, number, object, string",
    );
    assert_message_contains(
        &error.further[1],
        "`exclusiveMinimum: true` makes `minimum` exclusive",
    );
    assert_message_contains(
        &error.further[6],
        "expected a schema (a mapping); found \"not a schema\"",
    );
}

#[test]
fn schema_keywords_of_later_drafts_and_typos_are_refused() {
    let error = import_error(&with_model(
        "type: object\nconst: 1\nrequried: [a]\nid: urn:item\ndefinitions: {}\nx-note: kept out",
    ));
    assert_eq!(
        problems(&error),
        [
            (
                "/components/schemas/Item/const",
                Some(13),
                ImportErrorKind::UnknownKey
            ),
            (
                "/components/schemas/Item/requried",
                Some(14),
                ImportErrorKind::UnknownKey
            ),
            (
                "/components/schemas/Item/id",
                Some(15),
                ImportErrorKind::NotSupportedYet
            ),
            (
                "/components/schemas/Item/definitions",
                Some(16),
                ImportErrorKind::NotSupportedYet
            ),
        ],
        "{error}"
    );
    assert_message_contains(&error, "a keyword of a JSON Schema draft after draft 4");
    assert_message_contains(&error.further[0], "unknown key `requried` in a schema");
}

#[test]
fn schema_references_are_checked() {
    let error = import_error(&with_model(
        "properties:\n  a:\n    $ref: \"#/components/schemas/Nope\"\n  b:\n    \
         $ref: \"common.yaml#/Item\"\n  c:\n    $ref: \"#/components/parameters/Id\"\n  d:\n    \
         $ref: 12",
    ));
    let pointer = |name: &str| format!("{ITEM}/properties/{name}/$ref");
    let found: Vec<(String, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.clone(), e.line, e.kind))
        .collect();
    assert_eq!(
        found,
        [
            (pointer("a"), Some(14), ImportErrorKind::Invalid),
            (pointer("b"), Some(16), ImportErrorKind::NotSupportedYet),
            (pointer("c"), Some(18), ImportErrorKind::Invalid),
            (pointer("d"), Some(20), ImportErrorKind::Invalid),
        ],
        "{error}"
    );
    assert_message_contains(
        &error,
        "the reference \"#/components/schemas/Nope\" points to nothing in this document",
    );
    assert_message_contains(
        &error.further[1],
        "expected a reference to a model, such as \"#/components/schemas/NAME\"",
    );
}

#[test]
fn models_that_apply_to_themselves_are_refused() {
    let mut text = with_model("allOf:\n  - $ref: \"#/components/schemas/Other\"");
    text.push_str("    Other:\n      $ref: \"#/components/schemas/Item\"\n");
    let error = import_error(&text);
    assert_eq!(
        problems(&error),
        [
            (ITEM, Some(11), ImportErrorKind::Invalid),
            (
                "/components/schemas/Other",
                Some(14),
                ImportErrorKind::Invalid
            ),
        ],
        "{error}"
    );
    assert_message_contains(&error, "(Item → Other → Item)");
    assert_message_contains(&error, "validating it would never end");
}

#[test]
fn invalid_patterns_are_found_by_compiling_the_model() {
    let error = single_error(&with_model(
        "properties:\n  code:\n    type: string\n    pattern: \"^(\"",
    ));
    assert_at(
        &error,
        &format!("{ITEM}/properties/code/pattern"),
        15,
        11,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "not a valid JSON Schema draft 4 schema");
}

#[test]
fn request_body_errors() {
    let error = import_error(&document(
        "",
        "requestBody:\n  required: maybe\n  contents: {}\n",
    ));
    let body = format!("{GET_ITEMS}/requestBody");
    let found: Vec<(String, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.clone(), e.line, e.kind))
        .collect();
    assert_eq!(
        found,
        [
            (format!("{body}/content"), Some(7), ImportErrorKind::Missing),
            (
                format!("{body}/required"),
                Some(8),
                ImportErrorKind::Invalid
            ),
            (
                format!("{body}/contents"),
                Some(9),
                ImportErrorKind::UnknownKey
            ),
        ],
        "{error}"
    );
    assert_message_contains(&error, "missing `content`");

    let error = import_error(&document(
        "",
        "requestBody:\n  content:\n    json:\n      schema: {type: object}\n    \
         application/xml:\n      schema: {type: strin}\n      encodings: {}\n",
    ));
    let content = format!("{body}/content");
    let found: Vec<(String, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.clone(), e.line, e.kind))
        .collect();
    assert_eq!(
        found,
        [
            (format!("{content}/json"), Some(9), ImportErrorKind::Invalid),
            (
                format!("{content}/application~1xml/schema/type"),
                Some(12),
                ImportErrorKind::Invalid
            ),
            (
                format!("{content}/application~1xml/encodings"),
                Some(13),
                ImportErrorKind::UnknownKey
            ),
        ],
        "{error}"
    );
    assert_message_contains(&error, "a media type such as \"application/json\"");
}

#[test]
fn request_body_reference_to_nothing() {
    let error = single_error(&document(
        "",
        "requestBody:\n  $ref: \"#/components/requestBodies/Item\"",
    ));
    assert_at(
        &error,
        &format!("{GET_ITEMS}/requestBody/$ref"),
        8,
        9,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "points to nothing in this document");
}

#[test]
fn swagger_body_parameters_are_checked() {
    let text = "swagger: \"2.0\"\ninfo:\n  title: t\npaths:\n  /items:\n    post:\n      \
                parameters:\n        - name: a\n          in: body\n        - name: b\n          \
                in: body\n          schema:\n            type: object\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    let error = import_error(text);
    assert_eq!(
        problems(&error),
        [
            (
                "/paths/~1items/post/parameters/0/schema",
                Some(8),
                ImportErrorKind::Missing
            ),
            (
                "/paths/~1items/post/parameters/1",
                Some(10),
                ImportErrorKind::Conflict
            ),
        ],
        "{error}"
    );
    assert_message_contains(&error, "missing the `schema` of the body parameter");
    assert_message_contains(&error.further[0], "at most one `in: body` parameter");
}

#[test]
fn mapper_errors() {
    let mapper = format!("{GET_ITEMS}/x-tollgate-mapper");
    let error = import_error(&document(
        "",
        "x-tollgate-mapper:\n  uri: function:m\n  request: false\n  response: false\n  \
         config:\n    retries: 3\n  timeout: 5",
    ));
    let found: Vec<(String, Option<u32>, ImportErrorKind)> = error
        .problems()
        .map(|e| (e.pointer.clone(), e.line, e.kind))
        .collect();
    assert_eq!(
        found,
        [
            (mapper.clone(), Some(7), ImportErrorKind::Invalid),
            (format!("{mapper}/uri"), Some(8), ImportErrorKind::Invalid),
            (
                format!("{mapper}/config/retries"),
                Some(12),
                ImportErrorKind::Invalid
            ),
            (
                format!("{mapper}/timeout"),
                Some(13),
                ImportErrorKind::UnknownKey
            ),
        ],
        "{error}"
    );
    assert_message_contains(&error, "maps neither the request nor the response");
    assert_message_contains(
        &error.further[0],
        "expected a mapper URI: mapper:NAME or mapper:NAME:QUALIFIER; found \"function:m\"",
    );
    assert_message_contains(&error.further[1], "quote numbers and booleans");

    let error = single_error(&document(
        "",
        "x-tollgate-mapper:\n  uri: mapper:m:${stageVariables.a-b}",
    ));
    assert_at(
        &error,
        &format!("{mapper}/uri"),
        8,
        9,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(&error, "qualifier \"${stageVariables.a-b}\"");

    let error = single_error(&document("", "x-tollgate-mapper: {}"));
    assert_at(
        &error,
        &format!("{mapper}/uri"),
        7,
        7,
        ImportErrorKind::Missing,
    );
}

#[test]
fn mapper_on_a_proxy_integration_is_refused() {
    let text = document("", "x-tollgate-mapper:\n  uri: mapper:m").replace(
        "        type: mock\n",
        "        type: http_proxy\n        httpMethod: ANY\n        uri: https://example.com\n",
    );
    let error = single_error(&text);
    assert_at(
        &error,
        &format!("{GET_ITEMS}/x-tollgate-mapper"),
        7,
        7,
        ImportErrorKind::Invalid,
    );
    assert_message_contains(
        &error,
        "this http_proxy integration passes them through unmapped",
    );
}

#[test]
fn tollgate_extensions_out_of_place_or_unknown() {
    let text = document(
        "x-tollgate-mapper:\n  uri: mapper:m\n",
        "x-tollgate-mappers: {}",
    );
    let error = import_error(&text);
    assert_eq!(
        problems(&error),
        [
            ("/x-tollgate-mapper", Some(4), ImportErrorKind::UnknownKey),
            (
                "/paths/~1items/get/x-tollgate-mappers",
                Some(9),
                ImportErrorKind::UnknownKey
            ),
        ],
        "{error}"
    );
    assert_message_contains(&error, "not valid here (Tollgate reads it in an operation)");
    assert_message_contains(
        &error.further[0],
        "unknown extension `x-tollgate-mappers` (the x-tollgate-* extensions are: \
         x-tollgate-mapper, x-tollgate-jwks-uri)",
    );
}

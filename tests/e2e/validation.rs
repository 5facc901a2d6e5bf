//! Request validation through the real binary, as API Gateway defines it ("Request
//! validation for REST APIs in API Gateway"): `x-amazon-apigateway-request-validators`, the
//! API-level `x-amazon-apigateway-request-validator` and a method's own, required query and
//! header parameters, and bodies against OpenAPI models (JSON Schema draft 4) chosen by
//! content type. A refused request never reaches the backend (a real one, recording what it
//! receives); an accepted one reaches it unchanged.

use tollgate_tests::{Answer, Gateway, Reply, ScriptedUpstream, TempData, deploy, send, tollgate};

/// The PetStore validation sample of the AWS guide ("OpenAPI definitions of a sample API
/// with basic request validation"), extended: the `Pet` model (name; type one of dog, cat,
/// fish; price from 25 to 500) with a nested `Owner` model by `$ref`. `all` is the API-level
/// validator; some methods name another one.
const API: &str = r#"
openapi: 3.0.1
info: { title: validation, version: "1" }
x-amazon-apigateway-request-validators:
  all: { validateRequestBody: true, validateRequestParameters: true }
  params-only: { validateRequestBody: false, validateRequestParameters: true }
  body-only: { validateRequestBody: true, validateRequestParameters: false }
  nothing: { validateRequestBody: false, validateRequestParameters: false }
x-amazon-apigateway-request-validator: all
components:
  schemas:
    Pet:
      type: object
      required: [name, type, price]
      properties:
        name: { type: string }
        type: { type: string, enum: [dog, cat, fish] }
        price: { type: number, minimum: 25, maximum: 500 }
        owner: { $ref: '#/components/schemas/Owner' }
    Owner:
      type: object
      required: [email]
      properties:
        email: { type: string }
        age: { type: integer }
paths:
  /pets:
    get:
      parameters:
        - { name: q1, in: query, required: true, schema: { type: string } }
        - { name: h1, in: header, required: true, schema: { type: string } }
        - { name: optional, in: query, required: false, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://${stageVariables.backend}/pets"
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://${stageVariables.backend}/pets"
  /validated:
    post:
      parameters:
        - { name: q1, in: query, required: true, schema: { type: string } }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://${stageVariables.backend}/validated"
  /nothing:
    post:
      x-amazon-apigateway-request-validator: nothing
      parameters:
        - { name: q1, in: query, required: true, schema: { type: string } }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://${stageVariables.backend}/nothing"
  /params-only:
    post:
      x-amazon-apigateway-request-validator: params-only
      parameters:
        - { name: q1, in: query, required: true, schema: { type: string } }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://${stageVariables.backend}/params-only"
  /body-only:
    post:
      x-amazon-apigateway-request-validator: body-only
      parameters:
        - { name: q1, in: query, required: true, schema: { type: string } }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://${stageVariables.backend}/body-only"
  /typed:
    post:
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
          text/plain: {}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://${stageVariables.backend}/typed"
"#;

const OK: &str = r#"{"ok":true}"#;
const VALID_PET: &str = r#"{"name": "Rex", "type": "dog", "price": 99.5, "owner": {"email": "a@example.com", "age": 30}}"#;
const INVALID_BODY: &str = r#"{"message":"Invalid request body"}"#;

async fn setup() -> (TempData, ScriptedUpstream, Gateway) {
    let backend = ScriptedUpstream::always(Reply::new(200, "application/json", OK)).await;
    let data = TempData::new();
    deploy(
        &data,
        API,
        "dev",
        &[],
        &[&format!("backend={}", backend.host())],
    );
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    (data, backend, gateway)
}

/// Asserts status and body (text, exactly), printing both on failure.
fn assert_answer(answer: &Answer, status: u16, body: &str) {
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (status, body),
        "unexpected answer (headers: {:?})",
        answer.headers
    );
}

/// Asserts API Gateway's 400 for missing parameters, listing `names` as AWS does.
fn assert_missing(answer: &Answer, names: &str) {
    assert_answer(
        answer,
        400,
        &format!(r#"{{"message":"Missing required request parameters: [{names}]"}}"#),
    );
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("BadRequestException")
    );
}

fn assert_invalid_body(answer: &Answer) {
    assert_answer(answer, 400, INVALID_BODY);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("BadRequestException")
    );
}

async fn post_json(gateway: &Gateway, path: &str, body: &str) -> Answer {
    send(
        "POST",
        &gateway.url(path),
        &[("content-type", "application/json")],
        body.to_owned(),
    )
    .await
}

// "Request validation for REST APIs in API Gateway": with validateRequestParameters, a
// request missing a required query-string or header parameter is refused with 400 and
// never reaches the integration; the body is `{"message": "Missing required request
// parameters: [NAME]"}` (LocalStack's parity snapshot recorded against AWS,
// tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
// `missing-required-qs-request-params-get`: "Missing required request parameters: [qs1]").
#[tokio::test]
async fn a_missing_required_query_or_header_parameter_answers_400_naming_it() {
    let (_data, backend, gateway) = setup().await;

    let answer = send(
        "GET",
        &gateway.url("/dev/pets?optional=x"),
        &[("h1", "v")],
        "",
    )
    .await;
    assert_missing(&answer, "q1");
    let answer = send("GET", &gateway.url("/dev/pets?q1=v"), &[], "").await;
    assert_missing(&answer, "h1");
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());

    // Both present (the optional one absent): the request reaches the backend as sent.
    let answer = send("GET", &gateway.url("/dev/pets?q1=v"), &[("h1", "w")], "").await;
    assert_answer(&answer, 200, OK);
    let received = backend.last().expect("the backend was called");
    assert_eq!(received.path, "/pets");
    assert_eq!(received.query.as_deref(), Some("q1=v"));
    assert_eq!(received.header("h1"), Some("w"));
    assert_eq!(backend.requests().len(), 1);
}

// Several missing parameters are listed together. AWS lists the headers before the query
// strings whatever the declaration order: LocalStack's parity snapshot recorded against AWS
// (test_apigateway_common.snapshot.json, `missing-all-required-request-params-post`) has
// "Missing required request parameters: [x-header-param, issuer, qs1]" for a method whose
// requestParameters declare `method.request.querystring.qs1` before
// `method.request.header.x-header-param` (test_apigateway_common.py).
#[tokio::test]
async fn several_missing_parameters_are_listed_headers_first_as_aws_does() {
    let (_data, backend, gateway) = setup().await;
    // q1 is declared before h1.
    let answer = send("GET", &gateway.url("/dev/pets"), &[], "").await;
    assert_missing(&answer, "h1, q1");
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());
}

// "Request validation for REST APIs in API Gateway": "The required request parameters in
// the URI, query string, and headers of an incoming request are included and not blank." A
// blank value is missing.
#[tokio::test]
async fn a_blank_required_parameter_counts_as_missing() {
    let (_data, backend, gateway) = setup().await;
    let answer = send("GET", &gateway.url("/dev/pets?q1="), &[("h1", "v")], "").await;
    assert_missing(&answer, "q1");
    let answer = send("GET", &gateway.url("/dev/pets?q1=v"), &[("h1", "")], "").await;
    assert_missing(&answer, "h1");
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());
}

// "Request validation for REST APIs in API Gateway" / "Data models for REST APIs": with
// validateRequestBody the payload must adhere to the method's model (JSON Schema draft 4:
// required properties, types, enums, ranges, nested models by $ref), else
// `400 {"message": "Invalid request body"}` (LocalStack parity snapshot recorded against AWS,
// test_apigateway_common.snapshot.json, `invalid-request-body`); a valid body reaches the
// integration unchanged.
#[tokio::test]
async fn bodies_are_validated_against_the_model_and_valid_ones_pass_unchanged() {
    let (_data, backend, gateway) = setup().await;
    for (what, body) in [
        (
            "a required property missing",
            r#"{"name": "Rex", "type": "dog"}"#,
        ),
        (
            "a property of the wrong type",
            r#"{"name": "Rex", "type": "dog", "price": "cheap"}"#,
        ),
        (
            "a value outside the enum",
            r#"{"name": "Rex", "type": "bird", "price": 30}"#,
        ),
        (
            "a number below the minimum",
            r#"{"name": "Rex", "type": "dog", "price": 10}"#,
        ),
        (
            "a nested model missing a required property",
            r#"{"name": "Rex", "type": "dog", "price": 30, "owner": {"age": 3}}"#,
        ),
        (
            "a nested property of the wrong type",
            r#"{"name": "Rex", "type": "dog", "price": 30, "owner": {"email": "a@b", "age": "old"}}"#,
        ),
        ("not an object", r#"["Rex", "dog", 30]"#),
        ("not JSON at all", "name=Rex&type=dog"),
    ] {
        let answer = post_json(&gateway, "/dev/pets", body).await;
        assert_eq!(answer.status, 400, "{what}: {}", answer.text());
        assert_invalid_body(&answer);
    }
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());

    for body in [
        VALID_PET,
        r#"{"name": "Nemo", "type": "fish", "price": 25}"#,
    ] {
        let answer = post_json(&gateway, "/dev/pets", body).await;
        assert_answer(&answer, 200, OK);
        let received = backend.last().expect("the backend was called");
        assert_eq!(received.text(), body);
        assert_eq!(received.method, "POST");
    }
    assert_eq!(backend.requests().len(), 2);
}

// "x-amazon-apigateway-request-validator property": "The API-level validator applies to all
// methods unless it is overridden by the method-level validator." A method naming a
// validator that validates nothing is not validated at all; one that validates only
// parameters or only the body checks only that.
#[tokio::test]
async fn a_method_level_validator_overrides_the_api_default() {
    let (_data, backend, gateway) = setup().await;
    let invalid_pet = r#"{"name": 7}"#;

    // The API default (`all`) checks both.
    let answer = post_json(&gateway, "/dev/validated", VALID_PET).await;
    assert_missing(&answer, "q1");
    let answer = post_json(&gateway, "/dev/validated?q1=v", invalid_pet).await;
    assert_invalid_body(&answer);
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());

    // `nothing`: neither the missing parameter nor the invalid body is refused.
    let answer = post_json(&gateway, "/dev/nothing", invalid_pet).await;
    assert_answer(&answer, 200, OK);
    assert_eq!(backend.last().unwrap().path, "/nothing");
    assert_eq!(backend.last().unwrap().text(), invalid_pet);

    // `params-only`: the body is not checked, the parameters are.
    let answer = post_json(&gateway, "/dev/params-only?q1=v", invalid_pet).await;
    assert_answer(&answer, 200, OK);
    assert_eq!(backend.last().unwrap().path, "/params-only");
    let answer = post_json(&gateway, "/dev/params-only", VALID_PET).await;
    assert_missing(&answer, "q1");

    // `body-only`: the parameters are not checked, the body is.
    let answer = post_json(&gateway, "/dev/body-only", VALID_PET).await;
    assert_answer(&answer, 200, OK);
    assert_eq!(backend.last().unwrap().path, "/body-only");
    let answer = post_json(&gateway, "/dev/body-only?q1=v", invalid_pet).await;
    assert_invalid_body(&answer);

    assert_eq!(backend.requests().len(), 3, "{:?}", backend.requests());
}

// "Request validation for REST APIs in API Gateway": the payload is validated against the
// model "for a given content type. If no matching content type is found, request validation
// is not performed." A request without a Content-Type is application/json.
#[tokio::test]
async fn bodies_are_validated_by_content_type() {
    let (_data, backend, gateway) = setup().await;

    let answer = post_json(&gateway, "/dev/typed", r#"{"name": 7}"#).await;
    assert_invalid_body(&answer);
    let answer = send("POST", &gateway.url("/dev/typed"), &[], r#"{"name": 7}"#).await;
    assert_invalid_body(&answer);
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());

    // text/plain has no model; application/xml is not declared: neither is validated.
    for content_type in ["text/plain", "application/xml"] {
        let answer = send(
            "POST",
            &gateway.url("/dev/typed"),
            &[("content-type", content_type)],
            "not a pet",
        )
        .await;
        assert_answer(&answer, 200, OK);
        assert_eq!(backend.last().unwrap().text(), "not a pet");
        assert_eq!(
            backend.last().unwrap().header("content-type"),
            Some(content_type)
        );
    }

    let answer = post_json(&gateway, "/dev/typed", VALID_PET).await;
    assert_answer(&answer, 200, OK);
    assert_eq!(backend.requests().len(), 3);
}

/// An API whose body model applies to every content type (`$default`).
const ANY_TYPE_API: &str = r#"
openapi: 3.0.1
info: { title: validation-default-type, version: "1" }
x-amazon-apigateway-request-validators:
  all: { validateRequestBody: true, validateRequestParameters: true }
x-amazon-apigateway-request-validator: all
components:
  schemas:
    Pet:
      type: object
      required: [name, type, price]
      properties:
        name: { type: string }
        type: { type: string, enum: [dog, cat, fish] }
        price: { type: number, minimum: 25, maximum: 500 }
paths:
  /any-type:
    post:
      requestBody:
        content:
          $default:
            schema: { $ref: '#/components/schemas/Pet' }
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: "http://${stageVariables.backend}/any-type"
"#;

// Same section: "To use the same model regardless of the content type, set the content
// type for your data model to $default"; "OpenAPI definitions of a sample API with basic
// request validation": "To use the same model regardless of the content type, specify
// $default as the key."
#[tokio::test]
async fn a_default_content_type_model_validates_every_content_type() {
    let backend = ScriptedUpstream::always(Reply::new(200, "application/json", OK)).await;
    let data = TempData::new();
    let file = data.write("any-type.yaml", ANY_TYPE_API);
    let output = tollgate(&[
        "import",
        file.to_str().unwrap(),
        "--stage",
        "dev",
        "--var",
        &format!("backend={}", backend.host()),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "a $default body model must import: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);

    for content_type in ["text/plain", "application/json", "application/x-pet"] {
        let answer = send(
            "POST",
            &gateway.url("/dev/any-type"),
            &[("content-type", content_type)],
            r#"{"name": 7}"#,
        )
        .await;
        assert_eq!(answer.status, 400, "{content_type}: {}", answer.text());
        assert_invalid_body(&answer);
    }
    assert!(backend.requests().is_empty(), "{:?}", backend.requests());
    let answer = send(
        "POST",
        &gateway.url("/dev/any-type"),
        &[("content-type", "text/plain")],
        VALID_PET,
    )
    .await;
    assert_answer(&answer, 200, OK);
    assert_eq!(backend.last().unwrap().text(), VALID_PET);
}

fn import_error(definition: &str) -> String {
    let data = TempData::new();
    let file = data.write("validators.yaml", definition);
    let output = tollgate(&[
        "import",
        file.to_str().unwrap(),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    stderr
}

// "x-amazon-apigateway-request-validator property": the value references a
// request_validator_name of the x-amazon-apigateway-request-validators map. A name the map
// does not have is an import error pointing at the reference, with the names it has.
#[test]
fn an_unknown_validator_name_is_an_import_error_with_its_pointer() {
    let stderr = import_error(
        r#"openapi: 3.0.1
info: { title: t, version: "1" }
x-amazon-apigateway-request-validators:
  all: { validateRequestBody: true, validateRequestParameters: true }
  params-only: { validateRequestParameters: true }
paths:
  /pets:
    post:
      x-amazon-apigateway-request-validator: strict
      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{"statusCode": 200}' }, responses: { default: { statusCode: "200" } } }
"#,
    );
    assert!(stderr.contains("validators.yaml:9:"), "{stderr}");
    assert!(
        stderr.contains("/paths/~1pets/post/x-amazon-apigateway-request-validator"),
        "{stderr}"
    );
    assert!(stderr.contains("\"strict\""), "{stderr}");
    assert!(stderr.contains("all, params-only"), "{stderr}");

    // At the API level too.
    let stderr = import_error(
        r#"openapi: 3.0.1
info: { title: t, version: "1" }
x-amazon-apigateway-request-validator: basic
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{"statusCode": 200}' }, responses: { default: { statusCode: "200" } } }
"#,
    );
    assert!(
        stderr.contains("/x-amazon-apigateway-request-validator"),
        "{stderr}"
    );
    assert!(stderr.contains("\"basic\""), "{stderr}");
    assert!(stderr.contains("declares none"), "{stderr}");
}

//! Import of complete documents: the same API written in YAML and in JSON imports to the same
//! definition, with every integration type, and routes as AWS would route it.

use std::path::{Path, PathBuf};

use serde_json::json;
use tollgate_definition::{
    ApiDefinition, ContentHandling, GatewayResponse, IntegrationTarget, IntegrationType, MapperRef,
    MappingSource, MappingTarget, Parameter, ParameterLocation, PassthroughBehavior,
    RequestValidator, RequestValueLocation, ResponseMappingSource, RouteOutcome, Router, Schema,
    import_file, import_str,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn petstore_yaml() -> ApiDefinition {
    import_file(&fixture("petstore.yaml")).unwrap_or_else(|error| panic!("{error}"))
}

fn method<'a>(
    definition: &'a ApiDefinition,
    path: &str,
    http_method: &str,
) -> &'a tollgate_definition::Method {
    definition
        .resources
        .iter()
        .find(|r| r.path == path)
        .and_then(|r| r.methods.iter().find(|m| m.http_method == http_method))
        .unwrap_or_else(|| panic!("{http_method} {path} not imported"))
}

#[test]
fn yaml_and_json_documents_import_to_the_same_definition() {
    let from_yaml = petstore_yaml();
    let from_json =
        import_file(&fixture("petstore.json")).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(from_yaml, from_json);
}

#[test]
fn api_level_members() {
    let definition = petstore_yaml();
    assert_eq!(definition.title, "Pet store");
    assert_eq!(definition.version.as_deref(), Some("2024-01-01"));
    assert_eq!(
        definition.description.as_deref(),
        Some("Every integration type Tollgate imports.")
    );
    assert_eq!(
        definition.binary_media_types,
        ["image/png", "application/octet-stream"]
    );
    let paths: Vec<&str> = definition
        .resources
        .iter()
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(paths, ["/", "/pets", "/pets/{petId}", "/{proxy+}"]);
    assert_eq!(
        definition.document["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
            ["statusCode"],
        404,
        "the original document is kept for export"
    );
}

const DRAFT4: &str = "http://json-schema.org/draft-04/schema#";

fn validator(document: &serde_json::Value) -> jsonschema::Validator {
    jsonschema::draft4::new(document).unwrap_or_else(|error| panic!("{error}: {document:#}"))
}

#[test]
fn models_are_standalone_draft_4_documents() {
    let definition = petstore_yaml();
    let names: Vec<&str> = definition.models.keys().map(String::as_str).collect();
    assert_eq!(names, ["NewPet", "Owner", "Pet", "Tag"]);
    assert_eq!(
        definition.models["Pet"],
        json!({
            "$schema": DRAFT4,
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                // readOnly, example and nullable are dropped, as AWS's import drops them.
                "id": {"type": "string"},
                "name": {"type": "string"},
                "nickname": {"type": "string"},
                "owner": {"$ref": "#/definitions/Owner"}
            },
            "definitions": {
                "Owner": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}
                    }
                },
                "Pet": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "nickname": {"type": "string"},
                        "owner": {"$ref": "#/definitions/Owner"}
                    }
                }
            }
        })
    );

    // Each model compiles on its own and validates as draft 4 does.
    let pet = validator(&definition.models["Pet"]);
    assert!(pet.is_valid(
        &json!({"id": "1", "name": "rex", "owner": {"pets": [{"id": "2", "name": "b"}]}})
    ));
    assert!(!pet.is_valid(&json!({"id": "1"})), "name is required");
    assert!(
        !pet.is_valid(&json!({"id": "1", "name": "rex", "nickname": null})),
        "nullable is dropped: null is not a string, as on AWS"
    );
    assert!(
        !pet.is_valid(&json!({"id": "1", "name": "rex", "owner": {"pets": [{"id": 2}]}})),
        "recursive references are followed"
    );
    let new_pet = validator(&definition.models["NewPet"]);
    assert!(new_pet.is_valid(&json!({"name": "rex", "price": 3, "tags": ["shy"]})));
    assert!(
        !new_pet.is_valid(&json!({"name": "rex", "price": 0})),
        "exclusiveMinimum"
    );
    assert!(
        !new_pet.is_valid(&json!({"name": "rex", "tags": ["loud"]})),
        "enum of Tag"
    );
    assert!(
        !new_pet.is_valid(&json!({"name": "rex", "colour": "red"})),
        "additionalProperties"
    );
    assert!(!new_pet.is_valid(&json!({"name": ""})), "minLength");
    let tag = validator(&definition.models["Tag"]);
    assert!(tag.is_valid(&json!("friendly")));
}

#[test]
fn request_validators_default_and_override() {
    let definition = petstore_yaml();
    let validator = |name: &str, body: bool, parameters: bool| RequestValidator {
        name: name.to_owned(),
        validate_request_body: body,
        validate_request_parameters: parameters,
    };
    assert_eq!(
        definition
            .request_validators
            .values()
            .cloned()
            .collect::<Vec<_>>(),
        [
            validator("all", true, true),
            validator("body-only", true, false),
            validator("params-only", false, true),
        ],
        "a flag left out is false"
    );
    assert_eq!(
        definition.default_request_validator.as_deref(),
        Some("params-only")
    );
    assert_eq!(
        method(&definition, "/pets", "GET").request_validator,
        Some(validator("params-only", false, true)),
        "the API-level validator applies to a method that names none"
    );
    assert_eq!(
        method(&definition, "/pets", "POST").request_validator,
        Some(validator("all", true, true)),
        "a method's own validator overrides it"
    );
    assert_eq!(
        method(&definition, "/pets/{petId}", "PATCH").request_validator,
        Some(validator("body-only", true, false))
    );
}

#[test]
fn request_bodies_name_models_or_carry_inline_schemas() {
    let definition = petstore_yaml();
    let create = method(&definition, "/pets", "POST");
    let body = create
        .request_body
        .as_ref()
        .expect("a body, from components.requestBodies");
    assert!(body.required);
    assert_eq!(
        body.content.iter().collect::<Vec<_>>(),
        [(
            &"application/json".to_owned(),
            &Schema::Model("NewPet".to_owned())
        )]
    );
    assert_eq!(
        definition.schema_document(&body.content["application/json"]),
        Some(&definition.models["NewPet"])
    );

    let update = method(&definition, "/pets/{petId}", "PATCH");
    let body = update.request_body.as_ref().expect("an inline body");
    assert!(body.required);
    assert_eq!(
        body.content.keys().collect::<Vec<_>>(),
        ["application/json"],
        "a content type without a schema has nothing to validate against"
    );
    let Schema::Inline(document) = &body.content["application/json"] else {
        panic!("an inline schema: {body:?}");
    };
    assert_eq!(
        document,
        &json!({
            "$schema": DRAFT4,
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}}
            },
            "definitions": {"Tag": {"type": "string", "enum": ["friendly", "shy"]}}
        })
    );
    let inline = validator(document);
    assert!(inline.is_valid(&json!({"name": "rex", "tags": ["shy"]})));
    assert!(!inline.is_valid(&json!({"name": "rex", "tags": ["loud"]})));

    assert!(method(&definition, "/pets", "GET").request_body.is_none());
}

#[test]
fn gateway_responses() {
    let definition = petstore_yaml();
    let types: Vec<&str> = definition
        .gateway_responses
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        types,
        [
            "BAD_REQUEST_BODY",
            "DEFAULT_5XX",
            "MISSING_AUTHENTICATION_TOKEN"
        ]
    );
    let missing = &definition.gateway_responses["MISSING_AUTHENTICATION_TOKEN"];
    assert_eq!(missing.status_code, Some(404), "a number status code");
    assert_eq!(
        missing.response_parameters,
        [
            (
                "gatewayresponse.header.X-Request-Path".to_owned(),
                "method.request.path.proxy".to_owned()
            ),
            (
                "gatewayresponse.header.Access-Control-Allow-Origin".to_owned(),
                "'*'".to_owned()
            ),
        ]
    );
    assert_eq!(
        missing.header_parameters().collect::<Vec<_>>(),
        [
            ("X-Request-Path", "method.request.path.proxy"),
            ("Access-Control-Allow-Origin", "'*'")
        ]
    );
    assert_eq!(
        missing.response_templates["application/json"],
        "{\"message\": \"not found\"}"
    );
    let bad_body = &definition.gateway_responses["BAD_REQUEST_BODY"];
    assert_eq!(bad_body.status_code, Some(422), "a string status code");
    let default_5xx = &definition.gateway_responses["DEFAULT_5XX"];
    assert_eq!(default_5xx.status_code, None, "no status: the type's own");
    assert!(default_5xx.response_templates.is_empty());

    assert_eq!(GatewayResponse::TYPES.len(), 21);
    assert_eq!(
        GatewayResponse::default_status_code("BAD_REQUEST_BODY"),
        Some(400)
    );
    assert_eq!(
        GatewayResponse::default_status_code("INTEGRATION_TIMEOUT"),
        Some(504)
    );
    assert_eq!(GatewayResponse::default_status_code("DEFAULT_4XX"), None);
    assert_eq!(GatewayResponse::default_status_code("NOPE"), None);
}

#[test]
fn mappers() {
    let definition = petstore_yaml();
    assert_eq!(
        method(&definition, "/pets", "POST").mapper,
        Some(MapperRef {
            name: "pet-shaper".to_owned(),
            qualifier: Some("${stageVariables.alias}".to_owned()),
            request: true,
            response: false,
            config: [("casing".to_owned(), "camel".to_owned())].into(),
        })
    );
    assert!(method(&definition, "/pets", "GET").mapper.is_none());

    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /a:\n    get:\n      \
                x-tollgate-mapper:\n        uri: mapper:m\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    let definition = import_str(text, "api.yaml").unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        definition.resources[0].methods[0].mapper,
        Some(MapperRef {
            name: "m".to_owned(),
            qualifier: None,
            request: true,
            response: true,
            config: Default::default(),
        }),
        "request and response default to true"
    );
}

#[test]
fn an_api_without_the_new_members_has_none() {
    let text = "openapi: 3.0.1\ninfo:\n  title: t\npaths:\n  /a:\n    get:\n      \
                x-amazon-apigateway-integration:\n        type: mock\n";
    let definition = import_str(text, "api.yaml").unwrap_or_else(|error| panic!("{error}"));
    assert!(definition.models.is_empty());
    assert!(definition.request_validators.is_empty());
    assert!(definition.default_request_validator.is_none());
    assert!(definition.gateway_responses.is_empty());
    let get = &definition.resources[0].methods[0];
    assert!(get.request_validator.is_none() && get.request_body.is_none() && get.mapper.is_none());
}

#[test]
fn a_definition_stored_before_the_new_members_still_deserializes() {
    let mut json = serde_json::to_value(petstore_yaml()).expect("serializes");
    let object = json.as_object_mut().expect("an object");
    for key in [
        "models",
        "request_validators",
        "default_request_validator",
        "gateway_responses",
    ] {
        object.remove(key);
    }
    for resource in object["resources"].as_array_mut().expect("resources") {
        for method in resource["methods"].as_array_mut().expect("methods") {
            let method = method.as_object_mut().expect("a method");
            for key in ["request_validator", "request_body", "mapper"] {
                method.remove(key);
            }
        }
    }
    let old: ApiDefinition = serde_json::from_value(json).expect("deserializes");
    assert!(old.models.is_empty());
    assert!(old.resources[1].methods[1].request_body.is_none());
}

#[test]
fn mock_integration() {
    let definition = petstore_yaml();
    let home = method(&definition, "/", "GET");
    assert_eq!(home.operation_id.as_deref(), Some("home"));
    let integration = &home.integration;
    assert_eq!(integration.integration_type, IntegrationType::Mock);
    assert_eq!(integration.target, IntegrationTarget::None);
    assert_eq!(
        integration.request_templates["application/json"],
        "{\"statusCode\": 200}"
    );
    let selected = integration
        .select_response("200")
        .expect("default response");
    assert_eq!(selected.status_code, 200);
    assert!(selected.selection_pattern.is_none());
}

#[test]
fn http_integration_with_mappings_templates_and_responses() {
    let definition = petstore_yaml();
    let list = method(&definition, "/pets", "GET");
    assert_eq!(
        list.parameters,
        [
            Parameter {
                name: "page".to_owned(),
                location: ParameterLocation::Query,
                required: false
            },
            Parameter {
                name: "X-Trace-Id".to_owned(),
                location: ParameterLocation::Header,
                required: false
            },
        ]
    );
    let integration = &list.integration;
    assert_eq!(integration.integration_type, IntegrationType::Http);
    assert_eq!(integration.http_method.as_deref(), Some("GET"));
    assert_eq!(
        integration.target,
        IntegrationTarget::Url("https://${stageVariables.petsHost}/pets".to_owned())
    );
    assert_eq!(
        integration.passthrough_behavior,
        PassthroughBehavior::WhenNoTemplates
    );
    assert_eq!(integration.timeout_millis, 5000);
    assert_eq!(
        integration.cache_key_parameters,
        ["method.request.querystring.page"]
    );
    assert_eq!(integration.cache_namespace.as_deref(), Some("pets"));
    assert!(
        integration.request_templates["application/json"].starts_with("#set($page"),
        "templates are kept verbatim"
    );

    let mappings: Vec<(&MappingTarget, &MappingSource)> = integration
        .request_parameters
        .iter()
        .map(|m| (&m.target, &m.source))
        .collect();
    let header = |name: &str| MappingTarget {
        location: ParameterLocation::Header,
        name: name.to_owned(),
    };
    assert_eq!(
        mappings,
        [
            (
                &MappingTarget {
                    location: ParameterLocation::Query,
                    name: "page".to_owned()
                },
                &MappingSource::MethodRequest {
                    location: RequestValueLocation::QueryString,
                    name: "page".to_owned()
                }
            ),
            (
                &header("X-Trace-Id"),
                &MappingSource::MethodRequest {
                    location: RequestValueLocation::Header,
                    name: "x-trace-id".to_owned()
                }
            ),
            (
                &header("X-Stage"),
                &MappingSource::StageVariable("stage_name".to_owned())
            ),
            (
                &header("X-Request-Id"),
                &MappingSource::Context("requestId".to_owned())
            ),
            (
                &header("X-Source"),
                &MappingSource::Static("tollgate".to_owned())
            ),
        ]
    );

    let status = |value: &str| integration.select_response(value).map(|r| r.status_code);
    assert_eq!(status("204"), Some(200));
    assert_eq!(status("503"), Some(500));
    assert_eq!(status("404"), None, "no pattern and no default");
    let ok = integration.select_response("200").expect("2xx");
    assert_eq!(ok.response_parameters.len(), 1);
    assert_eq!(ok.response_parameters[0].header, "X-Next-Page");
    assert_eq!(
        ok.response_parameters[0].source,
        ResponseMappingSource::IntegrationResponseHeader("Link".to_owned())
    );
    let failed = integration.select_response("502").expect("5xx");
    assert_eq!(
        failed.content_handling,
        Some(ContentHandling::ConvertToText)
    );
    assert_eq!(
        failed.response_parameters[0].source,
        ResponseMappingSource::Static("30".to_owned())
    );
}

#[test]
fn function_integrations() {
    let definition = petstore_yaml();
    let create = &method(&definition, "/pets", "POST").integration;
    assert_eq!(create.integration_type, IntegrationType::Aws);
    assert_eq!(
        create.target,
        IntegrationTarget::Function {
            name: "pets".to_owned(),
            qualifier: Some("${stageVariables.alias}".to_owned())
        }
    );
    assert_eq!(
        create.request_parameters[0].source,
        MappingSource::MethodRequestBodyPath("$.owner.id".to_owned())
    );
    assert_eq!(
        create
            .select_response("pet 12 not found")
            .and_then(|r| r.selection_pattern.as_ref())
            .map(|p| p.as_str()),
        Some(".*not found.*")
    );
    assert!(
        create
            .select_response("")
            .is_some_and(|r| r.selection_pattern.is_none())
    );

    let get = &method(&definition, "/pets/{petId}", "GET");
    assert_eq!(
        get.parameters,
        [Parameter {
            name: "petId".to_owned(),
            location: ParameterLocation::Path,
            required: true
        }],
        "path-item parameters apply to every method"
    );
    assert_eq!(get.integration.integration_type, IntegrationType::AwsProxy);
    assert_eq!(
        get.integration.target,
        IntegrationTarget::Function {
            name: "pets".to_owned(),
            qualifier: Some("7".to_owned())
        },
        "AWS's own Lambda URI resolves to the function"
    );
    assert_eq!(
        get.integration.content_handling,
        Some(ContentHandling::ConvertToBinary)
    );
    assert_eq!(get.integration.timeout_millis, 29_000, "default timeout");
}

#[test]
fn http_proxy_and_any_method() {
    let definition = petstore_yaml();
    let delete = &method(&definition, "/pets/{petId}", "DELETE").integration;
    assert_eq!(delete.integration_type, IntegrationType::HttpProxy);
    assert_eq!(
        delete.target,
        IntegrationTarget::Url("https://backend.example.com/pets/{id}".to_owned())
    );
    let any = &method(&definition, "/{proxy+}", "ANY").integration;
    assert_eq!(any.http_method.as_deref(), Some("ANY"));
    assert_eq!(
        method(&definition, "/{proxy+}", "OPTIONS")
            .integration
            .integration_type,
        IntegrationType::Mock
    );
}

#[test]
fn imported_definition_routes_as_aws() {
    let definition = petstore_yaml();
    let router = Router::new(&definition);
    let route = |http_method: &str, path: &str| match router.route(http_method, path) {
        RouteOutcome::Matched(found) => format!(
            "{} {} {:?}",
            found.resource_path,
            definition.resources[found.resource_index].methods[found.method_index].http_method,
            found.path_parameters
        ),
        RouteOutcome::NoRoute => "none".to_owned(),
    };
    assert_eq!(route("GET", "/"), "/ GET []");
    assert_eq!(route("POST", "/"), "none");
    assert_eq!(route("GET", "/pets/"), "/pets GET []");
    assert_eq!(
        route("DELETE", "/pets/p%201"),
        "/pets/{petId} DELETE [(\"petId\", \"p 1\")]"
    );
    assert_eq!(route("PUT", "/pets/1"), "none");
    assert_eq!(
        route("OPTIONS", "/a/b"),
        "/{proxy+} OPTIONS [(\"proxy\", \"a/b\")]"
    );
    assert_eq!(route("PUT", "/a/b"), "/{proxy+} ANY [(\"proxy\", \"a/b\")]");
}

#[test]
fn definition_round_trips_through_serde() {
    let definition = petstore_yaml();
    let json = serde_json::to_string(&definition).expect("serializes");
    let back: ApiDefinition = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, definition);
}

#[test]
fn swagger_2_documents_import() {
    let text = r#"
swagger: "2.0"
info:
  title: Legacy
  version: "1"
basePath: /v1
paths:
  /items/{id}:
    put:
      parameters:
        - name: id
          in: path
          required: true
          type: string
        - name: body
          in: body
          schema:
            type: object
      responses:
        "200":
          description: ok
          headers:
            ETag:
              type: string
      x-amazon-apigateway-integration:
        type: http
        httpMethod: PUT
        uri: http://backend.internal/items/{id}
        requestParameters:
          integration.request.path.id: method.request.path.id
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.ETag: integration.response.header.ETag
"#;
    let definition = import_str(text, "legacy.yaml").unwrap_or_else(|error| panic!("{error}"));
    let put = &definition.resources[0].methods[0];
    assert_eq!(put.http_method, "PUT");
    assert_eq!(
        put.parameters.len(),
        1,
        "the body parameter is not a request parameter"
    );
    let body = put
        .request_body
        .as_ref()
        .expect("the body parameter is the request body");
    assert!(!body.required);
    assert_eq!(
        body.content.get("application/json"),
        Some(&Schema::Inline(
            json!({"$schema": DRAFT4, "type": "object"})
        )),
        "without `consumes`, the body is application/json"
    );
}

#[test]
fn swagger_2_models_bodies_and_validators() {
    let text = r##"
swagger: "2.0"
info:
  title: Legacy
consumes:
  - application/json
x-amazon-apigateway-request-validators:
  basic:
    validateRequestBody: true
    validateRequestParameters: true
x-amazon-apigateway-request-validator: basic
x-amazon-apigateway-gateway-responses:
  DEFAULT_4XX:
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'domain.com'"
    responseTemplates:
      application/json: '{"message": $context.error.messageString}'
paths:
  /items:
    parameters:
      - name: item
        in: body
        required: true
        schema:
          $ref: "#/definitions/Item"
    post:
      consumes:
        - application/json
        - application/vnd.item+json
      responses: {}
      x-amazon-apigateway-integration:
        type: mock
    put:
      parameters:
        - $ref: "#/parameters/Items"
      responses: {}
      x-amazon-apigateway-integration:
        type: mock
parameters:
  Items:
    name: items
    in: body
    schema:
      type: array
      items:
        $ref: "#/definitions/Item"
definitions:
  Item:
    type: object
    required: [name]
    discriminator: kind
    properties:
      name:
        type: string
      kind:
        type: string
"##;
    let definition = import_str(text, "legacy.yaml").unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        definition.models["Item"],
        json!({
            "$schema": DRAFT4,
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "kind": {"type": "string"}}
        }),
        "discriminator is dropped"
    );
    let post = method(&definition, "/items", "POST");
    assert_eq!(
        post.request_validator.as_ref().map(|v| v.name.as_str()),
        Some("basic")
    );
    let body = post
        .request_body
        .as_ref()
        .expect("the path item's body parameter");
    assert!(body.required);
    let model = Schema::Model("Item".to_owned());
    assert_eq!(
        body.content.iter().collect::<Vec<_>>(),
        [
            (&"application/json".to_owned(), &model),
            (&"application/vnd.item+json".to_owned(), &model),
        ],
        "one content type per `consumes` entry of the operation"
    );
    let put = method(&definition, "/items", "PUT");
    let body = put
        .request_body
        .as_ref()
        .expect("the operation's own body parameter");
    assert!(!body.required);
    let Some(Schema::Inline(document)) = body.content.get("application/json") else {
        panic!("an inline schema under the document's `consumes`: {body:?}");
    };
    let items = validator(document);
    assert!(items.is_valid(&json!([{"name": "a"}])));
    assert!(!items.is_valid(&json!([{"kind": "a"}])));
    assert_eq!(
        definition.gateway_responses["DEFAULT_4XX"].response_parameters,
        [(
            "gatewayresponse.header.Access-Control-Allow-Origin".to_owned(),
            "'domain.com'".to_owned()
        )]
    );
}

#[test]
fn a_definition_exported_from_aws_imports_unmodified() {
    let definition =
        import_file(&fixture("aws-export.json")).unwrap_or_else(|error| panic!("{error}"));
    let get = &method(&definition, "/orders/{orderId}", "GET").integration;
    assert_eq!(
        get.target,
        IntegrationTarget::Function {
            name: "orders-api".to_owned(),
            qualifier: None
        }
    );
    let options = &method(&definition, "/orders/{orderId}", "OPTIONS").integration;
    assert_eq!(options.responses[0].response_parameters.len(), 3);
    let any = &method(&definition, "/{proxy+}", "ANY").integration;
    assert_eq!(any.integration_type, IntegrationType::HttpProxy);
    assert_eq!(any.cache_key_parameters, ["method.request.path.proxy"]);
    assert_eq!(
        definition.models["Empty"],
        json!({"$schema": DRAFT4, "title": "Empty Schema", "type": "object"}),
        "AWS's own exported models import as they are"
    );
}

//! Import of complete documents: the same API written in YAML and in JSON imports to the same
//! definition, with every integration type, and routes as AWS would route it.

use std::path::{Path, PathBuf};

use tollgate_definition::{
    ApiDefinition, ContentHandling, IntegrationTarget, IntegrationType, MappingSource,
    MappingTarget, Parameter, ParameterLocation, PassthroughBehavior, RequestValueLocation,
    ResponseMappingSource, RouteOutcome, Router, import_file, import_str,
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
}

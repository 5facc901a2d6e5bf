//! The error paths a user can hit, each with AWS's status and body, and the CLI's import
//! errors naming the file, the place, and what was expected.

use tollgate_tests::{Gateway, TempData, components, deploy, send, tollgate};

const API: &str = r#"
openapi: 3.0.1
info: { title: errors, version: "1" }
paths:
  /echo:
    post:
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: "function:echo" }
  /never:
    post:
      x-amazon-apigateway-integration:
        type: mock
        passthroughBehavior: NEVER
        requestTemplates: { "application/json": '{"statusCode": 200}' }
        responses: { default: { statusCode: "200" } }
"#;

fn start() -> (TempData, Gateway) {
    let data = TempData::new();
    deploy(&data, API, "dev", &[("echo", components::EVENT_ECHO)], &[]);
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    (data, gateway)
}

#[tokio::test]
async fn unknown_routes_stages_and_methods_answer_403_missing_authentication_token() {
    let (_data, gateway) = start();
    for (method, path) in [
        ("GET", "/dev/nothing-here"),
        ("GET", "/dev/echo"),
        ("POST", "/prod/echo"),
        ("GET", "/"),
    ] {
        let answer = send(method, &gateway.url(path), &[], "").await;
        assert_eq!(answer.status, 403, "{method} {path}");
        assert_eq!(
            answer.json(),
            serde_json::json!({"message": "Missing Authentication Token"}),
            "{method} {path}"
        );
        assert_eq!(
            answer.header("x-amzn-errortype"),
            Some("MissingAuthenticationTokenException")
        );
        assert!(answer.header("x-amzn-requestid").is_some());
    }
}

/// Sends a request whose body is too large over a raw socket: the gateway answers 413 before
/// reading it all and closes, so an ordinary client sees its upload cut off.
async fn raw_oversized_request(gateway: &Gateway, chunked: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(gateway.address)
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let size = 10 * 1024 * 1024 + 1;
    let head = if chunked {
        "POST /dev/echo HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n".to_string()
    } else {
        format!("POST /dev/echo HTTP/1.1\r\nhost: x\r\ncontent-length: {size}\r\n\r\n")
    };
    let upload = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        while sent < size {
            let n = chunk.len().min(size - sent);
            if chunked {
                writer.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                writer.write_all(&chunk[..n]).await?;
                writer.write_all(b"\r\n").await?;
            } else {
                writer.write_all(&chunk[..n]).await?;
            }
            sent += n;
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut response = Vec::new();
    let _ = reader.read_to_end(&mut response).await;
    upload.abort();
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn a_body_over_10_mb_answers_413() {
    let (_data, gateway) = start();
    for chunked in [false, true] {
        let response = raw_oversized_request(&gateway, chunked).await;
        assert!(
            response.starts_with("HTTP/1.1 413"),
            "chunked={chunked}: {response}"
        );
        assert!(
            response.ends_with(r#"{"message":"Request Too Long"}"#),
            "chunked={chunked}: {response}"
        );
    }
    let ok = send("POST", &gateway.url("/dev/echo"), &[], vec![b'a'; 1024]).await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn passthrough_never_without_a_matching_template_answers_415() {
    let (_data, gateway) = start();
    let answer = send(
        "POST",
        &gateway.url("/dev/never"),
        &[("content-type", "text/plain")],
        "x",
    )
    .await;
    assert_eq!(answer.status, 415);
    assert_eq!(
        answer.json(),
        serde_json::json!({"message": "Unsupported Media Type"})
    );
}

fn import_error(definition: &str) -> String {
    let data = TempData::new();
    let file = data.write("bad-api.yaml", definition);
    let output = tollgate(&[
        "import",
        file.to_str().unwrap(),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success(), "the import must fail");
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn import_errors_name_the_file_the_pointer_the_line_and_what_was_expected() {
    let stderr = import_error(
        "openapi: 3.0.1\ninfo: { title: t, version: '1' }\npaths:\n  /items:\n    get:\n      x-amazon-apigateway-integration:\n        type: lambda\n",
    );
    assert!(stderr.contains("bad-api.yaml:7"), "{stderr}");
    assert!(
        stderr.contains("/paths/~1items/get/x-amazon-apigateway-integration/type"),
        "{stderr}"
    );
    assert!(stderr.contains("expected"), "{stderr}");
    assert!(stderr.contains("lambda"), "{stderr}");
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let stderr = import_error("openapi: 3.0.1\ninfo: [unclosed\n");
    assert!(stderr.contains("bad-api.yaml:"), "{stderr}");
}

#[test]
fn a_function_that_is_not_published_refuses_the_deployment() {
    let stderr = import_error(
        "openapi: 3.0.1\ninfo: { title: t, version: '1' }\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: 'function:ghost' }\n",
    );
    assert!(
        stderr.contains("function ghost is not published"),
        "{stderr}"
    );
}

#[test]
fn a_component_that_is_not_a_function_is_refused() {
    let data = TempData::new();
    let output = tollgate(&[
        "function",
        "publish",
        "mapper",
        components::IDENTITY_MAPPER,
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a function"), "{stderr}");
}

#[test]
fn a_file_that_is_not_a_component_is_refused() {
    let data = TempData::new();
    let file = data.write("junk.wasm", "not wasm at all");
    let output = tollgate(&[
        "function",
        "publish",
        "junk",
        file.to_str().unwrap(),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("does not compile"), "{stderr}");
}

#[test]
fn an_https_backend_is_refused_at_deploy_until_tls_to_backends_exists() {
    let stderr = import_error(
        "openapi: 3.0.1\ninfo: { title: t, version: '1' }\npaths:\n  /x:\n    get:\n      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: 'https://example.com/x' }\n",
    );
    assert!(
        stderr.contains("only http:// backends are supported yet"),
        "{stderr}"
    );
}

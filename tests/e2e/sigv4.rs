//! Step 6 for `AWS_IAM` methods (issue 5): AWS Signature Version 4, checked against signers
//! nobody here wrote. botocore (PyPI `botocore==1.44.5`, through `tests/sigv4/sign.py`) signs
//! each request — with an `Authorization` header (`SigV4Auth`) or as a presigned URL
//! (`SigV4QueryAuth`) — and the test sends exactly what it signed; `awscurl` (PyPI
//! `awscurl==0.44`, its own signing code) signs and sends on its own. Access keys come from
//! `tollgate accesskey create PRINCIPAL --policy FILE`, through the running gateway.
//!
//! What the gateway must answer: 200 with the caller in `$context.identity.*` for a good
//! signature; 403 with AWS's own message and `x-amzn-ErrorType` for no signature, a wrong
//! secret, an unknown or deleted key, an expired signature, a body or query other than the
//! signed one, another region, and a policy that does not allow the method.

use std::process::{Command, Stdio};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tollgate_tests::{Answer, Gateway, TempData, deploy, send};

/// botocore's signer, driven by JSON on stdin.
const SIGNER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/sigv4/sign.py");
/// What to install when the signer cannot run.
const BOTOCORE: &str = "pip install botocore==1.44.5";
const AWSCURL: &str = "pip install awscurl==0.44";

/// `GET /items` shows the caller and the query; `POST /items` answers 200 only for the body
/// `{"name": "rex"}` (so the body that reached the integration is the one sent), 400 otherwise.
const DEFINITION: &str = r#"
openapi: 3.0.1
info: { title: signed, version: "1" }
paths:
  /items:
    get:
      security: [ { sigv4: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"user": "$context.identity.user", "userArn": "$context.identity.userArn", "accessKey": "$context.identity.accessKey", "q": "$input.params(''q'')"}'
    post:
      security: [ { sigv4: [] } ]
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '#if($input.path(''$.name'') == "rex"){"statusCode": 200}#else{"statusCode": 400}#end'
        responses:
          "400":
            statusCode: "400"
            responseTemplates: { application/json: '{"body": "not the signed one"}' }
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"created": "$context.identity.user"}' }
components:
  securitySchemes:
    sigv4:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: awsSigv4
"#;

/// May invoke every method of every API.
const ALLOW_ALL: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*"}]}"#;

/// May invoke only `GET`s of stage `prod` of API `signed`.
const GET_ONLY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "execute-api:Invoke",
   "Resource": "arn:aws:execute-api:*:000000000000:signed/prod/GET/*"}]}"#;

const REX: &str = r#"{"name": "rex"}"#;

/// An access key as `tollgate accesskey create` prints it.
struct AccessKey {
    id: String,
    secret: String,
}

/// The API deployed to `prod` and served (with `extra` serve arguments).
fn serve(data: &TempData, extra: &[&str]) -> Gateway {
    deploy(data, DEFINITION, "prod", &[], &[]);
    restart(data, extra, 0)
}

fn restart(data: &TempData, extra: &[&str], clock_offset: i64) -> Gateway {
    let mut args = vec!["serve", "--data-dir", data.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    let offset = clock_offset.to_string();
    Gateway::start_with_env(
        &args,
        &[
            ("TOLLGATE_LOG", "info,access=off"),
            ("TOLLGATE_CLOCK_OFFSET_SECONDS", offset.as_str()),
        ],
    )
}

/// `tollgate accesskey create PRINCIPAL --policy FILE` through the gateway.
fn create_access_key(
    gateway: &Gateway,
    data: &TempData,
    principal: &str,
    policy: &str,
) -> AccessKey {
    let file = data.write(&format!("{principal}-policy.json"), policy);
    let printed = gateway.cli_ok(&[
        "accesskey",
        "create",
        principal,
        "--policy",
        file.to_str().unwrap(),
    ]);
    let key: Value = serde_json::from_str(printed.trim())
        .unwrap_or_else(|e| panic!("accesskey create printed no JSON ({e}): {printed}"));
    assert_eq!(key["principal"], principal, "{printed}");
    AccessKey {
        id: key["accessKeyId"]
            .as_str()
            .expect("accessKeyId")
            .to_string(),
        secret: key["secretAccessKey"]
            .as_str()
            .expect("secretAccessKey")
            .to_string(),
    }
}

/// A request as botocore signed it.
struct Signed {
    url: String,
    headers: Vec<(String, String)>,
    canonical_request: String,
    string_to_sign: String,
}

impl Signed {
    /// Sends it with `body` (the signed one, or another).
    async fn send(&self, method: &str, body: &str) -> Answer {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        send(method, &self.url, &headers, body.to_string()).await
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("botocore set no {name} header"))
    }
}

/// Runs `tests/sigv4/sign.py` on `spec` (see the script); fails the test, naming the package
/// to install, when python3 or botocore is missing.
fn botocore(spec: Value) -> Signed {
    let mut child = Command::new("python3")
        .arg(SIGNER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("python3 is needed for botocore's SigV4 signer ({e}): install Python 3, then `{BOTOCORE}`")
        });
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(spec.to_string().as_bytes())
            .expect("writing to the signer");
    }
    let output = child.wait_with_output().expect("running the signer");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "botocore's signer failed ({}); is botocore installed? `{BOTOCORE}`\n{stderr}",
        output.status
    );
    let signed: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the signer printed no JSON ({e}): {}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let text = |name: &str| signed[name].as_str().expect(name).to_string();
    Signed {
        url: text("url"),
        headers: signed["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(n, v)| (n.clone(), v.as_str().expect("header value").to_string()))
            .collect(),
        canonical_request: text("canonicalRequest"),
        string_to_sign: text("stringToSign"),
    }
}

/// Signs `method url` (with `body` as JSON, if any) with an `Authorization` header.
fn sign(key: &AccessKey, method: &str, url: &str, body: Option<&str>) -> Signed {
    let mut spec = json!({
        "mode": "header", "method": method, "url": url,
        "accessKeyId": key.id, "secretAccessKey": key.secret,
        "region": "us-east-1", "service": "execute-api",
    });
    if let Some(body) = body {
        spec["body"] = json!(body);
        spec["headers"] = json!({ "content-type": "application/json" });
    }
    botocore(spec)
}

/// The 403 body and error type the gateway must answer.
fn assert_refused(answer: &Answer, message_key: &str, message: &str, error_type: &str) {
    assert_eq!(answer.status, 403, "{}", answer.text());
    assert_eq!(
        answer.json(),
        json!({ message_key: message }),
        "the whole body: {}",
        answer.text()
    );
    assert_eq!(answer.header("x-amzn-errortype"), Some(error_type));
}

/// API Gateway's answer to a signature that does not match, quoting the canonical request
/// and string-to-sign it computed.
fn mismatch(canonical_request: &str, string_to_sign: &str) -> String {
    format!(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service documentation \
         for details.\n\nThe Canonical String for this request should have been\n\
         '{canonical_request}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
    )
}

/// The start of [`mismatch`] up to the string-to-sign: what a test can know when the gateway
/// computed a canonical request botocore did not sign.
fn mismatch_prefix(canonical_request: &str) -> String {
    let whole = mismatch(canonical_request, "");
    whole
        .strip_suffix("''\n")
        .expect("the mismatch message ends with the string-to-sign")
        .to_string()
        + "'"
}

/// What `GET /prod/items?q=...` answers for `principal`.
fn identity_body(principal: &str, key: &AccessKey, q: &str) -> String {
    format!(
        r#"{{"user": "{principal}", "userArn": "arn:aws:iam::000000000000:user/{principal}", "accessKey": "{}", "q": "{q}"}}"#,
        key.id
    )
}

#[tokio::test]
async fn botocore_signed_requests_are_admitted_with_the_callers_identity() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let alice = create_access_key(&gateway, &data, "alice", ALLOW_ALL);

    // GET with a query (percent-encoded, out of order), signed in the Authorization header.
    let url = gateway.url("/prod/items?q=hello%20world&a=1");
    let answer = sign(&alice, "GET", &url, None).send("GET", "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.text(), identity_body("alice", &alice, "hello world"));

    // POST with a JSON body: the signature covers it, and it reaches the integration.
    let url = gateway.url("/prod/items");
    let answer = sign(&alice, "POST", &url, Some(REX))
        .send("POST", REX)
        .await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (200, r#"{"created": "alice"}"#)
    );

    // A presigned URL: everything in the query string, nothing in the headers.
    let presigned = botocore(json!({
        "mode": "presign", "method": "GET", "url": gateway.url("/prod/items?q=shared"),
        "accessKeyId": alice.id, "secretAccessKey": alice.secret, "expires": 300,
    }));
    assert!(
        presigned.url.contains("X-Amz-Signature="),
        "{}",
        presigned.url
    );
    let answer = send("GET", &presigned.url, &[], "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.text(), identity_body("alice", &alice, "shared"));
}

#[tokio::test]
async fn an_unsigned_request_answers_missing_authentication_token() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    for (method, body) in [("GET", ""), ("POST", REX)] {
        let answer = send(method, &gateway.url("/prod/items"), &[], body).await;
        assert_refused(
            &answer,
            "message",
            "Missing Authentication Token",
            "MissingAuthenticationTokenException",
        );
    }
}

#[tokio::test]
async fn a_wrong_secret_answers_the_mismatch_with_the_canonical_request() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let alice = create_access_key(&gateway, &data, "alice", ALLOW_ALL);
    let forged = AccessKey {
        id: alice.id.clone(),
        secret: "not-the-secret-0123456789abcdefghijklmn".to_string(),
    };
    for (method, path, body) in [
        ("GET", "/prod/items?q=x&a=1", None),
        ("POST", "/prod/items", Some(REX)),
    ] {
        let signed = sign(&forged, method, &gateway.url(path), body);
        let answer = signed.send(method, body.unwrap_or("")).await;
        // The gateway computed the same canonical request and string-to-sign as botocore:
        // only the key differs.
        assert_refused(
            &answer,
            "message",
            &mismatch(&signed.canonical_request, &signed.string_to_sign),
            "InvalidSignatureException",
        );
    }
}

#[tokio::test]
async fn an_unknown_access_key_answers_unrecognized_client() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let stranger = AccessKey {
        id: "AKIAIOSFODNN7EXAMPLE".to_string(),
        secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string(),
    };
    let answer = sign(&stranger, "GET", &gateway.url("/prod/items"), None)
        .send("GET", "")
        .await;
    assert_refused(
        &answer,
        "message",
        "The security token included in the request is invalid.",
        "UnrecognizedClientException",
    );
}

/// Seconds since the epoch of an ISO 8601 basic time (`20240102T030405Z`).
fn epoch_seconds(iso: &str) -> i64 {
    assert_eq!(iso.len(), 16, "{iso}");
    let number = |range: std::ops::Range<usize>| -> i64 { iso[range].parse().expect(iso) };
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    let (hour, minute, second) = (number(9..11), number(11..13), number(13..15));
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hour * 3_600 + minute * 60 + second
}

/// Checks `Signature expired: SIGNED is now earlier than EARLIEST (NOW - WINDOW)`: SIGNED is
/// the time the request carried, EARLIEST is NOW minus the window, and NOW is at least
/// `behind` seconds after SIGNED. `window` is `5 min.` or `N sec.`.
fn assert_expired(answer: &Answer, signed: &str, window: &str, window_seconds: i64, behind: i64) {
    assert_eq!(answer.status, 403, "{}", answer.text());
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("InvalidSignatureException")
    );
    let body = answer.json();
    let message = body["message"].as_str().expect("a message").to_string();
    assert_eq!(body, json!({ "message": message }), "only a message");
    let rest = message
        .strip_prefix(&format!("Signature expired: {signed} is now earlier than "))
        .unwrap_or_else(|| panic!("{message}"));
    let (earliest, rest) = rest.split_once(" (").unwrap_or_else(|| panic!("{message}"));
    let now = rest
        .strip_suffix(&format!(" - {window})"))
        .unwrap_or_else(|| panic!("{message}"));
    assert_eq!(
        epoch_seconds(now) - epoch_seconds(earliest),
        window_seconds,
        "{message}"
    );
    assert!(
        epoch_seconds(now) - epoch_seconds(signed) >= behind,
        "{message}"
    );
}

#[tokio::test]
async fn a_signature_from_ten_minutes_ago_has_expired() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let alice = create_access_key(&gateway, &data, "alice", ALLOW_ALL);

    // Signed in the header ten minutes ago: outside AWS's five minutes of skew.
    let signed = botocore(json!({
        "mode": "header", "method": "GET", "url": gateway.url("/prod/items"),
        "accessKeyId": alice.id, "secretAccessKey": alice.secret, "signedAgoSeconds": 600,
    }));
    let answer = signed.send("GET", "").await;
    assert_expired(&answer, signed.header("X-Amz-Date"), "5 min.", 300, 600);

    // A presigned URL signed ten minutes ago for one minute.
    let presigned = botocore(json!({
        "mode": "presign", "method": "GET", "url": gateway.url("/prod/items"),
        "accessKeyId": alice.id, "secretAccessKey": alice.secret,
        "expires": 60, "signedAgoSeconds": 600,
    }));
    let date = presigned
        .url
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("X-Amz-Date="))
        .expect("X-Amz-Date in the presigned URL")
        .to_string();
    let answer = send("GET", &presigned.url, &[], "").await;
    assert_expired(&answer, &date, "60 sec.", 60, 600);
}

#[tokio::test]
async fn a_gateway_clock_ten_minutes_ahead_finds_a_fresh_signature_expired() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let alice = create_access_key(&gateway, &data, "alice", ALLOW_ALL);
    let url = gateway.url("/prod/items");
    let answer = sign(&alice, "GET", &url, None).send("GET", "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    gateway.terminate();

    // The same key, kept in the store, on a gateway whose clock is 10 minutes ahead.
    let gateway = restart(&data, &[], 600);
    let signed = sign(&alice, "GET", &gateway.url("/prod/items"), None);
    let answer = signed.send("GET", "").await;
    assert_expired(&answer, signed.header("X-Amz-Date"), "5 min.", 300, 600);
}

#[tokio::test]
async fn a_signed_request_replayed_with_another_body_or_query_is_refused() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let alice = create_access_key(&gateway, &data, "alice", ALLOW_ALL);

    let signed = sign(&alice, "POST", &gateway.url("/prod/items"), Some(REX));
    let other = r#"{"name": "max"}"#;
    let answer = signed.send("POST", other).await;
    // The gateway's canonical request is botocore's with the hash of the body it received.
    let rex_hash = hex::encode(Sha256::digest(REX.as_bytes()));
    let other_hash = hex::encode(Sha256::digest(other.as_bytes()));
    assert!(signed.canonical_request.ends_with(&rex_hash));
    let canonical = signed.canonical_request.replace(&rex_hash, &other_hash);
    let message = answer.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let expected = mismatch_prefix(&canonical);
    assert!(
        message.starts_with(&expected),
        "expected the canonical request of the body received:\n{expected}\ngot:\n{message}"
    );
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("InvalidSignatureException")
    );
    // The signed body itself still goes through (AWS has no replay protection either).
    let answer = signed.send("POST", REX).await;
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (200, r#"{"created": "alice"}"#)
    );

    // A signed query cannot be changed either.
    let signed = sign(&alice, "GET", &gateway.url("/prod/items?q=a"), None);
    let tampered = Signed {
        url: gateway.url("/prod/items?q=b"),
        headers: signed.headers.clone(),
        canonical_request: String::new(),
        string_to_sign: String::new(),
    };
    let answer = tampered.send("GET", "").await;
    assert_eq!(answer.status, 403, "{}", answer.text());
    let message = answer.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let expected = mismatch_prefix(&signed.canonical_request.replace("\nq=a\n", "\nq=b\n"));
    assert!(
        message.starts_with(&expected),
        "expected the canonical request of the query received:\n{expected}\ngot:\n{message}"
    );
}

#[tokio::test]
async fn a_policy_that_allows_only_get_refuses_post_with_aws_message() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let bob = create_access_key(&gateway, &data, "bob", GET_ONLY);
    let url = gateway.url("/prod/items?q=mine");
    let answer = sign(&bob, "GET", &url, None).send("GET", "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.text(), identity_body("bob", &bob, "mine"));

    let answer = sign(&bob, "POST", &gateway.url("/prod/items"), Some(REX))
        .send("POST", REX)
        .await;
    assert_refused(
        &answer,
        "Message",
        "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: \
         execute-api:Invoke on resource: \
         arn:aws:execute-api:us-east-1:000000000000:signed/prod/POST/items",
        "AccessDeniedException",
    );
}

#[tokio::test]
async fn a_deleted_access_key_stops_working() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let alice = create_access_key(&gateway, &data, "alice", ALLOW_ALL);
    let url = gateway.url("/prod/items");
    let answer = sign(&alice, "GET", &url, None).send("GET", "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());

    gateway.cli_ok(&["accesskey", "delete", &alice.id]);
    let listed = gateway.cli_ok(&["accesskey", "list"]);
    assert!(!listed.contains(&alice.id), "{listed}");
    let answer = sign(&alice, "GET", &url, None).send("GET", "").await;
    assert_refused(
        &answer,
        "message",
        "The security token included in the request is invalid.",
        "UnrecognizedClientException",
    );
}

#[tokio::test]
async fn the_gateway_region_scopes_signatures_and_method_arns() {
    let data = TempData::new();
    let gateway = serve(&data, &["--region", "eu-west-1"]);
    let bob = create_access_key(&gateway, &data, "bob", GET_ONLY);
    let url = gateway.url("/prod/items");

    // Signed for us-east-1: the credential scope names the wrong region.
    let answer = sign(&bob, "GET", &url, None).send("GET", "").await;
    assert_refused(
        &answer,
        "message",
        "Credential should be scoped to a valid region.",
        "InvalidSignatureException",
    );

    let signed_for = |method: &str, body: Option<&str>| {
        let mut spec = json!({
            "mode": "header", "method": method, "url": url,
            "accessKeyId": bob.id, "secretAccessKey": bob.secret, "region": "eu-west-1",
        });
        if let Some(body) = body {
            spec["body"] = json!(body);
            spec["headers"] = json!({ "content-type": "application/json" });
        }
        botocore(spec)
    };
    let answer = signed_for("GET", None).send("GET", "").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let answer = signed_for("POST", Some(REX)).send("POST", REX).await;
    assert_refused(
        &answer,
        "Message",
        "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: \
         execute-api:Invoke on resource: \
         arn:aws:execute-api:eu-west-1:000000000000:signed/prod/POST/items",
        "AccessDeniedException",
    );
}

/// Runs `awscurl ARGS URL` with `key`; its exit status and standard output.
fn awscurl(key: &AccessKey, args: &[&str], url: &str) -> (bool, String) {
    let output = Command::new("awscurl")
        .args([
            "--access_key",
            key.id.as_str(),
            "--secret_key",
            key.secret.as_str(),
            "--region",
            "us-east-1",
            "--service",
            "execute-api",
        ])
        .args(args)
        .arg(url)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_SECURITY_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("awscurl is needed for this test ({e}): `{AWSCURL}`"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).trim().to_string(),
    )
}

#[tokio::test]
async fn awscurl_signed_requests_are_admitted_too() {
    let data = TempData::new();
    let gateway = serve(&data, &[]);
    let alice = create_access_key(&gateway, &data, "alice", ALLOW_ALL);
    let stranger = AccessKey {
        id: "AKIAIOSFODNN7EXAMPLE".to_string(),
        secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string(),
    };

    // (awscurl encodes the query itself, so it is given unencoded.)
    let (ok, body) = awscurl(&alice, &[], &gateway.url("/prod/items?q=plain&a=1"));
    assert!(ok, "{body}");
    assert_eq!(body, identity_body("alice", &alice, "plain"));
    let (ok, body) = awscurl(
        &alice,
        &[
            "-X",
            "POST",
            "-H",
            "content-type: application/json",
            "-d",
            REX,
        ],
        &gateway.url("/prod/items"),
    );
    assert!(ok, "{body}");
    assert_eq!(body, r#"{"created": "alice"}"#);
    let (_, body) = awscurl(&stranger, &[], &gateway.url("/prod/items"));
    assert_eq!(
        body,
        r#"{"message":"The security token included in the request is invalid."}"#
    );
}

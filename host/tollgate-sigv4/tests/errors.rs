//! Every way a signature is refused: the kind, the `x-amzn-ErrorType` and AWS's exact message.
//!
//! The valid requests are the `get-vanilla` and `post-x-www-form-urlencoded` vectors of AWS's
//! SigV4 test suite (awslabs/aws-c-auth, `tests/aws-signing-test-suite/v4`), signed at
//! 20150830T123600Z for service `service` in `us-east-1`; each test breaks one thing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use tollgate_sigv4::{SigV4Error, SigV4ErrorKind, SignedRequest, Verified, Verifier};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "example.amazonaws.com";
const DATE: &str = "20150830T123600Z";
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
const PRESIGNED: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d";

/// 2015-08-30T12:36:00Z, the vectors' signing time.
fn signing_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_440_938_160)
}

fn secret_for(access_key_id: &str) -> Option<String> {
    (access_key_id == "AKIDEXAMPLE").then(|| SECRET.to_owned())
}

fn verifier() -> Verifier {
    Verifier::new("us-east-1", "service")
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    headers
}

/// `get-vanilla`, header form, with `authorization` in place of the published header.
fn header_request(authorization: Option<&str>) -> HeaderMap {
    let mut pairs = vec![("host", HOST), ("x-amz-date", DATE)];
    if let Some(authorization) = authorization {
        pairs.push(("authorization", authorization));
    }
    headers(&pairs)
}

fn verify_at(
    headers: &HeaderMap,
    query: Option<&str>,
    now: SystemTime,
) -> Result<Verified, SigV4Error> {
    let request = SignedRequest {
        method: "GET",
        path: "/",
        query,
        headers,
        body: Some(b""),
    };
    verifier().verify(&request, now, secret_for)
}

fn verify(headers: &HeaderMap, query: Option<&str>) -> Result<Verified, SigV4Error> {
    verify_at(headers, query, signing_time())
}

#[track_caller]
fn assert_refused(
    result: Result<Verified, SigV4Error>,
    kind: SigV4ErrorKind,
    error_type: &str,
    message: &str,
) {
    let error = result.expect_err("the request should be refused");
    assert_eq!(error.kind(), kind);
    assert_eq!(error.aws_error_type(), error_type);
    assert_eq!(error.to_string(), message);
    assert_eq!(error.message(), message);
}

#[test]
fn the_unbroken_requests_verify() {
    verify(&header_request(Some(AUTHORIZATION)), None).unwrap();
    verify(&headers(&[("host", HOST)]), Some(PRESIGNED)).unwrap();
}

#[test]
fn no_signature_is_a_missing_authentication_token() {
    for query in [None, Some("X-Amz-Signature=abc&X-Amz-Credential=x")] {
        assert_refused(
            verify(&header_request(None), query),
            SigV4ErrorKind::MissingAuthenticationToken,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
    }
}

#[test]
fn a_header_and_a_presigned_query_at_once_are_refused() {
    assert_refused(
        verify(&header_request(Some(AUTHORIZATION)), Some(PRESIGNED)),
        SigV4ErrorKind::InvalidSignature,
        "InvalidSignatureException",
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
}

#[test]
fn a_bearer_token_is_not_a_key_value_pair() {
    assert_refused(
        verify(&header_request(Some("Bearer sometoken")), None),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        "'sometoken' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer sometoken'.",
    );
}

#[test]
fn a_jwt_lacks_every_part() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    assert_refused(
        verify(&header_request(Some(jwt)), None),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        &format!(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={jwt}"
        ),
    );
}

#[test]
fn an_empty_header_without_a_date_lacks_everything() {
    assert_refused(
        verify(&headers(&[("host", HOST), ("authorization", "")]), None),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=",
    );
}

#[test]
fn one_missing_parameter_is_named() {
    let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date";
    assert_refused(
        verify(&header_request(Some(header)), None),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        &format!("Authorization header requires 'Signature' parameter. Authorization={header}"),
    );
}

#[test]
fn a_presigned_query_names_its_missing_parameters() {
    assert_refused(
        verify(
            &headers(&[("host", HOST)]),
            Some("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=&X-Amz-SignedHeaders=host"),
        ),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    );
}

#[test]
fn a_date_not_in_basic_format_is_refused() {
    let headers = headers(&[
        ("host", HOST),
        ("x-amz-date", "2015-08-30T12:36:00Z"),
        ("authorization", AUTHORIZATION),
    ]);
    assert_refused(
        verify(&headers, None),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
    let with_date_header = self::headers(&[
        ("host", HOST),
        ("date", "yesterday"),
        ("authorization", AUTHORIZATION),
    ]);
    assert_refused(
        verify(&with_date_header, None),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
}

#[test]
fn the_date_header_is_used_when_x_amz_date_is_absent() {
    // Same instant as X-Amz-Date, so the signature (which signed "host;x-amz-date") fails only
    // on the missing x-amz-date value, not on the time.
    let headers = headers(&[
        ("host", HOST),
        ("date", "Sun, 30 Aug 2015 12:36:00 GMT"),
        ("authorization", AUTHORIZATION),
    ]);
    let error = verify(&headers, None).unwrap_err();
    assert_eq!(error.kind(), SigV4ErrorKind::InvalidSignature);
    assert!(
        error
            .to_string()
            .contains("'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:\n\nhost;x-amz-date\n"),
        "{error}"
    );
    assert!(
        error.to_string().contains("\n20150830T123600Z\n"),
        "{error}"
    );
}

#[test]
fn five_minutes_of_skew_are_allowed_and_no_more() {
    let request = header_request(Some(AUTHORIZATION));
    let minutes = |m: u64| Duration::from_secs(m * 60);
    verify_at(&request, None, signing_time() + minutes(5)).unwrap();
    verify_at(&request, None, signing_time() - minutes(5)).unwrap();
    assert_refused(
        verify_at(
            &request,
            None,
            signing_time() + minutes(5) + Duration::from_secs(1),
        ),
        SigV4ErrorKind::SignatureExpired,
        "InvalidSignatureException",
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)",
    );
    assert_refused(
        verify_at(&request, None, signing_time() + minutes(6)),
        SigV4ErrorKind::SignatureExpired,
        "InvalidSignatureException",
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)",
    );
    assert_refused(
        verify_at(&request, None, signing_time() - minutes(6)),
        SigV4ErrorKind::SignatureExpired,
        "InvalidSignatureException",
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T123000Z + 5 min.)",
    );
}

#[test]
fn the_skew_can_be_widened() {
    let request = header_request(Some(AUTHORIZATION));
    let wide = Verifier::new("us-east-1", "service").with_max_skew(Duration::from_secs(15 * 60));
    let now = signing_time() + Duration::from_secs(16 * 60);
    let error = wide
        .verify(
            &SignedRequest {
                method: "GET",
                path: "/",
                query: None,
                headers: &request,
                body: Some(b""),
            },
            now,
            secret_for,
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)"
    );
}

#[test]
fn a_presigned_url_lives_for_its_expires() {
    let host = headers(&[("host", HOST)]);
    // Long past the skew, within X-Amz-Expires=3600.
    verify_at(
        &host,
        Some(PRESIGNED),
        signing_time() + Duration::from_secs(3600),
    )
    .unwrap();
    assert_refused(
        verify_at(
            &host,
            Some(PRESIGNED),
            signing_time() + Duration::from_secs(3601),
        ),
        SigV4ErrorKind::SignatureExpired,
        "InvalidSignatureException",
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T133601Z - 3600 sec.)",
    );
    // Signed in the future is judged by the skew, as for the header form.
    assert_refused(
        verify_at(
            &host,
            Some(PRESIGNED),
            signing_time() - Duration::from_secs(6 * 60),
        ),
        SigV4ErrorKind::SignatureExpired,
        "InvalidSignatureException",
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T123000Z + 5 min.)",
    );
}

#[test]
fn a_malformed_expires_is_refused() {
    for (expires, message) in [
        ("soon", "X-Amz-Expires should be a number"),
        ("-1", "X-Amz-Expires must be non-negative"),
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
        ),
    ] {
        let query = PRESIGNED.replace("X-Amz-Expires=3600", &format!("X-Amz-Expires={expires}"));
        assert_refused(
            verify(&headers(&[("host", HOST)]), Some(&query)),
            SigV4ErrorKind::IncompleteSignature,
            "IncompleteSignatureException",
            message,
        );
    }
}

#[test]
fn host_must_be_signed() {
    for signed_headers in ["SignedHeaders=x-amz-date", "SignedHeaders="] {
        let header = AUTHORIZATION.replace("SignedHeaders=host;x-amz-date", signed_headers);
        assert_refused(
            verify(&header_request(Some(&header)), None),
            SigV4ErrorKind::InvalidSignature,
            "InvalidSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        );
    }
}

#[test]
fn only_hmac_sha256_is_supported() {
    let header = AUTHORIZATION.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512");
    assert_refused(
        verify(&header_request(Some(&header)), None),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
    );
}

#[test]
fn the_credential_needs_five_elements() {
    let header = AUTHORIZATION.replace("/aws4_request", "");
    assert_refused(
        verify(&header_request(Some(&header)), None),
        SigV4ErrorKind::IncompleteSignature,
        "IncompleteSignatureException",
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/service'",
    );
    // AWS ignores trailing slashes.
    let trailing = AUTHORIZATION.replace("/aws4_request", "/aws4_request//");
    verify(&header_request(Some(&trailing)), None).unwrap();
}

#[test]
fn the_credential_must_be_scoped_to_this_region_and_service() {
    let scoped =
        |scope: &str| AUTHORIZATION.replace("20150830/us-east-1/service/aws4_request", scope);
    let cases = [
        (
            "20150830/eu-west-1/service/aws4_request",
            "Credential should be scoped to a valid region.",
        ),
        (
            "20150830/us-east-1/execute-api/aws4_request",
            "Credential should be scoped to correct service: 'service'. ",
        ),
        (
            "20150830/us-east-1/service/aws5_request",
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
        ),
        (
            "20150829/us-east-1/service/aws4_request",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'.",
        ),
        (
            "20150829/eu-west-1/iam/aws5_request",
            "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'service'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'.",
        ),
    ];
    for (scope, message) in cases {
        assert_refused(
            verify(&header_request(Some(&scoped(scope))), None),
            SigV4ErrorKind::InvalidSignature,
            "InvalidSignatureException",
            message,
        );
    }
}

#[test]
fn the_service_message_names_execute_api_for_api_gateway() {
    let request = header_request(Some(AUTHORIZATION));
    let error = Verifier::new("us-east-1", "execute-api")
        .verify(
            &SignedRequest {
                method: "GET",
                path: "/",
                query: None,
                headers: &request,
                body: Some(b""),
            },
            signing_time(),
            secret_for,
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Credential should be scoped to correct service: 'execute-api'. "
    );
}

#[test]
fn an_unknown_access_key_is_an_unrecognized_client() {
    let request = header_request(Some(AUTHORIZATION));
    let result = verifier().verify(
        &SignedRequest {
            method: "GET",
            path: "/",
            query: None,
            headers: &request,
            body: Some(b""),
        },
        signing_time(),
        |_| None,
    );
    assert_refused(
        result,
        SigV4ErrorKind::UnrecognizedClient,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    );
}

#[test]
fn a_changed_request_does_not_match_the_signature() {
    for (method, path) in [("POST", "/"), ("GET", "/other"), ("GET", "/%2F")] {
        let request = header_request(Some(AUTHORIZATION));
        let result = verifier().verify(
            &SignedRequest {
                method,
                path,
                query: None,
                headers: &request,
                body: Some(b""),
            },
            signing_time(),
            secret_for,
        );
        let error = result.unwrap_err();
        assert_eq!(
            error.kind(),
            SigV4ErrorKind::InvalidSignature,
            "{method} {path}"
        );
        assert!(
            error.to_string().starts_with(
                "The request signature we calculated does not match the signature you provided."
            ),
            "{error}"
        );
    }
    let with_query = verify(&header_request(Some(AUTHORIZATION)), Some("a=b")).unwrap_err();
    assert_eq!(with_query.kind(), SigV4ErrorKind::InvalidSignature);
}

/// `post-x-www-form-urlencoded`: signed with `x-amz-content-sha256` set to the body's hash.
fn form_post(body: Option<&[u8]>, content_sha256: &str) -> Result<Verified, SigV4Error> {
    let headers = headers(&[
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", HOST),
        ("content-length", "13"),
        ("x-amz-date", DATE),
        ("x-amz-content-sha256", content_sha256),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
        ),
    ]);
    verifier().verify(
        &SignedRequest {
            method: "POST",
            path: "/",
            query: None,
            headers: &headers,
            body,
        },
        signing_time(),
        secret_for,
    )
}

const FORM_BODY_SHA256: &str = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";

#[test]
fn a_signed_body_cannot_be_replaced() {
    form_post(Some(b"Param1=value1"), FORM_BODY_SHA256).unwrap();
    // The canonical request carries the hash of the body received (sha256 of "Param1=value2",
    // computed with Python's hashlib), not the one declared; the string-to-sign hashes that.
    assert_refused(
        form_post(Some(b"Param1=value2"), FORM_BODY_SHA256),
        SigV4ErrorKind::InvalidSignature,
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n\
         The Canonical String for this request should have been\n\
         'POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n\
         x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nx-amz-date:20150830T123600Z\n\n\
         content-length;content-type;host;x-amz-content-sha256;x-amz-date\n\
         2625b6c54eccd25adcc945e1e2896a5fd42161860de6fd179d4b3945a57ce417'\n\n\
         The String-to-Sign should have been\n\
         'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
         01620c1059719a6e15bfbac4eaf6e80c31c1a1ddb62b1b93223e78b0e1934be5'\n",
    );
}

#[test]
fn a_declared_hash_is_not_trusted_without_the_body() {
    assert_refused(
        form_post(None, FORM_BODY_SHA256),
        SigV4ErrorKind::InvalidSignature,
        "InvalidSignatureException",
        "The request body is needed to verify this signature and was not provided.",
    );
    let request = header_request(Some(AUTHORIZATION));
    assert_refused(
        verifier().verify(
            &SignedRequest {
                method: "GET",
                path: "/",
                query: None,
                headers: &request,
                body: None,
            },
            signing_time(),
            secret_for,
        ),
        SigV4ErrorKind::InvalidSignature,
        "InvalidSignatureException",
        "The request body is needed to verify this signature and was not provided.",
    );
}

#[test]
fn a_wrong_declared_hash_is_a_mismatch() {
    let error = form_post(
        Some(b"Param1=value1"),
        "0000000000000000000000000000000000000000000000000000000000000000",
    )
    .unwrap_err();
    assert_eq!(error.kind(), SigV4ErrorKind::InvalidSignature);
}

//! Requests signed by a signer no one here wrote: botocore's `SigV4Auth` (header) and
//! `SigV4QueryAuth` (presigned URL), for service `execute-api`, through
//! `tests/botocore_sign.py`. Each must verify as signed, and fail with the right kind once
//! its body, path, query, host, secret, key or time is changed.
//!
//! Needs Python 3 with botocore (`pip install botocore==1.44.5`); without it the test fails
//! and says so.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use tollgate_sigv4::{SigV4Error, SigV4ErrorKind, SignedRequest, Verified, Verifier};

const PIP_INSTALL: &str = "pip install botocore==1.44.5";

struct Case {
    name: String,
    presigned: bool,
    method: String,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Vec<u8>,
    unsigned_payload: bool,
    expires: Option<u64>,
    signed_at: SystemTime,
}

struct Signed {
    region: String,
    access_key: String,
    secret_key: String,
    cases: Vec<Case>,
}

fn run_python(args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .args(args)
        .output()
        .unwrap_or_else(|error| {
            panic!("python3 could not be run ({error}): install Python 3, then `{PIP_INSTALL}`")
        })
}

fn signed() -> &'static Signed {
    static SIGNED: OnceLock<Signed> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let import = run_python(&["-c", "import botocore"]);
        assert!(
            import.status.success(),
            "the Python package botocore is missing (`import botocore` failed: {}); install it with `{PIP_INSTALL}`",
            String::from_utf8_lossy(&import.stderr).trim()
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/botocore_sign.py");
        let output = run_python(&[script.to_str().expect("a UTF-8 path")]);
        assert!(
            output.status.success(),
            "tests/botocore_sign.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        parse(&serde_json::from_slice(&output.stdout).expect("JSON from botocore_sign.py"))
    })
}

fn parse(json: &Value) -> Signed {
    let text = |value: &Value| value.as_str().expect("a string").to_owned();
    let cases = json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| {
            let mut headers = HeaderMap::new();
            for pair in case["headers"].as_array().expect("headers") {
                headers.append(
                    HeaderName::from_bytes(pair[0].as_str().unwrap().as_bytes()).unwrap(),
                    HeaderValue::from_str(pair[1].as_str().unwrap()).unwrap(),
                );
            }
            Case {
                name: text(&case["name"]),
                presigned: case["form"] == "presigned",
                method: text(&case["method"]),
                path: text(&case["path"]),
                query: case["query"].as_str().map(str::to_owned),
                headers,
                body: hex::decode(case["body"].as_str().unwrap()).unwrap(),
                unsigned_payload: case["unsigned_payload"].as_bool().unwrap(),
                expires: case["expires"].as_u64(),
                signed_at: UNIX_EPOCH + Duration::from_secs(case["signed_at"].as_u64().unwrap()),
            }
        })
        .collect();
    Signed {
        region: text(&json["region"]),
        access_key: text(&json["access_key"]),
        secret_key: text(&json["secret_key"]),
        cases,
    }
}

impl Case {
    fn request(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            path: &self.path,
            query: self.query.as_deref(),
            headers: &self.headers,
            body: Some(&self.body),
        }
    }

    /// The `SignedHeaders` botocore wrote, from the header or the presigned query.
    fn signed_headers(&self) -> Vec<String> {
        let list = if self.presigned {
            let query = self.query.as_deref().unwrap();
            let start = query.find("X-Amz-SignedHeaders=").unwrap() + "X-Amz-SignedHeaders=".len();
            query[start..]
                .split('&')
                .next()
                .unwrap()
                .replace("%3B", ";")
        } else {
            let authorization = self.headers["authorization"].to_str().unwrap();
            let start = authorization.find("SignedHeaders=").unwrap() + "SignedHeaders=".len();
            authorization[start..].split(',').next().unwrap().to_owned()
        };
        list.split(';').map(str::to_owned).collect()
    }
}

fn verifier() -> Verifier {
    Verifier::new(&signed().region, "execute-api")
}

fn verify(
    case: &Case,
    request: &SignedRequest<'_>,
    now: SystemTime,
) -> Result<Verified, SigV4Error> {
    let signed = signed();
    verifier()
        .verify(request, now, |key| {
            (key == signed.access_key).then(|| signed.secret_key.clone())
        })
        .map_err(|error| {
            eprintln!("{}: {error}", case.name);
            error
        })
}

#[track_caller]
fn assert_kind(result: Result<Verified, SigV4Error>, kind: SigV4ErrorKind, what: &str) {
    match result {
        Ok(_) => panic!("{what}: verified, expected {kind:?}"),
        Err(error) => assert_eq!(error.kind(), kind, "{what}: {error}"),
    }
}

#[test]
fn the_script_signed_a_varied_set() {
    let cases = &signed().cases;
    assert!(cases.len() >= 14);
    assert!(cases.iter().any(|case| case.presigned));
    assert!(
        cases
            .iter()
            .any(|case| case.unsigned_payload && !case.presigned)
    );
    assert!(
        cases
            .iter()
            .any(|case| case.unsigned_payload && case.presigned)
    );
    assert!(cases.iter().any(|case| case.headers.contains_key("date")));
}

#[test]
fn every_botocore_signature_verifies() {
    for case in &signed().cases {
        let verified = verify(case, &case.request(), case.signed_at)
            .unwrap_or_else(|error| panic!("{}: {error}", case.name));
        assert_eq!(verified.access_key_id, signed().access_key, "{}", case.name);
        assert_eq!(verified.region, signed().region, "{}", case.name);
        assert_eq!(
            verified.signed_headers,
            case.signed_headers(),
            "{}",
            case.name
        );
        assert_eq!(verified.date.len(), 8, "{}", case.name);
        // Within the clock skew either way.
        for offset in [Duration::from_secs(299), Duration::from_secs(0)] {
            verify(case, &case.request(), case.signed_at + offset).unwrap();
            verify(case, &case.request(), case.signed_at - offset).unwrap();
        }
    }
}

#[test]
fn another_body_fails_unless_the_payload_is_unsigned() {
    for case in &signed().cases {
        let mut body = case.body.clone();
        body.extend_from_slice(b" and more");
        let request = SignedRequest {
            body: Some(&body),
            ..case.request()
        };
        let result = verify(case, &request, case.signed_at);
        if case.unsigned_payload {
            result.unwrap_or_else(|error| panic!("{}: {error}", case.name));
        } else {
            assert_kind(result, SigV4ErrorKind::InvalidSignature, &case.name);
        }
        // Without the body only an unsigned payload can verify.
        let request = SignedRequest {
            body: None,
            ..case.request()
        };
        let result = verify(case, &request, case.signed_at);
        if case.unsigned_payload {
            result.unwrap_or_else(|error| panic!("{}: {error}", case.name));
        } else {
            assert_kind(result, SigV4ErrorKind::InvalidSignature, &case.name);
        }
    }
}

#[test]
fn another_path_or_query_or_host_fails() {
    for case in &signed().cases {
        for path in [
            format!("{}x", case.path),
            case.path.replacen("/prod", "/dev", 1),
        ] {
            let request = SignedRequest {
                path: &path,
                ..case.request()
            };
            assert_kind(
                verify(case, &request, case.signed_at),
                SigV4ErrorKind::InvalidSignature,
                &format!("{} at {path}", case.name),
            );
        }

        let query = match &case.query {
            Some(query) => format!("extra=1&{query}"),
            None => "extra=1".to_owned(),
        };
        let request = SignedRequest {
            query: Some(&query),
            ..case.request()
        };
        assert_kind(
            verify(case, &request, case.signed_at),
            SigV4ErrorKind::InvalidSignature,
            &format!("{} with ?{query}", case.name),
        );

        let mut headers = case.headers.clone();
        headers.insert("host", HeaderValue::from_static("other.example.com"));
        let request = SignedRequest {
            headers: &headers,
            ..case.request()
        };
        assert_kind(
            verify(case, &request, case.signed_at),
            SigV4ErrorKind::InvalidSignature,
            &format!("{} on another host", case.name),
        );
    }
}

#[test]
fn another_secret_or_an_unknown_key_fails() {
    for case in &signed().cases {
        let result = verifier().verify(&case.request(), case.signed_at, |_| {
            Some("not the secret".to_owned())
        });
        assert_kind(result, SigV4ErrorKind::InvalidSignature, &case.name);
        let result = verifier().verify(&case.request(), case.signed_at, |_| None);
        assert_kind(result, SigV4ErrorKind::UnrecognizedClient, &case.name);
    }
}

#[test]
fn a_request_signed_for_another_region_fails() {
    for case in &signed().cases {
        let result = Verifier::new("us-east-1", "execute-api").verify(
            &case.request(),
            case.signed_at,
            |_| Some(signed().secret_key.clone()),
        );
        let error = result.expect_err(&case.name);
        assert_eq!(error.kind(), SigV4ErrorKind::InvalidSignature);
        assert_eq!(
            error.to_string(),
            "Credential should be scoped to a valid region."
        );
    }
}

#[test]
fn six_minutes_away_is_too_far_and_a_presigned_url_expires() {
    let six_minutes = Duration::from_secs(6 * 60);
    for case in &signed().cases {
        assert_kind(
            verify(case, &case.request(), case.signed_at - six_minutes),
            SigV4ErrorKind::SignatureExpired,
            &format!("{} six minutes early", case.name),
        );
        match case.expires {
            // A presigned URL lives for X-Amz-Expires, whatever the skew.
            Some(expires) => {
                let lifetime = Duration::from_secs(expires);
                verify(case, &case.request(), case.signed_at + lifetime)
                    .unwrap_or_else(|error| panic!("{}: {error}", case.name));
                assert_kind(
                    verify(
                        case,
                        &case.request(),
                        case.signed_at + lifetime + Duration::from_secs(1),
                    ),
                    SigV4ErrorKind::SignatureExpired,
                    &format!("{} past X-Amz-Expires", case.name),
                );
                if expires < six_minutes.as_secs() {
                    assert_kind(
                        verify(case, &case.request(), case.signed_at + six_minutes),
                        SigV4ErrorKind::SignatureExpired,
                        &format!("{} six minutes late", case.name),
                    );
                }
            }
            None => assert_kind(
                verify(case, &case.request(), case.signed_at + six_minutes),
                SigV4ErrorKind::SignatureExpired,
                &format!("{} six minutes late", case.name),
            ),
        }
    }
}

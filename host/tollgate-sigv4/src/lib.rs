//! Verification of AWS Signature Version 4 on incoming requests, as API Gateway does for
//! methods whose authorization type is `AWS_IAM`.
//!
//! [`Verifier::verify`] checks, in AWS's order and with AWS's messages: that the request is
//! signed (an `Authorization: AWS4-HMAC-SHA256 ...` header, or a presigned query string with
//! `X-Amz-Algorithm`), that the signature's parts are all there, that its time (`X-Amz-Date`,
//! or the `Date` header) is within five minutes of now and a presigned URL's `X-Amz-Expires`
//! has not passed, that `host` is signed, that the credential is scoped to this region, this
//! service and the request's day, that the access key is known, and finally that the signature
//! matches the canonical request (the path normalized and encoded again, as for every service
//! but S3), compared in constant time.
//!
//! The payload hash is the SHA-256 of the body; an `x-amz-content-sha256` header of
//! `UNSIGNED-PAYLOAD` leaves the body out, any other value must be the body's hash. A presigned
//! URL is accepted signed over the body's hash (as botocore and the AWS test suite sign it) or
//! over `UNSIGNED-PAYLOAD` (as S3-style presigners do).
//!
//! What it does not do: authorization (whether the caller may invoke the method is the
//! gateway's business, given [`Verified::access_key_id`]); session tokens (an
//! `X-Amz-Security-Token` is neither required nor checked, only signed if the client signed
//! it); replay protection within the time window (AWS has none either); SigV4a, chunked
//! `STREAMING-*` payloads, and S3's unnormalized paths.

mod authorization;
mod canonical;
mod error;
mod signing;
mod timestamp;

use std::time::{Duration, SystemTime};

use http::HeaderMap;

use authorization::{Authorization, Form};
use canonical::{ALGORITHM, CanonicalRequest, UNSIGNED_PAYLOAD};
use error::ScopeProblem;
pub use error::{SigV4Error, SigV4ErrorKind};
use timestamp::Timestamp;

/// What the verifier needs of a request.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The path as sent on the wire: still percent-encoded, with the stage, e.g.
    /// `/prod/pets/a%20b`.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The request's headers. They must include `host` (for HTTP/2, the `:authority`), since
    /// every SigV4 signature signs it.
    pub headers: &'a HeaderMap,
    /// The request body. `None` when the caller has not buffered it: then only a signature that
    /// leaves the body out verifies (an `x-amz-content-sha256: UNSIGNED-PAYLOAD` header, or a
    /// presigned URL signed over `UNSIGNED-PAYLOAD`); any other fails with
    /// [`SigV4ErrorKind::InvalidSignature`], because a declared hash that was never compared
    /// with the body would let a signed request be replayed with another body. Pass
    /// `Some(&[])` for an empty body.
    pub body: Option<&'a [u8]>,
}

/// Verifies signatures scoped to one region and one service.
#[derive(Debug, Clone)]
pub struct Verifier {
    region: String,
    service: String,
    max_skew: Duration,
}

/// A request whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub access_key_id: String,
    /// The header names the signature covers, as `SignedHeaders` lists them.
    pub signed_headers: Vec<String>,
    /// The credential scope's day, `yyyymmdd`.
    pub date: String,
    pub region: String,
}

/// SigV4 caps a presigned URL's lifetime at seven days.
const MAX_EXPIRES_SECONDS: u64 = 604_800;

impl Verifier {
    /// A verifier for signatures scoped to `region` and `service` (`execute-api` for API
    /// Gateway), allowing AWS's five minutes of clock skew each way.
    pub fn new(region: impl Into<String>, service: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            service: service.into(),
            max_skew: Duration::from_secs(5 * 60),
        }
    }

    /// Allows another clock skew, in whole minutes as AWS's messages state it.
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = Duration::from_secs(max_skew.as_secs() / 60 * 60);
        self
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Verifies `request`'s signature at time `now`. `secret_for(access_key_id)` returns the
    /// secret access key, or `None` when the key is unknown.
    pub fn verify(
        &self,
        request: &SignedRequest<'_>,
        now: SystemTime,
        secret_for: impl Fn(&str) -> Option<String>,
    ) -> Result<Verified, SigV4Error> {
        let query = canonical::parse_query(request.query);
        let authorization = authorization::read(request.headers, &query)?;

        let request_time = self.check_time(&authorization, Timestamp::from_system_time(now))?;
        let signed_headers: Vec<String> = authorization
            .signed_headers
            .split(';')
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect();
        if !signed_headers
            .iter()
            .any(|name| name.eq_ignore_ascii_case("host"))
        {
            return Err(SigV4Error::host_not_signed());
        }
        if authorization.algorithm != ALGORITHM {
            return Err(SigV4Error::unsupported_algorithm(&authorization.algorithm));
        }
        let scope = self.check_scope(&authorization.credential, &request_time)?;
        let Some(secret) = secret_for(scope.access_key_id) else {
            return Err(SigV4Error::unrecognized_client());
        };

        let payload_hashes = payload_hashes(&authorization, request)?;
        let uri = canonical::canonical_uri(request.path);
        let canonical_query =
            canonical::canonical_query(&query, authorization.form == Form::Presigned);
        let canonical_headers = canonical::canonical_headers(request.headers, &signed_headers);
        let key = signing::signing_key(&secret, scope.date, scope.region, scope.service);
        let credential_scope = format!(
            "{}/{}/{}/{}",
            scope.date, scope.region, scope.service, scope.terminator
        );
        let mut first_attempt = None;
        for payload_hash in &payload_hashes {
            let canonical_request = CanonicalRequest {
                method: request.method,
                uri: &uri,
                query: &canonical_query,
                headers: &canonical_headers,
                signed_headers: &authorization.signed_headers,
                payload_hash,
            }
            .text();
            let string_to_sign =
                canonical::string_to_sign(&request_time, &credential_scope, &canonical_request);
            let expected = signing::signature(&key, &string_to_sign);
            if signing::signatures_match(&expected, &authorization.signature) {
                return Ok(Verified {
                    access_key_id: scope.access_key_id.to_owned(),
                    signed_headers,
                    date: scope.date.to_owned(),
                    region: scope.region.to_owned(),
                });
            }
            first_attempt.get_or_insert((canonical_request, string_to_sign));
        }
        let (canonical_request, string_to_sign) = first_attempt.unwrap_or_default();
        Err(SigV4Error::signature_mismatch(
            &canonical_request,
            &string_to_sign,
        ))
    }

    /// Parses the signing time and checks it against `now`; returns it in ISO 8601 basic
    /// format, as the string-to-sign needs it.
    fn check_time(
        &self,
        authorization: &Authorization,
        now: Timestamp,
    ) -> Result<String, SigV4Error> {
        let signed = if authorization.date_from_date_header {
            Timestamp::parse_date_header(&authorization.date)
        } else {
            Timestamp::parse_iso_basic(&authorization.date)
        }
        .ok_or_else(|| SigV4Error::bad_date(&authorization.date))?;
        let signed_text = signed.iso_basic();
        let skew_seconds = self.max_skew.as_secs();
        let skew_minutes = skew_seconds / 60;

        let expires = match &authorization.expires {
            Some(text) => Some(parse_expires(text)?),
            None => None,
        };
        if signed > now.plus_seconds(skew_seconds as i64) {
            return Err(SigV4Error::not_yet_current(&signed_text, now, skew_minutes));
        }
        match expires {
            // A presigned URL lives for X-Amz-Expires from its signing time, not the skew.
            Some(expires) if signed.plus_seconds(expires as i64) < now => {
                Err(SigV4Error::presigned_expired(&signed_text, now, expires))
            }
            Some(_) => Ok(signed_text),
            None if signed < now.plus_seconds(-(skew_seconds as i64)) => {
                Err(SigV4Error::expired(&signed_text, now, skew_minutes))
            }
            None => Ok(signed_text),
        }
    }

    /// Checks the credential `AKID/yyyymmdd/region/service/aws4_request` against this
    /// verifier and the signing time.
    fn check_scope<'c>(
        &self,
        credential: &'c str,
        request_time: &str,
    ) -> Result<CredentialScope<'c>, SigV4Error> {
        // AWS ignores trailing slashes before counting the elements.
        let elements: Vec<&str> = credential.trim_end_matches('/').split('/').collect();
        let [access_key_id, date, region, service, terminator] = elements[..] else {
            return Err(SigV4Error::credential_elements(credential));
        };
        let request_day = &request_time[..8];
        let mut problems = Vec::new();
        if region != self.region {
            problems.push(ScopeProblem::Region);
        }
        if service != self.service {
            problems.push(ScopeProblem::Service(&self.service));
        }
        if terminator != "aws4_request" {
            problems.push(ScopeProblem::Terminator(terminator));
        }
        if date != request_day {
            problems.push(ScopeProblem::Date {
                scope: date,
                request_day,
                request_time,
            });
        }
        if !problems.is_empty() {
            return Err(SigV4Error::credential_scope(&problems));
        }
        Ok(CredentialScope {
            access_key_id,
            date,
            region,
            service,
            terminator,
        })
    }
}

struct CredentialScope<'c> {
    access_key_id: &'c str,
    date: &'c str,
    region: &'c str,
    service: &'c str,
    terminator: &'c str,
}

fn parse_expires(text: &str) -> Result<u64, SigV4Error> {
    let expires: i64 = text
        .parse()
        .map_err(|_| SigV4Error::expires_not_a_number())?;
    if expires < 0 {
        return Err(SigV4Error::expires_negative());
    }
    let expires = expires as u64;
    if expires > MAX_EXPIRES_SECONDS {
        return Err(SigV4Error::expires_too_long());
    }
    Ok(expires)
}

/// The payload hashes the signature may have been computed over, the likeliest first (its
/// canonical request is the one a mismatch reports).
fn payload_hashes(
    authorization: &Authorization,
    request: &SignedRequest<'_>,
) -> Result<Vec<String>, SigV4Error> {
    let declared = request
        .headers
        .get("x-amz-content-sha256")
        .map(|value| String::from_utf8_lossy(value.as_bytes()).trim().to_owned());
    let body_hash = request.body.map(canonical::sha256_hex);
    match (declared, body_hash) {
        (Some(declared), _) if declared == UNSIGNED_PAYLOAD => Ok(vec![declared]),
        // A declared hash is never trusted: the body's own hash goes in the canonical request,
        // so a signed request replayed with another body does not verify.
        (Some(_), Some(body_hash)) => Ok(vec![body_hash]),
        (Some(_), None) => Err(SigV4Error::body_required()),
        (None, body_hash) => match (authorization.form, body_hash) {
            (Form::Header, Some(body_hash)) => Ok(vec![body_hash]),
            (Form::Header, None) => Err(SigV4Error::body_required()),
            (Form::Presigned, Some(body_hash)) => Ok(vec![body_hash, UNSIGNED_PAYLOAD.to_owned()]),
            (Form::Presigned, None) => Ok(vec![UNSIGNED_PAYLOAD.to_owned()]),
        },
    }
}

//! The ways a signature is refused, with the words AWS uses for each.
//!
//! Every message is AWS's own wording; the comment above each constructor says where it was
//! seen. Most come from API Gateway (`execute-api`) responses quoted in public issue threads;
//! a few only from other services that run the same AWS SigV4 front end, as noted.

use thiserror::Error;

use crate::timestamp::Timestamp;

/// What went wrong, as API Gateway classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigV4ErrorKind {
    /// Neither an `Authorization` header nor an `X-Amz-Algorithm` query parameter.
    MissingAuthenticationToken,
    /// The signature's parts are missing or malformed.
    IncompleteSignature,
    /// The access key id is unknown.
    UnrecognizedClient,
    /// The signature, or its credential scope, does not match the request.
    InvalidSignature,
    /// The signing time is outside the allowed clock skew, or a presigned URL's
    /// `X-Amz-Expires` has passed.
    SignatureExpired,
}

/// A refused signature: its kind and the exact message AWS would send.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct SigV4Error {
    kind: SigV4ErrorKind,
    message: String,
}

impl SigV4Error {
    fn new(kind: SigV4ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> SigV4ErrorKind {
        self.kind
    }

    /// The message, as `Display` writes it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `x-amzn-ErrorType` header value AWS sends with this error.
    pub fn aws_error_type(&self) -> &'static str {
        match self.kind {
            SigV4ErrorKind::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            SigV4ErrorKind::IncompleteSignature => "IncompleteSignatureException",
            SigV4ErrorKind::UnrecognizedClient => "UnrecognizedClientException",
            // AWS reports an expired signature as an invalid one (see `expired`).
            SigV4ErrorKind::InvalidSignature | SigV4ErrorKind::SignatureExpired => {
                "InvalidSignatureException"
            }
        }
    }

    // API Gateway's body for an unsigned request to an AWS_IAM method; AWS's "Troubleshoot
    // signed requests for AWS APIs" (IAM user guide) and the re:Post article
    // "api-gateway-iam-sigv4-mismatch" both quote it.
    pub(crate) fn missing_authentication_token() -> Self {
        Self::new(
            SigV4ErrorKind::MissingAuthenticationToken,
            "Missing Authentication Token",
        )
    }

    // The error type and wording are from the AWS responses recorded in mhart/dynalite's
    // server.js (DynamoDB runs the same SigV4 front end).
    pub(crate) fn both_header_and_query() -> Self {
        Self::new(
            SigV4ErrorKind::InvalidSignature,
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
        )
    }

    // API Gateway's answer to `Authorization: Bearer sometoken`, quoted in
    // serverless/serverless#3205.
    pub(crate) fn not_key_value_pair(part: &str, header: &str) -> Self {
        Self::new(
            SigV4ErrorKind::IncompleteSignature,
            format!(
                "'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            ),
        )
    }

    // API Gateway's answer to a JWT or Basic credential in `Authorization`, quoted in
    // aws/chalice#828, svdgraaf/serverless-basic-authentication#3 and
    // aws-samples/amazon-elasticsearch-service-with-authentication#4 (the last with an empty
    // header, ending in "Authorization="): one sentence per missing part, then the header.
    pub(crate) fn incomplete_header(missing: &[MissingHeaderPart], header: &str) -> Self {
        let mut message = String::new();
        for part in missing {
            match part {
                MissingHeaderPart::Parameter(name) => {
                    message.push_str(&format!("Authorization header requires '{name}' parameter. "));
                }
                MissingHeaderPart::Date => message.push_str(
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
                ),
            }
        }
        message.push_str("Authorization=");
        message.push_str(header);
        Self::new(SigV4ErrorKind::IncompleteSignature, message)
    }

    // The query-string counterpart of `incomplete_header`, as recorded in mhart/dynalite's
    // server.js from AWS's responses.
    pub(crate) fn incomplete_query(missing: &[&str]) -> Self {
        let mut message = String::new();
        for name in missing {
            message.push_str(&format!(
                "AWS query-string parameters must include '{name}'. "
            ));
        }
        message.push_str("Re-examine the query-string parameters.");
        Self::new(SigV4ErrorKind::IncompleteSignature, message)
    }

    // Recorded from AWS in mhart/dynalite's server.js ("Got '201'").
    pub(crate) fn bad_date(value: &str) -> Self {
        Self::new(
            SigV4ErrorKind::IncompleteSignature,
            format!(
                "Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ),
        )
    }

    // S3's wording (AuthorizationQueryParametersError, quoted in minio/minio-js#1312): no
    // API Gateway response for a malformed X-Amz-Expires was found.
    pub(crate) fn expires_not_a_number() -> Self {
        Self::new(
            SigV4ErrorKind::IncompleteSignature,
            "X-Amz-Expires should be a number",
        )
    }

    // S3's wording, as reproduced by MinIO's S3 error table (cmd/api-errors.go).
    pub(crate) fn expires_negative() -> Self {
        Self::new(
            SigV4ErrorKind::IncompleteSignature,
            "X-Amz-Expires must be non-negative",
        )
    }

    // S3's wording, quoted in aws/aws-cli#5464 and minio/minio#5162. SigV4 itself caps a
    // presigned URL at seven days.
    pub(crate) fn expires_too_long() -> Self {
        Self::new(
            SigV4ErrorKind::IncompleteSignature,
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
        )
    }

    // API Gateway's wording, e.g. "Signature expired: 20201027T123008Z is now earlier than
    // 20201027T125507Z (20201027T130007Z - 5 min.)" in mhart/aws4#118 and on the re:Post /
    // hashnode write-ups; reported as InvalidSignatureException.
    pub(crate) fn expired(signed: &str, now: Timestamp, skew_minutes: u64) -> Self {
        let earliest = now.plus_seconds(-(skew_minutes as i64) * 60);
        Self::new(
            SigV4ErrorKind::SignatureExpired,
            format!(
                "Signature expired: {signed} is now earlier than {} ({} - {skew_minutes} min.)",
                earliest.iso_basic(),
                now.iso_basic()
            ),
        )
    }

    // "Signature not yet current: 20181120T211543Z is still later than 20181120T211529Z
    // (20181120T211029Z + 5 min.)", serverless/enterprise#11 and
    // NickWaterton/Roomba980-Python#118.
    pub(crate) fn not_yet_current(signed: &str, now: Timestamp, skew_minutes: u64) -> Self {
        let latest = now.plus_seconds(skew_minutes as i64 * 60);
        Self::new(
            SigV4ErrorKind::SignatureExpired,
            format!(
                "Signature not yet current: {signed} is still later than {} ({} + {skew_minutes} min.)",
                latest.iso_basic(),
                now.iso_basic()
            ),
        )
    }

    // No AWS response for an expired presigned execute-api URL was found; this follows the
    // "Signature expired" sentence above, with X-Amz-Expires in place of the skew.
    pub(crate) fn presigned_expired(signed: &str, now: Timestamp, expires: u64) -> Self {
        let earliest = now.plus_seconds(-(expires as i64));
        Self::new(
            SigV4ErrorKind::SignatureExpired,
            format!(
                "Signature expired: {signed} is now earlier than {} ({} - {expires} sec.)",
                earliest.iso_basic(),
                now.iso_basic()
            ),
        )
    }

    // The newer wording, quoted by other SigV4 verifiers as AWS's (403
    // InvalidSignatureException); the older "'Host' must be a 'SignedHeader' in the AWS
    // Authorization." is in NetSPI/AWSSigner#3 and babbel/okhttp-aws-signer#10.
    pub(crate) fn host_not_signed() -> Self {
        Self::new(
            SigV4ErrorKind::InvalidSignature,
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        )
    }

    // Recorded from AWS in mhart/dynalite's server.js (the trailing space is AWS's).
    pub(crate) fn unsupported_algorithm(algorithm: &str) -> Self {
        Self::new(
            SigV4ErrorKind::IncompleteSignature,
            format!("Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "),
        )
    }

    // "Credential must have exactly 5 slash-delimited elements, e.g.
    // keyid/date/region/service/term, got '...'", mhart/aws4#97 and mhart/dynalite.
    pub(crate) fn credential_elements(credential: &str) -> Self {
        Self::new(
            SigV4ErrorKind::IncompleteSignature,
            format!(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
            ),
        )
    }

    /// One sentence per wrong part of the credential scope, in AWS's order (mhart/dynalite
    /// records them joined in one message).
    pub(crate) fn credential_scope(problems: &[ScopeProblem<'_>]) -> Self {
        let mut message = String::new();
        for problem in problems {
            if !message.is_empty() && !message.ends_with(' ') {
                message.push(' ');
            }
            match problem {
                // API Gateway's current wording, n8n-io/n8n#21337 (2025); older responses
                // added ", not 'us-east-1'. " (Kong/insomnia#830).
                ScopeProblem::Region => {
                    message.push_str("Credential should be scoped to a valid region.")
                }
                // Exact API Gateway body with its trailing space (Content-Length 77) in
                // ex-aws/ex_aws#701; also aws/aws-sdk-js-v3#1831.
                ScopeProblem::Service(service) => message.push_str(&format!(
                    "Credential should be scoped to correct service: '{service}'. "
                )),
                // mhart/dynalite's server.js.
                ScopeProblem::Terminator(got) => message.push_str(&format!(
                    "Credential should be scoped with a valid terminator: 'aws4_request', not '{got}'. "
                )),
                // tedder/requests-aws4auth#7 (an execute-api call) and the IAM user guide's
                // "Troubleshoot signed requests for AWS APIs".
                ScopeProblem::Date {
                    scope,
                    request_day,
                    request_time,
                } => message.push_str(&format!(
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope}' != '{request_day}', from '{request_time}'."
                )),
            }
        }
        Self::new(SigV4ErrorKind::InvalidSignature, message)
    }

    // API Gateway's answer for an unknown access key: the re:Post article
    // "api-gateway-iam-sigv4-mismatch" and kndt84/aws-api-gateway-client#31.
    pub(crate) fn unrecognized_client() -> Self {
        Self::new(
            SigV4ErrorKind::UnrecognizedClient,
            "The security token included in the request is invalid.",
        )
    }

    // API Gateway's body, with the canonical string and string-to-sign it computed, exactly as
    // in mhart/aws4#33 and aws/aws-sdk-js#2372 (both execute-api): two line breaks, each
    // string in single quotes, a final line break.
    pub(crate) fn signature_mismatch(canonical_request: &str, string_to_sign: &str) -> Self {
        Self::new(
            SigV4ErrorKind::InvalidSignature,
            format!(
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\
                 \n\nThe Canonical String for this request should have been\n'{canonical_request}'\
                 \n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
            ),
        )
    }

    // Not an AWS situation (AWS always has the body): the caller passed `body: None` for a
    // signature that covers the body.
    pub(crate) fn body_required() -> Self {
        Self::new(
            SigV4ErrorKind::InvalidSignature,
            "The request body is needed to verify this signature and was not provided.",
        )
    }
}

/// A part of the `Authorization` header that is missing.
pub(crate) enum MissingHeaderPart {
    Parameter(&'static str),
    Date,
}

/// A part of the credential scope that does not fit the request.
pub(crate) enum ScopeProblem<'a> {
    Region,
    Service(&'a str),
    Terminator(&'a str),
    Date {
        scope: &'a str,
        request_day: &'a str,
        request_time: &'a str,
    },
}

//! IAM-style policy documents for API Gateway, parsed and evaluated as AWS does.
//!
//! Three policies go through here: a REST API's resource policy
//! (`x-amazon-apigateway-policy`), the policy a WASM (Lambda-style) authorizer returns, and
//! the policy attached to a SigV4 access key. Each is parsed once
//! ([`PolicyDocument::from_json`]) and asked per request for a [`Decision`]
//! ([`PolicyDocument::evaluate`]); [`combine`] then puts the resource policy's decision
//! together with the method's authorization as API Gateway does, and a [`Denial`] knows the
//! 403 message AWS sends.
//!
//! # The method ARN
//!
//! Every policy is matched against the request's method ARN, built with [`method_arn`]:
//! `arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{METHOD}/{path}`. As API Gateway
//! builds it (the `methodArn` an authorizer receives, the resource in its 403 messages):
//! - `METHOD` is the request's own verb (`GET`, `POST`...), never `ANY`, also when the route
//!   matched an `ANY` method.
//! - `path` is the request's path below the stage (after any base-path mapping), with the
//!   values the caller sent: `GET /pets/{petId}` called as `/pets/a1b2` gives `GET/pets/a1b2`,
//!   and a `{proxy+}` route gives the whole remaining path. The leading `/` is dropped, so the
//!   root resource gives `…/prod/GET/` (AWS's authorizer examples show `…/*/GET/`).
//!
//! Sources: API Gateway Developer Guide, "Control access for invoking an API" (resource format
//! `arn:aws:execute-api:region:account-id:api-id/stage-name/HTTP-VERB/resource-path-specifier`,
//! and `GET /pets/{petId}` granted as `…/*/GET/pets/a1b2`), and "Input to an Amazon API Gateway
//! Lambda authorizer" (`"methodArn": "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"`).

mod access;
mod condition;
mod document;
mod error;
mod principal;
mod wildcard;

use std::net::IpAddr;

pub use access::{
    Access, AuthorizationOutcome, Denial, MESSAGE_KEY, authorizer_denied_message, combine,
    denied_before_authorizer, not_authorized_message,
};
pub use document::{PolicyDocument, PolicyKind};
pub use error::PolicyError;
pub use wildcard::arn_matches;

/// What a policy is asked about: one request.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The action, `execute-api:Invoke` for a request to an API.
    pub action: &'a str,
    /// The method ARN ([`method_arn`]).
    pub resource: &'a str,
    /// The caller's ARN (`arn:aws:iam::123456789012:user/alice`, or an assumed-role session
    /// `arn:aws:sts::123456789012:assumed-role/dev/alice`), known when the method uses
    /// `AWS_IAM`; `None` for an anonymous caller.
    pub principal: Option<&'a str>,
    /// The caller's address: the value of `aws:SourceIp`.
    pub source_ip: IpAddr,
    /// Every other condition key the gateway knows, by lower-cased name (`aws:username`,
    /// `aws:principalarn`, `aws:principalaccount`, `aws:sourcevpc`, `aws:sourcevpce`,
    /// `aws:securetransport`...), each entry one value; a key listed several times is
    /// multivalued. Nothing is derived from `principal`: a key missing here is missing for the
    /// policy. `aws:sourceip` here is ignored in favour of `source_ip`.
    pub condition_values: &'a [(&'a str, &'a str)],
}

/// A policy's answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A statement allowed the request and none denied it.
    Allow,
    /// A statement denied the request.
    ExplicitDeny,
    /// No statement applied.
    ImplicitDeny,
}

/// The method ARN of a request:
/// `arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{http_method}/{resource_path}`.
///
/// `http_method` is the request's verb, never `ANY`; `resource_path` is the request's path
/// below the stage, path parameters as sent; a leading `/` is dropped, so `"/"` and `""` both
/// give the root resource's `…/{stage}/{http_method}/`. See the crate documentation.
///
/// ```
/// use tollgate_policy::method_arn;
/// assert_eq!(
///     method_arn("us-east-1", "123456789012", "a1b2c3", "prod", "GET", "/pets/42"),
///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/pets/42"
/// );
/// assert_eq!(
///     method_arn("us-east-1", "123456789012", "a1b2c3", "prod", "GET", "/"),
///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/"
/// );
/// ```
pub fn method_arn(
    region: &str,
    account: &str,
    api_id: &str,
    stage: &str,
    http_method: &str,
    resource_path: &str,
) -> String {
    let path = resource_path.strip_prefix('/').unwrap_or(resource_path);
    format!("arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{http_method}/{path}")
}

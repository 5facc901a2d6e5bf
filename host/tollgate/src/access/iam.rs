//! Step 6 for `AWS_IAM` methods: the request's AWS Signature Version 4, verified with the
//! gateway's access keys, names the caller; the key's policy decides for the method ARN (and
//! the resource policy with it, in `access::check`).

use tollgate_policy::{Decision, RequestFacts};
use tollgate_sigv4::{SignedRequest, Verifier};

use super::caller::IamIdentity;
use super::credentials::Credentials;
use crate::gateway_response::GatewayError;
use crate::mapping::context::ACCOUNT_ID;
use crate::pipeline::RoutedRequest;

/// Verifies the request's signature; answers the caller and its policy's decision for
/// `method_arn`.
pub async fn authenticate(
    routed: &mut RoutedRequest<'_>,
    method_arn: &str,
    credentials: &Credentials,
    verifier: &Verifier,
) -> Result<(IamIdentity, Decision), GatewayError> {
    // A signed payload covers the body, so it is read (the pipeline keeps it for later steps).
    let body = routed.request.buffered_body().await?;
    let request = &routed.request;
    let signed = SignedRequest {
        method: request.method.as_str(),
        path: &request.full_path,
        query: request.raw_query.as_deref(),
        headers: &request.headers,
        body: Some(&body),
    };
    let verified = verifier
        .verify(&signed, crate::clock::now(), |id| {
            credentials.access_key(id).map(|key| key.secret.clone())
        })
        .map_err(|error| GatewayError::Signature {
            error_type: error.aws_error_type(),
            message: error.message().to_string(),
            missing: error.kind() == tollgate_sigv4::SigV4ErrorKind::MissingAuthenticationToken,
        })?;
    let key = credentials
        .access_key(&verified.access_key_id)
        .ok_or_else(|| GatewayError::Internal {
            reason: "a verified access key vanished".to_string(),
        })?;
    let identity = IamIdentity {
        access_key: verified.access_key_id.clone(),
        user: key.principal.clone(),
        user_arn: format!("arn:aws:iam::{ACCOUNT_ID}:user/{}", key.principal),
    };
    let decision = match &key.policy {
        Some(policy) => {
            let username = identity.user.as_str();
            let condition_values = [
                ("aws:username", username),
                ("aws:principalarn", identity.user_arn.as_str()),
                ("aws:principalaccount", ACCOUNT_ID),
            ];
            policy.evaluate(&RequestFacts {
                action: "execute-api:Invoke",
                resource: method_arn,
                principal: Some(&identity.user_arn),
                source_ip: routed.request.source_ip,
                condition_values: &condition_values,
            })
        }
        None => Decision::ImplicitDeny,
    };
    Ok((identity, decision))
}

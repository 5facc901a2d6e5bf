//! `tc-allow-authorizer`: a token authorizer. Token `allow` gets a policy allowing the method
//! ARN, `deny` one denying it (both for principal `alice` with context `{"user":"alice"}`);
//! any other token, or none, is `Err("Unauthorized")` (401).

use tollgate_sdk::{Authorizer, AuthorizerRequest, AuthorizerResponse, Policy};

/// The exported authorizer.
pub struct AllowAuthorizer;

impl Authorizer for AllowAuthorizer {
    fn authorize(request: AuthorizerRequest) -> Result<AuthorizerResponse, String> {
        let policy = match request.token() {
            Some("allow") => Policy::allow("alice", &request.method_arn),
            Some("deny") => Policy::deny("alice", &request.method_arn),
            _ => return Err("Unauthorized".to_owned()),
        };
        Ok(policy.with_context("user", "alice").into())
    }
}

tollgate_sdk::export_authorizer!(AllowAuthorizer);

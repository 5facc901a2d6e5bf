//! A resource policy put together with the method's authorization, as API Gateway does, and
//! the 403 messages AWS answers a denied request with.
//!
//! Source: API Gateway Developer Guide, "How API Gateway resource policies affect
//! authorization workflow" (the flowcharts per authorization type, and the policy evaluation
//! outcome tables A and B). What [`combine`] implements, with "silent" meaning the policy
//! neither allowed nor denied, and no resource policy counting as a silent one:
//!
//! | method authorization | caller's policy | resource policy | result |
//! | --- | --- | --- | --- |
//! | none | — | none | allow (an open API) |
//! | none | — | allow | allow |
//! | none | — | silent / deny | implicit / explicit deny ("an implicit denial or any explicit denial results in denying the caller") |
//! | Lambda (WASM) authorizer, Table A | allow | none / allow / silent | allow |
//! | | silent | allow | allow |
//! | | silent | none / silent | implicit deny |
//! | | deny | any | explicit deny |
//! | | any | deny | explicit deny (checked before the authorizer runs: [`denied_before_authorizer`]) |
//! | `AWS_IAM`, caller in the API owner's account, Table A | allow | none / allow / silent | allow |
//! | | silent | allow | allow |
//! | | silent | none / silent | implicit deny |
//! | | deny | any | explicit deny |
//! | | any | deny | explicit deny |
//! | `AWS_IAM`, caller in another account, Table B | allow | allow | allow |
//! | | allow | none / silent | implicit deny ("cross-account access requires that both … explicitly grant access") |
//! | | silent | any but deny | implicit deny |
//! | | deny | any | explicit deny |
//! | | any | deny | explicit deny |
//! | Cognito user pools / JWT, token accepted | — | none | allow |
//! | | — | allow | allow |
//! | | — | silent / deny | implicit / explicit deny |
//!
//! For Cognito the guide's section says "the resource policy is evaluated independently, and
//! an explicit allow is required. A deny or 'neither allow or deny' results in a deny", which
//! is stricter than its Table A row "Allow / neither → Allow" that also names Cognito; the
//! section, being the specific statement, is what is implemented.

use serde_json::Value;

use crate::Decision;

/// What the method's authorization decided, before the resource policy is taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizationOutcome {
    /// `authorizationType: NONE`: nothing vouches for the caller.
    None,
    /// A Lambda-style (WASM) authorizer ran; its returned policy's decision for the method ARN.
    Authorizer(Decision),
    /// `AWS_IAM`: the request's signature was verified; `identity_policy` is the decision of
    /// the access key's policy, `same_account` whether the caller belongs to the API owner's
    /// account (Table A) or to another one (Table B).
    Iam {
        identity_policy: Decision,
        same_account: bool,
    },
    /// `COGNITO_USER_POOLS` or a JWT authorizer accepted the token (a rejected token is a 401
    /// before this point).
    TokenValidated,
}

/// Whether the request may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Allowed,
    Denied(Denial),
}

/// Why a request was refused; each answers 403 with [`Denial::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// A statement of the resource policy denied the request.
    ResourcePolicyExplicitDeny,
    /// The resource policy had to allow the request and did not.
    ResourcePolicyNotAllowed,
    /// A statement of the caller's (access key's) policy denied the request.
    IdentityPolicyExplicitDeny,
    /// Neither the caller's policy nor, where it could, the resource policy allowed the request.
    IdentityPolicyNotAllowed,
    /// The authorizer's policy denied the request.
    AuthorizerExplicitDeny,
    /// Neither the authorizer's policy nor the resource policy allowed the request.
    AuthorizerNotAllowed,
}

/// The pre-authorizer phase of the Lambda-authorizer workflow: "before calling the Lambda
/// authorizer, API Gateway first evaluates the policy and checks for any explicit denials. If
/// found, the caller is denied access immediately." A `Some` means: do not run the authorizer.
pub fn denied_before_authorizer(resource_policy: Option<Decision>) -> Option<Denial> {
    (resource_policy == Some(Decision::ExplicitDeny)).then_some(Denial::ResourcePolicyExplicitDeny)
}

/// The resource policy's decision (`None`: the API has no resource policy) combined with the
/// method's authorization, per the table in this module's documentation.
pub fn combine(resource_policy: Option<Decision>, authorization: AuthorizationOutcome) -> Access {
    use AuthorizationOutcome as Auth;
    use Decision::{Allow, ExplicitDeny, ImplicitDeny};

    // An explicit deny in the resource policy ends every workflow (the "Deny" rows of both
    // tables, and the resource-policy-only and Cognito flows).
    if resource_policy == Some(ExplicitDeny) {
        return Access::Denied(Denial::ResourcePolicyExplicitDeny);
    }
    let resource_allows = resource_policy == Some(Allow);
    let allowed_if = |allowed: bool, denial: Denial| {
        if allowed {
            Access::Allowed
        } else {
            Access::Denied(denial)
        }
    };
    match authorization {
        Auth::None | Auth::TokenValidated => allowed_if(
            resource_policy.is_none() || resource_allows,
            Denial::ResourcePolicyNotAllowed,
        ),
        Auth::Authorizer(ExplicitDeny) => Access::Denied(Denial::AuthorizerExplicitDeny),
        Auth::Authorizer(Allow) => Access::Allowed,
        Auth::Authorizer(ImplicitDeny) => allowed_if(resource_allows, Denial::AuthorizerNotAllowed),
        Auth::Iam {
            identity_policy: ExplicitDeny,
            ..
        } => Access::Denied(Denial::IdentityPolicyExplicitDeny),
        Auth::Iam {
            identity_policy: Allow,
            same_account,
        } => allowed_if(
            same_account || resource_allows,
            Denial::ResourcePolicyNotAllowed,
        ),
        Auth::Iam {
            identity_policy: ImplicitDeny,
            same_account,
        } => allowed_if(
            same_account && resource_allows,
            Denial::IdentityPolicyNotAllowed,
        ),
    }
}

/// The member of the 403 body that holds the message: AWS answers these denials with a
/// capitalised `Message` (`{"Message":"User: anonymous is not authorized to perform: …"}`),
/// unlike its other gateway errors' `message`. Source: API Gateway Developer Guide, "Create and
/// attach an API Gateway resource policy to an API", troubleshooting ("My API returns
/// {"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource:
/// arn:aws:execute-api:us-east-1:********/****/****/"}"); responses quoted in public issues
/// (e.g. ASFHyP3/hyp3#2283) and READMEs show the same for authorizer denials
/// (`{"Message":"User is not authorized to access this resource with an explicit deny"}`).
pub const MESSAGE_KEY: &str = "Message";

/// The message for a request an IAM-style evaluation refused (the resource policy, or the
/// caller's access-key policy): `User: {caller} is not authorized to perform:
/// execute-api:Invoke on resource: {method ARN}`, `anonymous` standing for an unknown caller,
/// and ` with an explicit deny` appended when a statement denied it.
///
/// Source: AWS Knowledge Center, "How do I troubleshoot HTTP 403 Forbidden errors when using a
/// Lambda authorizer with an API Gateway REST API?": "User: anonymous is not authorized to
/// perform: execute-api:Invoke on resource: `<api-resource-arn>`" (implicit deny by the resource
/// policy) and "… on resource: `<api-resource-arn>` with an explicit deny" (explicit deny).
pub fn not_authorized_message(caller: Option<&str>, method_arn: &str, explicit: bool) -> String {
    let caller = caller.unwrap_or("anonymous");
    let explicit = if explicit {
        " with an explicit deny"
    } else {
        ""
    };
    format!(
        "User: {caller} is not authorized to perform: execute-api:Invoke on resource: {method_arn}{explicit}"
    )
}

/// The message for a request the authorizer's policy refused.
///
/// Source: AWS Knowledge Center, "How do I troubleshoot HTTP 403 Forbidden errors when using a
/// Lambda authorizer with an API Gateway REST API?": "User is not authorized to access this
/// resource" (the returned policy implicitly denies) and "User is not authorized to access this
/// resource with an explicit deny" (it explicitly denies). Responses observed from AWS since
/// about 2024 sometimes end "… with an explicit deny in an identity-based policy"; the
/// documented wording is the one kept.
pub fn authorizer_denied_message(explicit: bool) -> &'static str {
    if explicit {
        "User is not authorized to access this resource with an explicit deny"
    } else {
        "User is not authorized to access this resource"
    }
}

impl Denial {
    /// Whether a statement denied the request (rather than none allowing it).
    pub fn is_explicit(self) -> bool {
        matches!(
            self,
            Denial::ResourcePolicyExplicitDeny
                | Denial::IdentityPolicyExplicitDeny
                | Denial::AuthorizerExplicitDeny
        )
    }

    /// AWS's 403 message for this denial. `caller` is the caller's ARN when `AWS_IAM` made it
    /// known (`None`: `anonymous`); `method_arn` the request's method ARN.
    pub fn message(self, caller: Option<&str>, method_arn: &str) -> String {
        match self {
            Denial::AuthorizerExplicitDeny | Denial::AuthorizerNotAllowed => {
                authorizer_denied_message(self.is_explicit()).to_owned()
            }
            Denial::ResourcePolicyExplicitDeny
            | Denial::ResourcePolicyNotAllowed
            | Denial::IdentityPolicyExplicitDeny
            | Denial::IdentityPolicyNotAllowed => {
                not_authorized_message(caller, method_arn, self.is_explicit())
            }
        }
    }

    /// The 403 body AWS sends: `{"Message": message}`.
    pub fn body(self, caller: Option<&str>, method_arn: &str) -> Value {
        let mut body = serde_json::Map::new();
        body.insert(
            MESSAGE_KEY.to_owned(),
            Value::String(self.message(caller, method_arn)),
        );
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AuthorizationOutcome as Auth;
    use Decision::{Allow, ExplicitDeny as Deny, ImplicitDeny as Silent};
    use serde_json::json;

    fn denied(denial: Denial) -> Access {
        Access::Denied(denial)
    }

    #[test]
    fn no_authorization_needs_an_allow_from_a_resource_policy_if_there_is_one() {
        assert_eq!(combine(None, Auth::None), Access::Allowed);
        assert_eq!(combine(Some(Allow), Auth::None), Access::Allowed);
        assert_eq!(
            combine(Some(Silent), Auth::None),
            denied(Denial::ResourcePolicyNotAllowed)
        );
        assert_eq!(
            combine(Some(Deny), Auth::None),
            denied(Denial::ResourcePolicyExplicitDeny)
        );
    }

    #[test]
    fn lambda_authorizer_follows_table_a() {
        let table = [
            (Allow, Some(Allow), Access::Allowed),
            (Allow, Some(Silent), Access::Allowed),
            (Allow, None, Access::Allowed),
            (
                Allow,
                Some(Deny),
                denied(Denial::ResourcePolicyExplicitDeny),
            ),
            (Silent, Some(Allow), Access::Allowed),
            (Silent, Some(Silent), denied(Denial::AuthorizerNotAllowed)),
            (Silent, None, denied(Denial::AuthorizerNotAllowed)),
            (
                Silent,
                Some(Deny),
                denied(Denial::ResourcePolicyExplicitDeny),
            ),
            (Deny, Some(Allow), denied(Denial::AuthorizerExplicitDeny)),
            (Deny, Some(Silent), denied(Denial::AuthorizerExplicitDeny)),
            (Deny, None, denied(Denial::AuthorizerExplicitDeny)),
            (Deny, Some(Deny), denied(Denial::ResourcePolicyExplicitDeny)),
        ];
        for (authorizer, resource, expected) in table {
            assert_eq!(
                combine(resource, Auth::Authorizer(authorizer)),
                expected,
                "authorizer {authorizer:?}, resource policy {resource:?}"
            );
        }
    }

    #[test]
    fn only_an_explicit_resource_deny_stops_before_the_authorizer() {
        assert_eq!(
            denied_before_authorizer(Some(Deny)),
            Some(Denial::ResourcePolicyExplicitDeny)
        );
        assert_eq!(denied_before_authorizer(Some(Silent)), None);
        assert_eq!(denied_before_authorizer(Some(Allow)), None);
        assert_eq!(denied_before_authorizer(None), None);
    }

    #[test]
    fn iam_same_account_follows_table_a() {
        let table = [
            (Allow, Some(Allow), Access::Allowed),
            (Allow, Some(Silent), Access::Allowed),
            (Allow, None, Access::Allowed),
            (
                Allow,
                Some(Deny),
                denied(Denial::ResourcePolicyExplicitDeny),
            ),
            (Silent, Some(Allow), Access::Allowed),
            (
                Silent,
                Some(Silent),
                denied(Denial::IdentityPolicyNotAllowed),
            ),
            (Silent, None, denied(Denial::IdentityPolicyNotAllowed)),
            (
                Silent,
                Some(Deny),
                denied(Denial::ResourcePolicyExplicitDeny),
            ),
            (
                Deny,
                Some(Allow),
                denied(Denial::IdentityPolicyExplicitDeny),
            ),
            (
                Deny,
                Some(Silent),
                denied(Denial::IdentityPolicyExplicitDeny),
            ),
            (Deny, Some(Deny), denied(Denial::ResourcePolicyExplicitDeny)),
        ];
        for (identity_policy, resource, expected) in table {
            let auth = Auth::Iam {
                identity_policy,
                same_account: true,
            };
            assert_eq!(
                combine(resource, auth),
                expected,
                "IAM {identity_policy:?}, resource policy {resource:?}"
            );
        }
    }

    #[test]
    fn iam_cross_account_follows_table_b() {
        let table = [
            (Allow, Some(Allow), Access::Allowed),
            (
                Allow,
                Some(Silent),
                denied(Denial::ResourcePolicyNotAllowed),
            ),
            (Allow, None, denied(Denial::ResourcePolicyNotAllowed)),
            (
                Allow,
                Some(Deny),
                denied(Denial::ResourcePolicyExplicitDeny),
            ),
            (
                Silent,
                Some(Allow),
                denied(Denial::IdentityPolicyNotAllowed),
            ),
            (
                Silent,
                Some(Silent),
                denied(Denial::IdentityPolicyNotAllowed),
            ),
            (
                Silent,
                Some(Deny),
                denied(Denial::ResourcePolicyExplicitDeny),
            ),
            (
                Deny,
                Some(Allow),
                denied(Denial::IdentityPolicyExplicitDeny),
            ),
            (
                Deny,
                Some(Silent),
                denied(Denial::IdentityPolicyExplicitDeny),
            ),
            (Deny, Some(Deny), denied(Denial::ResourcePolicyExplicitDeny)),
        ];
        for (identity_policy, resource, expected) in table {
            let auth = Auth::Iam {
                identity_policy,
                same_account: false,
            };
            assert_eq!(
                combine(resource, auth),
                expected,
                "IAM {identity_policy:?}, resource policy {resource:?}"
            );
        }
    }

    #[test]
    fn cognito_needs_an_explicit_allow_from_a_resource_policy_if_there_is_one() {
        assert_eq!(combine(None, Auth::TokenValidated), Access::Allowed);
        assert_eq!(combine(Some(Allow), Auth::TokenValidated), Access::Allowed);
        assert_eq!(
            combine(Some(Silent), Auth::TokenValidated),
            denied(Denial::ResourcePolicyNotAllowed)
        );
        assert_eq!(
            combine(Some(Deny), Auth::TokenValidated),
            denied(Denial::ResourcePolicyExplicitDeny)
        );
    }

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/pets";

    #[test]
    fn resource_and_identity_denials_name_the_caller_and_the_method_arn() {
        assert_eq!(
            Denial::ResourcePolicyNotAllowed.message(None, ARN),
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: \
             arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/pets"
        );
        assert_eq!(
            Denial::ResourcePolicyExplicitDeny.message(None, ARN),
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: \
             arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/pets with an explicit deny"
        );
        let alice = Some("arn:aws:iam::123456789012:user/alice");
        assert_eq!(
            Denial::IdentityPolicyExplicitDeny.message(alice, ARN),
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: \
             execute-api:Invoke on resource: \
             arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/pets with an explicit deny"
        );
        assert_eq!(
            Denial::IdentityPolicyNotAllowed.message(alice, ARN),
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: \
             execute-api:Invoke on resource: \
             arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/pets"
        );
    }

    #[test]
    fn authorizer_denials_use_aws_fixed_wording() {
        assert_eq!(
            Denial::AuthorizerNotAllowed.message(None, ARN),
            "User is not authorized to access this resource"
        );
        assert_eq!(
            Denial::AuthorizerExplicitDeny.message(Some("ignored"), ARN),
            "User is not authorized to access this resource with an explicit deny"
        );
    }

    #[test]
    fn the_body_uses_a_capitalised_message_member() {
        assert_eq!(
            Denial::AuthorizerExplicitDeny.body(None, ARN),
            json!({"Message": "User is not authorized to access this resource with an explicit deny"})
        );
    }

    #[test]
    fn explicitness() {
        assert!(Denial::ResourcePolicyExplicitDeny.is_explicit());
        assert!(Denial::IdentityPolicyExplicitDeny.is_explicit());
        assert!(Denial::AuthorizerExplicitDeny.is_explicit());
        assert!(!Denial::ResourcePolicyNotAllowed.is_explicit());
        assert!(!Denial::IdentityPolicyNotAllowed.is_explicit());
        assert!(!Denial::AuthorizerNotAllowed.is_explicit());
    }
}

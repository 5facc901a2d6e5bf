//! `token-authorizer`: a TOKEN authorizer whose callers are listed in stage variables, so a
//! stage's tokens change with `tollgate stage vars set` and no rebuild.
//!
//! - `tokens`: `TOKEN=PRINCIPAL` pairs separated by commas (`s3cret=alice,t0ken=bob`). The
//!   identity-source header may carry the token bare or as `Bearer TOKEN`.
//! - `readers` (optional): principals that may only `GET`; everyone else listed may call every
//!   method of the stage.
//!
//! An unknown token is `Unauthorized` (401). A known one gets a policy over the whole stage
//! (`…/{stage}/*`, or `…/{stage}/GET/*` for readers) — widened on purpose, since the gateway
//! caches the policy per token for the authorizer's TTL and evaluates it for every method —
//! and the context `{"user": PRINCIPAL, "role": "reader" | "writer"}`, which reaches
//! `$context.authorizer.user` and the Lambda event's `requestContext.authorizer`.

use tollgate_sdk::{Authorizer, AuthorizerRequest, AuthorizerResponse, Effect, Policy, stage};

/// The exported authorizer.
pub struct TokenAuthorizer;

impl Authorizer for TokenAuthorizer {
    fn authorize(request: AuthorizerRequest) -> Result<AuthorizerResponse, String> {
        let unauthorized = || "Unauthorized".to_string();
        let token = request.token().map(bearer).ok_or_else(unauthorized)?;
        let tokens = stage::variable("tokens").unwrap_or_default();
        let principal = principal_of(&tokens, token).ok_or_else(unauthorized)?;
        let readers = stage::variable("readers").unwrap_or_default();
        let reader = readers.split(',').any(|r| r.trim() == principal);
        let stage_arn = request.stage_wildcard_arn();
        let resource = if reader {
            format!("{}/GET/*", stage_arn.trim_end_matches("/*"))
        } else {
            stage_arn
        };
        Ok(Policy::new(principal)
            .and(Effect::Allow, resource)
            .with_context("user", principal)
            .with_context("role", if reader { "reader" } else { "writer" })
            .into())
    }
}

/// The token without a `Bearer ` prefix.
fn bearer(value: &str) -> &str {
    let value = value.trim();
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    }
}

/// The principal `tokens` (`TOKEN=PRINCIPAL,...`) lists for `token`.
fn principal_of<'a>(tokens: &'a str, token: &str) -> Option<&'a str> {
    tokens.split(',').find_map(|pair| {
        let (listed, principal) = pair.split_once('=')?;
        (!token.is_empty() && listed.trim() == token).then(|| principal.trim())
    })
}

tollgate_sdk::export_authorizer!(TokenAuthorizer);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_is_optional() {
        assert_eq!(bearer("Bearer abc"), "abc");
        assert_eq!(bearer("bearer  abc "), "abc");
        assert_eq!(bearer("abc"), "abc");
    }

    #[test]
    fn tokens_name_principals() {
        let tokens = "s3cret=alice, t0ken=bob";
        assert_eq!(principal_of(tokens, "s3cret"), Some("alice"));
        assert_eq!(principal_of(tokens, "t0ken"), Some("bob"));
        assert_eq!(principal_of(tokens, "alice"), None);
        assert_eq!(principal_of(tokens, ""), None);
        assert_eq!(principal_of("", "x"), None);
    }
}

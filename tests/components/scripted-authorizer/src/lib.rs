//! `tc-scripted-authorizer`: an authorizer of either type whose answer the token chooses, so
//! that one component drives every authorizer outcome of the end-to-end tests.
//!
//! The token is the `TOKEN` authorizer's identity header; for a `REQUEST` authorizer it is
//! the query-string parameter `token`, or else the header `x-token`. Every call first logs
//! one line through the host's log interface — `authorizer called token=TOKEN` (plus
//! ` tenant=VALUE` when the request has an `x-tenant` header) — so that tests can count calls
//! in the gateway's log.
//!
//! | token | answer |
//! | --- | --- |
//! | `allow` | principal `alice`, Allow on every method of the stage, context `user=alice`, `tier=gold` (and `tenant` when sent) |
//! | `allow-get` | principal `alice`, Allow on `GET` methods of the stage only |
//! | `deny` | principal `alice`, an explicit Deny on every method of the stage |
//! | `none` | principal `alice`, an Allow on another stage only: no statement matches (implicit deny) |
//! | `key:VALUE` | as `allow`, with usage-identifier key `VALUE` |
//! | `allow:RESOURCE` | principal `alice`, Allow on exactly `RESOURCE` (an ARN pattern), the same context |
//! | `unauthorized` | `Err("Unauthorized")` (401) |
//! | `error` | `Err("boom")` (500) |
//! | `trap` | a panic (a trap) |
//! | `loop` | an endless loop (the gateway's timeout ends it) |
//! | `badpolicy` | a policy document that is JSON but not a policy |
//! | `notjson` | a policy document that is not JSON |
//! | anything else, or none | `Err("Unauthorized")` |

use tollgate_sdk::{Authorizer, AuthorizerRequest, AuthorizerResponse, Effect, Policy, log};

/// The exported authorizer.
pub struct ScriptedAuthorizer;

impl Authorizer for ScriptedAuthorizer {
    fn authorize(request: AuthorizerRequest) -> Result<AuthorizerResponse, String> {
        let token = match request.kind.as_str() {
            "REQUEST" => request
                .query_param("token")
                .or_else(|| request.header("x-token")),
            _ => request.token(),
        }
        .unwrap_or_default()
        .to_owned();
        let tenant = request.header("x-tenant").map(str::to_owned);
        let mut line = format!("authorizer called token={token}");
        if let Some(tenant) = &tenant {
            line.push_str(&format!(" tenant={tenant}"));
        }
        log::info(&line, &[]);

        let everything = request.stage_wildcard_arn();
        let policy = match token.as_str() {
            "allow" => Policy::allow("alice", everything),
            "allow-get" => Policy::allow("alice", request.stage_arn("GET/*")),
            "deny" => Policy::deny("alice", everything),
            "none" => Policy::new("alice").and(Effect::Allow, other_stage(&request.method_arn)),
            "unauthorized" => return Err("Unauthorized".to_owned()),
            "error" => return Err("boom".to_owned()),
            "trap" => panic!("tc-scripted-authorizer: deliberate panic"),
            "loop" => spin(),
            "badpolicy" => return Ok(response(r#"{"hello":"world"}"#)),
            "notjson" => return Ok(response("this is not JSON")),
            _ => {
                if let Some(key) = token.strip_prefix("key:") {
                    Policy::allow("alice", everything).with_usage_identifier_key(key)
                } else if let Some(resource) = token.strip_prefix("allow:") {
                    Policy::allow("alice", resource)
                } else {
                    return Err("Unauthorized".to_owned());
                }
            }
        };
        let mut policy = policy
            .with_context("user", "alice")
            .with_context("tier", "gold");
        if let Some(tenant) = tenant {
            policy = policy.with_context("tenant", tenant);
        }
        Ok(policy.into())
    }
}

/// `arn:…:{api}/{stage}/…` → `arn:…:{api}/some-other-stage/*`.
fn other_stage(method_arn: &str) -> String {
    let api = method_arn.split('/').next().unwrap_or(method_arn);
    format!("{api}/some-other-stage/*")
}

/// An answer for `alice` carrying `document` as its policy, as is.
fn response(document: &str) -> AuthorizerResponse {
    AuthorizerResponse {
        principal_id: "alice".to_owned(),
        policy_document: document.to_owned(),
        context: Vec::new(),
        usage_identifier_key: None,
    }
}

fn spin() -> ! {
    let mut n = 0u64;
    loop {
        // `black_box` keeps the optimiser from proving the loop has no effect.
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

tollgate_sdk::export_authorizer!(ScriptedAuthorizer);

//! Steps 3 to 6 of the pipeline — resource policy, API key and usage plan, throttling,
//! authorizer — and what they learn of the caller ([`Caller`]). [`check`] runs them in
//! DESIGN.md's order; each step's rules live in its own module.
//!
//! What lives where: per-stage configuration (authorizers, the resource policy, stage and
//! method throttles) is compiled into the stage's pipeline; credentials (API keys, usage
//! plans, access keys) are a snapshot of the store taken at every reload ([`Credentials`]);
//! state that must outlive reloads — token buckets, cached authorizer decisions, JWT key
//! sets, quota counts — is in [`AccessControl`], owned by the gateway.

pub mod authorizer;
pub mod caller;
pub mod credentials;
pub mod iam;
pub mod jwt;
pub mod throttling;
pub mod usage_plan;

use std::sync::Arc;

use tollgate_definition::{ApiKeySource, Method, MethodAuthorization};
use tollgate_policy::{
    Access, AuthorizationOutcome, Decision, Denial, PolicyDocument, RequestFacts,
};
use tollgate_store::{Store, UsagePlan};

pub use caller::Caller;
pub use credentials::Credentials;

use crate::gateway_response::GatewayError;
use crate::mapping::context::ACCOUNT_ID;
use crate::pipeline::RoutedRequest;
use authorizer::{DecisionCache, ResolvedAuthorizer};
use caller::ApiKeyUse;
use jwt::JwtVerifiers;
use throttling::{BucketKey, Limit, Throttling};
use usage_plan::QuotaLedger;

/// The region the gateway reports in ARNs and expects in SigV4 credential scopes, unless
/// `tollgate serve --region` says otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

static REGION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the gateway's region, once, before any stage is built; later calls change nothing.
pub fn set_region(region: &str) {
    let _ = REGION.set(region.to_string());
}

/// The gateway's region.
pub fn region() -> &'static str {
    REGION.get().map_or(DEFAULT_REGION, String::as_str)
}

/// The access steps' state that outlives reloads.
pub struct AccessControl {
    pub throttling: Throttling,
    pub decisions: DecisionCache,
    pub jwt: JwtVerifiers,
    pub quotas: QuotaLedger,
    pub sigv4: tollgate_sigv4::Verifier,
    pub region: String,
}

impl AccessControl {
    pub fn new(store: Store, account: Limit) -> AccessControl {
        let region = region();
        AccessControl {
            throttling: Throttling::new(account),
            decisions: DecisionCache::default(),
            jwt: JwtVerifiers::default(),
            quotas: QuotaLedger::new(store),
            sigv4: tollgate_sigv4::Verifier::new(region, "execute-api"),
            region: region.to_string(),
        }
    }
}

/// Steps 3 to 6 for a routed request. On success the caller is in `routed.caller`.
pub async fn check(
    routed: &mut RoutedRequest<'_>,
    method: &Method,
    control: &AccessControl,
    credentials: &Credentials,
) -> Result<(), GatewayError> {
    let stage = routed.stage;
    // The method's ARN and throttle key are only built for the steps that read them: most
    // methods have no policy, authorizer, key or method throttle.
    let method_arn = if stage.resource_policy.is_some()
        || !matches!(method.authorization, MethodAuthorization::None)
    {
        method_arn(routed, control)
    } else {
        String::new()
    };
    let method_key = if method.api_key_required || !stage.method_throttles.is_empty() {
        format!("{}/{}", routed.resource_path, method.http_method)
    } else {
        String::new()
    };

    // Step 3: the resource policy, for an anonymous caller; an explicit deny ends the request
    // before any authorizer runs, as in AWS.
    let anonymous = stage
        .resource_policy
        .as_ref()
        .map(|policy| evaluate(policy, routed, &method_arn, None));
    if let Some(denial) = tollgate_policy::denied_before_authorizer(anonymous) {
        return Err(denied(denial, None, &method_arn));
    }

    // Step 4: the API key, when the method requires one from the `x-api-key` header.
    let keys_from_authorizer = stage.definition.api_key_source == ApiKeySource::Authorizer;
    let mut plan = None;
    if method.api_key_required && !keys_from_authorizer {
        let value = routed.request.header("x-api-key").map(str::to_string);
        plan = Some(identify_key(routed, value, credentials)?);
        key_throttle(routed, plan.as_ref(), &method_key, control)?;
    }

    // Step 5: the stage's method or default bucket, then the account's — in AWS's order, so
    // that requests a stage refuses take nothing from the account every API shares.
    let stage_bucket = match stage.method_throttles.get(&method_key) {
        Some(limit) => Some((
            BucketKey::Method {
                api: stage.api_id.clone(),
                stage: stage.stage.clone(),
                method: method_key.clone(),
            },
            *limit,
        )),
        None => stage.throttle.map(|limit| {
            (
                BucketKey::Stage {
                    api: stage.api_id.clone(),
                    stage: stage.stage.clone(),
                },
                limit,
            )
        }),
    };
    if let Some((key, limit)) = stage_bucket
        && !control.throttling.admit(&key, limit)
    {
        return Err(GatewayError::Throttled);
    }
    if !control.throttling.admit_account() {
        return Err(GatewayError::Throttled);
    }

    // Step 6: the authorizer, and the resource policy with it.
    let mut usage_identifier_key = None;
    let (outcome, caller_arn) = match &method.authorization {
        MethodAuthorization::None => (AuthorizationOutcome::None, None),
        MethodAuthorization::Custom { authorizer } => {
            let Some(ResolvedAuthorizer::Component(authorizer)) = stage.authorizers.get(authorizer)
            else {
                return Err(missing_authorizer(authorizer));
            };
            let outcome =
                authorizer::authorize(authorizer, routed, &method_arn, &control.decisions).await?;
            usage_identifier_key = outcome.usage_identifier_key;
            routed.caller.authorizer = Some(outcome.authorizer);
            (AuthorizationOutcome::Authorizer(outcome.decision), None)
        }
        MethodAuthorization::Jwt { authorizer, scopes } => {
            let Some(ResolvedAuthorizer::Jwt(authorizer)) = stage.authorizers.get(authorizer)
            else {
                return Err(missing_authorizer(authorizer));
            };
            let context = jwt::authorize(authorizer, scopes, routed, &control.jwt).await?;
            routed.caller.authorizer = Some(context);
            (AuthorizationOutcome::TokenValidated, None)
        }
        MethodAuthorization::Iam { .. } => {
            let (identity, decision) =
                iam::authenticate(routed, &method_arn, credentials, &control.sigv4).await?;
            let arn = identity.user_arn.clone();
            routed.caller.iam = Some(identity);
            (
                AuthorizationOutcome::Iam {
                    identity_policy: decision,
                    same_account: true,
                },
                Some(arn),
            )
        }
    };
    // The resource policy again, now that the caller may be known (a statement may name it).
    let resource_decision = match (&stage.resource_policy, &caller_arn) {
        (Some(policy), Some(arn)) => Some(evaluate(policy, routed, &method_arn, Some(arn))),
        _ => anonymous,
    };
    if let Access::Denied(denial) = tollgate_policy::combine(resource_decision, outcome) {
        let method_arn = if method_arn.is_empty() {
            self::method_arn(routed, control)
        } else {
            method_arn
        };
        return Err(denied(denial, caller_arn.as_deref(), &method_arn));
    }

    // Step 4 for keys the authorizer names (`x-amazon-apigateway-api-key-source: AUTHORIZER`).
    if method.api_key_required && keys_from_authorizer {
        plan = Some(identify_key(routed, usage_identifier_key, credentials)?);
        key_throttle(routed, plan.as_ref(), &method_key, control)?;
    }
    // The quota counts only requests every check let through.
    if let Some(plan) = &plan
        && let Some(quota) = &plan.quota
        && let Some(key) = &routed.caller.api_key
    {
        let now = crate::clock::unix_seconds(crate::clock::now());
        control.quotas.consume(plan, quota, &key.id, now).await?;
    }
    Ok(())
}

fn method_arn(routed: &RoutedRequest<'_>, control: &AccessControl) -> String {
    tollgate_policy::method_arn(
        &control.region,
        ACCOUNT_ID,
        &routed.stage.api_id,
        &routed.stage.stage,
        routed.request.method.as_str(),
        &routed.path,
    )
}

fn evaluate(
    policy: &PolicyDocument,
    routed: &RoutedRequest<'_>,
    method_arn: &str,
    caller_arn: Option<&str>,
) -> Decision {
    policy.evaluate(&RequestFacts {
        action: "execute-api:Invoke",
        resource: method_arn,
        principal: caller_arn,
        source_ip: routed.request.source_ip,
        condition_values: &[],
    })
}

fn denied(denial: Denial, caller_arn: Option<&str>, method_arn: &str) -> GatewayError {
    GatewayError::AccessDenied {
        message: denial.message(caller_arn, method_arn),
    }
}

fn missing_authorizer(name: &str) -> GatewayError {
    GatewayError::AuthorizerFailure {
        reason: format!("the method's authorizer {name} is not resolved on this stage"),
    }
}

/// The usage plan of the request's key on this stage; 403 `Forbidden` without a valid key
/// that belongs to one.
fn identify_key(
    routed: &mut RoutedRequest<'_>,
    value: Option<String>,
    credentials: &Credentials,
) -> Result<Arc<UsagePlan>, GatewayError> {
    let value = value
        .filter(|value| !value.is_empty())
        .ok_or(GatewayError::InvalidApiKey)?;
    let key = credentials
        .api_key(&value)
        .ok_or(GatewayError::InvalidApiKey)?;
    let plan = credentials
        .usage_plan(&routed.stage.api_id, &routed.stage.stage, &key.id)
        .ok_or(GatewayError::InvalidApiKey)?
        .clone();
    routed.caller.api_key = Some(ApiKeyUse {
        id: key.id.clone(),
        value,
    });
    Ok(plan)
}

/// The usage plan's per-key bucket (its per-method throttle for this method, if it sets one).
fn key_throttle(
    routed: &RoutedRequest<'_>,
    plan: Option<&Arc<UsagePlan>>,
    method_key: &str,
    control: &AccessControl,
) -> Result<(), GatewayError> {
    let (Some(plan), Some(key)) = (plan, &routed.caller.api_key) else {
        return Ok(());
    };
    let method_throttle = plan
        .api_stages
        .iter()
        .find(|s| s.api_id == routed.stage.api_id && s.stage == routed.stage.stage)
        .and_then(|s| s.method_throttles.get(method_key));
    let (method, throttle) = match (method_throttle, &plan.throttle) {
        (Some(throttle), _) => (Some(method_key.to_string()), throttle),
        (None, Some(throttle)) => (None, throttle),
        (None, None) => return Ok(()),
    };
    let bucket = BucketKey::UsagePlanKey {
        plan: plan.id.clone(),
        key: key.id.clone(),
        method,
    };
    if control.throttling.admit(&bucket, Limit::from(throttle)) {
        Ok(())
    } else {
        Err(GatewayError::Throttled)
    }
}

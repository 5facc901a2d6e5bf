//! A policy document: its statements, how one is parsed, and how it decides.

use serde_json::Value;

use crate::condition::{Condition, parse_conditions};
use crate::error::{Pointer, PolicyError, describe, string_or_list};
use crate::principal::Principals;
use crate::wildcard::{self, arn_fields, arn_matches};
use crate::{Decision, RequestFacts};

/// An IAM-style policy: a resource policy, the policy an authorizer returns, or the policy of
/// an access key. Parsed once, evaluated per request.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    statements: Vec<Statement>,
}

/// What a policy is attached to, which decides whether its statements name a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// A resource policy (`x-amazon-apigateway-policy`): every statement has `Principal` or
    /// `NotPrincipal`.
    Resource,
    /// An identity policy (what an authorizer returns, or what is attached to an access key):
    /// no statement names a principal, and the `execute-api:/` shorthand is refused, since
    /// every statement is about the caller and IAM accepts only ARNs there.
    Identity,
}

#[derive(Debug, Clone, PartialEq)]
struct Statement {
    effect: Effect,
    /// `None` when the statement names no principal (an identity policy): it is about the caller.
    principals: Option<Negatable<Principals>>,
    /// Lower-cased: IAM action names are case-insensitive.
    actions: Negatable<Vec<String>>,
    resources: Negatable<Vec<ResourcePattern>>,
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// `Action` vs `NotAction` and the like: `negated` means the statement applies to what the
/// list does not match.
#[derive(Debug, Clone, PartialEq)]
struct Negatable<T> {
    negated: bool,
    items: T,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ResourcePattern {
    /// An ARN pattern, or `*`.
    Arn(String),
    /// `execute-api:/REST`, with REST (`stage/METHOD/path`) kept.
    Shorthand(String),
}

const SHORTHAND_PREFIX: &str = "execute-api:/";

impl PolicyDocument {
    /// Parses a policy (`{"Version": "2012-10-17", "Statement": [...] | {...}}`) of either
    /// kind: a statement may or may not name a principal. Unknown members, unknown condition
    /// operators and operators that cannot be evaluated for their key are errors: ignoring a
    /// condition could let the wrong caller in.
    pub fn from_json(value: &Value) -> Result<PolicyDocument, PolicyError> {
        parse(value, None)
    }

    /// As [`PolicyDocument::from_json`], and also refuses what a policy of `kind` cannot hold.
    pub fn from_json_as(value: &Value, kind: PolicyKind) -> Result<PolicyDocument, PolicyError> {
        parse(value, Some(kind))
    }

    /// AWS's resource-policy shorthand: a `Resource` (or `NotResource`) of
    /// `execute-api:/STAGE/METHOD/PATH` (or `execute-api:/*`) becomes
    /// `arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH`, as API Gateway rewrites
    /// it when the policy is attached.
    ///
    /// A shorthand left unexpanded still matches, as this API's ARN with any region, account
    /// and API id: a resource policy is only ever evaluated against its own API's method ARNs,
    /// so the two agree there.
    pub fn expand_execute_api_shorthand(&mut self, region: &str, account: &str, api_id: &str) {
        for statement in &mut self.statements {
            for pattern in &mut statement.resources.items {
                if let ResourcePattern::Shorthand(rest) = pattern {
                    *pattern = ResourcePattern::Arn(format!(
                        "arn:aws:execute-api:{region}:{account}:{api_id}/{rest}"
                    ));
                }
            }
        }
    }

    /// The policy's decision for one request: an applicable `Deny` statement wins over any
    /// `Allow`; with no applicable statement the request is implicitly denied.
    pub fn evaluate(&self, request: &RequestFacts<'_>) -> Decision {
        let action = request.action.to_lowercase();
        let mut allowed = false;
        for statement in &self.statements {
            if statement.applies(request, &action) {
                match statement.effect {
                    Effect::Deny => return Decision::ExplicitDeny,
                    Effect::Allow => allowed = true,
                }
            }
        }
        if allowed {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        }
    }

    /// The resource patterns of every statement, in order, shorthand ones as written; for
    /// logs and tests.
    pub fn resource_patterns(&self) -> Vec<String> {
        self.statements
            .iter()
            .flat_map(|s| &s.resources.items)
            .map(|p| match p {
                ResourcePattern::Arn(arn) => arn.clone(),
                ResourcePattern::Shorthand(rest) => format!("{SHORTHAND_PREFIX}{rest}"),
            })
            .collect()
    }
}

impl Statement {
    /// Whether this statement is about this request. `action` is the request's, lower-cased.
    fn applies(&self, request: &RequestFacts<'_>, action: &str) -> bool {
        let principal = self
            .principals
            .as_ref()
            .is_none_or(|p| p.items.contains(request.principal) != p.negated);
        principal
            && self
                .actions
                .items
                .iter()
                .any(|a| wildcard::matches(a, action))
                != self.actions.negated
            && self
                .resources
                .items
                .iter()
                .any(|r| r.matches(request.resource))
                != self.resources.negated
            && self.conditions.iter().all(|c| c.holds(request))
    }
}

impl ResourcePattern {
    fn matches(&self, arn: &str) -> bool {
        match self {
            ResourcePattern::Arn(pattern) => arn_matches(pattern, arn),
            ResourcePattern::Shorthand(rest) => arn_fields(arn).is_some_and(|fields| {
                fields[0] == "arn"
                    && fields[2] == "execute-api"
                    && fields[5]
                        .split_once('/')
                        .is_some_and(|(_api_id, path)| wildcard::matches(rest, path))
            }),
        }
    }
}

const POLICY_MEMBERS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_MEMBERS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

fn parse(value: &Value, kind: Option<PolicyKind>) -> Result<PolicyDocument, PolicyError> {
    let root = Pointer::root();
    let Value::Object(members) = value else {
        return Err(root.error(format!(
            "expected a policy object {{\"Version\": ..., \"Statement\": ...}}, found {}",
            describe(value)
        )));
    };
    if let Some(unknown) = members
        .keys()
        .find(|k| !POLICY_MEMBERS.contains(&k.as_str()))
    {
        return Err(root.key(unknown).error(format!(
            "unknown member {unknown:?}; a policy has Version, Id and Statement"
        )));
    }
    // Policy variables (`${aws:username}`) exist from version 2012-10-17 on; before, or
    // without a Version, `${` is plain text.
    let policy_variables = match members.get("Version") {
        None => false,
        Some(Value::String(v)) if v == "2012-10-17" => true,
        Some(Value::String(v)) if v == "2008-10-17" => false,
        Some(other) => {
            return Err(root.key("Version").error(format!(
                "expected \"2012-10-17\" or \"2008-10-17\", found {}",
                describe(other)
            )));
        }
    };
    if let Some(id) = members.get("Id").filter(|id| !id.is_string()) {
        return Err(root
            .key("Id")
            .error(format!("expected a string, found {}", describe(id))));
    }
    let at = root.key("Statement");
    let statements = match members.get("Statement") {
        None => return Err(root.error("missing member \"Statement\"")),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_statement(item, &at.index(i), kind, policy_variables))
            .collect::<Result<_, _>>()?,
        Some(item @ Value::Object(_)) => vec![parse_statement(item, &at, kind, policy_variables)?],
        Some(other) => {
            return Err(at.error(format!(
                "expected a statement object or a list of them, found {}",
                describe(other)
            )));
        }
    };
    Ok(PolicyDocument { statements })
}

fn parse_statement(
    value: &Value,
    at: &Pointer,
    kind: Option<PolicyKind>,
    policy_variables: bool,
) -> Result<Statement, PolicyError> {
    let Value::Object(members) = value else {
        return Err(at.error(format!(
            "expected a statement object, found {}",
            describe(value)
        )));
    };
    if let Some(unknown) = members
        .keys()
        .find(|k| !STATEMENT_MEMBERS.contains(&k.as_str()))
    {
        return Err(at.key(unknown).error(format!(
            "unknown member {unknown:?}; a statement has Sid, Effect, Principal, NotPrincipal, \
             Action, NotAction, Resource, NotResource and Condition"
        )));
    }
    if let Some(sid) = members.get("Sid").filter(|sid| !sid.is_string()) {
        return Err(at
            .key("Sid")
            .error(format!("expected a string, found {}", describe(sid))));
    }
    let effect = match members.get("Effect") {
        None => return Err(at.error("missing member \"Effect\"")),
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(at.key("Effect").error(format!(
                "expected \"Allow\" or \"Deny\", found {}",
                describe(other)
            )));
        }
    };

    let principals = match one_of(members, at, "Principal", "NotPrincipal")? {
        Some((name, _, _)) if kind == Some(PolicyKind::Identity) => {
            return Err(at.key(name).error(
                "an identity policy (an authorizer's or an access key's) names no principal: \
                 its statements are about the caller",
            ));
        }
        None if kind == Some(PolicyKind::Resource) => {
            return Err(at.error("missing member \"Principal\" or \"NotPrincipal\""));
        }
        None => None,
        Some((name, value, negated)) => Some(Negatable {
            negated,
            items: Principals::parse(value, &at.key(name))?,
        }),
    };

    let Some((name, value, negated)) = one_of(members, at, "Action", "NotAction")? else {
        return Err(at.error("missing member \"Action\" or \"NotAction\""));
    };
    let actions = Negatable {
        negated,
        items: string_or_list(value, &at.key(name), "action")?
            .into_iter()
            .map(|(action, at)| parse_action(action, &at))
            .collect::<Result<_, _>>()?,
    };

    let Some((name, value, negated)) = one_of(members, at, "Resource", "NotResource")? else {
        return Err(at.error("missing member \"Resource\" or \"NotResource\""));
    };
    let resources = Negatable {
        negated,
        items: string_or_list(value, &at.key(name), "resource")?
            .into_iter()
            .map(|(resource, at)| parse_resource(resource, &at, kind, policy_variables))
            .collect::<Result<_, _>>()?,
    };

    let conditions = match members.get("Condition") {
        None => Vec::new(),
        Some(value) => parse_conditions(value, &at.key("Condition"), policy_variables)?,
    };
    Ok(Statement {
        effect,
        principals,
        actions,
        resources,
        conditions,
    })
}

/// The one of two exclusive members present (`Action`/`NotAction`...): its name, its value,
/// and whether it is the negated one.
fn one_of<'v>(
    members: &'v serde_json::Map<String, Value>,
    at: &Pointer,
    positive: &'static str,
    negative: &'static str,
) -> Result<Option<(&'static str, &'v Value, bool)>, PolicyError> {
    match (members.get(positive), members.get(negative)) {
        (Some(_), Some(_)) => Err(at.key(negative).error(format!(
            "a statement has {positive} or {negative}, not both"
        ))),
        (Some(value), None) => Ok(Some((positive, value, false))),
        (None, Some(value)) => Ok(Some((negative, value, true))),
        (None, None) => Ok(None),
    }
}

fn parse_action(action: &str, at: &Pointer) -> Result<String, PolicyError> {
    let well_formed = action == "*"
        || action
            .split_once(':')
            .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty());
    if !well_formed {
        return Err(at.error(format!(
            "expected \"*\" or \"service:action\" such as \"execute-api:Invoke\", found {action:?}"
        )));
    }
    Ok(action.to_lowercase())
}

fn parse_resource(
    resource: &str,
    at: &Pointer,
    kind: Option<PolicyKind>,
    policy_variables: bool,
) -> Result<ResourcePattern, PolicyError> {
    if policy_variables && resource.contains("${") {
        return Err(at.error(format!(
            "policy variables (${{...}}) are not supported, found {resource:?}"
        )));
    }
    if let Some(rest) = resource.strip_prefix(SHORTHAND_PREFIX) {
        if kind == Some(PolicyKind::Identity) {
            return Err(at.error(format!(
                "the execute-api:/ shorthand is for resource policies; an identity policy needs \
                 a full ARN, found {resource:?}"
            )));
        }
        return Ok(ResourcePattern::Shorthand(rest.to_owned()));
    }
    let is_arn = arn_fields(resource).is_some_and(|fields| fields[0] == "arn");
    if resource != "*" && !is_arn {
        return Err(at.error(format!(
            "expected \"*\", an ARN such as \"arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH\" \
             or the shorthand \"execute-api:/STAGE/METHOD/PATH\", found {resource:?}"
        )));
    }
    Ok(ResourcePattern::Arn(resource.to_owned()))
}

#[cfg(test)]
mod tests;

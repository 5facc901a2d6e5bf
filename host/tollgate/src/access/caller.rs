//! Who the caller turned out to be: what the API key, SigV4 and authorizer steps learnt, for
//! the later steps (`$context.authorizer.*`, `$context.identity.*`, the Lambda-proxy event's
//! `requestContext`, the access log).

use serde_json::{Map, Value};

/// What the access steps learnt about the caller of one request.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// `$context.authorizer`: `principalId` and the context a WASM authorizer returned, or
    /// `claims` (and `scopes`) of a verified JWT.
    pub authorizer: Option<Map<String, Value>>,
    /// A SigV4-authenticated caller.
    pub iam: Option<IamIdentity>,
    /// The API key the request was identified by.
    pub api_key: Option<ApiKeyUse>,
}

/// A SigV4 caller: the access key and the principal it belongs to.
#[derive(Debug, Clone)]
pub struct IamIdentity {
    pub access_key: String,
    /// The principal's name (`$context.identity.user`).
    pub user: String,
    /// `arn:aws:iam::ACCOUNT:user/NAME` (`$context.identity.userArn`, `caller`).
    pub user_arn: String,
}

/// The API key of a request.
#[derive(Debug, Clone)]
pub struct ApiKeyUse {
    /// The key's id (`$context.identity.apiKeyId`).
    pub id: String,
    /// The key's value as sent (`$context.identity.apiKey`).
    pub value: String,
}

impl Caller {
    /// `$context.authorizer` (an empty object when no authorizer ran).
    pub fn authorizer_json(&self) -> Value {
        Value::Object(self.authorizer.clone().unwrap_or_default())
    }

    /// The authorizer's values as flat string pairs (the WIT `request-context.authorizer`).
    pub fn authorizer_fields(&self) -> Vec<(String, String)> {
        self.authorizer
            .iter()
            .flatten()
            .map(|(key, value)| {
                let text = match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                (key.clone(), text)
            })
            .collect()
    }

    /// Fills the `identity` members of a `$context` / `requestContext` object.
    pub fn fill_identity(&self, identity: &mut Map<String, Value>) {
        if let Some(iam) = &self.iam {
            identity.insert("accessKey".into(), iam.access_key.clone().into());
            identity.insert("user".into(), iam.user.clone().into());
            identity.insert("userArn".into(), iam.user_arn.clone().into());
            identity.insert("caller".into(), iam.user.clone().into());
            identity.insert(
                "accountId".into(),
                crate::mapping::context::ACCOUNT_ID.into(),
            );
        }
        if let Some(key) = &self.api_key {
            identity.insert("apiKey".into(), key.value.clone().into());
            identity.insert("apiKeyId".into(), key.id.clone().into());
        }
    }
}

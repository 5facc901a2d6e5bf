//! SigV4 access keys for `AWS_IAM` methods. The policy attached to a key is checked here as
//! the identity policy IAM would accept (the store only checks its outline), so a key is
//! never stored with a policy the gateway could not evaluate.

use serde_json::{Value, json};
use tollgate_policy::{PolicyDocument, PolicyKind};

use super::{Control, ControlError, views};

impl Control {
    /// Creates an access key for `principal` with `policy` (read from `source_name`, which
    /// errors name); the answer is the only place its secret appears.
    pub fn create_access_key(
        &self,
        principal: &str,
        policy: Value,
        source_name: &str,
    ) -> Result<Value, ControlError> {
        PolicyDocument::from_json_as(&policy, PolicyKind::Identity).map_err(|error| {
            let at = if error.pointer.is_empty() {
                "the policy".to_string()
            } else {
                error.pointer.clone()
            };
            ControlError::BadRequest(format!("{source_name}: {at}: {}", error.message))
        })?;
        let _serial = self.serial();
        let (key, secret) = self.store.create_access_key(principal, policy)?;
        let mut view = views::access_key(&key);
        view["secretAccessKey"] = Value::String(secret);
        Ok(view)
    }

    /// Every access key, without secrets.
    pub fn access_keys(&self) -> Result<Value, ControlError> {
        let items: Vec<Value> = self
            .store
            .access_keys()?
            .iter()
            .map(views::access_key)
            .collect();
        Ok(json!({ "items": items }))
    }

    /// Deletes an access key; answers the deleted key.
    pub fn delete_access_key(&self, id: &str) -> Result<Value, ControlError> {
        let _serial = self.serial();
        let key = self
            .store
            .access_keys()?
            .into_iter()
            .find(|key| key.id == id)
            .ok_or_else(|| ControlError::NotFound(format!("access key {id} does not exist")))?;
        self.store.delete_access_key(id)?;
        Ok(views::access_key(&key))
    }
}

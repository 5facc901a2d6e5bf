//! API keys, AWS's way: a named key whose value callers send in `x-api-key`. Only the value's
//! sha256 is stored; the value is returned once, when the key is created, and cannot be read
//! back. Values are unique (a presented value names one key) and so are names.

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::tables::{API_KEY_HASHES, API_KEY_NAMES, API_KEYS, USAGE, USAGE_PLANS};
use crate::usage_plans::UsagePlan;
use crate::{Context, Store, StoreError, names, now_unix_seconds, random};

/// The length of a generated value, as AWS generates them.
const GENERATED_VALUE_LEN: usize = 40;
/// AWS's bounds on a key value's length.
const MIN_VALUE_LEN: usize = 20;
const MAX_VALUE_LEN: usize = 128;

/// An API key, as stored (AWS's `ApiKey` without its value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// A 10-character id, lowercase letters and digits, as AWS's.
    pub id: String,
    /// The unique name commands address it by.
    pub name: String,
    /// A disabled key is refused like an unknown one.
    pub enabled: bool,
    /// When it was created, in unix seconds.
    pub created: u64,
    /// The lowercase hex sha256 of the value ([`hash_api_key`]).
    pub value_hash: String,
}

/// The lowercase hex sha256 of an API key value: what the store keeps and what the gateway
/// compares a presented `x-api-key` with.
pub fn hash_api_key(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Checks a caller-chosen value: 20 to 128 visible ASCII characters, since it travels in an
/// HTTP header.
fn check_value(value: &str) -> Result<(), StoreError> {
    let len = value.chars().count();
    if !(MIN_VALUE_LEN..=MAX_VALUE_LEN).contains(&len) {
        return Err(StoreError::Invalid {
            what: "API key value",
            reason: format!(
                "it is {len} characters long; AWS requires {MIN_VALUE_LEN} to {MAX_VALUE_LEN}"
            ),
        });
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(StoreError::Invalid {
            what: "API key value",
            reason: "it must be visible ASCII characters without spaces (it is sent in the \
                     x-api-key header)"
                .to_owned(),
        });
    }
    Ok(())
}

impl Store {
    /// Creates an API key named `name` with `value`, or a generated one (40 random letters
    /// and digits). Returns the key and its value: the only time the value is seen, since
    /// only its hash is stored.
    ///
    /// Fails with [`StoreError::Invalid`] for a value shorter than AWS's 20 characters and
    /// with [`StoreError::Conflict`] when the name or the value is taken.
    pub fn create_api_key(
        &self,
        name: &str,
        value: Option<&str>,
    ) -> Result<(ApiKey, String), StoreError> {
        names::resource_name("API key name", name)?;
        let value = match value {
            Some(value) => {
                check_value(value)?;
                value.to_owned()
            }
            None => random::string(GENERATED_VALUE_LEN, random::ALPHANUMERIC)?,
        };
        let value_hash = hash_api_key(&value);
        let key = self.write(|tx| {
            let mut by_name = self.open_write(tx, API_KEY_NAMES)?;
            if by_name
                .get(name)
                .context(self.ctx(), "look up an API key name")?
                .is_some()
            {
                return Err(StoreError::Conflict {
                    what: format!("an API key named {name} already exists"),
                });
            }
            let mut by_hash = self.open_write(tx, API_KEY_HASHES)?;
            if by_hash
                .get(value_hash.as_str())
                .context(self.ctx(), "look up an API key value")?
                .is_some()
            {
                return Err(StoreError::Conflict {
                    what: "another API key already has this value".to_owned(),
                });
            }
            let mut keys = self.open_write(tx, API_KEYS)?;
            let id = loop {
                let id = random::string(10, random::LOWER_ALPHANUMERIC)?;
                if keys
                    .get(id.as_str())
                    .context(self.ctx(), "look up an API key id")?
                    .is_none()
                {
                    break id;
                }
            };
            let key = ApiKey {
                id,
                name: name.to_owned(),
                enabled: true,
                created: now_unix_seconds(),
                value_hash: value_hash.clone(),
            };
            let bytes = self.encode("api_keys", &key.id, &key)?;
            keys.insert(key.id.as_str(), bytes.as_slice())
                .context(self.ctx(), "store an API key")?;
            by_name
                .insert(name, key.id.as_str())
                .context(self.ctx(), "index an API key name")?;
            by_hash
                .insert(value_hash.as_str(), key.id.as_str())
                .context(self.ctx(), "index an API key value")?;
            drop((keys, by_name, by_hash));
            self.bump_generation(tx)?;
            Ok(key)
        })?;
        Ok((key, value))
    }

    /// Every API key, by name.
    pub fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        self.read(|tx| {
            let by_name = self.open_read(tx, API_KEY_NAMES)?;
            let keys = self.open_read(tx, API_KEYS)?;
            let mut out = Vec::new();
            for entry in by_name.iter().context(self.ctx(), "list API keys")? {
                let (name, id) = entry.context(self.ctx(), "list API keys")?;
                let id = id.value();
                let bytes = keys
                    .get(id)
                    .context(self.ctx(), "read an API key")?
                    .ok_or_else(|| StoreError::Corrupt {
                        path: self.database_path().to_path_buf(),
                        table: "api_key_names",
                        key: name.value().to_owned(),
                        reason: format!("it names API key {id}, which is not stored"),
                    })?;
                out.push(self.decode("api_keys", id, bytes.value())?);
            }
            Ok(out)
        })
    }

    /// The API key named `name`; [`StoreError::NotFound`] when there is none.
    pub fn api_key(&self, name: &str) -> Result<ApiKey, StoreError> {
        self.read(|tx| {
            let by_name = self.open_read(tx, API_KEY_NAMES)?;
            let id = by_name
                .get(name)
                .context(self.ctx(), "look up an API key name")?
                .map(|id| id.value().to_owned())
                .ok_or_else(|| not_found(name))?;
            let keys = self.open_read(tx, API_KEYS)?;
            let bytes = keys
                .get(id.as_str())
                .context(self.ctx(), "read an API key")?
                .ok_or_else(|| not_found(name))?;
            self.decode("api_keys", &id, bytes.value())
        })
    }

    /// Deletes the API key named `name`, removing it from every usage plan and dropping its
    /// quota counters, in one transaction.
    pub fn delete_api_key(&self, name: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut by_name = self.open_write(tx, API_KEY_NAMES)?;
            let id = by_name
                .remove(name)
                .context(self.ctx(), "remove an API key name")?
                .map(|id| id.value().to_owned())
                .ok_or_else(|| not_found(name))?;
            drop(by_name);
            let mut keys = self.open_write(tx, API_KEYS)?;
            let removed = keys
                .remove(id.as_str())
                .context(self.ctx(), "remove an API key")?
                .map(|bytes| bytes.value().to_vec());
            drop(keys);
            if let Some(bytes) = removed {
                let key: ApiKey = self.decode("api_keys", &id, &bytes)?;
                let mut by_hash = self.open_write(tx, API_KEY_HASHES)?;
                by_hash
                    .remove(key.value_hash.as_str())
                    .context(self.ctx(), "remove an API key value")?;
            }
            self.remove_key_from_plans(tx, &id)?;
            self.bump_generation(tx)?;
            Ok(())
        })
    }

    /// Takes key `key_id` out of every plan and drops its counters.
    fn remove_key_from_plans(&self, tx: &WriteTransaction, key_id: &str) -> Result<(), StoreError> {
        let mut plans = self.open_write(tx, USAGE_PLANS)?;
        let mut changed = Vec::new();
        for entry in plans.iter().context(self.ctx(), "list usage plans")? {
            let (id, bytes) = entry.context(self.ctx(), "list usage plans")?;
            let mut plan: UsagePlan = self.decode("usage_plans", id.value(), bytes.value())?;
            if plan.key_ids.iter().any(|k| k == key_id) {
                plan.key_ids.retain(|k| k != key_id);
                changed.push(plan);
            }
        }
        for plan in &changed {
            let bytes = self.encode("usage_plans", &plan.id, plan)?;
            plans
                .insert(plan.id.as_str(), bytes.as_slice())
                .context(self.ctx(), "store a usage plan")?;
        }
        drop(plans);
        let mut usage = self.open_write(tx, USAGE)?;
        let mut counters = Vec::new();
        for entry in usage.iter().context(self.ctx(), "list usage counters")? {
            let (key, _) = entry.context(self.ctx(), "list usage counters")?;
            let (plan, key, start) = key.value();
            if key == key_id {
                counters.push((plan.to_owned(), start));
            }
        }
        for (plan, start) in &counters {
            usage
                .remove((plan.as_str(), key_id, *start))
                .context(self.ctx(), "remove a usage counter")?;
        }
        Ok(())
    }

    /// The id of the API key named `name`, read in a write transaction.
    pub(crate) fn api_key_id_in(
        &self,
        tx: &WriteTransaction,
        name: &str,
    ) -> Result<String, StoreError> {
        let by_name = self.open_write(tx, API_KEY_NAMES)?;
        let id = by_name
            .get(name)
            .context(self.ctx(), "look up an API key name")?
            .map(|id| id.value().to_owned());
        id.ok_or_else(|| not_found(name))
    }
}

fn not_found(name: &str) -> StoreError {
    StoreError::NotFound {
        kind: "API key",
        name: name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_lowercase_hex_sha256() {
        assert_eq!(
            hash_api_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn values_follow_aws_bounds() {
        assert!(check_value(&"a".repeat(20)).is_ok());
        assert!(check_value(&"a".repeat(128)).is_ok());
        let short = check_value(&"a".repeat(19)).expect_err("too short");
        assert_eq!(
            short.to_string(),
            "invalid API key value: it is 19 characters long; AWS requires 20 to 128"
        );
        assert!(check_value(&"a".repeat(129)).is_err());
        assert!(check_value("with a space in the middle of it").is_err());
        assert!(check_value("ééééééééééééééééééééé").is_err());
    }
}

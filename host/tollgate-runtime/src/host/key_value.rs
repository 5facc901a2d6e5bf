//! `tollgate:plugin/key-value`: the namespace the stage granted, and nothing else. The store
//! is synchronous and durable (a write commits to disk), so calls run on the blocking pool
//! instead of stalling the async worker that drives the guest.

use tollgate_store::StoreError;

use crate::bindings::key_value::{Error, Host};
use crate::state::{HostState, KeyValueGrant};

/// The most keys one `list-keys` call returns, whatever the guest asks for.
const LIST_LIMIT_CAP: u32 = 1000;

fn to_guest_error(error: StoreError) -> Error {
    match error {
        StoreError::TooLarge { .. } => Error::TooLarge(error.to_string()),
        other => Error::Store(other.to_string()),
    }
}

impl HostState {
    fn grant(&self) -> Result<KeyValueGrant, Error> {
        self.invocation.key_value.clone().ok_or(Error::NoNamespace)
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Error> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(to_guest_error),
        Err(join) => Err(Error::Store(format!("key-value call failed: {join}"))),
    }
}

impl Host for HostState {
    async fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, Error> {
        let grant = self.grant()?;
        blocking(move || grant.store.get(&grant.namespace, &key)).await
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), Error> {
        let grant = self.grant()?;
        blocking(move || grant.store.set(&grant.namespace, &key, &value)).await
    }

    async fn delete(&mut self, key: String) -> Result<bool, Error> {
        let grant = self.grant()?;
        blocking(move || grant.store.delete(&grant.namespace, &key)).await
    }

    async fn list_keys(&mut self, prefix: String, limit: u32) -> Result<Vec<String>, Error> {
        let grant = self.grant()?;
        let limit = limit.min(LIST_LIMIT_CAP);
        blocking(move || grant.store.list_keys(&grant.namespace, &prefix, limit)).await
    }
}

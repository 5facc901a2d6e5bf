//! Helpers shared by the integration tests.

#![allow(dead_code)]

use tempfile::TempDir;
use tollgate_store::{ContentHash, Store};

/// A store in a fresh temporary data directory; keep the `TempDir` alive as long as the store.
pub fn open_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let store = Store::open(dir.path()).expect("open the store");
    (dir, store)
}

/// Stores `bytes` as a component and returns its hash.
pub fn component(store: &Store, bytes: &[u8]) -> ContentHash {
    store.put_component(bytes).expect("store a component")
}

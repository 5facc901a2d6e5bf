//! The one error type of the store.
//!
//! Every variant says what failed and, where a file is involved, the path of the database, so
//! that a message reaching an operator's terminal is enough to act on. This module only
//! describes failures; it never decides how a caller reports them (the control plane and the
//! key-value host interface map them to their own responses).

use std::path::PathBuf;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process (or another `Store` in this process) already has the database open.
    #[error(
        "the database {path} is already open by another process (or another handle in this one); \
         only one Tollgate may use a data directory at a time"
    )]
    Locked {
        /// The database file.
        path: PathBuf,
    },

    /// A file-system operation on the data directory failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What the store was doing, as a verb phrase ("create the data directory").
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The embedded database (redb) failed.
    #[error("database {path}: could not {action}: {source}")]
    Database {
        /// What the store was doing, as a verb phrase ("commit a write").
        action: &'static str,
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: Box<redb::Error>,
    },

    /// The database was written by a newer Tollgate whose schema this one does not know.
    #[error(
        "the database {path} has schema version {found}, but this Tollgate only understands up \
         to {supported}; run a newer Tollgate or restore a backup made by this version"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version recorded in the file.
        found: u64,
        /// The newest schema version this build understands.
        supported: u64,
    },

    /// A stored record could not be decoded.
    #[error(
        "the database {path} holds a corrupt record in table `{table}` under key {key}: {reason}"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The redb table.
        table: &'static str,
        /// The record's key, rendered for humans.
        key: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Something the operation refers to does not exist.
    #[error("{kind} `{name}` not found")]
    NotFound {
        /// What was looked for ("function", "deployment", "component").
        kind: &'static str,
        /// Its name or id.
        name: String,
    },

    /// A name or id does not have the required shape.
    #[error("invalid {kind} `{name}`: expected {expected}")]
    InvalidName {
        /// What the name is for ("function name", "stage name").
        kind: &'static str,
        /// The name as given.
        name: String,
        /// The shape it must have, for humans.
        expected: &'static str,
    },

    /// A key or value is larger than the store allows.
    #[error("{what} is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// What was too large ("key-value key", "key-value value").
        what: &'static str,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// The operation conflicts with what is stored: a name already taken, an API key already
    /// in another usage plan for the same stage (AWS's `ConflictException`).
    #[error("{what}")]
    Conflict {
        /// What conflicts, as a sentence for humans.
        what: String,
    },

    /// A value is outside what the store accepts: an API key value shorter than AWS allows, a
    /// negative rate, a quota offset past the period (AWS's `BadRequestException`).
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was invalid ("API key value", "throttle rate").
        what: &'static str,
        /// Why, and what is expected.
        reason: String,
    },

    /// The key that encrypts access-key secrets (`DATA_DIR/secret.key`) is missing or unusable.
    #[error("the secret key {path}: {reason}")]
    SecretKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The operating system's random number generator failed.
    #[error("could not get random bytes from the operating system: {reason}")]
    Randomness {
        /// The underlying error.
        reason: String,
    },
}

impl StoreError {
    /// True for [`StoreError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::NotFound { .. })
    }

    /// True for [`StoreError::Conflict`].
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}

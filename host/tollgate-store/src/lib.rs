//! The embedded, crash-safe store of Tollgate.
//!
//! One redb file, `DATA_DIR/tollgate.redb`, holds everything that must survive a restart:
//! imported API definitions ([`Store::put_api`]), deployments and stages
//! ([`Store::create_deployment`], [`Store::point_stage`]), functions with numbered versions and
//! aliases ([`Store::publish_function`]), content-addressed component bytes
//! ([`Store::put_component`]), the plugins' key-value tables ([`KeyValueStore`]), API keys
//! (hashed, [`Store::create_api_key`]), usage plans and their quota counters
//! ([`Store::create_usage_plan`], [`Store::add_usage`]) and SigV4 access keys (secrets
//! encrypted under `DATA_DIR/secret.key`, [`Store::create_access_key`]).
//!
//! Durability: every mutating call commits one redb write transaction with
//! [`redb::Durability::Immediate`] before it returns, so a `kill -9` at any moment loses no
//! write whose call returned. A call that fails commits nothing.
//!
//! Change notification: every write to APIs, deployments, stages, functions, aliases, API
//! keys, usage plans or access keys bumps [`Store::generation`] in the same transaction; a
//! gateway polls it to notice change. Quota counters ([`Store::add_usage`]) do not: they
//! change with traffic, not with what is served.
//!
//! What this crate must never hold: caches, token buckets or anything else that lives in
//! memory only. Its calls block on disk I/O (an fsync per write), so async callers run them
//! with `spawn_blocking` or off the request path.
//!
//! Only one process may open a data directory at a time: a second [`Store::open`] of the same
//! directory, from another process or from this one, fails with [`StoreError::Locked`].

mod access_keys;
mod api_keys;
mod components;
mod deployments;
mod error;
mod functions;
pub mod key_value;
mod names;
mod quota;
mod random;
mod tables;
mod throttling;
mod usage_plans;

use std::collections::hash_map::RandomState;
use std::fmt::Display;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use redb::{
    Database, DatabaseError, Durability, Key, ReadOnlyTable, ReadTransaction, ReadableDatabase,
    ReadableTable, Table, TableDefinition, Value, WriteTransaction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use access_keys::{AccessKey, SECRET_KEY_FILE_NAME};
pub use api_keys::{ApiKey, hash_api_key};
pub use components::ContentHash;
pub use deployments::{Canary, Deployment, NewDeployment, STAGE_HISTORY_LIMIT, Stage};
pub use error::StoreError;
pub use functions::{FunctionAlias, FunctionVersion, LATEST};
pub use key_value::KeyValueStore;
pub use quota::{Quota, QuotaPeriod, format_utc, quota_period_end, quota_period_start};
pub use throttling::{Throttle, method_key};
pub use usage_plans::{NewUsagePlan, UsageIncrement, UsagePlan, UsagePlanStage};

use tables::{
    ACCESS_KEYS, API_DEPLOYMENTS, API_KEY_HASHES, API_KEY_NAMES, API_KEYS, APIS, COMPONENTS,
    DEPLOYMENTS, FUNCTION_ALIASES, FUNCTION_VERSIONS, FUNCTIONS, KEY_VALUE, META, META_GENERATION,
    META_ID_SALT, META_SCHEMA_VERSION, SCHEMA_VERSION, STAGES, USAGE, USAGE_PLAN_NAMES,
    USAGE_PLANS,
};

/// The file name of the database inside the data directory.
pub const DATABASE_FILE_NAME: &str = "tollgate.redb";

/// A handle to the store of one data directory. Cheap to clone; all clones share one open
/// database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    data_dir: PathBuf,
    db_path: PathBuf,
    /// A random number fixed when the database was created, mixed into generated ids.
    id_salt: u64,
    /// The key of `DATA_DIR/secret.key`, read (or created) on first use.
    secret_key: Mutex<Option<[u8; 32]>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.db_path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store in `data_dir`, creating the directory and the database file when they
    /// do not exist yet.
    ///
    /// Fails with [`StoreError::Locked`] when another process (or another `Store` of this
    /// process) has the same directory open, and with [`StoreError::SchemaTooNew`] when the
    /// file was written by a newer Tollgate.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            action: "create the data directory",
            path: data_dir.to_path_buf(),
            source,
        })?;
        let db_path = data_dir.join(DATABASE_FILE_NAME);
        let db = Database::create(&db_path).map_err(|error| match error {
            DatabaseError::DatabaseAlreadyOpen => StoreError::Locked {
                path: db_path.clone(),
            },
            other => StoreError::Database {
                action: "open the database",
                path: db_path.clone(),
                source: Box::new(other.into()),
            },
        })?;
        let mut store = Inner {
            db,
            data_dir: data_dir.to_path_buf(),
            db_path,
            id_salt: 0,
            secret_key: Mutex::new(None),
        };
        store.id_salt = Store::initialise(&store)?;
        Ok(Store {
            inner: Arc::new(store),
        })
    }

    /// Creates every table, checks the schema version and returns the id salt, in one write.
    fn initialise(inner: &Inner) -> Result<u64, StoreError> {
        let ctx = Ctx(&inner.db_path);
        let mut tx = inner
            .db
            .begin_write()
            .context(ctx, "begin the initial write")?;
        tx.set_durability(Durability::Immediate)
            .context(ctx, "set immediate durability")?;
        let salt = {
            let mut meta = tx.open_table(META).context(ctx, "open table `meta`")?;
            let found = meta
                .get(META_SCHEMA_VERSION)
                .context(ctx, "read the schema version")?
                .map(|v| v.value());
            match found {
                Some(found) if found > SCHEMA_VERSION => {
                    return Err(StoreError::SchemaTooNew {
                        path: inner.db_path.clone(),
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                // Migrations from older schemas go here, one step per version.
                // 1 → 2 adds tables only (created below) and stage fields with serde
                // defaults: recording the new version is the whole migration.
                Some(found) if found < SCHEMA_VERSION => {
                    meta.insert(META_SCHEMA_VERSION, SCHEMA_VERSION)
                        .context(ctx, "record the schema version")?;
                }
                Some(_) => {}
                None => {
                    meta.insert(META_SCHEMA_VERSION, SCHEMA_VERSION)
                        .context(ctx, "record the schema version")?;
                }
            }
            let salt = meta
                .get(META_ID_SALT)
                .context(ctx, "read the id salt")?
                .map(|v| v.value());
            match salt {
                Some(salt) => salt,
                None => {
                    let salt = fresh_salt();
                    meta.insert(META_ID_SALT, salt)
                        .context(ctx, "record the id salt")?;
                    salt
                }
            }
        };
        // Opening a table in a write transaction creates it, so later read transactions never
        // meet a missing table.
        tx.open_table(COMPONENTS)
            .context(ctx, "create table `components`")?;
        tx.open_table(FUNCTIONS)
            .context(ctx, "create table `functions`")?;
        tx.open_table(FUNCTION_VERSIONS)
            .context(ctx, "create table `function_versions`")?;
        tx.open_table(FUNCTION_ALIASES)
            .context(ctx, "create table `function_aliases`")?;
        tx.open_table(APIS).context(ctx, "create table `apis`")?;
        tx.open_table(DEPLOYMENTS)
            .context(ctx, "create table `deployments`")?;
        tx.open_table(API_DEPLOYMENTS)
            .context(ctx, "create table `api_deployments`")?;
        tx.open_table(STAGES)
            .context(ctx, "create table `stages`")?;
        tx.open_table(KEY_VALUE)
            .context(ctx, "create table `key_value`")?;
        tx.open_table(API_KEYS)
            .context(ctx, "create table `api_keys`")?;
        tx.open_table(API_KEY_NAMES)
            .context(ctx, "create table `api_key_names`")?;
        tx.open_table(API_KEY_HASHES)
            .context(ctx, "create table `api_key_hashes`")?;
        tx.open_table(USAGE_PLANS)
            .context(ctx, "create table `usage_plans`")?;
        tx.open_table(USAGE_PLAN_NAMES)
            .context(ctx, "create table `usage_plan_names`")?;
        tx.open_table(USAGE).context(ctx, "create table `usage`")?;
        tx.open_table(ACCESS_KEYS)
            .context(ctx, "create table `access_keys`")?;
        tx.commit().context(ctx, "commit the initial write")?;
        Ok(salt)
    }

    /// The data directory this store was opened in, as given to [`Store::open`].
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The path of the database file, `DATA_DIR/tollgate.redb`.
    pub fn database_path(&self) -> &Path {
        &self.inner.db_path
    }

    /// The schema version this build of the store writes.
    pub fn schema_version() -> u64 {
        SCHEMA_VERSION
    }

    /// A counter bumped, in the same transaction, by every write to APIs, deployments, stages,
    /// functions, aliases, API keys, usage plans and access keys (not by quota counters).
    /// Equal values mean nothing a gateway serves from has changed.
    pub fn generation(&self) -> Result<u64, StoreError> {
        self.read(|tx| {
            let meta = self.open_read(tx, META)?;
            Ok(meta
                .get(META_GENERATION)
                .context(self.ctx(), "read the generation")?
                .map(|v| v.value())
                .unwrap_or(0))
        })
    }

    // ----- helpers shared by the modules -----

    pub(crate) fn ctx(&self) -> Ctx<'_> {
        Ctx(&self.inner.db_path)
    }

    pub(crate) fn id_salt(&self) -> u64 {
        self.inner.id_salt
    }

    pub(crate) fn secret_key_cache(&self) -> &Mutex<Option<[u8; 32]>> {
        &self.inner.secret_key
    }

    /// Runs `f` in a read transaction.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self
            .inner
            .db
            .begin_read()
            .context(self.ctx(), "begin a read")?;
        f(&tx)
    }

    /// Runs `f` in a write transaction and commits it durably; an error from `f` aborts it.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&WriteTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tx = self
            .inner
            .db
            .begin_write()
            .context(self.ctx(), "begin a write")?;
        tx.set_durability(Durability::Immediate)
            .context(self.ctx(), "set immediate durability")?;
        let out = f(&tx)?;
        tx.commit().context(self.ctx(), "commit a write")?;
        Ok(out)
    }

    pub(crate) fn open_read<K: Key + 'static, V: Value + 'static>(
        &self,
        tx: &ReadTransaction,
        table: TableDefinition<'static, K, V>,
    ) -> Result<ReadOnlyTable<K, V>, StoreError> {
        tx.open_table(table).context(self.ctx(), "open a table")
    }

    pub(crate) fn open_write<'t, K: Key + 'static, V: Value + 'static>(
        &self,
        tx: &'t WriteTransaction,
        table: TableDefinition<'static, K, V>,
    ) -> Result<Table<'t, K, V>, StoreError> {
        tx.open_table(table).context(self.ctx(), "open a table")
    }

    /// Bumps the change counter; call from every write to what a gateway serves from (not
    /// from quota counters).
    pub(crate) fn bump_generation(&self, tx: &WriteTransaction) -> Result<u64, StoreError> {
        let mut meta = self.open_write(tx, META)?;
        let next = meta
            .get(META_GENERATION)
            .context(self.ctx(), "read the generation")?
            .map(|v| v.value())
            .unwrap_or(0)
            .wrapping_add(1);
        meta.insert(META_GENERATION, next)
            .context(self.ctx(), "bump the generation")?;
        Ok(next)
    }

    /// Decodes a JSON record, naming the table and key when it does not parse.
    pub(crate) fn decode<T: DeserializeOwned>(
        &self,
        table: &'static str,
        key: impl Display,
        bytes: &[u8],
    ) -> Result<T, StoreError> {
        serde_json::from_slice(bytes).map_err(|error| StoreError::Corrupt {
            path: self.inner.db_path.clone(),
            table,
            key: key.to_string(),
            reason: error.to_string(),
        })
    }

    /// Encodes a record as JSON.
    pub(crate) fn encode<T: Serialize>(
        &self,
        table: &'static str,
        key: impl Display,
        value: &T,
    ) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec(value).map_err(|error| StoreError::Corrupt {
            path: self.inner.db_path.clone(),
            table,
            key: key.to_string(),
            reason: format!("cannot be encoded as JSON: {error}"),
        })
    }
}

/// The context attached to a redb error: the database path.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a>(&'a Path);

/// Wraps a redb error with what the store was doing and the database path.
pub(crate) trait Context<T> {
    fn context(self, ctx: Ctx<'_>, action: &'static str) -> Result<T, StoreError>;
}

impl<T, E: Into<redb::Error>> Context<T> for Result<T, E> {
    fn context(self, ctx: Ctx<'_>, action: &'static str) -> Result<T, StoreError> {
        self.map_err(|error| StoreError::Database {
            action,
            path: ctx.0.to_path_buf(),
            source: Box::new(error.into()),
        })
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_epoch_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A random number for the id salt: std's randomly keyed hasher over the time and process id.
fn fresh_salt() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    hasher.write_u32(std::process::id());
    hasher.finish()
}

//! The redb tables of the store, in one place, with their key and value layouts.
//!
//! Records are stored as JSON bytes (`&[u8]`) so that adding a field with a serde default is
//! not a migration; counters and indexes use redb's native types. Composite keys are redb
//! tuples, whose encoding length-prefixes every element but the last, so no two distinct
//! `(a, b)` pairs can ever encode to the same bytes whatever characters they contain.
//! Renaming a table or changing a key or value type here is a schema change: bump
//! [`SCHEMA_VERSION`] and add a migration in `lib.rs`.

use redb::TableDefinition;

/// The schema version this build writes and understands.
///
/// 2: API keys, usage plans and their counters, access keys; stages gained `throttle` and
/// `method_throttles` (serde defaults, so version 1 records read unchanged).
pub(crate) const SCHEMA_VERSION: u64 = 2;

/// Store-wide counters and settings: `schema_version`, `generation`, `deployment_seq`, `id_salt`.
pub(crate) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
pub(crate) const META_SCHEMA_VERSION: &str = "schema_version";
pub(crate) const META_GENERATION: &str = "generation";
pub(crate) const META_DEPLOYMENT_SEQ: &str = "deployment_seq";
pub(crate) const META_ID_SALT: &str = "id_salt";

/// Content hash (lowercase hex sha256) → WASM component bytes.
pub(crate) const COMPONENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("components");

/// Function name → its highest version number.
pub(crate) const FUNCTIONS: TableDefinition<&str, u32> = TableDefinition::new("functions");

/// (function name, version) → JSON `FunctionVersion`.
pub(crate) const FUNCTION_VERSIONS: TableDefinition<(&str, u32), &[u8]> =
    TableDefinition::new("function_versions");

/// (function name, alias) → JSON `FunctionAlias`.
pub(crate) const FUNCTION_ALIASES: TableDefinition<(&str, &str), &[u8]> =
    TableDefinition::new("function_aliases");

/// API id → JSON definition document (the current, undeployed one).
pub(crate) const APIS: TableDefinition<&str, &[u8]> = TableDefinition::new("apis");

/// Deployment id → JSON `Deployment`.
pub(crate) const DEPLOYMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("deployments");

/// (API id, deployment sequence number) → deployment id: an API's deployments in creation order.
pub(crate) const API_DEPLOYMENTS: TableDefinition<(&str, u64), &str> =
    TableDefinition::new("api_deployments");

/// (API id, stage name) → JSON `Stage`.
pub(crate) const STAGES: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("stages");

/// (namespace, key) → value bytes: the plugins' key-value tables.
pub(crate) const KEY_VALUE: TableDefinition<(&str, &str), &[u8]> =
    TableDefinition::new("key_value");

/// API key id → JSON `ApiKey` (the value's sha256 only, never the value).
pub(crate) const API_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("api_keys");

/// API key name → id: names are unique and commands address keys by name.
pub(crate) const API_KEY_NAMES: TableDefinition<&str, &str> = TableDefinition::new("api_key_names");

/// Hex sha256 of an API key value → key id: values are unique, so a presented key names one
/// key.
pub(crate) const API_KEY_HASHES: TableDefinition<&str, &str> =
    TableDefinition::new("api_key_hashes");

/// Usage plan id → JSON `UsagePlan`.
pub(crate) const USAGE_PLANS: TableDefinition<&str, &[u8]> = TableDefinition::new("usage_plans");

/// Usage plan name → id.
pub(crate) const USAGE_PLAN_NAMES: TableDefinition<&str, &str> =
    TableDefinition::new("usage_plan_names");

/// (usage plan id, API key id, quota period start in unix seconds) → requests counted.
pub(crate) const USAGE: TableDefinition<(&str, &str, u64), u64> = TableDefinition::new("usage");

/// Access key id (`AKIA...`) → JSON access key with its secret encrypted under
/// `DATA_DIR/secret.key`.
pub(crate) const ACCESS_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("access_keys");

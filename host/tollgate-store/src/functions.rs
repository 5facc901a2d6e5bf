//! Functions, like Lambda's: a name, numbered immutable versions (1, 2, ...) each pointing at
//! a component hash, and movable aliases (`prod` → 3).
//!
//! A version, once published, never changes; an alias is the only thing that moves. A version
//! can only point at a component that is stored, and an alias only at a version that exists.

use redb::ReadableTable;
use serde::{Deserialize, Serialize};

use crate::components::ContentHash;
use crate::tables::{COMPONENTS, FUNCTION_ALIASES, FUNCTION_VERSIONS, FUNCTIONS};
use crate::{Context, Store, StoreError, names, now_epoch_millis};

/// The qualifier that names a function's highest version, as in Lambda.
pub const LATEST: &str = "$LATEST";

/// One published, immutable version of a function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionVersion {
    /// The function's name.
    pub name: String,
    /// The version number, from 1.
    pub version: u32,
    /// The component this version runs.
    pub hash: ContentHash,
    /// What the publisher said about this version.
    #[serde(default)]
    pub description: Option<String>,
    /// When it was published.
    pub created_epoch_millis: u64,
}

impl FunctionVersion {
    /// The qualified reference `name:version` (e.g. `crud:3`), the form deployments key
    /// component hashes by.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.name, self.version)
    }
}

/// A movable name for one version of a function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionAlias {
    /// The function's name.
    pub function: String,
    /// The alias (`prod`).
    pub alias: String,
    /// The version it points at.
    pub version: u32,
    /// When it was last pointed.
    pub updated_epoch_millis: u64,
}

impl Store {
    /// Publishes a new version of `name` running the component `hash`, creating the function
    /// when it does not exist. Like Lambda's PublishVersion, publishing the hash the latest
    /// version already runs returns that version unchanged and writes nothing.
    ///
    /// Fails with [`StoreError::NotFound`] when the component is not stored.
    pub fn publish_function(
        &self,
        name: &str,
        hash: &ContentHash,
        description: Option<&str>,
    ) -> Result<FunctionVersion, StoreError> {
        names::function_name(name)?;
        self.write(|tx| {
            let components = self.open_write(tx, COMPONENTS)?;
            if components
                .get(hash.as_str())
                .context(self.ctx(), "look up a component")?
                .is_none()
            {
                return Err(StoreError::NotFound {
                    kind: "component",
                    name: hash.to_string(),
                });
            }
            drop(components);

            let mut functions = self.open_write(tx, FUNCTIONS)?;
            let mut versions = self.open_write(tx, FUNCTION_VERSIONS)?;
            let latest = functions
                .get(name)
                .context(self.ctx(), "read a function")?
                .map(|v| v.value());
            if let Some(latest) = latest {
                let record = versions
                    .get((name, latest))
                    .context(self.ctx(), "read a function version")?
                    .map(|v| v.value().to_vec());
                if let Some(bytes) = record {
                    let current: FunctionVersion =
                        self.decode("function_versions", format!("{name}:{latest}"), &bytes)?;
                    if current.hash == *hash {
                        return Ok(current);
                    }
                }
            }
            let version = match latest {
                None => 1,
                Some(latest) => latest.checked_add(1).ok_or(StoreError::TooLarge {
                    what: "function version number",
                    size: u32::MAX as usize,
                    limit: u32::MAX as usize,
                })?,
            };
            let record = FunctionVersion {
                name: name.to_owned(),
                version,
                hash: hash.clone(),
                description: description.map(str::to_owned),
                created_epoch_millis: now_epoch_millis(),
            };
            let bytes = self.encode("function_versions", record.reference(), &record)?;
            versions
                .insert((name, version), bytes.as_slice())
                .context(self.ctx(), "store a function version")?;
            functions
                .insert(name, version)
                .context(self.ctx(), "store a function")?;
            drop((functions, versions));
            self.bump_generation(tx)?;
            Ok(record)
        })
    }

    /// The versions of `name`, oldest first; empty when there is no such function.
    pub fn function_versions(&self, name: &str) -> Result<Vec<FunctionVersion>, StoreError> {
        names::function_name(name)?;
        self.read(|tx| {
            let versions = self.open_read(tx, FUNCTION_VERSIONS)?;
            let mut out = Vec::new();
            for entry in versions
                .range((name, 0u32)..=(name, u32::MAX))
                .context(self.ctx(), "list function versions")?
            {
                let (key, value) = entry.context(self.ctx(), "list function versions")?;
                let (_, version) = key.value();
                out.push(self.decode(
                    "function_versions",
                    format!("{name}:{version}"),
                    value.value(),
                )?);
            }
            Ok(out)
        })
    }

    /// The names of all functions, in ascending order.
    pub fn functions(&self) -> Result<Vec<String>, StoreError> {
        self.read(|tx| {
            let functions = self.open_read(tx, FUNCTIONS)?;
            let mut out = Vec::new();
            for entry in functions.iter().context(self.ctx(), "list functions")? {
                let (key, _) = entry.context(self.ctx(), "list functions")?;
                out.push(key.value().to_owned());
            }
            Ok(out)
        })
    }

    /// Points `alias` of function `name` at `version`, creating the alias when needed.
    ///
    /// Fails with [`StoreError::NotFound`] when that version does not exist.
    pub fn set_function_alias(
        &self,
        name: &str,
        alias: &str,
        version: u32,
    ) -> Result<(), StoreError> {
        names::function_name(name)?;
        names::alias_name(alias)?;
        self.write(|tx| {
            let versions = self.open_write(tx, FUNCTION_VERSIONS)?;
            if versions
                .get((name, version))
                .context(self.ctx(), "read a function version")?
                .is_none()
            {
                return Err(StoreError::NotFound {
                    kind: "function version",
                    name: format!("{name}:{version}"),
                });
            }
            drop(versions);
            let record = FunctionAlias {
                function: name.to_owned(),
                alias: alias.to_owned(),
                version,
                updated_epoch_millis: now_epoch_millis(),
            };
            let bytes = self.encode("function_aliases", format!("{name}:{alias}"), &record)?;
            let mut aliases = self.open_write(tx, FUNCTION_ALIASES)?;
            aliases
                .insert((name, alias), bytes.as_slice())
                .context(self.ctx(), "store a function alias")?;
            drop(aliases);
            self.bump_generation(tx)?;
            Ok(())
        })
    }

    /// The aliases of function `name`, by alias name.
    pub fn function_aliases(&self, name: &str) -> Result<Vec<FunctionAlias>, StoreError> {
        names::function_name(name)?;
        self.read(|tx| {
            let aliases = self.open_read(tx, FUNCTION_ALIASES)?;
            let mut out = Vec::new();
            for entry in aliases
                .range((name, "")..)
                .context(self.ctx(), "list function aliases")?
            {
                let (key, value) = entry.context(self.ctx(), "list function aliases")?;
                let (function, alias) = key.value();
                if function != name {
                    break;
                }
                out.push(self.decode(
                    "function_aliases",
                    format!("{name}:{alias}"),
                    value.value(),
                )?);
            }
            Ok(out)
        })
    }

    /// Removes an alias; true when it existed.
    pub fn delete_function_alias(&self, name: &str, alias: &str) -> Result<bool, StoreError> {
        names::function_name(name)?;
        names::alias_name(alias)?;
        self.write(|tx| {
            let mut aliases = self.open_write(tx, FUNCTION_ALIASES)?;
            let existed = aliases
                .remove((name, alias))
                .context(self.ctx(), "remove a function alias")?
                .is_some();
            drop(aliases);
            if existed {
                self.bump_generation(tx)?;
            }
            Ok(existed)
        })
    }

    /// Resolves a qualified function reference: no qualifier or `$LATEST` is the highest
    /// version, digits are that version, anything else is an alias. `None` when the function,
    /// version or alias does not exist.
    pub fn resolve_function(
        &self,
        name: &str,
        qualifier: Option<&str>,
    ) -> Result<Option<FunctionVersion>, StoreError> {
        names::function_name(name)?;
        enum Wanted<'q> {
            Latest,
            Version(u32),
            Alias(&'q str),
        }
        let wanted = match qualifier {
            None | Some(LATEST) => Wanted::Latest,
            Some(q) if !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()) => {
                match q.parse::<u32>() {
                    Ok(version) => Wanted::Version(version),
                    // More digits than any version number has: no such version.
                    Err(_) => return Ok(None),
                }
            }
            Some(alias) => {
                names::alias_name(alias)?;
                Wanted::Alias(alias)
            }
        };
        self.read(|tx| {
            let version = match wanted {
                Wanted::Version(version) => Some(version),
                Wanted::Latest => {
                    let functions = self.open_read(tx, FUNCTIONS)?;
                    functions
                        .get(name)
                        .context(self.ctx(), "read a function")?
                        .map(|v| v.value())
                }
                Wanted::Alias(alias) => {
                    let aliases = self.open_read(tx, FUNCTION_ALIASES)?;
                    let bytes = aliases
                        .get((name, alias))
                        .context(self.ctx(), "read a function alias")?
                        .map(|v| v.value().to_vec());
                    match bytes {
                        None => None,
                        Some(bytes) => {
                            let record: FunctionAlias =
                                self.decode("function_aliases", format!("{name}:{alias}"), &bytes)?;
                            Some(record.version)
                        }
                    }
                }
            };
            let Some(version) = version else {
                return Ok(None);
            };
            let versions = self.open_read(tx, FUNCTION_VERSIONS)?;
            let bytes = versions
                .get((name, version))
                .context(self.ctx(), "read a function version")?
                .map(|v| v.value().to_vec());
            bytes
                .map(|bytes| self.decode("function_versions", format!("{name}:{version}"), &bytes))
                .transpose()
        })
    }
}

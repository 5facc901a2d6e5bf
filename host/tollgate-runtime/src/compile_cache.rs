//! Components compiled once per content hash and kept compiled on disk, so a restart or a
//! redeploy of an unchanged component compiles nothing. A cache entry is named by the
//! component's content hash and the engine's compatibility hash: a different wasmtime or a
//! different configuration never reads an artifact built for another.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::LoadError;

pub(crate) struct CompileCache {
    dir: PathBuf,
    engine_tag: String,
}

/// Whether a component came from the disk cache or was compiled now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompileSource {
    /// Read from a compiled artifact: no compilation.
    Cache,
    /// Compiled from the component's bytes (and then cached).
    Compiled,
}

impl CompileCache {
    pub(crate) fn new(engine: &Engine, dir: &Path) -> Result<CompileCache, LoadError> {
        std::fs::create_dir_all(dir).map_err(|e| LoadError::Cache {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Ok(CompileCache {
            dir: dir.to_path_buf(),
            engine_tag: format!("{:016x}", hasher.finish()),
        })
    }

    fn artifact_path(&self, hash: &str) -> PathBuf {
        self.dir.join(format!("{hash}-{}.cwasm", self.engine_tag))
    }

    /// The compiled component for `hash`: from disk when present, else compiled from the
    /// bytes `wasm` yields (fetched only then) and written to disk atomically.
    pub(crate) fn load(
        &self,
        engine: &Engine,
        hash: &str,
        wasm: impl FnOnce() -> Result<Vec<u8>, String>,
    ) -> Result<(Component, CompileSource), LoadError> {
        let path = self.artifact_path(hash);
        if path.exists() {
            // SAFETY: the artifact was written by this process's code from a component we
            // compiled with an engine of the same compatibility hash (part of the file name),
            // into the gateway's own data directory; wasmtime still checks its header.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, CompileSource::Cache)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "compiled component unreadable; recompiling");
                }
            }
        }
        let bytes = wasm().map_err(|message| LoadError::Compile {
            hash: hash.to_string(),
            message,
        })?;
        let component = Component::new(engine, &bytes).map_err(|e| LoadError::Compile {
            hash: hash.to_string(),
            message: format!("{e:#}"),
        })?;
        let serialized = component.serialize().map_err(|e| LoadError::Compile {
            hash: hash.to_string(),
            message: format!("{e:#}"),
        })?;
        write_atomically(&path, &serialized).map_err(|e| LoadError::Cache {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok((component, CompileSource::Compiled))
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

//! `tollgate.toml`: reading it, with errors that name the file, the key and what was
//! expected. Unknown keys are errors rather than ignored, so a misspelt `wrold` is caught
//! instead of silently detecting or defaulting.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::{BuildError, Language, MANIFEST, NAME_RULE, Project, World, is_valid_name};

const PLUGIN_KEYS: &str = "name, world, language";

pub(crate) fn load(dir: &Path) -> Result<Project, BuildError> {
    let dir = std::path::absolute(dir).map_err(crate::io_error(format!(
        "resolving the plugin directory {}",
        dir.display()
    )))?;
    let file = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let message = if dir.is_dir() {
                "not found: a plugin directory needs a tollgate.toml ([plugin] name, world, \
                 language); `tollgate plugin new` writes one"
                    .to_owned()
            } else {
                format!("not found: {} is not a directory", dir.display())
            };
            return Err(BuildError::Manifest { file, message });
        }
        Err(error) => {
            return Err(BuildError::Io {
                context: format!("reading {}", file.display()),
                error,
            });
        }
    };
    parse(&dir, file, &text)
}

fn parse(dir: &Path, file: PathBuf, text: &str) -> Result<Project, BuildError> {
    let fail = |message: String| BuildError::Manifest {
        file: file.clone(),
        message,
    };
    let table: Table = text
        .parse()
        .map_err(|e| fail(format!("not valid TOML: {e}")))?;
    if let Some(key) = table.keys().find(|key| *key != "plugin") {
        return Err(fail(format!(
            "{key}: unknown key (a manifest has one table, [plugin], with {PLUGIN_KEYS})"
        )));
    }
    let plugin = match table.get("plugin") {
        Some(Value::Table(plugin)) => plugin,
        Some(other) => {
            return Err(fail(format!(
                "plugin: expected a table ([plugin]), found a {}",
                other.type_str()
            )));
        }
        None => {
            return Err(fail(format!(
                "missing the [plugin] table (with {PLUGIN_KEYS})"
            )));
        }
    };
    if let Some(key) = plugin
        .keys()
        .find(|key| !["name", "world", "language"].contains(&key.as_str()))
    {
        return Err(fail(format!(
            "plugin.{key}: unknown key (expected {PLUGIN_KEYS})"
        )));
    }
    let string = |key: &str| -> Result<Option<&str>, BuildError> {
        match plugin.get(key) {
            None => Ok(None),
            Some(Value::String(value)) => Ok(Some(value)),
            Some(other) => Err(fail(format!(
                "plugin.{key}: expected a string, found a {}",
                other.type_str()
            ))),
        }
    };

    let name = string("name")?.ok_or_else(|| {
        fail("plugin.name: missing (the name the plugin is published under)".into())
    })?;
    if !is_valid_name(name) {
        return Err(fail(format!(
            "plugin.name: expected {NAME_RULE}, found {name:?}"
        )));
    }
    let world = string("world")?
        .ok_or_else(|| {
            fail("plugin.world: missing (expected function, mapper or authorizer)".into())
        })?
        .parse::<World>()
        .map_err(|e| fail(format!("plugin.world: {e}")))?;
    let language = match string("language")? {
        Some(language) => language
            .parse::<Language>()
            .map_err(|e| fail(format!("plugin.language: {e}")))?,
        None => detect(dir).map_err(fail)?,
    };
    Ok(Project {
        dir: dir.to_path_buf(),
        name: name.to_owned(),
        world,
        language,
    })
}

fn detect(dir: &Path) -> Result<Language, String> {
    match crate::detect_languages(dir).as_slice() {
        [language] => Ok(*language),
        [] => Err(
            "plugin.language: not set, and the directory has no sources of a known language \
             (Cargo.toml for rust, *.py for python, package.json or *.js for js, *.c for c); \
             set language = \"rust\" | \"python\" | \"js\" | \"c\""
                .to_owned(),
        ),
        several => Err(format!(
            "plugin.language: not set, and the directory has sources of several languages ({}); \
             set it to the plugin's",
            several
                .iter()
                .map(|l| l.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Project, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MANIFEST), text).unwrap();
        let result = load(dir.path()).map_err(|e| {
            let message = e.to_string();
            let prefix = format!("{}: ", dir.path().join(MANIFEST).display());
            assert!(message.starts_with(&prefix), "{message} names the file");
            message[prefix.len()..].to_owned()
        });
        if let Ok(project) = &result {
            assert_eq!(project.dir, dir.path());
        }
        result
    }

    #[test]
    fn a_complete_manifest_is_read() {
        let project =
            load_text("[plugin]\nname = \"crud\"\nworld = \"function\"\nlanguage = \"python\"\n")
                .unwrap();
        assert_eq!(project.name, "crud");
        assert_eq!(project.world, World::Function);
        assert_eq!(project.language, Language::Python);
    }

    #[test]
    fn errors_name_the_key_and_what_was_expected() {
        let cases = [
            ("[plugin", "not valid TOML"),
            (
                "",
                "missing the [plugin] table (with name, world, language)",
            ),
            (
                "plugin = 1",
                "plugin: expected a table ([plugin]), found a integer",
            ),
            (
                "[plugin]\nname = \"x\"\nworld = \"mapper\"\n[build]\n",
                "build: unknown key",
            ),
            (
                "[plugin]\nname = \"x\"\nwrold = \"mapper\"\n",
                "plugin.wrold: unknown key (expected name, world, language)",
            ),
            ("[plugin]\nworld = \"mapper\"\n", "plugin.name: missing"),
            (
                "[plugin]\nname = 3\nworld = \"mapper\"\n",
                "plugin.name: expected a string, found a integer",
            ),
            (
                "[plugin]\nname = \"a b\"\nworld = \"mapper\"\n",
                "plugin.name: expected 1 to 64 characters",
            ),
            (
                "[plugin]\nname = \"x\"\n",
                "plugin.world: missing (expected function, mapper or authorizer)",
            ),
            (
                "[plugin]\nname = \"x\"\nworld = \"proxy\"\n",
                "plugin.world: unknown world \"proxy\": expected one of function, mapper, authorizer",
            ),
            (
                "[plugin]\nname = \"x\"\nworld = \"mapper\"\nlanguage = \"go\"\n",
                "plugin.language: unknown language \"go\": expected one of rust, python, js, c",
            ),
            (
                "[plugin]\nname = \"x\"\nworld = \"mapper\"\n",
                "plugin.language: not set, and the directory has no sources of a known language",
            ),
        ];
        for (text, expected) in cases {
            let error = load_text(text).unwrap_err();
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn the_language_is_detected_when_absent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST),
            "[plugin]\nname = \"x\"\nworld = \"authorizer\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\n").unwrap();
        assert_eq!(load(dir.path()).unwrap().language, Language::Rust);
    }

    #[test]
    fn a_missing_manifest_says_how_to_make_one() {
        let dir = tempfile::tempdir().unwrap();
        let error = load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("tollgate.toml: not found"), "{error}");
        assert!(error.contains("tollgate plugin new"), "{error}");
        let error = load(&dir.path().join("nowhere")).unwrap_err().to_string();
        assert!(error.contains("is not a directory"), "{error}");
    }
}

//! `tollgate plugin new`: a new plugin directory from a language's template, with the parts
//! every language shares — the manifest, and a sample event for `tollgate plugin test` in the
//! shape of the plugin's world.

use std::path::{Path, PathBuf};

use crate::{BuildError, Language, MANIFEST, World, io_error, is_valid_name};

/// The sample event's file name.
pub const SAMPLE_EVENT: &str = "event.json";

/// Writes a new plugin named `name` into `dir` (which must not exist or be empty) from the
/// language's template for `world`, with its manifest and a sample event (`event.json`,
/// unless the template brings its own).
pub fn scaffold(
    dir: &Path,
    name: &str,
    language: Language,
    world: World,
) -> Result<(), BuildError> {
    if !is_valid_name(name) {
        return Err(BuildError::InvalidName {
            name: name.to_owned(),
        });
    }
    if dir.exists() {
        let empty = dir.is_dir()
            && std::fs::read_dir(dir)
                .map_err(io_error(format!("reading {}", dir.display())))?
                .next()
                .is_none();
        if !empty {
            return Err(BuildError::DirectoryNotEmpty {
                dir: dir.to_path_buf(),
            });
        }
    }
    // Templates are code of this crate; the tests check that their paths stay inside the
    // directory and leave the manifest to this function.
    let mut files = template(name, language, world, dir);
    if !files
        .iter()
        .any(|(path, _)| path == Path::new(SAMPLE_EVENT))
    {
        files.push((PathBuf::from(SAMPLE_EVENT), sample_event(world).to_owned()));
    }
    files.push((PathBuf::from(MANIFEST), manifest(name, language, world)));

    for (relative, contents) in files {
        let path = dir.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(io_error(format!("creating {}", parent.display())))?;
        }
        std::fs::write(&path, contents).map_err(io_error(format!("writing {}", path.display())))?;
    }
    Ok(())
}

fn template(name: &str, language: Language, world: World, dir: &Path) -> Vec<(PathBuf, String)> {
    match language {
        // Rust's depends on where the project is (how it reaches the SDK).
        Language::Rust => crate::rust::template(name, world, dir),
        Language::Python => crate::python::template(name, world),
        Language::Js => crate::js::template(name, world),
        Language::C => crate::c::template(name, world),
    }
}

/// The manifest of a new plugin. The language is written out (not left to detection) so
/// that adding a file of another language later changes nothing.
pub(crate) fn manifest(name: &str, language: Language, world: World) -> String {
    format!(
        "# A Tollgate plugin: `tollgate plugin build` makes {name}.wasm in build/,\n\
         # `tollgate plugin test . --event {SAMPLE_EVENT}` runs it once.\n\
         [plugin]\n\
         name = \"{name}\"\n\
         world = \"{world}\"        # function | mapper | authorizer\n\
         language = \"{language}\"    # rust | python | js | c\n"
    )
}

/// What `tollgate plugin test` takes for each world (docs/plugins.md describes the shapes).
pub fn sample_event(world: World) -> &'static str {
    match world {
        World::Function => FUNCTION_EVENT,
        World::Mapper => MAPPER_EVENT,
        World::Authorizer => AUTHORIZER_EVENT,
    }
}

/// A Lambda-proxy event, as the gateway sends it for `GET /dev/hello?name=world`.
const FUNCTION_EVENT: &str = r#"{
  "resource": "/hello",
  "path": "/hello",
  "httpMethod": "GET",
  "headers": { "accept": "application/json", "user-agent": "curl/8.5.0" },
  "multiValueHeaders": { "accept": ["application/json"], "user-agent": ["curl/8.5.0"] },
  "queryStringParameters": { "name": "world" },
  "multiValueQueryStringParameters": { "name": ["world"] },
  "pathParameters": null,
  "stageVariables": null,
  "requestContext": {
    "resourcePath": "/hello",
    "httpMethod": "GET",
    "path": "/dev/hello",
    "accountId": "000000000000",
    "stage": "dev",
    "requestId": "plugin-test",
    "identity": { "sourceIp": "127.0.0.1", "userAgent": "curl/8.5.0" },
    "apiId": "test"
  },
  "body": null,
  "isBase64Encoded": false
}
"#;

/// A mapper's request: `request` (or `response`), the context, the config map and the stage
/// variables.
const MAPPER_EVENT: &str = r#"{
  "request": {
    "method": "POST",
    "path": "/hello",
    "query": { "name": "world" },
    "headers": { "content-type": "application/json" },
    "body": "{\"greeting\":\"hello\"}"
  },
  "context": { "stage": "dev", "resourcePath": "/hello" },
  "config": {},
  "stageVariables": {}
}
"#;

/// A TOKEN authorizer's request, as Lambda receives it, plus the stage variables the
/// plugin's `stage` interface answers with.
const AUTHORIZER_EVENT: &str = r#"{
  "type": "TOKEN",
  "authorizationToken": "Bearer s3cret",
  "methodArn": "arn:aws:execute-api:us-east-1:000000000000:test/dev/GET/hello",
  "stageVariables": { "tokens": "s3cret=alice" }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn is_plain_relative(path: &Path) -> bool {
        path.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
            && path.components().next().is_some()
    }

    #[test]
    fn a_new_plugin_has_its_manifest_template_and_event() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("hello");
        scaffold(&dir, "hello", Language::Rust, World::Authorizer).unwrap();
        let project = crate::Project::load(&dir).unwrap();
        assert_eq!(project.name, "hello");
        assert_eq!(project.world, World::Authorizer);
        assert_eq!(project.language, Language::Rust);
        assert!(dir.join("src/lib.rs").is_file());
        let event = std::fs::read_to_string(dir.join(SAMPLE_EVENT)).unwrap();
        assert_eq!(event, AUTHORIZER_EVENT);
    }

    #[test]
    fn an_empty_directory_is_used_and_a_non_empty_one_refused() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("p");
        std::fs::create_dir(&dir).unwrap();
        scaffold(&dir, "p", Language::Rust, World::Mapper).unwrap();
        let error = scaffold(&dir, "p", Language::Rust, World::Mapper).unwrap_err();
        assert!(
            matches!(error, BuildError::DirectoryNotEmpty { .. }),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("already exists and is not empty")
        );

        let file = parent.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let error = scaffold(&file, "file", Language::Rust, World::Mapper).unwrap_err();
        assert!(
            matches!(error, BuildError::DirectoryNotEmpty { .. }),
            "{error}"
        );
    }

    #[test]
    fn invalid_names_are_refused_before_anything_is_written() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("x");
        let error = scaffold(&dir, "no spaces", Language::Rust, World::Function).unwrap_err();
        assert!(matches!(error, BuildError::InvalidName { .. }), "{error}");
        assert!(!dir.exists());
    }

    #[test]
    fn sample_events_are_json_of_their_world() {
        for world in World::ALL {
            let event: serde_json::Value = serde_json::from_str(sample_event(world)).unwrap();
            let key = match world {
                World::Function => "httpMethod",
                World::Mapper => "request",
                World::Authorizer => "methodArn",
            };
            assert!(event.get(key).is_some(), "{world}: {event}");
        }
    }

    #[test]
    fn every_template_stays_inside_its_directory() {
        let parent = tempfile::tempdir().unwrap();
        for language in Language::ALL {
            for world in World::ALL {
                let files = template("t", language, world, &parent.path().join("t"));
                for (path, _) in &files {
                    assert!(is_plain_relative(path), "{language} {world}: {path:?}");
                    assert_ne!(path, Path::new(MANIFEST), "{language} {world}");
                }
            }
        }
    }
}

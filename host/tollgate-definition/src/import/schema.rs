//! Schemas: the schema objects of OpenAPI 3.0 (`components.schemas`, body schemas) and
//! Swagger 2.0 (`definitions`, body parameters) become standalone JSON Schema draft 4
//! documents — the API's models and inline body schemas — as API Gateway's import makes
//! models of them (API Gateway models are JSON Schema draft 4).
//!
//! The conversion, keyword by keyword:
//! - keywords OpenAPI shares with draft 4 are kept, and their values checked (`type`,
//!   `minimum` with a boolean `exclusiveMinimum`, `required`, `properties`, `allOf`, ...);
//!   draft 4 keywords OpenAPI 3.0 lacks (`type` lists such as `[string, "null"]`,
//!   `patternProperties`, `dependencies`, `additionalItems`, tuple `items`) are kept too;
//! - `nullable` is dropped, as API Gateway's import drops it: a `null` value then fails
//!   `type: string`, as it does on AWS (write `type: [string, "null"]` to accept null);
//! - OpenAPI annotations without a draft 4 meaning are dropped (`discriminator`, `readOnly`,
//!   `writeOnly`, `xml`, `externalDocs`, `example`, `examples`, `deprecated`), and so are
//!   `x-` extensions (the extension sweep still reports misplaced `x-amazon-apigateway-*`);
//! - an empty `required` list is dropped (draft 4 wants at least one name; it means none);
//! - a `$ref` to a model (`#/components/schemas/NAME`, `#/definitions/NAME`, or a pointer
//!   into one) becomes `#/definitions/NAME...`, and every model a document references,
//!   directly or through other models, is copied under the document's `definitions`; the
//!   siblings of a `$ref` are dropped (OpenAPI 3.0 and draft 4 both ignore them);
//! - keywords of later drafts (`const`, `if`, `propertyNames`, ...) and unknown keywords are
//!   refused: a draft 4 validator would ignore them, letting through what the author meant
//!   to refuse; so are `id` and schema-local `definitions`, which would change what a
//!   rewritten `$ref` designates.
//!
//! Models that apply to themselves without descending into a property or an item (`A` is
//! `allOf: [$ref: B]` and `B` is `$ref: A`) are refused: validating them would never end.
//! Every document is finally compiled with the draft 4 validator the gateway uses, so what
//! imports is what validates.

use std::collections::{BTreeMap, BTreeSet};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use serde_json::{Map, Value};

use super::{Problems, pointer};
use crate::error::ImportErrorKind;
use crate::model::Schema;

/// The `$schema` of every document built here.
pub(crate) const DRAFT4_URI: &str = "http://json-schema.org/draft-04/schema#";

const DRAFT4_TYPES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// OpenAPI annotations without a draft 4 meaning: dropped.
const DROPPED_ANNOTATIONS: &[&str] = &[
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "examples",
    "deprecated",
    "$comment",
];

/// Keywords of JSON Schema drafts after draft 4: a draft 4 validator ignores them.
const LATER_DRAFT_KEYWORDS: &[&str] = &[
    "const",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "$id",
    "$defs",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "dependentRequired",
    "dependentSchemas",
    "prefixItems",
    "unevaluatedItems",
    "unevaluatedProperties",
    "minContains",
    "maxContains",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

/// Characters written percent-encoded in a rewritten `$ref` fragment.
const FRAGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A schema converted to draft 4, and the models it references.
#[derive(Debug, Default)]
struct Converted {
    schema: Value,
    /// Models referenced anywhere in the schema.
    references: BTreeSet<String>,
    /// Models referenced where they apply to the same value as the schema itself (through
    /// `$ref`, `allOf`, `anyOf`, `oneOf`, `not` or a schema dependency).
    same_value: BTreeSet<String>,
    /// Whether it converted without a problem (and is on no reference cycle).
    clean: bool,
}

/// The API's schemas: where its models are in the document, and the models converted.
pub(crate) struct Schemas<'d> {
    document: &'d Value,
    /// `/components/schemas` (OpenAPI 3) or `/definitions` (Swagger 2).
    models_at: &'static str,
    models: BTreeMap<String, Converted>,
}

impl<'d> Schemas<'d> {
    pub(crate) fn new(document: &'d Value, models_at: &'static str) -> Schemas<'d> {
        Schemas {
            document,
            models_at,
            models: BTreeMap::new(),
        }
    }

    /// Converts every model of the document; returns them as standalone documents.
    pub(crate) fn read_models(&mut self, problems: &mut Problems) -> BTreeMap<String, Value> {
        let Some(value) = self.document.pointer(self.models_at) else {
            return BTreeMap::new();
        };
        let Value::Object(entries) = value else {
            problems.invalid(self.models_at, "a mapping of model name to schema", value);
            return BTreeMap::new();
        };
        for (name, schema) in entries {
            let at = pointer::child(self.models_at, name);
            let before = problems.len();
            let mut converted = Converted::default();
            let result = self.convert(schema, &at, true, &mut converted, problems);
            converted.clean = problems.len() == before;
            converted.schema = result.unwrap_or(Value::Null);
            self.models.insert(name.clone(), converted);
        }
        self.refuse_cycles(problems);

        let mut models = BTreeMap::new();
        for (name, converted) in &self.models {
            let (document, wrapped) = self.standalone(converted);
            if self.closure_is_clean(converted) {
                let at = pointer::child(self.models_at, name);
                self.check_compiles(&document, &at, wrapped, problems);
            }
            models.insert(name.clone(), document);
        }
        models
    }

    /// A body schema: a model by name when it is exactly a reference to one, otherwise the
    /// schema converted to a standalone document.
    pub(crate) fn body_schema(
        &self,
        value: &Value,
        at: &str,
        problems: &mut Problems,
    ) -> Option<Schema> {
        if let Some(Value::String(reference)) = value.get("$ref")
            && let Some(name) = self.model_name(reference)
        {
            return Some(Schema::Model(name));
        }
        let before = problems.len();
        let mut converted = Converted::default();
        converted.schema = self.convert(value, at, true, &mut converted, problems)?;
        if problems.len() != before {
            return None;
        }
        converted.clean = true;
        let (document, wrapped) = self.standalone(&converted);
        if self.closure_is_clean(&converted) {
            self.check_compiles(&document, at, wrapped, problems);
        }
        Some(Schema::Inline(document))
    }

    /// The model a reference designates as a whole (`#/components/schemas/NAME`), if the
    /// document has it.
    fn model_name(&self, reference: &str) -> Option<String> {
        let fragment = reference.strip_prefix('#')?;
        let decoded = percent_decode_str(fragment).decode_utf8().ok()?;
        let token = decoded.strip_prefix(self.models_at)?.strip_prefix('/')?;
        if token.contains('/') {
            return None;
        }
        self.document.pointer(&decoded)?;
        Some(unescape(token))
    }

    /// Converts the schema at `at`; `None` when it has errors (reported to `problems`).
    /// `same_value` tells whether the schema applies to the value the converted root
    /// applies to.
    fn convert(
        &self,
        value: &Value,
        at: &str,
        same_value: bool,
        found: &mut Converted,
        problems: &mut Problems,
    ) -> Option<Value> {
        let Value::Object(object) = value else {
            problems.invalid(at, "a schema (a mapping)", value);
            return None;
        };
        if let Some(reference) = object.get("$ref") {
            let reference = self.reference(
                reference,
                &pointer::child(at, "$ref"),
                same_value,
                found,
                problems,
            )?;
            let mut only = Map::new();
            only.insert("$ref".to_owned(), Value::String(reference));
            return Some(Value::Object(only));
        }
        let mut out = Map::new();
        let mut valid = true;
        for (key, member) in object {
            let member_at = pointer::child(at, key);
            match self.keyword(key, member, &member_at, same_value, found, problems) {
                Ok(Some(kept)) => {
                    out.insert(key.clone(), kept);
                }
                Ok(None) => {}
                Err(()) => valid = false,
            }
        }
        valid.then_some(Value::Object(out))
    }

    /// One member of a schema object: `Ok(Some(value))` to keep (converted), `Ok(None)` to
    /// drop, `Err(())` when it is wrong (reported).
    fn keyword(
        &self,
        key: &str,
        member: &Value,
        at: &str,
        same_value: bool,
        found: &mut Converted,
        problems: &mut Problems,
    ) -> Result<Option<Value>, ()> {
        let mut invalid = |expected: &str| {
            problems.invalid(at, expected, member);
            Err(())
        };
        match key {
            "items" => match member {
                Value::Object(_) => self.subschema(member, at, false, found, problems),
                Value::Array(schemas) => self.schema_list(schemas, at, false, found, problems),
                _ => invalid("a schema, or a list of schemas"),
            },
            "additionalItems" | "additionalProperties" => match member {
                Value::Bool(_) => Ok(Some(member.clone())),
                Value::Object(_) => self.subschema(member, at, false, found, problems),
                _ => invalid("true, false or a schema"),
            },
            "not" => self.subschema(member, at, same_value, found, problems),
            "allOf" | "anyOf" | "oneOf" => match member {
                Value::Array(schemas) if !schemas.is_empty() => {
                    self.schema_list(schemas, at, same_value, found, problems)
                }
                _ => invalid("a non-empty list of schemas"),
            },
            "properties" | "patternProperties" => {
                let Value::Object(entries) = member else {
                    return invalid(if key == "properties" {
                        "a mapping of property name to schema"
                    } else {
                        "a mapping of regular expression to schema"
                    });
                };
                let mut out = Map::new();
                let mut valid = true;
                for (name, schema) in entries {
                    let schema_at = pointer::child(at, name);
                    match self.convert(schema, &schema_at, false, found, problems) {
                        Some(converted) => {
                            out.insert(name.clone(), converted);
                        }
                        None => valid = false,
                    }
                }
                if valid {
                    Ok(Some(Value::Object(out)))
                } else {
                    Err(())
                }
            }
            "dependencies" => {
                let Value::Object(entries) = member else {
                    return invalid("a mapping of property name to dependency");
                };
                let mut out = Map::new();
                let mut valid = true;
                for (name, dependency) in entries {
                    let dependency_at = pointer::child(at, name);
                    let converted = match dependency {
                        Value::Array(names) if is_name_list(names) => Some(dependency.clone()),
                        Value::Object(_) => {
                            self.convert(dependency, &dependency_at, same_value, found, problems)
                        }
                        _ => {
                            problems.invalid(
                                &dependency_at,
                                "a list of distinct property names, or a schema",
                                dependency,
                            );
                            None
                        }
                    };
                    match converted {
                        Some(converted) => {
                            out.insert(name.clone(), converted);
                        }
                        None => valid = false,
                    }
                }
                if valid {
                    Ok(Some(Value::Object(out)))
                } else {
                    Err(())
                }
            }
            "type" => {
                let is_type = |v: &Value| v.as_str().is_some_and(|t| DRAFT4_TYPES.contains(&t));
                let valid = match member {
                    Value::String(_) => is_type(member),
                    Value::Array(types) => {
                        !types.is_empty() && types.iter().all(is_type) && all_distinct(types)
                    }
                    _ => false,
                };
                if valid {
                    Ok(Some(member.clone()))
                } else {
                    invalid(
                        "one of array, boolean, integer, null, number, object, string \
                         (or a list of distinct ones)",
                    )
                }
            }
            "enum" => match member {
                Value::Array(values) if !values.is_empty() && all_distinct(values) => {
                    Ok(Some(member.clone()))
                }
                _ => invalid("a non-empty list of distinct values"),
            },
            "required" => match member {
                Value::Array(names) if names.is_empty() => Ok(None),
                Value::Array(names) if is_name_list(names) => Ok(Some(member.clone())),
                _ => invalid("a list of distinct property names"),
            },
            "multipleOf" => match member.as_f64() {
                Some(number) if number > 0.0 => Ok(Some(member.clone())),
                _ => invalid("a number greater than 0"),
            },
            "maximum" | "minimum" => match member {
                Value::Number(_) => Ok(Some(member.clone())),
                _ => invalid("a number"),
            },
            "exclusiveMaximum" | "exclusiveMinimum" => match member {
                Value::Bool(_) => Ok(Some(member.clone())),
                _ => invalid(if key == "exclusiveMaximum" {
                    "true or false (in OpenAPI 3.0 and JSON Schema draft 4, `exclusiveMaximum: \
                     true` makes `maximum` exclusive)"
                } else {
                    "true or false (in OpenAPI 3.0 and JSON Schema draft 4, `exclusiveMinimum: \
                     true` makes `minimum` exclusive)"
                }),
            },
            "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties"
            | "minProperties" => match member.as_u64() {
                Some(_) => Ok(Some(member.clone())),
                None => invalid("a non-negative integer"),
            },
            "uniqueItems" => match member {
                Value::Bool(_) => Ok(Some(member.clone())),
                _ => invalid("true or false"),
            },
            "pattern" | "format" | "title" | "description" => match member {
                Value::String(_) => Ok(Some(member.clone())),
                _ => invalid("a string"),
            },
            "default" => Ok(Some(member.clone())),
            "nullable" => match member {
                // API Gateway's import drops `nullable`; so does Tollgate's.
                Value::Bool(_) => Ok(None),
                _ => invalid("true or false"),
            },
            "$schema" => match member.as_str() {
                Some(uri) if is_draft4_uri(uri) => Ok(None),
                _ => invalid(&format!(
                    "\"{DRAFT4_URI}\" (API Gateway models are JSON Schema draft 4)"
                )),
            },
            "id" => {
                problems.not_supported(at, "`id` in a schema (a base URI for its references)");
                Err(())
            }
            "definitions" => {
                problems.not_supported(
                    at,
                    format_args!(
                        "`definitions` inside a schema (declare shared schemas under {} and \
                         reference them)",
                        self.models_at
                    ),
                );
                Err(())
            }
            _ if DROPPED_ANNOTATIONS.contains(&key) || is_extension(key) => Ok(None),
            _ if LATER_DRAFT_KEYWORDS.contains(&key) => {
                problems.unknown_key(
                    at,
                    format!(
                        "`{key}` is a keyword of a JSON Schema draft after draft 4: API Gateway \
                         models are draft 4, whose validators ignore it"
                    ),
                );
                Err(())
            }
            _ => {
                problems.unknown_key(
                    at,
                    format!(
                        "unknown key `{key}` in a schema (expected a JSON Schema draft 4 \
                         keyword such as type, properties, required, items, enum, minimum, \
                         pattern, allOf, or an x- extension)"
                    ),
                );
                Err(())
            }
        }
    }

    fn subschema(
        &self,
        value: &Value,
        at: &str,
        same_value: bool,
        found: &mut Converted,
        problems: &mut Problems,
    ) -> Result<Option<Value>, ()> {
        self.convert(value, at, same_value, found, problems)
            .map(Some)
            .ok_or(())
    }

    fn schema_list(
        &self,
        schemas: &[Value],
        at: &str,
        same_value: bool,
        found: &mut Converted,
        problems: &mut Problems,
    ) -> Result<Option<Value>, ()> {
        let mut out = Vec::with_capacity(schemas.len());
        let mut valid = true;
        for (index, schema) in schemas.iter().enumerate() {
            let schema_at = pointer::index(at, index);
            match self.convert(schema, &schema_at, same_value, found, problems) {
                Some(converted) => out.push(converted),
                None => valid = false,
            }
        }
        if valid {
            Ok(Some(Value::Array(out)))
        } else {
            Err(())
        }
    }

    /// A `$ref` of a schema, rewritten to point under the standalone document's
    /// `definitions`.
    fn reference(
        &self,
        value: &Value,
        at: &str,
        same_value: bool,
        found: &mut Converted,
        problems: &mut Problems,
    ) -> Option<String> {
        let example = format!("\"#{}/NAME\"", self.models_at);
        let Some(text) = value.as_str() else {
            problems.invalid(at, format_args!("a reference such as {example}"), value);
            return None;
        };
        let Some(fragment) = text.strip_prefix('#') else {
            problems.not_supported(
                at,
                format_args!("references to other documents (\"{text}\")"),
            );
            return None;
        };
        let Ok(decoded) = percent_decode_str(fragment).decode_utf8() else {
            problems.invalid(at, format_args!("a reference such as {example}"), value);
            return None;
        };
        let prefix = format!("{}/", self.models_at);
        let Some(rest) = decoded.strip_prefix(&prefix) else {
            problems.invalid(
                at,
                format_args!("a reference to a model, such as {example}"),
                value,
            );
            return None;
        };
        if self.document.pointer(&decoded).is_none() {
            problems.push(
                at,
                ImportErrorKind::Invalid,
                format!("the reference \"{text}\" points to nothing in this document"),
            );
            return None;
        }
        let (token, deeper) = match rest.split_once('/') {
            Some((token, _)) => (token, true),
            None => (rest, false),
        };
        let name = unescape(token);
        found.references.insert(name.clone());
        if same_value && !deeper {
            found.same_value.insert(name);
        }
        let remainder = match fragment.strip_prefix(&prefix) {
            Some(remainder) => remainder.to_owned(),
            None => utf8_percent_encode(rest, FRAGMENT).to_string(),
        };
        Some(format!("#/definitions/{remainder}"))
    }

    /// Refuses models that reach themselves through references applying to the same value.
    fn refuse_cycles(&mut self, problems: &mut Problems) {
        let mut cyclic = Vec::new();
        for name in self.models.keys() {
            if let Some(path) = self.path_back_to(name) {
                cyclic.push((name.clone(), path));
            }
        }
        for (name, path) in cyclic {
            let mut chain = vec![name.as_str()];
            chain.extend(path.iter().map(String::as_str));
            problems.push(
                &pointer::child(self.models_at, &name),
                ImportErrorKind::Invalid,
                format!(
                    "the model `{name}` applies to itself ({}) through $ref, allOf, anyOf, \
                     oneOf or not, without descending into a property or an item: validating \
                     it would never end",
                    chain.join(" → ")
                ),
            );
            if let Some(model) = self.models.get_mut(&name) {
                model.clean = false;
            }
        }
    }

    /// The models from `start` back to itself along same-value references, if any.
    fn path_back_to(&self, start: &str) -> Option<Vec<String>> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.to_owned(), Vec::new())];
        while let Some((name, path)) = stack.pop() {
            let Some(model) = self.models.get(&name) else {
                continue;
            };
            for next in &model.same_value {
                let mut next_path = path.clone();
                next_path.push(next.clone());
                if next == start {
                    return Some(next_path);
                }
                if seen.insert(next.clone()) {
                    stack.push((next.clone(), next_path));
                }
            }
        }
        None
    }

    /// Every model `converted` references, directly or through other models.
    fn closure(&self, converted: &Converted) -> BTreeSet<String> {
        let mut closure = BTreeSet::new();
        let mut queue: Vec<&String> = converted.references.iter().collect();
        while let Some(name) = queue.pop() {
            if closure.insert(name.clone())
                && let Some(model) = self.models.get(name)
            {
                queue.extend(model.references.iter());
            }
        }
        closure
    }

    fn closure_is_clean(&self, converted: &Converted) -> bool {
        converted.clean
            && self
                .closure(converted)
                .iter()
                .all(|name| self.models.get(name).is_some_and(|model| model.clean))
    }

    /// The standalone document of a converted schema, and whether its root was wrapped in
    /// an `allOf` (a root `$ref` would make a draft 4 validator ignore the `definitions`
    /// beside it).
    fn standalone(&self, converted: &Converted) -> (Value, bool) {
        let mut document = Map::new();
        document.insert("$schema".to_owned(), Value::String(DRAFT4_URI.to_owned()));
        let mut wrapped = false;
        if let Value::Object(members) = &converted.schema {
            if members.contains_key("$ref") {
                wrapped = true;
                document.insert(
                    "allOf".to_owned(),
                    Value::Array(vec![converted.schema.clone()]),
                );
            } else {
                for (key, member) in members {
                    document.insert(key.clone(), member.clone());
                }
            }
        }
        let closure = self.closure(converted);
        if !closure.is_empty() {
            let definitions: Map<String, Value> = closure
                .into_iter()
                .filter_map(|name| {
                    let schema = self.models.get(&name)?.schema.clone();
                    Some((name, schema))
                })
                .collect();
            document.insert("definitions".to_owned(), Value::Object(definitions));
        }
        (Value::Object(document), wrapped)
    }

    /// Compiles a standalone document with the draft 4 validator; a failure is reported at
    /// the schema it comes from.
    fn check_compiles(&self, document: &Value, at: &str, wrapped: bool, problems: &mut Problems) {
        let Err(error) = jsonschema::draft4::new(document) else {
            return;
        };
        let path = error.instance_path().as_str();
        let located = if let Some(rest) = path.strip_prefix("/definitions/") {
            format!("{}/{rest}", self.models_at)
        } else if wrapped && path.starts_with("/allOf") {
            at.to_owned()
        } else {
            format!("{at}{path}")
        };
        problems.push(
            &located,
            ImportErrorKind::Invalid,
            format!("not a valid JSON Schema draft 4 schema: {error}"),
        );
    }
}

/// An `x-` key (any case).
fn is_extension(key: &str) -> bool {
    key.get(..2)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("x-"))
}

fn is_draft4_uri(uri: &str) -> bool {
    let uri = uri.strip_suffix('#').unwrap_or(uri);
    matches!(
        uri,
        "http://json-schema.org/draft-04/schema" | "https://json-schema.org/draft-04/schema"
    )
}

/// A reference token of a JSON pointer, unescaped (`~1` is `/`, `~0` is `~`).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn all_distinct(values: &[Value]) -> bool {
    values
        .iter()
        .enumerate()
        .all(|(index, value)| !values[..index].contains(value))
}

fn is_name_list(names: &[Value]) -> bool {
    names.iter().all(Value::is_string) && all_distinct(names)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn models(document: &Value, at: &'static str) -> (BTreeMap<String, Value>, Problems) {
        let mut problems = Problems::default();
        let models = Schemas::new(document, at).read_models(&mut problems);
        (models, problems)
    }

    #[test]
    fn openapi_keywords_are_converted_and_references_copied() {
        let document = json!({"components": {"schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "nullable": true,
                "example": {"name": "rex"},
                "x-internal": true,
                "properties": {
                    "name": {"type": "string", "nullable": true, "readOnly": true},
                    "owner": {"$ref": "#/components/schemas/Owner", "description": "ignored"},
                    "example": {"type": "integer"}
                }
            },
            "Owner": {"type": "object", "required": [], "properties": {
                "pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
            }}
        }}});
        let (models, problems) = models(&document, "/components/schemas");
        assert_eq!(problems.len(), 0);
        assert_eq!(
            models["Pet"],
            json!({
                "$schema": DRAFT4_URI,
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "owner": {"$ref": "#/definitions/Owner"},
                    "example": {"type": "integer"}
                },
                "definitions": {
                    "Owner": {"type": "object", "properties": {
                        "pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}
                    }},
                    "Pet": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string"},
                            "owner": {"$ref": "#/definitions/Owner"},
                            "example": {"type": "integer"}
                        }
                    }
                }
            })
        );
    }

    #[test]
    fn a_root_reference_is_wrapped_so_its_definitions_count() {
        let document = json!({"definitions": {
            "Alias": {"$ref": "#/definitions/Target"},
            "Target": {"type": "string"}
        }});
        let (models, problems) = models(&document, "/definitions");
        assert_eq!(problems.len(), 0);
        assert_eq!(
            models["Alias"],
            json!({
                "$schema": DRAFT4_URI,
                "allOf": [{"$ref": "#/definitions/Target"}],
                "definitions": {"Target": {"type": "string"}}
            })
        );
        let validator = jsonschema::draft4::new(&models["Alias"]).expect("compiles");
        assert!(validator.is_valid(&json!("x")));
        assert!(!validator.is_valid(&json!(1)));
    }

    #[test]
    fn same_value_cycles_are_refused_but_recursion_through_properties_is_not() {
        let document = json!({"definitions": {
            "A": {"allOf": [{"$ref": "#/definitions/B"}]},
            "B": {"$ref": "#/definitions/A"},
            "Tree": {"properties": {"children": {"type": "array", "items": {"$ref": "#/definitions/Tree"}}}}
        }});
        let (models, problems) = models(&document, "/definitions");
        let pointers: Vec<&str> = problems.found.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(pointers, ["/definitions/A", "/definitions/B"]);
        assert!(problems.found[0].message.contains("A → B → A"));
        let tree = jsonschema::draft4::new(&models["Tree"]).expect("compiles");
        assert!(tree.is_valid(&json!({"children": [{"children": []}]})));
        assert!(!tree.is_valid(&json!({"children": [{"children": 1}]})));
    }

    #[test]
    fn references_with_escapes_and_percent_encoding() {
        let document = json!({"components": {"schemas": {
            "a/b": {"type": "string"},
            "My Model": {"type": "integer"},
            "User": {"properties": {
                "x": {"$ref": "#/components/schemas/a~1b"},
                "y": {"$ref": "#/components/schemas/My%20Model"}
            }}
        }}});
        let (models, problems) = models(&document, "/components/schemas");
        assert_eq!(problems.len(), 0);
        let validator = jsonschema::draft4::new(&models["User"]).expect("compiles");
        assert!(validator.is_valid(&json!({"x": "s", "y": 1})));
        assert!(!validator.is_valid(&json!({"x": 1})));
        assert!(!validator.is_valid(&json!({"y": "s"})));
    }

    #[test]
    fn a_bare_model_reference_is_a_model_body_schema() {
        let document = json!({"components": {"schemas": {"Pet": {"type": "object"}}}});
        let mut problems = Problems::default();
        let mut schemas = Schemas::new(&document, "/components/schemas");
        schemas.read_models(&mut problems);
        let body = schemas.body_schema(
            &json!({"$ref": "#/components/schemas/Pet"}),
            "/body",
            &mut problems,
        );
        assert_eq!(body, Some(Schema::Model("Pet".to_owned())));
        let inline = schemas.body_schema(
            &json!({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}),
            "/body",
            &mut problems,
        );
        assert_eq!(
            inline,
            Some(Schema::Inline(json!({
                "$schema": DRAFT4_URI,
                "type": "array",
                "items": {"$ref": "#/definitions/Pet"},
                "definitions": {"Pet": {"type": "object"}}
            })))
        );
        assert_eq!(problems.len(), 0);
    }
}

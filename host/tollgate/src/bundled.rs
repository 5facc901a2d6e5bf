//! The bundled example that `tollgate up` serves: the CRUD function (built from
//! `plugins/crud` by this crate's build script) and its REST API definition.

include!(concat!(env!("OUT_DIR"), "/bundled_plugins.rs"));

/// The name the bundled function is published under.
pub const CRUD_FUNCTION: &str = "crud";

/// The bundled REST API definition.
pub const CRUD_DEFINITION: &str = include_str!("../../../plugins/crud/openapi.yaml");

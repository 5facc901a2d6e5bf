//! The raw wit-bindgen bindings of the three worlds of `tollgate:plugin@0.1.0`.
//!
//! The import interfaces (`log`, `key-value`, `stage`) and the shared `types` are generated
//! once and shared by all three worlds through `with:` remapping, so that a plugin links one
//! copy of them whichever world it exports. Only the world a plugin exports (through its
//! `export_*!` macro) ends up describing the component; imports the plugin never calls are
//! dropped by `wit-component` when the component is made.
//!
//! Prefer the typed wrappers of the crate root; this module is the escape hatch.

/// Bindings of the `function` world: the import interfaces and the `handler` export.
pub mod function {
    wit_bindgen::generate!({
        world: "function",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_function_world",
        default_bindings_module: "$crate::bindings::function",
    });
}

/// Bindings of the `mapper` world: the shared `types` and the `mapping` export.
pub mod mapper {
    wit_bindgen::generate!({
        world: "mapper",
        path: "../../wit",
        with: {
            "tollgate:plugin/log@0.1.0": crate::bindings::function::tollgate::plugin::log,
            "tollgate:plugin/stage@0.1.0": crate::bindings::function::tollgate::plugin::stage,
        },
        pub_export_macro: true,
        export_macro_name: "export_mapper_world",
        additional_derives: [PartialEq, Eq],
        default_bindings_module: "$crate::bindings::mapper",
    });
}

/// Bindings of the `authorizer` world: the `authorization` export.
pub mod authorizer {
    wit_bindgen::generate!({
        world: "authorizer",
        path: "../../wit",
        with: {
            "tollgate:plugin/log@0.1.0": crate::bindings::function::tollgate::plugin::log,
            "tollgate:plugin/key-value@0.1.0": crate::bindings::function::tollgate::plugin::key_value,
            "tollgate:plugin/stage@0.1.0": crate::bindings::function::tollgate::plugin::stage,
            "tollgate:plugin/types@0.1.0": crate::bindings::mapper::tollgate::plugin::types,
        },
        pub_export_macro: true,
        export_macro_name: "export_authorizer_world",
        additional_derives: [PartialEq, Eq],
        default_bindings_module: "$crate::bindings::authorizer",
    });
}

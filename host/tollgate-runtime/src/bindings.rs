//! The one place that runs `bindgen!` over `wit/`: every other module imports the generated
//! types from here. The import interfaces (`log`, `key-value`, `stage`, `types`) are generated
//! once, with the `function` world, and shared by the other worlds through `with`, so the host
//! implements each of them exactly once.

/// The `function` world: exports `handler`, imports `log`, `key-value`, `stage`.
pub mod function {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "function",
        imports: { default: async },
        exports: { default: async },
    });
}

/// The `mapper` world: exports `mapping`.
pub mod mapper {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "mapper",
        imports: { default: async },
        exports: { default: async },
        with: {
            "tollgate:plugin/log": super::function::tollgate::plugin::log,
            "tollgate:plugin/stage": super::function::tollgate::plugin::stage,
        },
    });
}

/// The `authorizer` world: exports `authorization`.
pub mod authorizer {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "authorizer",
        imports: { default: async },
        exports: { default: async },
        with: {
            "tollgate:plugin/log": super::function::tollgate::plugin::log,
            "tollgate:plugin/stage": super::function::tollgate::plugin::stage,
            "tollgate:plugin/key-value": super::function::tollgate::plugin::key_value,
            "tollgate:plugin/types": super::mapper::tollgate::plugin::types,
        },
    });
}

pub use function::tollgate::plugin::{key_value, log, stage};
pub use mapper::tollgate::plugin::{config, types};

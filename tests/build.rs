//! Builds the test components (`tests/components/*`) and the `crud`, `soap-mapper` and
//! `vtl-mapper` plugins from source as wasm32-wasip2 components and writes
//! `$OUT_DIR/components.rs` with one path constant per component (`CRUD`, `EVENT_ECHO`,
//! `TRAP`, ...), included by `tollgate_tests::components`.

use std::path::PathBuf;

/// Every component the tests load; the constant is the name without `tc-`, upper-cased.
const COMPONENTS: &[&str] = &[
    "crud",
    "tc-event-echo",
    "tc-trap",
    "tc-spin-loop",
    "tc-memory-bomb",
    "tc-malformed-output",
    "tc-kv-probe",
    "tc-wasi-http-hello",
    "tc-identity-mapper",
    "tc-allow-authorizer",
    "tc-scripted-authorizer",
    "tc-swap-a",
    "tc-swap-b",
    "tc-raw-echo",
    "soap-mapper",
    "vtl-mapper",
    "tc-fail-with",
    "token-authorizer",
];

fn main() {
    let built = tollgate_plugin_build::build_components(COMPONENTS);
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    tollgate_plugin_build::write_path_constants(&out_dir.join("components.rs"), &built);
}

//! Builds the bundled `crud` plugin from source (`plugins/crud`) as a wasm32-wasip2
//! component and writes `$OUT_DIR/bundled_plugins.rs` with `CRUD_WASM`, its bytes.

use std::path::PathBuf;

fn main() {
    let built = tollgate_plugin_build::build_components(&["crud"]);
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    tollgate_plugin_build::write_embedded_bytes(&out_dir.join("bundled_plugins.rs"), &built);
}

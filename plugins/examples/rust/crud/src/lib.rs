//! The CRUD example of `plugins/examples/` in Rust: the `crud` plugin of `plugins/crud`
//! itself, so that there is one Rust implementation of it. That crate exports its function
//! (`tollgate_sdk::export_function!`), and linking it into this `cdylib` makes the export
//! this component's.

pub use crud::Crud;

//! Mapping around an integration (steps 9 and 11): VTL mapping templates, compiled once per
//! deployment (`templates.rs`), rendered against the request and `$context`
//! (`context.rs`), and mapper components (`x-tollgate-mapper`) that transform the
//! integration request and response after any template (`mapper.rs`).

pub mod context;
pub mod mapper;
pub mod templates;

//! Tollgate's API definition: the model of a REST API (resources, methods, integrations), its
//! import from an AWS-flavoured OpenAPI document, and the router that matches a request to a
//! resource and method.
//!
//! Reading order: [`model`] (what an API is), [`import`](import_str) (how a document becomes
//! one, and every rule it enforces), [`router`] (how a request finds its method). This crate
//! does no networking and knows nothing of the gateway or of WebAssembly.

mod error;
mod import;
pub mod model;
pub mod resource_path;
pub mod router;

pub use error::{ImportError, ImportErrorKind};
pub use import::{import_file, import_str};
pub use model::{
    ApiDefinition, ContentHandling, Integration, IntegrationResponse, IntegrationTarget,
    IntegrationType, MappingSource, MappingTarget, Method, Parameter, ParameterLocation,
    ParameterMapping, PassthroughBehavior, RequestValueLocation, Resource, ResponseMappingSource,
    ResponseParameterMapping, SelectionPattern,
};
pub use router::{RouteMatch, RouteOutcome, Router};

//! Tollgate's API definition: the model of a REST API (resources, methods, integrations), its
//! import from an AWS-flavoured OpenAPI document, and the router that matches a request to a
//! resource and method. The model also carries what the request is checked and mapped with:
//! models (JSON Schema draft 4), request validators, request bodies, gateway responses and
//! mappers; and who may call it ([`access`]): authorizers (token, request, JWT / Cognito,
//! IAM) and each method's authorization, API keys and their source, the resource policy, and
//! CORS.
//!
//! Reading order: [`model`] (what an API is), [`import`](import_str) (how a document becomes
//! one, and every rule it enforces), [`router`] (how a request finds its method). This crate
//! does no networking and knows nothing of the gateway or of WebAssembly.

pub mod access;
mod error;
mod import;
pub mod model;
pub mod resource_path;
pub mod router;

pub use access::{
    ApiKeySource, Authorizer, AuthorizerComponent, AuthorizerKind, CorsConfiguration,
    IdentitySource, MethodAuthorization,
};
pub use error::{ImportError, ImportErrorKind};
pub use import::{import_file, import_str};
pub use model::{
    ApiDefinition, ContentHandling, GatewayResponse, Integration, IntegrationResponse,
    IntegrationTarget, IntegrationType, MapperRef, MappingSource, MappingTarget, Method, Parameter,
    ParameterLocation, ParameterMapping, PassthroughBehavior, RequestBodySpec, RequestValidator,
    RequestValueLocation, Resource, ResponseMappingSource, ResponseParameterMapping, Schema,
    SelectionPattern,
};
pub use router::{RouteMatch, RouteOutcome, Router};

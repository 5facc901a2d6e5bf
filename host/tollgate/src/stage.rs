//! A stage's whole pipeline as one immutable value: the deployed definition, its router, the
//! stage variables, and every method's integration with its function already loaded. It is
//! built off the request path (at start and on every deployment) and swapped in atomically;
//! a request runs start to end on the value it started with.

use std::collections::BTreeMap;
use std::sync::Arc;

use tollgate_definition::{
    ApiDefinition, AuthorizerKind, IntegrationTarget, IntegrationType, Router,
};
use tollgate_policy::{PolicyDocument, PolicyKind};
use tollgate_runtime::{KeyValueGrant, Plugin, PluginKind, Runtime};
use tollgate_store::{Canary, ContentHash, Deployment, KeyValueStore, Stage, Store};

use crate::access::authorizer::{ComponentAuthorizer, ResolvedAuthorizer};
use crate::access::jwt::JwtAuthorizer;
use crate::access::throttling::Limit;
use crate::cors::Cors;
use crate::gateway_response::CompiledGatewayResponses;
use crate::integration::parameters::substitute_stage_variables;
use crate::mapping::mapper::ResolvedMapper;
use crate::mapping::templates::IntegrationTemplates;
use crate::metrics::RouteMetrics;
use crate::validation::MethodValidation;

/// Why a stage could not be built. A stage that fails to build is not served (its previous
/// pipeline, if any, keeps serving).
#[derive(Debug, thiserror::Error)]
pub enum StageBuildError {
    #[error("stage {stage}: deployment {deployment} is missing from the store")]
    MissingDeployment { stage: String, deployment: String },
    #[error("stage {stage}: the deployed definition no longer imports: {message}")]
    Definition { stage: String, message: String },
    #[error("stage {stage}: {method} {resource}: {message}")]
    Method {
        stage: String,
        method: String,
        resource: String,
        message: String,
    },
    #[error("store: {0}")]
    Store(#[from] tollgate_store::StoreError),
}

/// A method's integration, resolved for this stage.
pub enum ResolvedIntegration {
    /// MOCK: answer from the integration's responses.
    Mock,
    /// HTTP or HTTP_PROXY: the URL template (stage variables already substituted).
    Http { url_template: String },
    /// AWS_PROXY to a function.
    Function {
        plugin: Arc<Plugin>,
        /// The reference as the definition wrote it (stage variables substituted):
        /// `crud`, `crud:3`, `crud:prod`.
        reference: String,
        /// `crud:3`, for logs.
        label: String,
        key_value: Option<KeyValueGrant>,
    },
}

/// Everything a routed method needs, resolved and compiled for this stage.
pub struct ResolvedMethod {
    pub integration: ResolvedIntegration,
    /// The integration's VTL templates, compiled.
    pub templates: IntegrationTemplates,
    /// The method's `x-tollgate-mapper`.
    pub mapper: Option<ResolvedMapper>,
    /// The method's request validator, compiled.
    pub validation: Option<MethodValidation>,
    /// Its metric handles, resolved on first use.
    pub metrics: RouteMetrics,
}

/// Where a pipeline's definition comes from: which API, stage and deployment, with which
/// stage variables and pinned components.
pub struct PipelineSource<'a> {
    pub api_id: &'a str,
    pub stage_name: &'a str,
    pub deployment_id: &'a str,
    pub variables: &'a BTreeMap<String, String>,
    /// Function reference → the component the deployment pinned it to.
    pub pins: &'a BTreeMap<String, ContentHash>,
}

/// One stage, ready to serve.
pub struct StagePipeline {
    pub api_id: String,
    pub stage: String,
    pub deployment_id: String,
    pub definition: ApiDefinition,
    pub router: Router,
    pub stage_variables: Arc<BTreeMap<String, String>>,
    /// Indexed like `definition.resources[r].methods[m]`.
    pub methods: Vec<Vec<ResolvedMethod>>,
    /// The API's customised gateway responses, compiled.
    pub gateway_responses: CompiledGatewayResponses,
    /// Whether this is the canary side of its stage.
    pub is_canary: bool,
    /// The API's authorizers, by security scheme name, resolved for this stage.
    pub authorizers: BTreeMap<String, ResolvedAuthorizer>,
    /// `x-amazon-apigateway-policy`, with AWS's `execute-api:/` shorthand expanded to this
    /// API's ARNs.
    pub resource_policy: Option<PolicyDocument>,
    /// The stage's default throttle (its `*/*` method setting wins over it).
    pub throttle: Option<Limit>,
    /// Per-method throttles by AWS's `{resourcePath}/{httpMethod}` key.
    pub method_throttles: BTreeMap<String, Limit>,
    /// `x-amazon-apigateway-cors`, answered by the gateway.
    pub cors: Option<Cors>,
}

impl StagePipeline {
    /// The resolved method of a route.
    pub fn method(&self, resource: usize, method: usize) -> &ResolvedMethod {
        &self.methods[resource][method]
    }

    /// The content hash of every function the stage runs, by the reference the definition
    /// wrote (`crud`, `crud:prod`), as a deployment records them. Unqualified references are
    /// pinned to these hashes when the deployment is served again.
    pub fn component_hashes(&self) -> BTreeMap<String, ContentHash> {
        self.methods
            .iter()
            .flatten()
            .flat_map(|method| {
                let function = match &method.integration {
                    ResolvedIntegration::Function {
                        plugin, reference, ..
                    } => Some((plugin, reference)),
                    _ => None,
                };
                let mapper = method.mapper.as_ref().map(|m| (&m.plugin, &m.reference));
                function.into_iter().chain(mapper)
            })
            .chain(
                self.authorizers
                    .values()
                    .filter_map(|authorizer| match authorizer {
                        ResolvedAuthorizer::Component(component) => {
                            Some((&component.plugin, &component.reference))
                        }
                        _ => None,
                    }),
            )
            .filter_map(|(plugin, reference)| {
                ContentHash::parse(plugin.hash())
                    .ok()
                    .map(|hash| (reference.clone(), hash))
            })
            .collect()
    }

    /// Builds the pipeline of `stage` from the store: the deployment's definition, its
    /// functions loaded (compiled or read from the compiled cache).
    pub fn build(
        store: &Store,
        runtime: &Runtime,
        api_id: &str,
        stage: &Stage,
    ) -> Result<StagePipeline, StageBuildError> {
        let mut pipeline = Self::build_deployment(
            store,
            runtime,
            api_id,
            &stage.name,
            &stage.deployment_id,
            &stage.variables,
        )?;
        pipeline.apply_stage_settings(stage);
        Ok(pipeline)
    }

    /// The stage's throttle settings (shared by its canary).
    fn apply_stage_settings(&mut self, stage: &Stage) {
        let mut method_throttles: BTreeMap<String, Limit> = stage
            .method_throttles
            .iter()
            .map(|(key, throttle)| (key.clone(), Limit::from(throttle)))
            .collect();
        // `*/*` is the stage's default for every method, as in AWS's method settings.
        let default = method_throttles.remove("*/*");
        self.throttle = default.or(stage.throttle.as_ref().map(Limit::from));
        self.method_throttles = method_throttles;
    }

    /// Builds the canary side of `stage`: the canary's deployment, with the stage variables
    /// overridden by the canary's.
    pub fn build_canary(
        store: &Store,
        runtime: &Runtime,
        api_id: &str,
        stage: &Stage,
        canary: &Canary,
    ) -> Result<StagePipeline, StageBuildError> {
        let mut variables = stage.variables.clone();
        variables.extend(canary.variables.clone());
        let mut pipeline = Self::build_deployment(
            store,
            runtime,
            api_id,
            &stage.name,
            &canary.deployment_id,
            &variables,
        )?;
        pipeline.is_canary = true;
        pipeline.apply_stage_settings(stage);
        Ok(pipeline)
    }

    fn build_deployment(
        store: &Store,
        runtime: &Runtime,
        api_id: &str,
        stage_name: &str,
        deployment_id: &str,
        variables: &BTreeMap<String, String>,
    ) -> Result<StagePipeline, StageBuildError> {
        let deployment: Deployment =
            store
                .deployment(deployment_id)?
                .ok_or_else(|| StageBuildError::MissingDeployment {
                    stage: stage_name.to_string(),
                    deployment: deployment_id.to_string(),
                })?;
        let source_name = format!("deployment {}", deployment.id);
        let definition =
            tollgate_definition::import_str(&deployment.document.to_string(), &source_name)
                .map_err(|e| StageBuildError::Definition {
                    stage: stage_name.to_string(),
                    message: e.to_string(),
                })?;
        Self::from_definition(
            store,
            runtime,
            PipelineSource {
                api_id,
                stage_name,
                deployment_id: &deployment.id,
                variables,
                pins: &deployment.component_hashes,
            },
            definition,
        )
    }

    /// Builds a pipeline from an imported definition. Deploying builds one before anything is
    /// written, so a definition that cannot be served is refused whole.
    pub fn from_definition(
        store: &Store,
        runtime: &Runtime,
        source: PipelineSource<'_>,
        definition: ApiDefinition,
    ) -> Result<StagePipeline, StageBuildError> {
        let PipelineSource {
            api_id,
            stage_name,
            deployment_id,
            variables,
            pins,
        } = source;
        let stage_variables = Arc::new(variables.clone());
        let kv_store: Arc<dyn KeyValueStore> = Arc::new(store.clone());
        let mut resolved_methods = Vec::with_capacity(definition.resources.len());
        for resource in &definition.resources {
            let mut methods = Vec::with_capacity(resource.methods.len());
            for method in &resource.methods {
                let fail = |message: String| StageBuildError::Method {
                    stage: stage_name.to_string(),
                    method: method.http_method.clone(),
                    resource: resource.path.clone(),
                    message,
                };
                let integration = resolve_integration(
                    store,
                    runtime,
                    &method.integration,
                    &stage_variables,
                    &kv_store,
                    pins,
                )
                .map_err(fail)?;
                let templates = IntegrationTemplates::compile(&method.integration).map_err(fail)?;
                let mapper = method
                    .mapper
                    .as_ref()
                    .map(|mapper| resolve_mapper(store, runtime, mapper, &stage_variables, pins))
                    .transpose()
                    .map_err(fail)?;
                let validation = MethodValidation::compile(method, &definition).map_err(fail)?;
                methods.push(ResolvedMethod {
                    integration,
                    templates,
                    mapper,
                    validation,
                    metrics: RouteMetrics::default(),
                });
            }
            resolved_methods.push(methods);
        }
        let definition_error = |message: String| StageBuildError::Definition {
            stage: stage_name.to_string(),
            message,
        };
        let authorizers = resolve_authorizers(
            store,
            runtime,
            &definition,
            &stage_variables,
            &kv_store,
            pins,
        )
        .map_err(definition_error)?;
        let resource_policy = definition
            .resource_policy
            .as_ref()
            .map(|document| {
                let mut policy = PolicyDocument::from_json_as(document, PolicyKind::Resource)
                    .map_err(|e| format!("x-amazon-apigateway-policy: {e}"))?;
                policy.expand_execute_api_shorthand(
                    crate::access::region(),
                    crate::mapping::context::ACCOUNT_ID,
                    api_id,
                );
                Ok::<_, String>(policy)
            })
            .transpose()
            .map_err(definition_error)?;
        let gateway_responses = CompiledGatewayResponses::compile(&definition.gateway_responses)
            .map_err(|message| StageBuildError::Definition {
                stage: stage_name.to_string(),
                message,
            })?;
        let cors = definition.cors.as_ref().map(Cors::new);
        Ok(StagePipeline {
            api_id: api_id.to_string(),
            stage: stage_name.to_string(),
            deployment_id: deployment_id.to_string(),
            router: Router::new(&definition),
            definition,
            stage_variables,
            methods: resolved_methods,
            gateway_responses,
            is_canary: false,
            authorizers,
            resource_policy,
            throttle: None,
            method_throttles: BTreeMap::new(),
            cors,
        })
    }
}

/// A component a definition names (`function:NAME[:Q]`, `mapper:NAME[:Q]`,
/// `authorizer:NAME[:Q]`), resolved.
pub struct ResolvedComponent {
    pub plugin: Arc<Plugin>,
    /// The reference as written, stage variables substituted.
    pub reference: String,
    /// `name:version`, for logs.
    pub label: String,
    pub name: String,
}

/// Resolves a component reference: stage variables substituted, an unqualified reference
/// pinned to the deployment's recorded component, a version or alias resolved now, and the
/// component loaded (compiled or read from the compiled cache).
fn resolve_component(
    store: &Store,
    runtime: &Runtime,
    name: &str,
    qualifier: Option<&str>,
    stage_variables: &BTreeMap<String, String>,
    pins: &BTreeMap<String, ContentHash>,
) -> Result<ResolvedComponent, String> {
    let name = substitute_stage_variables(name, stage_variables).map_err(|e| e.to_string())?;
    let qualifier = qualifier
        .map(|q| substitute_stage_variables(q, stage_variables))
        .transpose()
        .map_err(|e| e.to_string())?;
    let reference = match &qualifier {
        Some(q) => format!("{name}:{q}"),
        None => name.clone(),
    };
    let unqualified = qualifier
        .as_deref()
        .is_none_or(|q| q == tollgate_store::LATEST);
    // An unqualified reference means the latest version *when deployed*: the deployment
    // pinned its component, so publishing a new version changes no stage until it is
    // deployed. Versions are immutable and aliases move on purpose, so those resolve now.
    let pinned = match pins.get(&name) {
        Some(hash) if unqualified => Some(
            store
                .function_versions(&name)
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|v| &v.hash == hash)
                .ok_or_else(|| format!("{name} has no version with the pinned component {hash}"))?,
        ),
        _ => None,
    };
    let resolved = match pinned {
        Some(version) => Some(version),
        None => store
            .resolve_function(&name, qualifier.as_deref())
            .map_err(|e| e.to_string())?,
    };
    let version = resolved.ok_or_else(|| match &qualifier {
        Some(q) => format!("function {name}:{q} is not published"),
        None => format!(
            "function {name} is not published (publish it with `tollgate function publish {name} FILE.wasm`)"
        ),
    })?;
    let hash = version.hash.to_string();
    let plugin = runtime
        .load(&hash, || {
            store
                .component(&version.hash)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("component {hash} is missing from the store"))
        })
        .map_err(|e| e.to_string())?;
    Ok(ResolvedComponent {
        plugin,
        reference,
        label: format!("{name}:{}", version.version),
        name,
    })
}

fn resolve_integration(
    store: &Store,
    runtime: &Runtime,
    integration: &tollgate_definition::Integration,
    stage_variables: &BTreeMap<String, String>,
    kv_store: &Arc<dyn KeyValueStore>,
    pins: &BTreeMap<String, ContentHash>,
) -> Result<ResolvedIntegration, String> {
    match (integration.integration_type, &integration.target) {
        (IntegrationType::Mock, _) => Ok(ResolvedIntegration::Mock),
        (IntegrationType::Http | IntegrationType::HttpProxy, IntegrationTarget::Url(url)) => {
            let url_template =
                substitute_stage_variables(url, stage_variables).map_err(|e| e.to_string())?;
            if !url_template.starts_with("http://") {
                return Err(format!(
                    "integration URI {url_template:?}: only http:// backends are supported yet \
                     (TLS to backends is not built)"
                ));
            }
            Ok(ResolvedIntegration::Http { url_template })
        }
        (
            IntegrationType::AwsProxy | IntegrationType::Aws,
            IntegrationTarget::Function { name, qualifier },
        ) => {
            let component = resolve_component(
                store,
                runtime,
                name,
                qualifier.as_deref(),
                stage_variables,
                pins,
            )?;
            let kind = component.plugin.kind();
            if !kind.is_function() {
                return Err(format!(
                    "{} is a {} component, not a function",
                    component.label,
                    kind.describe()
                ));
            }
            if integration.integration_type == IntegrationType::Aws && kind != PluginKind::Function
            {
                return Err(format!(
                    "{} is a {} component: AWS (non-proxy) integrations need a tollgate:plugin                      function, whose input and output are the mapped JSON",
                    component.label,
                    kind.describe()
                ));
            }
            Ok(ResolvedIntegration::Function {
                plugin: component.plugin,
                reference: component.reference,
                label: component.label,
                key_value: Some(KeyValueGrant {
                    store: kv_store.clone(),
                    namespace: format!("function/{}", component.name),
                }),
            })
        }
        (kind, target) => Err(format!(
            "integration type {} cannot target {target:?}",
            kind.as_aws_str()
        )),
    }
}

/// Resolves a method's `x-tollgate-mapper`: the component must implement the `mapper` world.
fn resolve_mapper(
    store: &Store,
    runtime: &Runtime,
    mapper: &tollgate_definition::MapperRef,
    stage_variables: &BTreeMap<String, String>,
    pins: &BTreeMap<String, ContentHash>,
) -> Result<ResolvedMapper, String> {
    let component = resolve_component(
        store,
        runtime,
        &mapper.name,
        mapper.qualifier.as_deref(),
        stage_variables,
        pins,
    )
    .map_err(|e| format!("x-tollgate-mapper: {e}"))?;
    if component.plugin.kind() != PluginKind::Mapper {
        return Err(format!(
            "x-tollgate-mapper: {} is a {} component, not a mapper",
            component.label,
            component.plugin.kind().describe()
        ));
    }
    Ok(ResolvedMapper {
        plugin: component.plugin,
        reference: component.reference,
        label: component.label,
        request: mapper.request,
        response: mapper.response,
        config: Arc::new(mapper.config.clone()),
    })
}

/// Resolves the API's authorizers: WASM authorizers' components loaded (they must implement
/// the `authorizer` world), JWT authorizers' configuration taken as written.
fn resolve_authorizers(
    store: &Store,
    runtime: &Runtime,
    definition: &ApiDefinition,
    stage_variables: &BTreeMap<String, String>,
    kv_store: &Arc<dyn KeyValueStore>,
    pins: &BTreeMap<String, ContentHash>,
) -> Result<BTreeMap<String, ResolvedAuthorizer>, String> {
    let mut resolved = BTreeMap::new();
    for (name, authorizer) in &definition.authorizers {
        let entry = match &authorizer.kind {
            AuthorizerKind::Token { component, .. } | AuthorizerKind::Request { component, .. } => {
                let resolved_component = resolve_component(
                    store,
                    runtime,
                    &component.name,
                    component.qualifier.as_deref(),
                    stage_variables,
                    pins,
                )
                .map_err(|e| format!("authorizer {name}: {e}"))?;
                if resolved_component.plugin.kind() != PluginKind::Authorizer {
                    return Err(format!(
                        "authorizer {name}: {} is a {} component, not an authorizer",
                        resolved_component.label,
                        resolved_component.plugin.kind().describe()
                    ));
                }
                let key_value = KeyValueGrant {
                    store: kv_store.clone(),
                    namespace: format!("authorizer/{}", resolved_component.name),
                };
                ResolvedAuthorizer::Component(ComponentAuthorizer::new(
                    name,
                    &authorizer.kind,
                    resolved_component,
                    key_value,
                )?)
            }
            AuthorizerKind::Jwt {
                issuer,
                audiences,
                identity_source,
                jwks_uri,
            } => ResolvedAuthorizer::Jwt(JwtAuthorizer {
                name: name.clone(),
                config: tollgate_jwt::JwtAuthorizerConfig {
                    issuer: issuer.clone(),
                    audiences: audiences.clone(),
                    jwks_uri: jwks_uri.clone(),
                },
                identity_source: identity_source.clone(),
            }),
            AuthorizerKind::Iam => ResolvedAuthorizer::Iam,
        };
        resolved.insert(name.clone(), entry);
    }
    Ok(resolved)
}

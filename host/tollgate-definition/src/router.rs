//! The router: which resource and method of an API a request is for, and the values of the
//! resource's path variables. Built once from an [`ApiDefinition`] (off the request path);
//! matching walks a tree of path parts, never a list of patterns.
//!
//! AWS API Gateway (REST API) behaviours reproduced here:
//! - A literal part beats a variable `{id}`, which beats a greedy `{proxy+}`; when the more
//!   specific branch does not match the rest of the path, the next one is tried
//!   (`/{proxy+}` still catches `/a/c` when `/a/b` exists).
//! - `{proxy+}` matches one or more parts, never zero: `/{proxy+}` does not match `/`, and
//!   `/items/{proxy+}` does not match `/items` (the root and the parent need methods of their
//!   own).
//! - One trailing `/` is ignored: `/items/` is routed as `/items` (REST APIs route both to
//!   the same resource).
//! - The resource is chosen by path alone; then an explicit method beats `ANY`. A resource
//!   without the requested method (or a parent resource with no methods at all) is no route:
//!   AWS answers `403 Missing Authentication Token` in every case, and no other resource is
//!   tried.
//! - `HEAD` does not fall back to `GET`: it needs a HEAD method or `ANY`.
//! - `ANY` covers the methods AWS supports: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT.
//! - The request path is split on `/` *before* percent-decoding, so `%2F` stays inside one
//!   part; path parameter values are then percent-decoded, as AWS passes them in
//!   `pathParameters` (a client sending `a%2Bb` gets `a+b`; `+` is not a space in a path).
//!   Literal parts are compared with the decoded request part.

use std::collections::HashMap;

use percent_encoding::percent_decode_str;

use crate::model::ApiDefinition;
use crate::resource_path::{self, PathSegment};

/// The methods `ANY` stands for.
const ANY_COVERS: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/// The result of routing a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteOutcome<'a> {
    Matched(RouteMatch<'a>),
    /// No resource has this path, or it has no method for this request.
    NoRoute,
}

/// A matched resource and method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'a> {
    /// Index into [`ApiDefinition::resources`].
    pub resource_index: usize,
    /// Index into that resource's [`crate::Resource::methods`].
    pub method_index: usize,
    /// The resource path template, such as `/items/{id}`.
    pub resource_path: &'a str,
    /// Path variable name → percent-decoded value, in path order.
    pub path_parameters: Vec<(String, String)>,
}

/// One resource of the tree (implied parent resources included).
#[derive(Debug, Default)]
struct Node {
    literal_children: HashMap<String, usize>,
    variable_child: Option<(String, usize)>,
    greedy_child: Option<(String, usize)>,
    /// Index of the resource defined at this node, if any.
    resource: Option<usize>,
    /// Explicit methods → method index.
    methods: HashMap<String, usize>,
    any_method: Option<usize>,
}

/// A routing table built from an API definition. Immutable and `Send + Sync`.
#[derive(Debug)]
pub struct Router {
    nodes: Vec<Node>,
    /// Resource paths, by resource index.
    resource_paths: Vec<String>,
}

impl Router {
    /// Builds the resource tree. Resources whose path is not a valid template, or whose
    /// variable conflicts with a sibling's (neither passes the import), are left out, as is a
    /// second resource with the same path.
    pub fn new(definition: &ApiDefinition) -> Router {
        let mut router = Router {
            nodes: vec![Node::default()],
            resource_paths: definition
                .resources
                .iter()
                .map(|r| r.path.clone())
                .collect(),
        };
        for (resource_index, resource) in definition.resources.iter().enumerate() {
            let Ok(segments) = resource_path::parse(&resource.path) else {
                continue;
            };
            let Some(node) = router.insert(&segments) else {
                continue;
            };
            let node = &mut router.nodes[node];
            if node.resource.is_some() {
                continue;
            }
            node.resource = Some(resource_index);
            for (method_index, method) in resource.methods.iter().enumerate() {
                if method.http_method == "ANY" {
                    node.any_method.get_or_insert(method_index);
                } else {
                    node.methods
                        .entry(method.http_method.clone())
                        .or_insert(method_index);
                }
            }
        }
        router
    }

    /// The node for `segments`, created with its parents as needed; `None` on a sibling
    /// variable conflict.
    fn insert(&mut self, segments: &[PathSegment]) -> Option<usize> {
        let mut current = 0;
        for segment in segments {
            let existing = match segment {
                PathSegment::Literal(text) => {
                    self.nodes[current].literal_children.get(text).copied()
                }
                PathSegment::Variable(name) => match &self.nodes[current].variable_child {
                    Some((existing, child)) if existing == name => Some(*child),
                    Some(_) => return None,
                    None => None,
                },
                PathSegment::Greedy(name) => match &self.nodes[current].greedy_child {
                    Some((existing, child)) if existing == name => Some(*child),
                    Some(_) => return None,
                    None => None,
                },
            };
            current = match existing {
                Some(child) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(Node::default());
                    let parent = &mut self.nodes[current];
                    match segment {
                        PathSegment::Literal(text) => {
                            parent.literal_children.insert(text.clone(), child);
                        }
                        PathSegment::Variable(name) => {
                            parent.variable_child = Some((name.clone(), child))
                        }
                        PathSegment::Greedy(name) => {
                            parent.greedy_child = Some((name.clone(), child))
                        }
                    }
                    child
                }
            };
        }
        Some(current)
    }

    /// Routes a request. `path` is the raw request path after the stage prefix, still
    /// percent-encoded and without the query string (`/items/42`).
    pub fn route<'a>(&'a self, http_method: &str, path: &str) -> RouteOutcome<'a> {
        let Some(segments) = split_request_path(path) else {
            return RouteOutcome::NoRoute;
        };
        let mut path_parameters = Vec::new();
        let Some(node) = self.find(0, &segments, &mut path_parameters) else {
            return RouteOutcome::NoRoute;
        };
        let node = &self.nodes[node];
        let Some(resource_index) = node.resource else {
            return RouteOutcome::NoRoute;
        };
        let method_index = match node.methods.get(http_method) {
            Some(index) => *index,
            None => match node.any_method {
                Some(index) if ANY_COVERS.contains(&http_method) => index,
                _ => return RouteOutcome::NoRoute,
            },
        };
        RouteOutcome::Matched(RouteMatch {
            resource_index,
            method_index,
            resource_path: &self.resource_paths[resource_index],
            path_parameters,
        })
    }

    /// The most specific node matching `segments` below `node`. Recursion depth is bounded by
    /// the depth of the tree, not by the request path.
    fn find(
        &self,
        node: usize,
        segments: &[&str],
        parameters: &mut Vec<(String, String)>,
    ) -> Option<usize> {
        let Some((first, rest)) = segments.split_first() else {
            return Some(node);
        };
        let node = &self.nodes[node];
        let decoded = percent_decode_str(first).decode_utf8_lossy();
        if let Some(child) = node.literal_children.get(decoded.as_ref())
            && let Some(found) = self.find(*child, rest, parameters)
        {
            return Some(found);
        }
        if let Some((name, child)) = &node.variable_child
            && !decoded.is_empty()
        {
            parameters.push((name.clone(), decoded.into_owned()));
            if let Some(found) = self.find(*child, rest, parameters) {
                return Some(found);
            }
            parameters.pop();
        }
        if let Some((name, child)) = &node.greedy_child {
            let value = percent_decode_str(&segments.join("/"))
                .decode_utf8_lossy()
                .into_owned();
            if !value.is_empty() {
                parameters.push((name.clone(), value));
                return Some(*child);
            }
        }
        None
    }
}

/// The raw parts of a request path; `""` and `"/"` are the root. One trailing `/` is
/// dropped. `None` for a path that does not start with `/`.
fn split_request_path(path: &str) -> Option<Vec<&str>> {
    if path.is_empty() {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix('/')?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Some(Vec::new());
    }
    Some(rest.split('/').collect())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{
        Integration, IntegrationTarget, IntegrationType, Method, PassthroughBehavior, Resource,
    };

    fn method(http_method: &str) -> Method {
        Method {
            http_method: http_method.to_owned(),
            operation_id: None,
            parameters: Vec::new(),
            integration: Integration {
                integration_type: IntegrationType::Mock,
                uri: None,
                target: IntegrationTarget::None,
                http_method: None,
                passthrough_behavior: PassthroughBehavior::WhenNoMatch,
                request_parameters: Vec::new(),
                request_templates: BTreeMap::new(),
                timeout_millis: Integration::DEFAULT_TIMEOUT_MILLIS,
                content_handling: None,
                responses: Vec::new(),
                cache_key_parameters: Vec::new(),
                cache_namespace: None,
            },
            request_validator: None,
            request_body: None,
            mapper: None,
            authorization: Default::default(),
            api_key_required: false,
        }
    }

    /// A definition from `(path, [methods])`.
    fn api(resources: &[(&str, &[&str])]) -> ApiDefinition {
        ApiDefinition {
            title: "test".to_owned(),
            version: None,
            description: None,
            resources: resources
                .iter()
                .map(|(path, methods)| Resource {
                    path: (*path).to_owned(),
                    methods: methods.iter().map(|m| method(m)).collect(),
                })
                .collect(),
            binary_media_types: Vec::new(),
            document: serde_json::Value::Null,
            models: BTreeMap::new(),
            request_validators: BTreeMap::new(),
            default_request_validator: None,
            gateway_responses: BTreeMap::new(),
            authorizers: BTreeMap::new(),
            api_key_source: Default::default(),
            resource_policy: None,
            cors: None,
        }
    }

    /// Routes and describes the outcome as `"<resource path> <method> k=v ..."` or `"none"`.
    fn route(router: &Router, definition: &ApiDefinition, http_method: &str, path: &str) -> String {
        match router.route(http_method, path) {
            RouteOutcome::NoRoute => "none".to_owned(),
            RouteOutcome::Matched(found) => {
                let resource = &definition.resources[found.resource_index];
                assert_eq!(resource.path, found.resource_path);
                let mut out = format!(
                    "{} {}",
                    found.resource_path, resource.methods[found.method_index].http_method
                );
                for (name, value) in &found.path_parameters {
                    out.push_str(&format!(" {name}={value}"));
                }
                out
            }
        }
    }

    /// Table of `(method, path, expected)` cases against one definition.
    fn check(resources: &[(&str, &[&str])], cases: &[(&str, &str, &str)]) {
        let definition = api(resources);
        let router = Router::new(&definition);
        for (http_method, path, expected) in cases {
            assert_eq!(
                route(&router, &definition, http_method, path),
                *expected,
                "{http_method} {path}"
            );
        }
    }

    #[test]
    fn literal_beats_variable_beats_greedy() {
        check(
            &[
                ("/items/new", &["GET"]),
                ("/items/{id}", &["GET"]),
                ("/{proxy+}", &["ANY"]),
            ],
            &[
                ("GET", "/items/new", "/items/new GET"),
                ("GET", "/items/42", "/items/{id} GET id=42"),
                ("GET", "/other/42", "/{proxy+} ANY proxy=other/42"),
                ("GET", "/items/42/more", "/{proxy+} ANY proxy=items/42/more"),
            ],
        );
    }

    #[test]
    fn a_failed_literal_branch_falls_back_to_the_greedy_sibling() {
        check(
            &[("/a/b", &["GET"]), ("/{proxy+}", &["GET"])],
            &[
                ("GET", "/a/b", "/a/b GET"),
                ("GET", "/a/c", "/{proxy+} GET proxy=a/c"),
                // `/a` is a resource (the implied parent of `/a/b`) without methods.
                ("GET", "/a", "none"),
            ],
        );
    }

    #[test]
    fn greedy_matches_one_or_more_segments_never_zero() {
        check(
            &[("/{proxy+}", &["ANY"]), ("/files/{path+}", &["GET"])],
            &[
                ("GET", "/", "none"),
                ("GET", "", "none"),
                ("GET", "/x", "/{proxy+} ANY proxy=x"),
                // `/files` is a resource (the implied parent of `/files/{path+}`) without methods.
                ("GET", "/files", "none"),
                (
                    "GET",
                    "/files/a/b/c.txt",
                    "/files/{path+} GET path=a/b/c.txt",
                ),
                ("POST", "/files/a", "none"),
            ],
        );
    }

    #[test]
    fn root_resource() {
        check(
            &[("/", &["GET"]), ("/{proxy+}", &["ANY"])],
            &[
                ("GET", "/", "/ GET"),
                ("GET", "", "/ GET"),
                ("POST", "/", "none"),
                ("POST", "/x", "/{proxy+} ANY proxy=x"),
            ],
        );
    }

    #[test]
    fn explicit_method_beats_any_and_missing_method_is_no_route() {
        check(
            &[
                ("/items", &["ANY", "GET"]),
                ("/orders", &["GET"]),
                ("/{proxy+}", &["ANY"]),
            ],
            &[
                ("GET", "/items", "/items GET"),
                ("DELETE", "/items", "/items ANY"),
                ("PATCH", "/items", "/items ANY"),
                ("GET", "/orders", "/orders GET"),
                // The resource matched by path has no POST: no other resource is tried.
                ("POST", "/orders", "none"),
                ("PROPFIND", "/items", "none"),
                ("get", "/items", "none"),
            ],
        );
    }

    #[test]
    fn head_does_not_fall_back_to_get() {
        check(
            &[("/items", &["GET"]), ("/any", &["ANY"])],
            &[
                ("HEAD", "/items", "none"),
                ("HEAD", "/any", "/any ANY"),
                ("OPTIONS", "/any", "/any ANY"),
            ],
        );
    }

    #[test]
    fn one_trailing_slash_is_ignored() {
        check(
            &[("/items", &["GET"]), ("/items/{id}", &["GET"])],
            &[
                ("GET", "/items/", "/items GET"),
                ("GET", "/items/7/", "/items/{id} GET id=7"),
                ("GET", "/items//", "none"),
                ("GET", "/items//7", "none"),
            ],
        );
    }

    #[test]
    fn path_parameters_are_percent_decoded_after_splitting() {
        check(
            &[("/items/{id}", &["GET"]), ("/files/{proxy+}", &["GET"])],
            &[
                ("GET", "/items/a%2Bb", "/items/{id} GET id=a+b"),
                ("GET", "/items/a+b", "/items/{id} GET id=a+b"),
                (
                    "GET",
                    "/items/hello%20world",
                    "/items/{id} GET id=hello world",
                ),
                ("GET", "/items/a%2Fb", "/items/{id} GET id=a/b"),
                ("GET", "/items/caf%C3%A9", "/items/{id} GET id=caf\u{e9}"),
                (
                    "GET",
                    "/files/a%20b/c%2Fd",
                    "/files/{proxy+} GET proxy=a b/c/d",
                ),
                ("GET", "/%69tems/1", "/items/{id} GET id=1"),
            ],
        );
    }

    #[test]
    fn multiple_variables_are_reported_in_path_order() {
        check(
            &[("/users/{user}/orders/{order}", &["GET"])],
            &[
                (
                    "GET",
                    "/users/u1/orders/o2",
                    "/users/{user}/orders/{order} GET user=u1 order=o2",
                ),
                ("GET", "/users/u1/orders", "none"),
                ("GET", "/users/u1/orders/o2/x", "none"),
            ],
        );
    }

    #[test]
    fn variable_branch_backtracks_to_greedy_and_restores_parameters() {
        check(
            &[("/a/{id}/b", &["GET"]), ("/a/{id}/{rest+}", &["GET"])],
            &[
                ("GET", "/a/1/b", "/a/{id}/b GET id=1"),
                ("GET", "/a/1/c/d", "/a/{id}/{rest+} GET id=1 rest=c/d"),
            ],
        );
        check(
            &[("/a/{id}/b", &["GET"]), ("/{proxy+}", &["GET"])],
            &[("GET", "/a/1/c", "/{proxy+} GET proxy=a/1/c")],
        );
    }

    #[test]
    fn unknown_paths_and_relative_paths_are_no_route() {
        check(
            &[("/items", &["GET"])],
            &[("GET", "/nothing", "none"), ("GET", "items", "none")],
        );
    }

    #[test]
    fn router_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Router>();
    }
}

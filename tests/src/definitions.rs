//! Small API definitions for the deployment tests: OpenAPI documents whose routes are
//! `GET` methods with `AWS_PROXY` integrations to functions.

/// An OpenAPI 3.0 document titled `title` (so its API id is derived from it) with
/// `info.version: revision` (two revisions are two different documents), whose routes are
/// `GET path` → `aws_proxy` to `uri` (`function:NAME[:QUALIFIER]`), in order.
pub fn function_api(title: &str, revision: &str, routes: &[(&str, &str)]) -> String {
    let mut text = format!(
        "openapi: 3.0.1\ninfo: {{ title: \"{title}\", version: \"{revision}\" }}\npaths:\n"
    );
    for (path, uri) in routes {
        text.push_str(&format!(
            "  \"{path}\":\n    get:\n      x-amazon-apigateway-integration: {{ type: aws_proxy, httpMethod: POST, uri: \"{uri}\" }}\n"
        ));
    }
    text
}

//! `$context` as mapping templates and gateway responses see it: API Gateway's context
//! variables, as one JSON tree.

use std::time::UNIX_EPOCH;

use serde_json::{Value, json};

use crate::access::Caller;
use crate::pipeline::RoutedRequest;
use crate::request::MethodRequest;
use crate::stage::StagePipeline;

/// API Gateway's `requestTime` format: `09/Apr/2015:12:34:56 +0000`.
pub fn request_time(at: std::time::SystemTime) -> String {
    // "Thu, 09 Apr 2015 12:34:56 GMT" → "09/Apr/2015:12:34:56 +0000"
    let text = httpdate::fmt_http_date(at);
    let parts: Vec<&str> = text.split(' ').collect();
    if parts.len() == 6 {
        format!("{}/{}/{}:{} +0000", parts[1], parts[2], parts[3], parts[4])
    } else {
        text
    }
}

/// Milliseconds since the Unix epoch.
pub fn epoch_millis(at: std::time::SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// The account id reported where AWS reports one: there is no AWS account here.
pub const ACCOUNT_ID: &str = "000000000000";

/// The `$context` tree of a routed request.
pub fn context_json(routed: &RoutedRequest<'_>) -> Value {
    request_context(
        routed.stage,
        &routed.request,
        routed.resource_path,
        &routed.caller,
    )
}

/// The `$context` tree of a request on a stage, routed to `resource_path` (empty when it
/// matched no resource).
pub fn request_context(
    stage: &StagePipeline,
    request: &MethodRequest,
    resource_path: &str,
    caller: &Caller,
) -> Value {
    let mut context = json!({
        "accountId": ACCOUNT_ID,
        "apiId": stage.api_id,
        "authorizer": caller.authorizer_json(),
        "deploymentId": stage.deployment_id,
        "domainName": format!("{}.execute-api.localhost", stage.api_id),
        "domainPrefix": stage.api_id,
        "extendedRequestId": request.request_id,
        "httpMethod": request.method.as_str(),
        "identity": {
            "sourceIp": request.source_ip.to_string(),
            "userAgent": request.header("user-agent"),
            "apiKey": null,
            "accountId": null,
            "caller": null,
            "user": null,
            "userArn": null,
        },
        "path": request.full_path,
        "protocol": request.protocol,
        "requestId": request.request_id,
        "requestTime": request_time(request.received_at),
        "requestTimeEpoch": epoch_millis(request.received_at),
        "resourceId": crate::integration::lambda_proxy::resource_id(resource_path),
        "resourcePath": resource_path,
        "stage": stage.stage,
    });
    if let Some(identity) = context["identity"].as_object_mut() {
        caller.fill_identity(identity);
    }
    context
}

use serde_json::{Value, json};

use super::*;

const API: &str = "arn:aws:execute-api:us-east-1:111111111111:a1b2c3";
const ALICE: &str = "arn:aws:iam::111111111111:user/alice";

fn policy(statements: Value) -> PolicyDocument {
    PolicyDocument::from_json(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap()
}

struct Request {
    action: &'static str,
    resource: String,
    principal: Option<&'static str>,
    ip: &'static str,
    values: Vec<(&'static str, &'static str)>,
}

fn request(path: &str) -> Request {
    Request {
        action: "execute-api:Invoke",
        resource: format!("{API}/{path}"),
        principal: None,
        ip: "192.0.2.10",
        values: Vec::new(),
    }
}

impl Request {
    fn decide(&self, policy: &PolicyDocument) -> Decision {
        policy.evaluate(&RequestFacts {
            action: self.action,
            resource: &self.resource,
            principal: self.principal,
            source_ip: self.ip.parse().unwrap(),
            condition_values: &self.values,
        })
    }
}

fn allow(extra: Value) -> Value {
    let mut statement =
        json!({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke"});
    statement
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    statement
}

#[test]
fn a_single_statement_object_is_accepted_as_well_as_a_list() {
    let one = policy(allow(json!({"Resource": "*"})));
    let list = policy(json!([allow(json!({"Resource": "*"}))]));
    assert_eq!(one, list);
    assert_eq!(request("prod/GET/").decide(&one), Decision::Allow);
}

#[test]
fn no_applicable_statement_is_an_implicit_deny() {
    let p = policy(json!([allow(
        json!({"Resource": format!("{API}/prod/GET/pets")})
    )]));
    assert_eq!(request("prod/GET/pets").decide(&p), Decision::Allow);
    assert_eq!(request("prod/POST/pets").decide(&p), Decision::ImplicitDeny);
    assert_eq!(request("dev/GET/pets").decide(&p), Decision::ImplicitDeny);
    let empty = policy(json!([]));
    assert_eq!(
        request("prod/GET/pets").decide(&empty),
        Decision::ImplicitDeny
    );
}

#[test]
fn an_explicit_deny_wins_over_any_allow_in_any_order() {
    let deny = json!({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": format!("{API}/*/POST/*")});
    let everything = allow(json!({"Resource": "*"}));
    for statements in [json!([everything, deny]), json!([deny, everything])] {
        let p = policy(statements);
        assert_eq!(request("prod/POST/pets").decide(&p), Decision::ExplicitDeny);
        assert_eq!(request("prod/GET/pets").decide(&p), Decision::Allow);
    }
}

#[test]
fn resource_wildcards_follow_iam() {
    let p = policy(json!([allow(json!({"Resource": [
        format!("{API}/*/GET/pets/*"),
        "arn:aws:execute-api:*:*:a1b2c3/prod/PUT/pets/?",
    ]}))]));
    assert_eq!(request("prod/GET/pets/42").decide(&p), Decision::Allow);
    assert_eq!(request("dev/GET/pets/a/b").decide(&p), Decision::Allow);
    assert_eq!(request("prod/GET/pets").decide(&p), Decision::ImplicitDeny);
    assert_eq!(request("prod/PUT/pets/7").decide(&p), Decision::Allow);
    assert_eq!(
        request("prod/PUT/pets/77").decide(&p),
        Decision::ImplicitDeny
    );
    // Case-sensitive, as IAM matches ARNs.
    assert_eq!(
        request("prod/get/pets/42").decide(&p),
        Decision::ImplicitDeny
    );
}

#[test]
fn the_root_resource_arn_ends_with_a_slash() {
    let p = policy(json!([allow(
        json!({"Resource": format!("{API}/prod/GET/")})
    )]));
    let arn = crate::method_arn("us-east-1", "111111111111", "a1b2c3", "prod", "GET", "/");
    let mut r = request("");
    r.resource = arn;
    assert_eq!(r.decide(&p), Decision::Allow);
    assert_eq!(request("prod/GET/pets").decide(&p), Decision::ImplicitDeny);
}

#[test]
fn action_names_are_case_insensitive_with_wildcards() {
    for action in [
        json!("execute-api:Invoke"),
        json!("EXECUTE-API:invoke"),
        json!("execute-api:*"),
        json!("execute-api:Inv*"),
        json!("*"),
        json!(["s3:GetObject", "execute-api:invoke"]),
    ] {
        let p =
            policy(json!({"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"}));
        assert_eq!(request("prod/GET/").decide(&p), Decision::Allow, "{action}");
    }
    for action in [
        json!("execute-api:InvalidateCache"),
        json!("s3:*"),
        json!("execute-api:Invoke?"),
    ] {
        let p =
            policy(json!({"Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"}));
        assert_eq!(
            request("prod/GET/").decide(&p),
            Decision::ImplicitDeny,
            "{action}"
        );
    }
}

#[test]
fn not_action_applies_to_every_other_action() {
    let p = policy(
        json!({"Effect": "Deny", "Principal": "*", "NotAction": "execute-api:Invoke", "Resource": "*"}),
    );
    assert_eq!(request("prod/GET/").decide(&p), Decision::ImplicitDeny);
    let mut invalidate = request("prod/GET/");
    invalidate.action = "execute-api:InvalidateCache";
    assert_eq!(invalidate.decide(&p), Decision::ExplicitDeny);
}

#[test]
fn not_resource_applies_to_every_other_resource() {
    let p = policy(json!([
        allow(json!({"Resource": "*"})),
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "NotResource": [format!("{API}/prod/*"), format!("{API}/beta/GET/*")]}
    ]));
    assert_eq!(request("prod/POST/pets").decide(&p), Decision::Allow);
    assert_eq!(request("beta/GET/pets").decide(&p), Decision::Allow);
    assert_eq!(request("beta/POST/pets").decide(&p), Decision::ExplicitDeny);
    assert_eq!(request("dev/GET/pets").decide(&p), Decision::ExplicitDeny);
}

#[test]
fn principal_limits_a_statement_to_its_callers() {
    let p = policy(
        json!({"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "execute-api:Invoke", "Resource": "*"}),
    );
    let mut r = request("prod/GET/");
    assert_eq!(r.decide(&p), Decision::ImplicitDeny, "anonymous");
    r.principal = Some(ALICE);
    assert_eq!(r.decide(&p), Decision::Allow);
    r.principal = Some("arn:aws:iam::111111111111:user/bob");
    assert_eq!(r.decide(&p), Decision::ImplicitDeny);
}

#[test]
fn an_account_principal_means_any_principal_of_that_account() {
    let p = policy(
        json!({"Effect": "Allow", "Principal": {"AWS": ["222222222222"]}, "Action": "execute-api:Invoke", "Resource": "*"}),
    );
    let mut r = request("prod/GET/");
    r.principal = Some("arn:aws:sts::222222222222:assumed-role/ci/build-7");
    assert_eq!(r.decide(&p), Decision::Allow);
    r.principal = Some(ALICE);
    assert_eq!(r.decide(&p), Decision::ImplicitDeny);
}

#[test]
fn not_principal_applies_to_everyone_else_including_anonymous_callers() {
    let p = policy(json!([
        allow(json!({"Resource": "*"})),
        {"Effect": "Deny", "NotPrincipal": {"AWS": ALICE}, "Action": "execute-api:Invoke", "Resource": "*"}
    ]));
    let mut r = request("prod/GET/");
    r.principal = Some(ALICE);
    assert_eq!(r.decide(&p), Decision::Allow);
    r.principal = Some("arn:aws:iam::111111111111:user/bob");
    assert_eq!(r.decide(&p), Decision::ExplicitDeny);
    r.principal = None;
    assert_eq!(r.decide(&p), Decision::ExplicitDeny);
}

#[test]
fn a_statement_without_a_principal_is_about_the_caller() {
    let p = PolicyDocument::from_json_as(
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": format!("{API}/*/GET/*")}]}),
        PolicyKind::Identity,
    )
    .unwrap();
    let mut r = request("prod/GET/pets");
    assert_eq!(r.decide(&p), Decision::Allow);
    r.principal = Some(ALICE);
    assert_eq!(r.decide(&p), Decision::Allow);
}

#[test]
fn the_aws_ip_allow_list_example() {
    // From "How API Gateway resource policies affect authorization workflow".
    let p = PolicyDocument::from_json_as(
        &json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*",
                "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}
            }]
        }),
        PolicyKind::Resource,
    )
    .unwrap();
    let mut r = request("prod/GET/pets");
    assert_eq!(r.decide(&p), Decision::Allow);
    r.ip = "203.0.113.1";
    assert_eq!(r.decide(&p), Decision::ImplicitDeny);
    r.ip = "2001:db8::1";
    assert_eq!(r.decide(&p), Decision::ImplicitDeny);
}

#[test]
fn the_aws_vpc_endpoint_deny_example() {
    let p = policy(json!([
        allow(json!({"Resource": "execute-api:/*"})),
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}
    ]));
    let mut r = request("prod/GET/pets");
    assert_eq!(r.decide(&p), Decision::ExplicitDeny, "no endpoint at all");
    r.values = vec![("aws:sourcevpce", "vpce-99")];
    assert_eq!(r.decide(&p), Decision::ExplicitDeny);
    r.values = vec![("aws:sourcevpce", "vpce-1a2b3c4d")];
    assert_eq!(r.decide(&p), Decision::Allow);
}

#[test]
fn a_condition_that_fails_makes_its_statement_not_apply() {
    let p = policy(json!([
        allow(json!({"Resource": "*"})),
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
    ]));
    let mut r = request("prod/GET/");
    assert_eq!(r.decide(&p), Decision::Allow);
    r.ip = "203.0.113.99";
    assert_eq!(r.decide(&p), Decision::ExplicitDeny);
}

#[test]
fn shorthand_expands_to_this_apis_arn() {
    let mut p = policy(json!([
        allow(json!({"Resource": ["execute-api:/*", "execute-api:/prod/GET/pets"]})),
        {"Effect": "Deny", "Principal": "*", "Action": "*", "NotResource": "execute-api:/prod/*"}
    ]));
    p.expand_execute_api_shorthand("us-east-1", "111111111111", "a1b2c3");
    assert_eq!(
        p.resource_patterns(),
        [
            "arn:aws:execute-api:us-east-1:111111111111:a1b2c3/*",
            "arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/GET/pets",
            "arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/*",
        ]
    );
    assert_eq!(request("prod/GET/pets").decide(&p), Decision::Allow);
    assert_eq!(request("dev/GET/pets").decide(&p), Decision::ExplicitDeny);
    // Expanded, the shorthand names this API only.
    let mut allow_only = policy(json!([allow(json!({"Resource": "execute-api:/*"}))]));
    allow_only.expand_execute_api_shorthand("us-east-1", "111111111111", "a1b2c3");
    let mut other_api = request("prod/GET/pets");
    other_api.resource = "arn:aws:execute-api:us-east-1:111111111111:zzz/prod/GET/pets".into();
    assert_eq!(other_api.decide(&allow_only), Decision::ImplicitDeny);
    assert_eq!(
        request("prod/GET/pets").decide(&allow_only),
        Decision::Allow
    );
}

#[test]
fn unexpanded_shorthand_matches_the_path_of_any_api() {
    let p = policy(json!([
        allow(json!({"Resource": "execute-api:/*"})),
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "execute-api:/*/DELETE/*"}
    ]));
    assert_eq!(
        p.resource_patterns(),
        ["execute-api:/*", "execute-api:/*/DELETE/*"]
    );
    assert_eq!(request("prod/GET/pets").decide(&p), Decision::Allow);
    assert_eq!(
        request("prod/DELETE/pets/1").decide(&p),
        Decision::ExplicitDeny
    );
    let mut not_execute_api = request("x");
    not_execute_api.resource = "arn:aws:s3:::bucket/prod/DELETE/x".into();
    assert_eq!(not_execute_api.decide(&p), Decision::ImplicitDeny);
}

#[test]
fn version_2008_and_no_version_are_accepted_and_dollar_brace_is_literal_there() {
    for document in [
        json!({"Version": "2008-10-17", "Statement": allow(json!({"Resource": format!("{API}/${{x}}")}))}),
        json!({"Statement": allow(json!({"Resource": format!("{API}/${{x}}")}))}),
    ] {
        let p = PolicyDocument::from_json(&document).unwrap();
        assert_eq!(request("${x}").decide(&p), Decision::Allow, "{document}");
    }
}

#[test]
fn id_and_sid_are_accepted() {
    let p = PolicyDocument::from_json(&json!({
        "Version": "2012-10-17", "Id": "policy-1",
        "Statement": [allow(json!({"Sid": "AllowAll", "Resource": "*"}))]
    }))
    .unwrap();
    assert_eq!(request("prod/GET/").decide(&p), Decision::Allow);
}

/// Every refusal of the document and statement parser, with where and what it says.
#[test]
fn refusals_say_where_and_what() {
    let statement = |extra: Value| {
        let mut s = json!({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"});
        let s_obj = s.as_object_mut().unwrap();
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                s_obj.remove(k);
            } else {
                s_obj.insert(k.clone(), v.clone());
            }
        }
        json!({"Version": "2012-10-17", "Statement": [s]})
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!([]),
            "",
            "expected a policy object {\"Version\": ..., \"Statement\": ...}, found a list",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": [], "Extra": 1}),
            "/Extra",
            "unknown member \"Extra\"; a policy has Version, Id and Statement",
        ),
        (
            json!({"Version": "2012-10-18", "Statement": []}),
            "/Version",
            "expected \"2012-10-17\" or \"2008-10-17\", found \"2012-10-18\"",
        ),
        (
            json!({"Version": 2012, "Statement": []}),
            "/Version",
            "expected \"2012-10-17\" or \"2008-10-17\", found the number 2012",
        ),
        (
            json!({"Id": 1, "Statement": []}),
            "/Id",
            "expected a string, found the number 1",
        ),
        (
            json!({"Version": "2012-10-17"}),
            "",
            "missing member \"Statement\"",
        ),
        (
            json!({"Statement": "Allow"}),
            "/Statement",
            "expected a statement object or a list of them, found \"Allow\"",
        ),
        (
            json!({"Statement": [null]}),
            "/Statement/0",
            "expected a statement object, found null",
        ),
        (
            statement(json!({"Effect": "allow"})),
            "/Statement/0/Effect",
            "expected \"Allow\" or \"Deny\", found \"allow\"",
        ),
        (
            statement(json!({"Effect": null})),
            "/Statement/0",
            "missing member \"Effect\"",
        ),
        (
            statement(json!({"effect": "Allow"})),
            "/Statement/0/effect",
            "unknown member \"effect\"; a statement has Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition",
        ),
        (
            statement(json!({"Sid": 5})),
            "/Statement/0/Sid",
            "expected a string, found the number 5",
        ),
        (
            statement(json!({"NotAction": "s3:*"})),
            "/Statement/0/NotAction",
            "a statement has Action or NotAction, not both",
        ),
        (
            statement(json!({"Action": null})),
            "/Statement/0",
            "missing member \"Action\" or \"NotAction\"",
        ),
        (
            statement(json!({"Action": "Invoke"})),
            "/Statement/0/Action",
            "expected \"*\" or \"service:action\" such as \"execute-api:Invoke\", found \"Invoke\"",
        ),
        (
            statement(json!({"Action": ["execute-api:Invoke", "execute-api:"]})),
            "/Statement/0/Action/1",
            "expected \"*\" or \"service:action\" such as \"execute-api:Invoke\", found \"execute-api:\"",
        ),
        (
            statement(json!({"Action": []})),
            "/Statement/0/Action",
            "expected at least one action, found an empty list",
        ),
        (
            statement(json!({"Action": {"a": 1}})),
            "/Statement/0/Action",
            "expected a action or a list of them, found an object",
        ),
        (
            statement(json!({"NotResource": "*"})),
            "/Statement/0/NotResource",
            "a statement has Resource or NotResource, not both",
        ),
        (
            statement(json!({"Resource": null})),
            "/Statement/0",
            "missing member \"Resource\" or \"NotResource\"",
        ),
        (
            statement(json!({"Resource": ["*", "pets"]})),
            "/Statement/0/Resource/1",
            "expected \"*\", an ARN such as \"arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH\" or the shorthand \"execute-api:/STAGE/METHOD/PATH\", found \"pets\"",
        ),
        (
            statement(json!({"Resource": "arn:aws:execute-api:us-east-1:1"})),
            "/Statement/0/Resource",
            "expected \"*\", an ARN such as \"arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH\" or the shorthand \"execute-api:/STAGE/METHOD/PATH\", found \"arn:aws:execute-api:us-east-1:1\"",
        ),
        (
            statement(json!({"Resource": format!("{API}/${{aws:username}}/*")})),
            "/Statement/0/Resource",
            "policy variables (${...}) are not supported, found \"arn:aws:execute-api:us-east-1:111111111111:a1b2c3/${aws:username}/*\"",
        ),
        (
            statement(json!({"NotPrincipal": "*"})),
            "/Statement/0/NotPrincipal",
            "a statement has Principal or NotPrincipal, not both",
        ),
        (
            statement(json!({"Principal": {"Federated": "cognito-identity.amazonaws.com"}})),
            "/Statement/0/Principal/Federated",
            "principals of type \"Federated\" cannot be evaluated here; only \"AWS\" principals can",
        ),
        (
            statement(json!({"Condition": {"StringEquals": {"aws:SourceIp": "1.2.3.4"}}})),
            "/Statement/0/Condition/StringEquals/aws:SourceIp",
            "aws:SourceIp is an IP address: use IpAddress or NotIpAddress, not StringEquals",
        ),
        (
            statement(
                json!({"Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}),
            ),
            "/Statement/0/Condition/DateGreaterThan",
            "condition operator \"DateGreaterThan\" is not supported here",
        ),
    ];
    for (document, pointer, message) in cases {
        let err = PolicyDocument::from_json(&document).unwrap_err();
        assert_eq!(
            (err.pointer.as_str(), err.message.as_str()),
            (pointer, message),
            "{document}"
        );
        assert_eq!(err.to_string(), format!("{pointer}: {message}"));
    }
}

#[test]
fn kind_specific_refusals() {
    let identity = |statement: Value| {
        PolicyDocument::from_json_as(
            &json!({"Version": "2012-10-17", "Statement": [statement]}),
            PolicyKind::Identity,
        )
        .unwrap_err()
    };
    let err =
        identity(json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}));
    assert_eq!(err.pointer, "/Statement/0/Principal");
    assert_eq!(
        err.message,
        "an identity policy (an authorizer's or an access key's) names no principal: its statements are about the caller"
    );
    let err = identity(
        json!({"Effect": "Allow", "NotPrincipal": {"AWS": ALICE}, "Action": "*", "Resource": "*"}),
    );
    assert_eq!(err.pointer, "/Statement/0/NotPrincipal");
    let err = identity(json!({"Effect": "Allow", "Action": "*", "Resource": "execute-api:/*"}));
    assert_eq!(
        (err.pointer.as_str(), err.message.as_str()),
        (
            "/Statement/0/Resource",
            "the execute-api:/ shorthand is for resource policies; an identity policy needs a full ARN, found \"execute-api:/*\""
        )
    );
    let err = PolicyDocument::from_json_as(
        &json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
        PolicyKind::Resource,
    )
    .unwrap_err();
    assert_eq!(
        (err.pointer.as_str(), err.message.as_str()),
        (
            "/Statement",
            "missing member \"Principal\" or \"NotPrincipal\""
        )
    );
}

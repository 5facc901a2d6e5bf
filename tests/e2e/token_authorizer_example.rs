//! The shipped token authorizer (`plugins/token-authorizer`) deployed with its example API
//! through the real gateway: tokens from stage variables, readers limited to `GET`, the
//! principal in `$context.authorizer`, and AWS's 401/403 bodies.

use tollgate_tests::{Gateway, TempData, components, send};

const EXAMPLE_API: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../plugins/token-authorizer/openapi.yaml"
);

fn example(data: &TempData) -> Gateway {
    let gateway = Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()]);
    gateway.cli_ok(&[
        "plugin",
        "publish",
        "token-authorizer",
        components::TOKEN_AUTHORIZER,
    ]);
    gateway.cli_ok(&[
        "deploy",
        EXAMPLE_API,
        "--api-id",
        "notes",
        "--stage",
        "dev",
        "--var",
        "tokens=s3cret=alice,r3ader=bob",
        "--var",
        "readers=bob",
    ]);
    gateway
}

async fn call(gateway: &Gateway, method: &str, token: Option<&str>) -> (u16, String) {
    let headers: Vec<(&str, &str)> = token.map(|t| ("authorization", t)).into_iter().collect();
    let answer = send(method, &gateway.url("/dev/notes"), &headers, "").await;
    (answer.status, answer.text())
}

#[tokio::test]
async fn listed_tokens_are_let_in_with_their_principal() {
    let data = TempData::new();
    let gateway = example(&data);
    assert_eq!(
        call(&gateway, "GET", Some("Bearer s3cret")).await,
        (
            200,
            r#"{"notes": [], "reader": "alice", "role": "writer"}"#.to_string()
        )
    );
    assert_eq!(
        call(&gateway, "POST", Some("s3cret")).await,
        (201, r#"{"created": true, "by": "alice"}"#.to_string())
    );
    assert_eq!(
        call(&gateway, "GET", Some("Bearer r3ader")).await,
        (
            200,
            r#"{"notes": [], "reader": "bob", "role": "reader"}"#.to_string()
        )
    );
}

#[tokio::test]
async fn readers_may_not_write_and_strangers_are_unauthorized() {
    let data = TempData::new();
    let gateway = example(&data);
    // bob's cached policy covers GET only: the POST is refused by it, as AWS evaluates a
    // cached policy for every method.
    assert_eq!(call(&gateway, "GET", Some("Bearer r3ader")).await.0, 200);
    assert_eq!(
        call(&gateway, "POST", Some("Bearer r3ader")).await,
        (
            403,
            r#"{"Message":"User is not authorized to access this resource"}"#.to_string()
        )
    );
    assert_eq!(
        call(&gateway, "GET", Some("Bearer wrong")).await,
        (401, r#"{"message":"Unauthorized"}"#.to_string())
    );
    assert_eq!(
        call(&gateway, "GET", None).await,
        (401, r#"{"message":"Unauthorized"}"#.to_string())
    );
    // The validation expression refuses a malformed header before the authorizer runs.
    assert_eq!(
        call(&gateway, "GET", Some("Basic a:b")).await,
        (401, r#"{"message":"Unauthorized"}"#.to_string())
    );
}

#[tokio::test]
async fn a_stage_variable_change_grants_a_new_token() {
    let data = TempData::new();
    let gateway = example(&data);
    assert_eq!(call(&gateway, "GET", Some("n3w")).await.0, 401);
    gateway.cli_ok(&[
        "stage",
        "vars",
        "set",
        "dev",
        "tokens=s3cret=alice,n3w=carol",
        "--api-id",
        "notes",
    ]);
    // Failures are not cached, so the new token works at once.
    assert_eq!(
        call(&gateway, "GET", Some("n3w")).await,
        (
            200,
            r#"{"notes": [], "reader": "carol", "role": "writer"}"#.to_string()
        )
    );
}

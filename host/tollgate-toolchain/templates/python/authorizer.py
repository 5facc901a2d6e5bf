"""`{{name}}`: a Tollgate custom authorizer (world `authorizer`), named by a security scheme's
`x-amazon-apigateway-authorizer` (`authorizerUri: authorizer:{{name}}`).

`tollgate plugin build` makes the component (build/{{name}}.wasm);
`tollgate plugin test . --event event.json` runs it once.
"""

from tollgate_sdk import AuthorizerRequest, Policy, Unauthorized, authorizer, stage


@authorizer
def authorize(request: AuthorizerRequest) -> Policy:
    token = request.token() or ""
    if token.startswith("Bearer "):
        token = token[len("Bearer ") :]
    # The stage variable `tokens` lists `TOKEN=PRINCIPAL` pairs, comma-separated.
    for pair in (stage.variable("tokens") or "").split(","):
        listed, equals, principal = pair.partition("=")
        if equals and token and listed.strip() == token:
            principal = principal.strip()
            # The gateway caches the answer per token and evaluates the cached policy for
            # every method, so it covers the whole stage rather than this one method.
            return (
                Policy(principal)
                .allow(request.stage_wildcard_arn())
                .with_context("user", principal)
            )
    # API Gateway's 401.
    raise Unauthorized()

"""The token authorizer example in Python: plugins/token-authorizer, deciding exactly as
the Rust version.

- Stage variable `tokens`: `TOKEN=PRINCIPAL` pairs separated by commas
  (`s3cret=alice,t0ken=bob`). The identity-source header carries the token bare or as
  `Bearer TOKEN`.
- Stage variable `readers` (optional): principals that may only GET.

An unknown token is Unauthorized (401). A known one gets a policy over the whole stage
(`…/{stage}/*`, or `…/{stage}/GET/*` for readers), since the gateway caches the policy per
token, and the context {"user": PRINCIPAL, "role": "reader" | "writer"}.
"""

from tollgate_sdk import Policy, Unauthorized, authorizer, stage

# What Rust's `str::trim` strips (Unicode White_Space): Python's bare `str.strip()` would also
# strip U+001C..U+001F, which Rust keeps.
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@authorizer
def authorize(request):
    token = request.token()
    if token is None:
        raise Unauthorized()
    principal = principal_of(stage.variable("tokens") or "", bearer(token))
    if principal is None:
        raise Unauthorized()
    readers = stage.variable("readers") or ""
    reader = any(r.strip(WHITE_SPACE) == principal for r in readers.split(","))
    resource = request.stage_wildcard_arn()
    if reader:
        resource = trim_end_matches(resource, "/*") + "/GET/*"
    return (
        Policy(principal)
        .allow(resource)
        .with_context("user", principal)
        .with_context("role", "reader" if reader else "writer")
    )


def bearer(value):
    """The token without a `Bearer ` prefix (the scheme compared ASCII-case-insensitively)."""
    value = value.strip(WHITE_SPACE)
    scheme, space, token = value.partition(" ")
    if space and scheme.encode("utf-8").lower() == b"bearer":
        return token.strip(WHITE_SPACE)
    return value


def principal_of(tokens, token):
    """The principal `tokens` (`TOKEN=PRINCIPAL,...`) lists for `token`, or None."""
    for pair in tokens.split(","):
        listed, equals, principal = pair.partition("=")
        if equals and token and listed.strip(WHITE_SPACE) == token:
            return principal.strip(WHITE_SPACE)
    return None


def trim_end_matches(text, suffix):
    """Rust's `str::trim_end_matches`: removes `suffix` as many times as it ends `text`."""
    while text.endswith(suffix):
        text = text[: -len(suffix)]
    return text

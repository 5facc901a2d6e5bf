"""Authorizers: API Gateway's custom (Lambda) authorizer contract. An authorizer gets an
`AuthorizerRequest` and answers with a `Policy` (or an `AuthorizerResponse`), or raises
`Unauthorized` (401)."""

from dataclasses import dataclass, field

from . import _fields, _serde_json
from .records import RequestContext

__all__ = ["ALLOW", "DENY", "AuthorizerRequest", "AuthorizerResponse", "Policy"]

#: The effect of a statement that allows `execute-api:Invoke`.
ALLOW = "Allow"
#: The effect of a statement that denies `execute-api:Invoke`.
DENY = "Deny"


@dataclass
class AuthorizerRequest:
    """What the authorizer is asked about."""

    #: `TOKEN` or `REQUEST`, the authorizer's type.
    kind: str = "TOKEN"
    #: For `TOKEN` authorizers: the value of the identity-source header.
    authorization_token: str = None
    #: `arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{METHOD}/{resource-path}`.
    method_arn: str = ""
    #: For `REQUEST` authorizers: request headers, (name, value) pairs.
    headers: list = field(default_factory=list)
    #: For `REQUEST` authorizers: query-string pairs.
    query: list = field(default_factory=list)
    #: For `REQUEST` authorizers: path parameters.
    path_parameters: list = field(default_factory=list)
    #: The request context (stage variables included).
    context: RequestContext = field(default_factory=RequestContext)

    def token(self):
        """The token of a `TOKEN` authorizer (the identity-source header's value), or None."""
        return self.authorization_token

    def header(self, name):
        """The value of request header `name`, compared case-insensitively; the LAST one
        when repeated: the value the gateway's identity source, and so its decision cache,
        uses."""
        return _fields.last_ignore_case(self.headers, name)

    def query_param(self, name):
        """The value of query-string parameter `name`; the last one when repeated."""
        return _fields.last_exact(self.query, name)

    def path_parameter(self, name):
        """The value of path parameter `name`, or None."""
        return _fields.get_exact(self.path_parameters, name)

    def stage_wildcard_arn(self):
        """The method ARN widened to every method and resource of the same API and stage
        (`.../{api-id}/{stage}/*`): allow this when the gateway caches the policy, so the
        cached answer also covers the caller's other calls."""
        return self.stage_arn("*")

    def stage_arn(self, resource):
        """An ARN of the same API and stage as the method ARN for `resource` below the
        stage (`{VERB}/{path}`, `*` wildcards allowed): `stage_arn("GET/*")` covers every GET
        of the stage. A method ARN without a stage is answered unchanged."""
        parts = self.method_arn.split("/", 2)
        if len(parts) < 2:
            return self.method_arn
        return "%s/%s/%s" % (parts[0], parts[1], resource)


@dataclass
class AuthorizerResponse:
    """The authorizer's answer, as a Lambda authorizer returns it. Usually built with
    `Policy`."""

    principal_id: str
    #: The IAM policy document as JSON.
    policy_document: str
    #: Extra values that become `$context.authorizer.{key}`: (key, value) pairs.
    context: list = field(default_factory=list)
    #: The usage-plan API key, for APIs that take their keys from the authorizer.
    usage_identifier_key: str = None


class Policy:
    """A builder for an `AuthorizerResponse`: a principal, IAM statements on
    `execute-api:Invoke`, context values and an optional usage-plan key.

        Policy("alice").allow(request.stage_wildcard_arn()).with_context("user", "alice")
        Policy.allowing("alice", request.method_arn)
        Policy("bob").deny(request.method_arn)

    A policy without statements denies everything."""

    def __init__(self, principal_id):
        self.principal_id = principal_id
        self.statements = []
        self.context = []
        self.usage_identifier_key = None

    @classmethod
    def allowing(cls, principal_id, resource):
        """A policy for `principal_id` allowing `resource` (a method ARN, `*` allowed)."""
        return cls(principal_id).allow(resource)

    @classmethod
    def denying(cls, principal_id, resource):
        """A policy for `principal_id` denying `resource`."""
        return cls(principal_id).deny(resource)

    def statement(self, effect, resource):
        """Adds a statement with `effect` (ALLOW or DENY) on `resource`; returns self."""
        if effect not in (ALLOW, DENY):
            raise ValueError("effect must be %r or %r, not %r" % (ALLOW, DENY, effect))
        self.statements.append((effect, resource))
        return self

    def allow(self, resource):
        """Adds a statement allowing `resource`; returns self."""
        return self.statement(ALLOW, resource)

    def deny(self, resource):
        """Adds a statement denying `resource`; returns self."""
        return self.statement(DENY, resource)

    def with_context(self, key, value):
        """Adds a context value, which becomes `$context.authorizer.{key}`; returns self."""
        self.context.append((key, value))
        return self

    def with_usage_identifier_key(self, key):
        """Sets the usage-plan API key; returns self."""
        self.usage_identifier_key = key
        return self

    def document(self):
        """The IAM policy document as JSON, as the Rust SDK prints it."""
        return _serde_json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
                    for effect, resource in self.statements
                ],
            }
        )

    def to_response(self):
        """The `AuthorizerResponse` this policy describes."""
        return AuthorizerResponse(
            principal_id=self.principal_id,
            policy_document=self.document(),
            context=list(self.context),
            usage_identifier_key=self.usage_identifier_key,
        )

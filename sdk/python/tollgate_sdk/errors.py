"""Errors a plugin raises to answer with its world's `err`."""

__all__ = ["PluginError", "Unauthorized"]


class PluginError(Exception):
    """Raise it to return `err(message)` from the export:

    - a function: a function error (Lambda's `errorMessage`): 502 behind an `AWS_PROXY`
      integration, matched against the `selectionPattern`s of an `AWS` integration;
    - a mapper: the request fails with 500, the message in the gateway log;
    - an authorizer: 500, or 401 for `Unauthorized`.

    Any other exception traps the call (the client gets a 502 or 500) after its traceback is
    written to the gateway log."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)

    def __str__(self):
        return self.message


class Unauthorized(PluginError):
    """An authorizer's "no valid credentials": `err("Unauthorized")`, which the gateway
    answers with 401 as API Gateway does."""

    def __init__(self, message="Unauthorized"):
        super().__init__(message)

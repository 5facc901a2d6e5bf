"""The stage serving the request (`tollgate:plugin/stage`): its stage variables, with canary
overrides applied. Every world imports it.

    from tollgate_sdk import stage

    table = stage.variable("table") or "items"
"""

from . import _host, testing

__all__ = ["variable", "variables"]


def variable(name):
    """The value of stage variable `name`, or None when the stage does not define it."""
    if _host.IN_COMPONENT:
        return _host.require(_host.stage, "stage", "all").variable(name)
    return testing.stage_variables.get(name)


def variables():
    """All stage variables, as a dict."""
    if _host.IN_COMPONENT:
        return dict(_host.require(_host.stage, "stage", "all").variables())
    return dict(testing.stage_variables)

"""The plugin's configuration (`tollgate:plugin/config`): the read-only map the API
definition gives the plugin where it names it (for a mapper, the `x-tollgate-mapper`
extension's `config`), fixed per deployment. Only the `mapper` world imports it.

    from tollgate_sdk import config

    operation = config.get("operation", "Echo")
"""

from . import _host, testing

__all__ = ["get", "entries"]


def _interface():
    return _host.require(_host.config, "config", "mapper")


def get(key, default=None):
    """The configuration value under `key`, or `default` when the definition gives none."""
    if _host.IN_COMPONENT:
        value = _interface().get(key)
    else:
        value = testing.config.get(key)
    return default if value is None else value


def entries():
    """Every configuration entry, as a dict."""
    if _host.IN_COMPONENT:
        return dict(_interface().entries())
    return dict(testing.config)

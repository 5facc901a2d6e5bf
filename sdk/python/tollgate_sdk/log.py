"""Records in the gateway's own log (`tollgate:plugin/log`), tagged by the host with the
request id and the plugin. Every world imports it.

    from tollgate_sdk import log

    log.info("item created", id="42")
    log.error("store failed", {"error": str(e)})   # a dict for keys that are not identifiers
"""

from . import _host, testing

__all__ = ["trace", "debug", "info", "warn", "error", "write", "LEVELS"]

#: The levels of the WIT `level` enum, lowest first.
LEVELS = ("trace", "debug", "info", "warn", "error")


def write(level, message, fields=None, /, **more):
    """Writes one record at `level` (one of LEVELS): `message` plus key/value fields, given
    as a dict or pairs and/or as keyword arguments; values are turned into str."""
    if level not in LEVELS:
        raise ValueError("log level must be one of %s, not %r" % (", ".join(LEVELS), level))
    pairs = []
    if fields:
        items = fields.items() if isinstance(fields, dict) else fields
        pairs.extend((str(k), str(v)) for k, v in items)
    pairs.extend((k, str(v)) for k, v in more.items())
    if _host.IN_COMPONENT and _host.serving:
        _host.log.write(_host.log.Level[level.upper()], str(message), pairs)
    else:
        # Natively, and at build time (module-level code, before the host exists): the
        # simulated log, which prints to stderr, so a build shows the record.
        testing.write_log(level, str(message), pairs)


def trace(message, fields=None, /, **more):
    """Writes a `trace` record."""
    write("trace", message, fields, **more)


def debug(message, fields=None, /, **more):
    """Writes a `debug` record."""
    write("debug", message, fields, **more)


def info(message, fields=None, /, **more):
    """Writes an `info` record."""
    write("info", message, fields, **more)


def warn(message, fields=None, /, **more):
    """Writes a `warn` record."""
    write("warn", message, fields, **more)


def error(message, fields=None, /, **more):
    """Writes an `error` record."""
    write("error", message, fields, **more)

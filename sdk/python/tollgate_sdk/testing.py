"""The host, simulated, for testing plugin logic with plain Python (`python3 -m unittest`).

Outside a component, `kv`, `log`, `stage` and `config` use the state kept here: an
in-memory key-value table, log records collected in `records` (and printed to stderr), and
the stage variables and configuration you set. Call `reset()` between tests.

    from tollgate_sdk import testing
    testing.reset(stage_variables={"tokens": "s3cret=alice"})
    ...
    assert testing.key_value == {"item:1": b'{"id":"1"}'}
"""

import sys

#: The simulated key-value table: key -> bytes.
key_value = {}
#: The simulated stage variables.
stage_variables = {}
#: The simulated plugin configuration (what a mapper's `config` returns).
config = {}
#: Every log record written: (level, message, [(key, value), ...]).
records = []
#: Whether log records are also printed to stderr.
echo_logs = True


def reset(stage_variables=None, config=None, key_value=None):
    """Empties the simulated host, then sets the given stage variables, configuration and
    key-value entries (values as bytes or str)."""
    module = sys.modules[__name__]
    module.stage_variables.clear()
    module.stage_variables.update(stage_variables or {})
    module.config.clear()
    module.config.update(config or {})
    module.key_value.clear()
    for key, value in (key_value or {}).items():
        module.key_value[key] = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    records.clear()


def write_log(level, message, fields):
    records.append((level, message, list(fields)))
    if echo_logs:
        rendered = " ".join("%s=%s" % field for field in fields)
        print("[%s] %s %s" % (level, message, rendered), file=sys.stderr)

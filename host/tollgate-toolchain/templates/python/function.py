"""`{{name}}`: a Tollgate function (world `function`). It answers API Gateway's Lambda-proxy
events, behind an `AWS_PROXY` integration (`uri: function:{{name}}`).

`tollgate plugin build` makes the component (build/{{name}}.wasm);
`tollgate plugin test . --event event.json` runs it once.
"""

from tollgate_sdk import ProxyEvent, ProxyResponse, function, kv, log


@function
def handle(event: ProxyEvent) -> ProxyResponse:
    name = event.query("name", "world")
    # The key-value table the stage grants this function (its namespace is
    # `function/{{name}}`) is the only state that outlives a call: every call runs in a
    # fresh instance.
    greetings = kv.get_json("greetings", 0) + 1
    kv.set_json("greetings", greetings)
    log.info("greeted", name=name)
    return ProxyResponse.json(200, {"hello": name, "greetings": greetings})

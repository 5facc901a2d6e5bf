"""The SDK's helpers, natively (the host simulated by tollgate_sdk.testing)."""

import json
import unittest

from tollgate_sdk import (
    AuthorizerRequest,
    BodyError,
    HttpRequest,
    KvError,
    Policy,
    PluginError,
    ProxyEvent,
    ProxyResponse,
    config,
    exports,
    kv,
    log,
    stage,
    testing,
)
from tollgate_sdk._host import Err

EVENT = {
    "resource": "/items/{id}",
    "path": "/items/42",
    "httpMethod": "POST",
    "headers": {"Content-Type": "application/json", "X-Thing": "a"},
    "multiValueHeaders": {"Content-Type": ["application/json"], "X-Thing": ["b", "a"]},
    "queryStringParameters": {"x": "2"},
    "multiValueQueryStringParameters": {"x": ["1", "2"]},
    "pathParameters": {"id": "42"},
    "stageVariables": None,
    "requestContext": {"stage": "dev", "requestId": "req-1", "requestTimeEpoch": 5,
                       "identity": {"sourceIp": "127.0.0.1"}, "authorizer": {"principalId": "a"}},
    "body": '{"name":"widget"}',
    "isBase64Encoded": False,
}


class Events(unittest.TestCase):
    def test_helpers(self):
        event = ProxyEvent(EVENT)
        self.assertEqual((event.method, event.path_parameter("id")), ("POST", "42"))
        self.assertEqual(event.path_parameter("nope", "d"), "d")
        self.assertEqual((event.query("x"), event.query_values("x")), ("2", ["1", "2"]))
        self.assertEqual(event.header("content-type"), "application/json")
        self.assertIsNone(event.stage_variable("x"))
        self.assertEqual(event.request_context.stage, "dev")
        self.assertEqual(event.request_context.authorizer, {"principalId": "a"})
        self.assertEqual(event.json(), {"name": "widget"})

    def test_nulls_and_bodies(self):
        event = ProxyEvent.from_json('{"httpMethod":"GET","headers":null,"requestContext":null}')
        self.assertIsNone(event.header("x"))
        self.assertEqual(event.body_bytes(), b"")
        with self.assertRaises(BodyError) as caught:
            event.json()
        self.assertEqual(str(caught.exception), "the request has no body")
        binary = ProxyEvent({"body": "aGk=", "isBase64Encoded": True})
        self.assertEqual(binary.body_bytes(), b"hi")


class Responses(unittest.TestCase):
    def test_serialise_with_aws_names_and_omit_empty_fields(self):
        self.assertEqual(ProxyResponse(204).to_json(), '{"statusCode":204}')
        self.assertEqual(
            ProxyResponse.json(200, {"a": 1}).to_json(),
            '{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\\"a\\":1}"}',
        )
        self.assertEqual(
            ProxyResponse.binary(200, b"hi").with_header("Content-Type", "image/png").to_json(),
            '{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"aGk=",'
            '"isBase64Encoded":true}',
        )
        text = ProxyResponse.text(404, "no").with_header_values("set-cookie", ["a=1", "b=2"])
        self.assertEqual(text.header("Content-Type"), "text/plain; charset=utf-8")
        self.assertEqual(text.header("Set-Cookie"), "a=1")
        self.assertEqual(
            text.to_json(),
            '{"statusCode":404,"headers":{"content-type":"text/plain; charset=utf-8"},'
            '"multiValueHeaders":{"set-cookie":["a=1","b=2"]},"body":"no"}',
        )

    def test_unserialisable_values_answer_500(self):
        response = ProxyResponse.json(200, {"x": {1, 2}})
        self.assertEqual(response.status_code, 500)
        self.assertIn("cannot serialise the response", response.body)


class Host(unittest.TestCase):
    def setUp(self):
        testing.echo_logs = False
        testing.reset(stage_variables={"table": "t"}, config={"tag": "x"})

    def test_key_value(self):
        kv.set("a", "1")
        kv.set_json("b", {"n": [1, 2.0]})
        self.assertEqual(kv.get("a"), b"1")
        self.assertEqual(kv.get_json("b"), {"n": [1, 2.0]})
        self.assertEqual(testing.key_value["b"], b'{"n":[1,2.0]}')
        self.assertEqual(kv.list_keys(), ["a", "b"])
        self.assertTrue(kv.delete("a"))
        self.assertFalse(kv.delete("a"))
        self.assertEqual(kv.get_json("missing", 7), 7)
        kv.set("bad", b"{")
        with self.assertRaises(KvError) as caught:
            kv.get_json("bad")
        self.assertEqual(caught.exception.kind, "json")
        with self.assertRaises(KvError) as caught:
            kv.set("k" * 1025, b"")
        self.assertEqual(caught.exception.kind, "too-large")
        self.assertEqual(str(KvError("no-namespace")), "no key-value namespace is granted to this plugin")

    def test_stage_config_and_log(self):
        self.assertEqual(stage.variable("table"), "t")
        self.assertEqual(stage.variables(), {"table": "t"})
        self.assertEqual((config.get("tag"), config.get("no", "d")), ("x", "d"))
        log.info("hello", {"user-agent": "curl"}, n=1)
        self.assertEqual(testing.records, [("info", "hello", [("user-agent", "curl"), ("n", "1")])])
        with self.assertRaises(ValueError):
            log.write("loud", "x")


class Authorizers(unittest.TestCase):
    def test_policies_serialise_as_iam_documents(self):
        policy = Policy.denying("bob", "arn:a/dev/GET/x").allow("arn:a/dev/*")
        response = policy.with_usage_identifier_key("key1").to_response()
        self.assertEqual(
            response.policy_document,
            '{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":'
            '"Deny","Resource":"arn:a/dev/GET/x"},{"Action":"execute-api:Invoke","Effect":'
            '"Allow","Resource":"arn:a/dev/*"}]}',
        )
        self.assertEqual((response.principal_id, response.usage_identifier_key), ("bob", "key1"))

    def test_request_helpers(self):
        request = AuthorizerRequest(
            method_arn="arn:aws:execute-api:local:0:api1/dev/POST/items/1",
            headers=[("X-Tenant", "first"), ("x-tenant", "last")],
            query=[("t", "1"), ("t", "2")],
            path_parameters=[("id", "1")],
        )
        self.assertEqual(request.header("X-TENANT"), "last")
        self.assertEqual(request.query_param("t"), "2")
        self.assertEqual(request.path_parameter("id"), "1")
        self.assertEqual(request.stage_wildcard_arn(), "arn:aws:execute-api:local:0:api1/dev/*")
        self.assertEqual(request.stage_arn("GET/*"), "arn:aws:execute-api:local:0:api1/dev/GET/*")
        self.assertEqual(AuthorizerRequest(method_arn="x").stage_arn("*"), "x")


class Exports(unittest.TestCase):
    def setUp(self):
        testing.echo_logs = False
        testing.reset()
        exports.registered.clear()

    def tearDown(self):
        exports.registered.clear()

    def test_the_world_check_names_what_is_wrong(self):
        with self.assertRaisesRegex(TypeError, "registers no handler: a function plugin"):
            exports.check("function")
        exports.map_request(lambda request, context: request)
        with self.assertRaisesRegex(TypeError, "@map_request, which a function plugin cannot"):
            exports.check("function")
        exports.check("mapper")
        with self.assertRaisesRegex(ValueError, "used twice"):
            exports.map_request(lambda request, context: request)

    def test_errors_and_exceptions(self):
        @exports.function
        def handle(event):
            if event.path == "/fail":
                raise PluginError("no such thing")
            if event.path == "/dict":
                return {"statusCode": 200, "body": "raw"}
            return 1 / 0

        with self.assertRaises(Err) as caught:
            exports.Handler().handle('{"path":"/fail"}')
        self.assertEqual(caught.exception.value, "no such thing")
        self.assertEqual(
            exports.Handler().handle('{"path":"/dict"}'), '{"statusCode":200,"body":"raw"}'
        )
        with self.assertRaises(ZeroDivisionError):
            exports.Handler().handle('{"path":"/"}')
        level, message, fields = testing.records[-1]
        self.assertEqual((level, message), ("error", "the plugin raised an exception"))
        self.assertEqual(dict(fields)["message"], "ZeroDivisionError: division by zero")
        self.assertIn("1 / 0", dict(fields)["traceback"])
        with self.assertRaises(Err) as caught:
            exports.Handler().handle("not json")
        self.assertIn("cannot parse the Lambda-proxy event", caught.exception.value)

    def test_mapper_without_a_response_transform_passes_it_through(self):
        exports.map_request(lambda request, context: request.with_header("x", "1"))
        mapped = exports.Mapping().map_request(HttpRequest("GET", "/"), _context())
        self.assertEqual(mapped.headers, [("x", "1")])
        response = object()
        self.assertIs(exports.Mapping().map_response(response, _context()), response)

    def test_raw_functions_get_and_return_json_text(self):
        exports.raw_function(lambda event: json.dumps({"statusCode": 200, "body": event}))
        self.assertEqual(
            json.loads(exports.Handler().handle('{"a":1}')), {"statusCode": 200, "body": '{"a":1}'}
        )


def _context():
    from tollgate_sdk import RequestContext

    return RequestContext(stage="dev")


if __name__ == "__main__":
    unittest.main()

"""The Python examples of plugins/examples/python, run natively through the SDK's export
classes with the host simulated, against what the Rust plugins answer (the expectations of
plugins/crud, plugins/examples/rust/mapper and plugins/token-authorizer's tests)."""

import importlib.util
import json
import pathlib
import unittest

from tollgate_sdk import HttpRequest, HttpResponse, RequestContext, exports, testing
from tollgate_sdk._host import Err

EXAMPLES = pathlib.Path(__file__).resolve().parents[3] / "plugins" / "examples" / "python"


def load(example):
    """Imports an example's app.py afresh, so that its decorators register its handlers."""
    exports.registered.clear()
    spec = importlib.util.spec_from_file_location(
        "example_" + example, EXAMPLES / example / "app.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Crud(unittest.TestCase):
    def setUp(self):
        testing.echo_logs = False
        testing.reset()
        load("crud")
        exports.check("function")

    def call(self, method, path, body=None, base64=False):
        item_id = path[len("/items/") :] if path.startswith("/items/") else None
        event = {
            "resource": "/items/{id}" if item_id else "/items",
            "path": path,
            "httpMethod": method,
            "pathParameters": {"id": item_id} if item_id else None,
            "body": body,
            "isBase64Encoded": base64,
        }
        return json.loads(exports.Handler().handle(json.dumps(event)))

    def test_create_read_update_delete(self):
        created = self.call("POST", "/items", '{"name":"widget","id":"x"}')
        self.assertEqual(
            created,
            {
                "statusCode": 201,
                "headers": {"content-type": "application/json"},
                "body": '{"id":"1","name":"widget"}',
            },
        )
        self.assertEqual(testing.key_value["item:1"], b'{"id":"1","name":"widget"}')
        self.assertEqual(testing.key_value["meta:next-id"], b"2")
        self.assertEqual(self.call("GET", "/items/1")["body"], '{"id":"1","name":"widget"}')
        replaced = self.call("PUT", "/items/1", '{"colour":"red","n":1e2}')
        self.assertEqual(replaced["body"], '{"id":"1","colour":"red","n":100.0}')
        self.assertEqual(self.call("DELETE", "/items/1"), {"statusCode": 204})
        self.assertEqual(
            self.call("GET", "/items/1")["body"], '{"message":"Item not found: 1"}'
        )
        self.assertEqual(
            [r for r in testing.records if r[0] == "info"],
            [("info", "item created", [("id", "1")]), ("info", "item deleted", [("id", "1")])],
        )

    def test_lists_sort_ids_numerically(self):
        for n in range(1, 12):
            self.call("POST", "/items", '{"n":%d}' % n)
        listed = json.loads(self.call("GET", "/items")["body"])
        self.assertEqual([item["id"] for item in listed["items"]], [str(n) for n in range(1, 12)])
        self.assertEqual(self.call("GET", "/v1/items/")["statusCode"], 200)

    def test_bad_bodies_methods_and_paths(self):
        self.assertEqual(
            self.call("POST", "/items", "{not json")["body"],
            '{"message":"Invalid request body: the body is not valid JSON"}',
        )
        self.assertEqual(
            self.call("POST", "/items", "[1]")["body"],
            '{"message":"The request body must be a JSON object"}',
        )
        self.assertEqual(
            self.call("POST", "/items")["body"],
            '{"message":"Invalid request body: the request has no body"}',
        )
        self.assertEqual(
            self.call("POST", "/items", "!!", base64=True)["body"],
            '{"message":"Invalid request body: the body is not valid base64"}',
        )
        self.assertEqual(
            testing.records[-1],
            ("info", "invalid request body",
             [("error", "the body is not valid base64: Invalid symbol 33, offset 0.")]),
        )
        self.assertEqual(self.call("POST", "/items", "eyJhIjoxfQ==", base64=True)["statusCode"], 201)
        patch = self.call("PATCH", "/items/1")
        self.assertEqual(patch["statusCode"], 405)
        self.assertEqual(
            patch["headers"], {"allow": "GET, PUT, DELETE", "content-type": "application/json"}
        )
        self.assertEqual(patch["body"], '{"message":"Method PATCH is not allowed on /items/1"}')
        self.assertEqual(self.call("DELETE", "/items")["headers"]["allow"], "GET, POST")
        self.assertEqual(self.call("GET", "/nope")["body"], '{"message":"Not found: /nope"}')
        self.assertEqual(self.call("PUT", "/items/9", "{}")["statusCode"], 404)
        self.assertNotIn("item:9", testing.key_value)

    def test_ids_skip_taken_ones_when_the_counter_is_lost(self):
        self.call("POST", "/items", "{}")
        self.call("POST", "/items", "{}")
        del testing.key_value["meta:next-id"]
        self.assertEqual(self.call("POST", "/items", "{}")["body"], '{"id":"3"}')


def context():
    return RequestContext(stage="dev", resource_path="/envelope", http_method="POST")


class Envelope(unittest.TestCase):
    def setUp(self):
        testing.reset()
        load("mapper")
        exports.check("mapper")

    def test_requests_are_wrapped_compactly_in_key_order(self):
        request = HttpRequest(
            "POST",
            "/envelope",
            [],
            [("Content-Type", "text/plain"), ("x-keep", "1")],
            '{ "z": [1, 2.5, "é\\n"], "a": {"n": null} }'.encode(),
        )
        mapped = exports.Mapping().map_request(request, context())
        self.assertEqual(
            mapped.body.decode(), '{"payload":{"z":[1,2.5,"é\\n"],"a":{"n":null}},"stage":"dev"}'
        )
        self.assertEqual(
            mapped.headers,
            [("x-keep", "1"), ("content-type", "application/json"), ("x-envelope", "request")],
        )

    def test_empty_and_bad_request_bodies(self):
        empty = exports.Mapping().map_request(HttpRequest("POST", "/", [], [], b""), context())
        self.assertEqual(empty.body, b'{"payload":null,"stage":"dev"}')
        with self.assertRaises(Err) as caught:
            exports.Mapping().map_request(HttpRequest("POST", "/", [], [], b"{oops"), context())
        self.assertEqual(caught.exception.value, "request body is not JSON")

    def test_responses_are_wrapped_with_their_status(self):
        def response(body):
            headers = [("x-envelope", "old"), ("content-type", "text/plain")]
            return HttpResponse(404, headers, body)

        mapped = exports.Mapping().map_response(response(b'{"b":1,"a":true}'), context())
        self.assertEqual(mapped.status, 404)
        self.assertEqual(mapped.body, b'{"data":{"b":1,"a":true},"status":404}')
        self.assertEqual(
            mapped.headers, [("content-type", "application/json"), ("x-envelope", "response")]
        )
        text = exports.Mapping().map_response(response(b'plain "text"\xff'), context())
        self.assertEqual(text.body.decode(), '{"data":"plain \\"text\\"\ufffd","status":404}')
        self.assertEqual(
            exports.Mapping().map_response(response(b""), context()).body,
            b'{"data":"","status":404}',
        )


class Tokens(unittest.TestCase):
    ARN = "arn:aws:execute-api:local:000000000000:api1/dev/POST/items/1"

    def setUp(self):
        testing.reset(stage_variables={"tokens": "s3cret=alice, t0ken=bob", "readers": "bob"})
        load("authorizer")
        exports.check("authorizer")

    def ask(self, token):
        from tollgate_sdk import AuthorizerRequest

        request = AuthorizerRequest(authorization_token=token, method_arn=self.ARN)
        return exports.Authorization().authorize(request)

    def test_writers_readers_and_strangers(self):
        alice = self.ask("Bearer s3cret")
        self.assertEqual(alice.principal_id, "alice")
        self.assertEqual(
            alice.policy_document,
            '{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke",'
            '"Effect":"Allow","Resource":"arn:aws:execute-api:local:000000000000:api1/dev/*"}]}',
        )
        self.assertEqual(alice.context, [("user", "alice"), ("role", "writer")])
        self.assertIsNone(alice.usage_identifier_key)
        bob = self.ask("  bearer  t0ken ")
        self.assertIn('api1/dev/GET/*"', bob.policy_document)
        self.assertEqual(bob.context, [("user", "bob"), ("role", "reader")])
        for token in ("alice", "", None, "Basic s3cret"):
            with self.assertRaises(Err) as caught:
                self.ask(token)
            self.assertEqual(caught.exception.value, "Unauthorized", token)


if __name__ == "__main__":
    unittest.main()

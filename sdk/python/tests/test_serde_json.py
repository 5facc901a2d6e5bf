"""The SDK's JSON against known serde_json output. (tests/python.rs of tollgate-toolchain
also compares it with serde_json itself over generated documents.)"""

import unittest

from tollgate_sdk import JsonError, from_json, to_json


class Printing(unittest.TestCase):
    def test_floats_are_printed_as_serde_json_prints_them(self):
        cases = {
            1.0: "1.0",
            -0.0: "-0.0",
            0.5: "0.5",
            1e15: "1000000000000000.0",
            1e16: "1e+16",
            1.5e300: "1.5e+300",
            1e-5: "0.00001",
            1e-6: "1e-6",
            1.25e-7: "1.25e-7",
            123456.789: "123456.789",
            5e-324: "5e-324",
            float("nan"): "null",
            float("inf"): "null",
        }
        for value, text in cases.items():
            self.assertEqual(to_json(value), text, value)

    def test_objects_keep_their_order_and_strings_escape_like_serde_json(self):
        value = {"z": [1, 2.5, "é\n\x01\"\\/"], "a": {"n": None, "t": True, "f": False}}
        self.assertEqual(
            to_json(value),
            '{"z":[1,2.5,"é\\n\\u0001\\"\\\\/"],"a":{"n":null,"t":true,"f":false}}',
        )

    def test_unprintable_values_are_type_errors(self):
        with self.assertRaises(TypeError):
            to_json({"x": object()})
        with self.assertRaises(TypeError):
            to_json({(1, 2): 3})


class Parsing(unittest.TestCase):
    def test_numbers_follow_serde_json(self):
        self.assertEqual(from_json("18446744073709551615"), 18446744073709551615)
        self.assertIsInstance(from_json("18446744073709551616"), float)
        self.assertEqual(from_json("-9223372036854775808"), -9223372036854775808)
        self.assertIsInstance(from_json("-9223372036854775809"), float)
        self.assertEqual(to_json(from_json("-0")), "-0.0")
        self.assertEqual(to_json(from_json("1e2")), "100.0")
        self.assertEqual(to_json(from_json("0e999999999999")), "0.0")

    def test_errors_carry_serde_json_messages_and_positions(self):
        cases = {
            "": "EOF while parsing a value at line 1 column 0",
            "{not json": "key must be a string at line 1 column 2",
            "[1,]": "trailing comma at line 1 column 4",
            "{\n\"a\" 1}": "expected `:` at line 2 column 5",
            "1e400": "number out of range at line 1 column 5",
            "NaN": "expected value at line 1 column 1",
            '"\\ud800"': "unexpected end of hex escape at line 1 column 8",
            "[" * 128 + "]" * 128: "recursion limit exceeded at line 1 column 128",
            "{} x": "trailing characters at line 1 column 4",
        }
        for text, message in cases.items():
            with self.assertRaises(JsonError) as caught:
                from_json(text)
            self.assertEqual(str(caught.exception), message, text)

    def test_repeated_keys_keep_the_first_position_and_the_last_value(self):
        self.assertEqual(to_json(from_json('{"a":1,"b":2,"a":3}')), '{"a":3,"b":2}')

    def test_bytes_and_invalid_utf8(self):
        self.assertEqual(from_json(b'{"k":"\xc3\xa9"}'), {"k": "é"})
        with self.assertRaises(JsonError) as caught:
            from_json(b'"a\xff"')
        self.assertEqual(str(caught.exception), "invalid unicode code point at line 1 column 3")


if __name__ == "__main__":
    unittest.main()

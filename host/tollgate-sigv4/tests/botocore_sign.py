"""Signs a set of varied requests with botocore, for tests/botocore.rs.

botocore's SigV4Auth (Authorization header) and SigV4QueryAuth (presigned URL) sign each
request for service execute-api; the requests are printed as JSON exactly as they would go on
the wire: method, path and query as sent, headers (with Host, which an HTTP client adds),
body as hex, and the signing time.
"""

import calendar
import hashlib
import json
import sys
import time
from urllib.parse import urlsplit

import botocore
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "eu-west-1"
SERVICE = "execute-api"
HOST = "abc123defg.execute-api.eu-west-1.amazonaws.com"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE//token+with/slashes=="


def sign(name, method, path_and_query, *, presigned=False, headers=None, body=b"",
         params=None, unsigned_payload=False, token=None, expires=300):
    url = f"https://{HOST}{path_and_query}"
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}),
                         params=params)
    if unsigned_payload:
        # botocore's own switch for UNSIGNED-PAYLOAD (honoured over https).
        request.context["payload_signing_enabled"] = False
    credentials = Credentials(ACCESS_KEY, SECRET_KEY, token)
    if presigned:
        SigV4QueryAuth(credentials, SERVICE, REGION, expires=expires).add_auth(request)
    else:
        SigV4Auth(credentials, SERVICE, REGION).add_auth(request)
    timestamp = request.context["timestamp"]
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    wire_headers = [["host", HOST]]
    wire_headers += [[key, value] for key, value in prepared.headers.items()]
    sent_body = prepared.body or b""
    if isinstance(sent_body, str):
        sent_body = sent_body.encode("utf-8")
    return {
        "name": name,
        "form": "presigned" if presigned else "header",
        "method": method,
        "path": parts.path,
        "query": parts.query if parts.query else None,
        "headers": wire_headers,
        "body": sent_body.hex(),
        "unsigned_payload": unsigned_payload,
        "expires": expires if presigned else None,
        "signed_at": calendar.timegm(time.strptime(timestamp, "%Y%m%dT%H%M%SZ")),
    }


def cases():
    json_body = json.dumps({"name": "Rex", "tags": ["a b", "ü"]}).encode("utf-8")
    return [
        sign("get-simple", "GET", "/prod/pets"),
        sign("get-spaces-unicode", "GET", "/prod/pets/a%20b/caf%C3%A9/%E2%9C%93"),
        sign("get-encoded-reserved", "GET", "/prod/files/a%2Fb%3Fc%25d%2Be%3Df/x+y"),
        sign("get-dot-segments", "GET", "/prod/a/./b/../c//d/"),
        sign("get-query-repeated-empty", "GET",
             "/prod/search?tag=b&tag=a&empty=&flag&sp=a%20b&plus=1%2B1&uni=%E2%9C%93&z=%2F"),
        sign("post-json", "POST", "/prod/pets?dry-run=true",
             headers={"Content-Type": "application/json", "X-Custom": "  spaced   value  "},
             body=json_body),
        sign("put-unsigned-payload", "PUT", "/prod/blobs/1",
             headers={"Content-Type": "application/octet-stream"},
             body=bytes(range(256)), unsigned_payload=True),
        sign("post-declared-sha256", "POST", "/prod/pets",
             headers={"X-Amz-Content-SHA256":
                      hashlib.sha256(b"declared body").hexdigest()},
             body=b"declared body"),
        sign("delete-date-header", "DELETE", "/prod/pets/7",
             headers={"Date": "Thu, 01 Jan 1970 00:00:00 GMT"}),
        sign("get-session-token", "GET", "/prod/me", token=SESSION_TOKEN),
        sign("presigned-simple", "GET", "/prod/pets?x=1", presigned=True),
        # SigV4QueryAuth keeps one value per key of the URL's query; repeated keys go as a list.
        sign("presigned-unicode-repeated", "GET", "/prod/caf%C3%A9%20bar", presigned=True,
             params={"tag": ["b", "a"], "empty": "", "sp": "a b/c", "uni": "\u2713"}),
        sign("presigned-token", "GET", "/prod/me", presigned=True, token=SESSION_TOKEN),
        sign("presigned-unsigned-payload", "GET", "/prod/report", presigned=True,
             unsigned_payload=True, expires=3600),
    ]


if __name__ == "__main__":
    json.dump({"botocore": botocore.__version__, "region": REGION, "service": SERVICE,
               "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "cases": cases()},
              sys.stdout)

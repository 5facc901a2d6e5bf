#!/usr/bin/env python3
"""Signs one request with botocore's SigV4 signer, for the Rust end-to-end tests
(`tests/e2e/sigv4.rs`), which send what this prints with their own client: the signature is
botocore's, not Tollgate's.

Reads one JSON object on stdin:

    {
      "mode": "header" | "presign",    # SigV4Auth (Authorization header) or SigV4QueryAuth
      "method": "GET", "url": "http://127.0.0.1:PORT/prod/items?q=1",
      "headers": {"content-type": "application/json"},   # optional, signed as given
      "body": "...",                   # optional, UTF-8 text
      "accessKeyId": "AKIA...", "secretAccessKey": "...",
      "region": "us-east-1", "service": "execute-api",
      "expires": 300,                  # presign only (X-Amz-Expires)
      "signedAgoSeconds": 600          # optional: sign as if it were that many seconds ago
    }

and prints one JSON object: the signed `url` and `headers` to send (the `host` header is left
to the client, which sends the URL's authority, as botocore signs it), with botocore's
`canonicalRequest` and `stringToSign` so a test can know the exact mismatch message a gateway
must answer. Exits with status 2 and a message naming the package when botocore is missing.
"""

import datetime
import json
import sys

REQUIRED = "botocore==1.44.5"

try:
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as error:  # pragma: no cover - the message is the point
    sys.stderr.write(
        f"botocore is not installed ({error}): run `pip install {REQUIRED}`\n"
    )
    sys.exit(2)


def main() -> None:
    spec = json.load(sys.stdin)
    ago = int(spec.get("signedAgoSeconds", 0))
    if ago:
        signed_at = botocore.auth.get_current_datetime() - datetime.timedelta(seconds=ago)
        # Every botocore signer reads the time through this module-level name.
        botocore.auth.get_current_datetime = lambda *args, **kwargs: signed_at

    body = spec.get("body")
    request = AWSRequest(
        method=spec["method"],
        url=spec["url"],
        headers=dict(spec.get("headers", {})),
        data=body.encode("utf-8") if body is not None else None,
    )
    credentials = Credentials(spec["accessKeyId"], spec["secretAccessKey"])
    region = spec.get("region", "us-east-1")
    service = spec.get("service", "execute-api")
    if spec.get("mode", "header") == "presign":
        signer = botocore.auth.SigV4QueryAuth(
            credentials, service, region, expires=int(spec.get("expires", 300))
        )
    else:
        signer = botocore.auth.SigV4Auth(credentials, service, region)
    # Keep the strings botocore computes while signing: the exact canonical request and
    # string-to-sign behind the signature (a gateway's mismatch message quotes its own).
    computed = {}

    def recording(name):
        original = getattr(signer, name)

        def record(*args):
            computed[name] = original(*args)
            return computed[name]

        return record

    signer.canonical_request = recording("canonical_request")
    signer.string_to_sign = recording("string_to_sign")
    signer.add_auth(request)
    print(
        json.dumps(
            {
                "url": request.url,
                "headers": dict(request.headers.items()),
                "canonicalRequest": computed["canonical_request"],
                "stringToSign": computed["string_to_sign"],
                "botocore": botocore.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()

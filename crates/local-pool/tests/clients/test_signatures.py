"""IAM-signed calls as botocore signs them, against what an attacker changes: the body after
signing, the pool the keys belong to, the page the call comes from, the Host it names.

The test pool (scripts/test.sh) accepts the key "test" for its configured pools, and the pool
us-east-1_Signed only its own key "signer".
"""

import hashlib
import json
import os
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ENDPOINT = os.environ["POOL_ENDPOINT"]
POOL_ID = "us-east-1_LocalPool"
SIGNED_POOL_ID = "us-east-1_Signed"


def signed(operation, body, key="test", secret="test"):
    """A request botocore signed, as (url, headers, body bytes)."""
    data = json.dumps(body).encode()
    request = AWSRequest(
        method="POST",
        url=f"{ENDPOINT}/",
        data=data,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
        },
    )
    SigV4Auth(Credentials(key, secret), "cognito-idp", "us-east-1").add_auth(request)
    return request.url, dict(request.headers.items()), data


def send(url, headers, data):
    """(status, parsed JSON body) of a raw POST."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_a_signed_request_is_served_as_signed():
    status, body = send(*signed("ListUsers", {"UserPoolId": POOL_ID, "Limit": 1}))
    assert status == 200, body
    assert "Users" in body


def test_the_body_cannot_be_swapped_after_signing():
    url, headers, data = signed("ListUsers", {"UserPoolId": POOL_ID, "Limit": 1})
    # The hash of the signed body, claimed for another one.
    headers["X-Amz-Content-SHA256"] = hashlib.sha256(data).hexdigest()
    other = json.dumps({"UserPoolId": POOL_ID, "Limit": 2}).encode()
    status, body = send(url, headers, other)
    assert status == 400 and body["__type"] == "InvalidSignatureException", body
    # Without the claim, the recomputed hash does not match the signature either.
    del headers["X-Amz-Content-SHA256"]
    status, body = send(url, headers, other)
    assert status == 400 and body["__type"] == "InvalidSignatureException", body


def test_each_pool_checks_the_keys_of_its_own():
    status, body = send(*signed("ListUsers", {"UserPoolId": SIGNED_POOL_ID, "Limit": 1}))
    assert status == 400 and body["__type"] == "UnrecognizedClientException", body
    status, body = send(
        *signed("ListUsers", {"UserPoolId": SIGNED_POOL_ID, "Limit": 1}, "signer", "signer-secret")
    )
    assert status == 200, body
    # And the other way round: that pool's key opens no other pool.
    status, body = send(*signed("ListUsers", {"UserPoolId": POOL_ID}, "signer", "signer-secret"))
    assert status == 400 and body["__type"] == "UnrecognizedClientException", body


def test_a_pool_declared_without_keys_takes_the_configured_ones():
    status, body = send(*signed("ListUsers", {"UserPoolId": "us-east-1_Devices"}, "nobody", "x"))
    assert status == 400 and body["__type"] == "UnrecognizedClientException", body
    status, body = send(*signed("ListUsers", {"UserPoolId": "us-east-1_Devices"}))
    assert status == 200, body


def test_a_valid_signature_from_a_web_page_is_refused():
    url, headers, data = signed("ListUsers", {"UserPoolId": POOL_ID})
    headers["Origin"] = "http://127.0.0.1:5173"
    status, body = send(url, headers, data)
    assert status == 403 and body["__type"] == "AccessDeniedException", body


def test_a_rebinding_host_gets_nothing():
    host = ENDPOINT.split("//", 1)[1]
    port = host.rsplit(":", 1)[1]
    request = urllib.request.Request(
        f"{ENDPOINT}/local/outbox",
        headers={"Accept": "application/json", "Host": f"rebind.attacker.example:{port}"},
    )
    try:
        urllib.request.urlopen(request)
        raise AssertionError("the outbox answered a foreign Host")
    except urllib.error.HTTPError as error:
        assert error.code == 421


def test_a_signature_must_cover_the_operation():
    # Signed without X-Amz-Target, which is added afterwards: the signature is valid for the
    # headers it names, but could then be replayed as any operation with the same body.
    data = json.dumps({"UserPoolId": POOL_ID, "Limit": 1}).encode()
    request = AWSRequest(
        method="POST", url=f"{ENDPOINT}/", data=data,
        headers={"Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(Credentials("test", "test"), "cognito-idp", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.ListUsers"
    status, body = send(request.url, headers, data)
    assert status == 400 and body["__type"] == "InvalidSignatureException", body

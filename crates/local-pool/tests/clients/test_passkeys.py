"""Passkeys on the standalone pool, driven by boto3, with a small software authenticator.

The authenticator makes what a browser and a platform authenticator would (WebAuthn Level 2,
"none" attestation, an ES256 key); the pool verifies it with webauthn-rs. The pool used here,
us-east-1_Passkeys, allows WEB_AUTHN with the relying party "localhost".
"""

import base64
import hashlib
import json
import os

import cbor2
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from test_python_clients import PASSWORD, error_code, idp, last_code, unique  # noqa: F401

CLIENT_ID = "passkeysclient00000000001"
ORIGIN = "http://localhost:3000"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """A platform authenticator that always verifies its user."""

    def __init__(self):
        self.credentials = {}

    def create(self, options, origin=ORIGIN):
        client_data = json.dumps(
            {"type": "webauthn.create", "challenge": options["challenge"], "origin": origin, "crossOrigin": False}
        ).encode()
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = os.urandom(16)
        numbers = key.public_key().public_numbers()
        cose_key = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        rp_id = options["rp"]["id"]
        # Flags: user present, user verified, attested credential data.
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([0x01 | 0x04 | 0x40])
            + (0).to_bytes(4, "big")
            + bytes(16)
            + len(credential_id).to_bytes(2, "big")
            + credential_id
            + cose_key
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials[credential_id] = {"key": key, "rp_id": rp_id, "user": unb64u(options["user"]["id"]), "count": 0}
        return {
            "id": b64u(credential_id),
            "rawId": b64u(credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64u(client_data),
                "attestationObject": b64u(attestation),
                "transports": ["internal"],
            },
        }

    def get(self, options, origin=ORIGIN):
        allowed = [unb64u(c["id"]) for c in options.get("allowCredentials", [])]
        credential_id = next(c for c in allowed if c in self.credentials)
        credential = self.credentials[credential_id]
        credential["count"] += 1
        client_data = json.dumps(
            {"type": "webauthn.get", "challenge": options["challenge"], "origin": origin, "crossOrigin": False}
        ).encode()
        auth_data = (
            hashlib.sha256(options["rpId"].encode()).digest()
            + bytes([0x01 | 0x04])
            + credential["count"].to_bytes(4, "big")
        )
        signature = credential["key"].sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": b64u(credential_id),
                "rawId": b64u(credential_id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64u(client_data),
                    "authenticatorData": b64u(auth_data),
                    "signature": b64u(signature),
                    "userHandle": b64u(credential["user"]),
                },
            }
        )


def signed_in(idp, username):
    idp.sign_up(
        ClientId=CLIENT_ID,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    idp.confirm_sign_up(ClientId=CLIENT_ID, Username=username, ConfirmationCode=last_code(username))
    return idp.initiate_auth(
        ClientId=CLIENT_ID,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]


def passkey_sign_in(idp, username, device):
    started = idp.initiate_auth(
        ClientId=CLIENT_ID, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"}
    )
    assert started["ChallengeName"] == "WEB_AUTHN"
    options = json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    return idp.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="WEB_AUTHN",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": username, "CREDENTIAL": device.get(options)},
    )


def test_register_sign_in_list_and_delete(idp):
    username = unique("passkey")
    token = signed_in(idp, username)
    device = SoftAuthenticator()

    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]
    idp.complete_web_authn_registration(AccessToken=token, Credential=device.create(options))
    # The start's challenge is used up.
    with pytest.raises(ClientError) as again:
        idp.complete_web_authn_registration(AccessToken=token, Credential=device.create(options))
    assert error_code(again) == "WebAuthnChallengeNotFoundException"

    listed = idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert [c["FriendlyCredentialName"] for c in listed] == ["Passkey 1"]
    assert listed[0]["RelyingPartyId"] == "localhost"
    assert listed[0]["AuthenticatorTransports"] == ["internal"]
    assert listed[0]["AuthenticatorAttachment"] == "platform"

    started = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username})
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]
    # Chosen from the list, as Amplify does: the challenge with its options follows.
    chosen = idp.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="SELECT_CHALLENGE",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": username, "ANSWER": "WEB_AUTHN"},
    )
    assert chosen["ChallengeName"] == "WEB_AUTHN"
    options = json.loads(chosen["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    tokens = idp.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="WEB_AUTHN",
        Session=chosen["Session"],
        ChallengeResponses={"USERNAME": username, "CREDENTIAL": device.get(options)},
    )["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer"
    assert passkey_sign_in(idp, username, device)["AuthenticationResult"]["AccessToken"]

    with pytest.raises(ClientError) as missing:
        idp.delete_web_authn_credential(AccessToken=token, CredentialId=b64u(b"not a passkey"))
    assert error_code(missing) == "ResourceNotFoundException"
    idp.delete_web_authn_credential(AccessToken=token, CredentialId=listed[0]["CredentialId"])
    assert idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []


def test_a_phished_or_tampered_credential_is_refused(idp):
    username = unique("phished")
    token = signed_in(idp, username)
    device = SoftAuthenticator()
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    with pytest.raises(ClientError) as foreign:
        idp.complete_web_authn_registration(AccessToken=token, Credential=device.create(options, "https://evil.example"))
    assert error_code(foreign) == "WebAuthnOriginNotAllowedException"

    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    idp.complete_web_authn_registration(AccessToken=token, Credential=device.create(options))
    started = idp.initiate_auth(
        ClientId=CLIENT_ID, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"}
    )
    options = json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assertion = json.loads(device.get(options))
    assertion["response"]["signature"] = b64u(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    with pytest.raises(ClientError) as forged:
        idp.respond_to_auth_challenge(
            ClientId=CLIENT_ID,
            ChallengeName="WEB_AUTHN",
            Session=started["Session"],
            ChallengeResponses={"USERNAME": username, "CREDENTIAL": json.dumps(assertion)},
        )
    assert error_code(forged) == "NotAuthorizedException"


def test_passkeys_are_not_enabled_on_a_pool_without_web_authn(idp):
    from test_python_clients import CLIENT_ID as DEFAULT_CLIENT, sign_up

    username = unique("nopk")
    sign_up(idp, username)
    idp.confirm_sign_up(ClientId=DEFAULT_CLIENT, Username=username, ConfirmationCode=last_code(username))
    token = idp.initiate_auth(
        ClientId=DEFAULT_CLIENT, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as refused:
        idp.start_web_authn_registration(AccessToken=token)
    assert error_code(refused) == "WebAuthnNotEnabledException"

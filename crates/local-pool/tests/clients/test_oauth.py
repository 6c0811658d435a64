"""The pool's OAuth 2.0 / OpenID Connect domain, driven by Authlib, an independent OAuth client:
authorization code with PKCE through the built-in test provider, the ID token checked against
the discovered JWKS, userInfo, refresh, revoke, the implicit grant, and client credentials.

The test command's pool `us-east-1_OAuth` has a Google provider, a public client with the code
and implicit flows and a machine client with a secret and a custom scope.
"""

import os
import secrets
import uuid
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client.errors import OAuthError
from authlib.jose import JsonWebKey, jwt

# Loopback over plain HTTP, as the pool serves it here.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

ENDPOINT = os.environ["POOL_ENDPOINT"]
POOL_ID = "us-east-1_OAuth"
CLIENT_ID = "oauthclient00000000000001"
MACHINE_ID = "machineclient00000000001"
MACHINE_SECRET = "machine-secret"
CALLBACK = "http://localhost:8000/callback"


@pytest.fixture(scope="module")
def discovery():
    document = requests.get(f"{ENDPOINT}/{POOL_ID}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == f"{ENDPOINT}/{POOL_ID}"
    return document


def sign_in_at_test_provider(url, email):
    """Follows /oauth2/authorize to the test provider's page and signs in as `email`; returns the
    URL the browser would be sent back to."""
    browser = requests.Session()
    to_page = browser.get(url, allow_redirects=False, timeout=10)
    assert to_page.status_code == 302, to_page.text
    page_url = urljoin(url, to_page.headers["location"])
    page = browser.get(page_url, timeout=10)
    assert "Sign in to Google (local test provider)" in page.text
    request_id = parse_qs(urlparse(page_url).query)["request"][0]
    back = browser.post(
        page_url.split("?")[0],
        data={"request": request_id, "action": "continue", "email": email, "name": "Ada Lovelace", "email_verified": "true"},
        headers={"Origin": ENDPOINT},
        allow_redirects=False,
        timeout=10,
    )
    assert back.status_code == 302, back.text
    return back.headers["location"]


def test_code_flow_with_pkce_userinfo_refresh_and_revoke(discovery):
    client = OAuth2Session(
        CLIENT_ID,
        redirect_uri=CALLBACK,
        scope="openid email profile",
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce, identity_provider="Google"
    )
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    callback = sign_in_at_test_provider(url, email)
    assert parse_qs(urlparse(callback).query)["state"] == [state]
    token = client.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert token["token_type"] == "Bearer"

    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_options={
            "iss": {"essential": True, "value": discovery["issuer"]},
            "aud": {"essential": True, "value": CLIENT_ID},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    claims.validate()
    assert claims["email"] == email
    assert claims["cognito:username"].startswith("google_")
    assert claims["identities"][0]["providerName"] == "Google"

    info = client.get(discovery["userinfo_endpoint"]).json()
    assert info["email"] == email
    assert info["sub"] == claims["sub"]

    refreshed = client.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    revoked = client.revoke_token(discovery["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token")
    assert revoked.status_code == 200
    with pytest.raises(OAuthError) as refused:
        client.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_grant"


def test_a_code_is_good_once_and_only_with_its_verifier(discovery):
    client = OAuth2Session(CLIENT_ID, redirect_uri=CALLBACK, scope="openid email", code_challenge_method="S256")
    verifier = secrets.token_urlsafe(48)
    url, _ = client.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, identity_provider="Google")
    callback = sign_in_at_test_provider(url, f"once-{uuid.uuid4().hex[:8]}@example.com")
    with pytest.raises(OAuthError) as wrong:
        client.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=secrets.token_urlsafe(48))
    assert wrong.value.error == "invalid_grant"
    with pytest.raises(OAuthError) as again:
        client.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert again.value.error == "invalid_grant"


def test_the_implicit_grant_answers_in_the_fragment(discovery):
    client = OAuth2Session(CLIENT_ID, redirect_uri=CALLBACK, scope="openid email")
    nonce = secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], response_type="token", nonce=nonce, identity_provider="Google"
    )
    email = f"frag-{uuid.uuid4().hex[:8]}@example.com"
    callback = sign_in_at_test_provider(url, email)
    assert urlparse(callback).query == ""
    token = client.token_from_fragment(callback)
    assert token["token_type"] == "Bearer"
    assert "refresh_token" not in token
    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_options={"aud": {"essential": True, "value": CLIENT_ID}, "nonce": {"essential": True, "value": nonce}},
    )
    claims.validate()
    assert claims["email"] == email
    assert client.get(discovery["userinfo_endpoint"]).json()["email"] == email


def test_client_credentials_with_a_secret(discovery):
    machine = OAuth2Session(MACHINE_ID, MACHINE_SECRET, scope="https://api.example.com/orders.read")
    token = machine.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert "refresh_token" not in token
    claims = jwt.decode(token["access_token"], JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json()))
    assert claims["scope"] == "https://api.example.com/orders.read"
    assert claims["client_id"] == MACHINE_ID
    wrong = OAuth2Session(MACHINE_ID, "not-the-secret")
    with pytest.raises(OAuthError) as refused:
        wrong.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert refused.value.error == "invalid_client"

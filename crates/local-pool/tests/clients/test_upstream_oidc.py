"""Federation to a real OpenID provider: the OAuth pool's "Corp" provider is npm oidc-provider
(a certified implementation, started by the test command). The browser goes from the pool's
/oauth2/authorize to the provider's login and consent pages, back to the pool's
/oauth2/idpresponse, and on to the app with a code; Authlib then redeems it.
"""

import os
import re
import secrets
import uuid
from urllib.parse import parse_qs, urljoin, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt

from test_oauth import CALLBACK, CLIENT_ID, ENDPOINT, POOL_ID

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"


def browse_until_callback(url, login):
    """A browser at `url`: follows redirects and submits the provider's login and consent forms
    (as `login`) until it is sent to the app's callback."""
    browser = requests.Session()
    response = browser.get(url, allow_redirects=False, timeout=10)
    for _ in range(20):
        if response.is_redirect:
            target = urljoin(response.url, response.headers["location"])
            if target.startswith(CALLBACK):
                return target
            if "/oauth2/idpresponse" in target:
                # The provider's answer handed to another browser is refused there, and stays
                # good for the browser that asked.
                elsewhere = requests.get(target, allow_redirects=False, timeout=10)
                assert elsewhere.status_code == 400, elsewhere.text[:300]
                assert "location" not in elsewhere.headers
            response = browser.get(target, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text[:500]
        forms = re.findall(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', response.text, re.S)
        assert forms, response.text[:500]
        action, body = forms[0]
        data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        if 'name="login"' in body:
            data.update(login=login, password="any")
        response = browser.post(urljoin(response.url, action), data=data, allow_redirects=False, timeout=10)
    raise AssertionError("never came back to the app")


def test_signing_in_at_a_real_openid_provider_makes_its_user_in_the_pool():
    discovery = requests.get(f"{ENDPOINT}/{POOL_ID}/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(CLIENT_ID, redirect_uri=CALLBACK, scope="openid email profile", code_challenge_method="S256")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce, identity_provider="Corp"
    )
    login = f"grace{uuid.uuid4().hex[:8]}"
    callback = browse_until_callback(url, login)
    query = parse_qs(urlparse(callback).query)
    assert query["state"] == [state]
    assert "code" in query, query
    token = client.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    keys = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, claims_options={"nonce": {"essential": True, "value": nonce}})
    claims.validate()
    # Cognito's naming: the provider's name, lower-cased, and the provider's subject.
    assert claims["cognito:username"] == f"corp_{login}"
    assert claims["email"] == f"{login}@corp.example"
    assert claims["email_verified"] is True
    assert claims["name"] == f"Corp {login}"
    identity = claims["identities"][0]
    assert identity["providerName"] == "Corp"
    assert identity["providerType"] == "OIDC"
    assert identity["userId"] == login
    assert identity["issuer"].startswith("http://127.0.0.1:")


def test_the_test_provider_cannot_finish_a_real_providers_sign_in():
    discovery = requests.get(f"{ENDPOINT}/{POOL_ID}/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(CLIENT_ID, redirect_uri=CALLBACK, scope="openid email", code_challenge_method="S256")
    url, _ = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=secrets.token_urlsafe(48), identity_provider="Corp"
    )
    to_provider = requests.get(url, allow_redirects=False, timeout=10)
    assert to_provider.status_code == 302
    upstream = urlparse(to_provider.headers["location"])
    state = parse_qs(upstream.query)["state"][0]
    # The pool's own stand-in page refuses that request: it belongs to the real provider.
    forged = requests.post(
        f"{ENDPOINT}/local/auth/{POOL_ID}/test-idp/Corp",
        data={"request": state, "action": "continue", "email": "anyone@corp.example"},
        headers={"Origin": ENDPOINT},
        allow_redirects=False,
        timeout=10,
    )
    assert forged.status_code == 400
    assert "location" not in forged.headers

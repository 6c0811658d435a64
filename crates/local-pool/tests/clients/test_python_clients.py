"""The standalone local pool driven by the official AWS SDK for Python (boto3) and pycognito.

POOL_ENDPOINT points at `cognito-authenticator local-pool`; codes are read from its outbox.
"""

import json
import os
import urllib.request
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito

ENDPOINT = os.environ["POOL_ENDPOINT"]
POOL_ID = "us-east-1_LocalPool"
CLIENT_ID = "localclient0000000000000001"
PASSWORD = "Corr3ct-horse!"


@pytest.fixture()
def idp():
    # The test pool accepts the access key "test" and verifies admin calls' signatures.
    return boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def last_code(username, kind=None):
    request = urllib.request.Request(f"{ENDPOINT}/local/outbox", headers={"Accept": "application/json"})
    with urllib.request.urlopen(request) as response:
        messages = json.load(response)
    matching = [m for m in messages if m["username"] == username and (kind is None or m["kind"] == kind)]
    assert matching, f"no message for {username}"
    return matching[-1]["code"]


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def sign_up(idp, username, email=None):
    return idp.sign_up(
        ClientId=CLIENT_ID,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email or f"{username}@example.com"}],
    )


def test_public_sign_up_confirm_sign_in(idp):
    username = unique("boto")
    answer = sign_up(idp, username)
    assert answer["UserConfirmed"] is False
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    with pytest.raises(ClientError) as wrong:
        idp.confirm_sign_up(ClientId=CLIENT_ID, Username=username, ConfirmationCode="000000" if last_code(username) != "000000" else "111111")
    assert error_code(wrong) == "CodeMismatchException"
    idp.confirm_sign_up(ClientId=CLIENT_ID, Username=username, ConfirmationCode=last_code(username))
    with pytest.raises(ClientError) as exists:
        sign_up(idp, username)
    assert error_code(exists) == "UsernameExistsException"
    with pytest.raises(ClientError) as weak:
        idp.sign_up(ClientId=CLIENT_ID, Username=unique("weak"), Password="password")
    assert error_code(weak) == "InvalidPasswordException"

    # USER_PASSWORD_AUTH is refused unless enabled... the local pool allows it, like a client
    # with ALLOW_USER_PASSWORD_AUTH.
    tokens = idp.initiate_auth(
        ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    user = idp.get_user(AccessToken=tokens["AccessToken"])
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email_verified"] == "true"
    refreshed = idp.get_tokens_from_refresh_token(ClientId=CLIENT_ID, RefreshToken=tokens["RefreshToken"])
    assert "IdToken" in refreshed["AuthenticationResult"]
    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as revoked:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert error_code(revoked) == "NotAuthorizedException"
    assert "revoked" in revoked.value.response["Error"]["Message"]


def test_admin_operations(idp):
    username = unique("admin")
    created = idp.admin_create_user(
        UserPoolId=POOL_ID,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
        TemporaryPassword="Temp-pass1!",
    )
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    idp.admin_set_user_password(UserPoolId=POOL_ID, Username=username, Password=PASSWORD, Permanent=True)
    assert idp.admin_get_user(UserPoolId=POOL_ID, Username=username)["UserStatus"] == "CONFIRMED"

    auth = idp.admin_initiate_auth(
        UserPoolId=POOL_ID,
        ClientId=CLIENT_ID,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    access = auth["AuthenticationResult"]["AccessToken"]

    idp.admin_update_user_attributes(UserPoolId=POOL_ID, Username=username, UserAttributes=[{"Name": "given_name", "Value": "Ada"}])
    found = idp.list_users(UserPoolId=POOL_ID, Filter=f'username = "{username}"', AttributesToGet=["given_name"])
    assert [u["Username"] for u in found["Users"]] == [username]
    assert found["Users"][0]["Attributes"] == [{"Name": "given_name", "Value": "Ada"}]
    prefix = idp.list_users(UserPoolId=POOL_ID, Filter='username ^= "admin"', Limit=1)
    assert len(prefix["Users"]) == 1

    idp.admin_disable_user(UserPoolId=POOL_ID, Username=username)
    with pytest.raises(ClientError) as disabled:
        idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert error_code(disabled) == "NotAuthorizedException"
    assert disabled.value.response["Error"]["Message"] == "User is disabled."
    with pytest.raises(ClientError):
        idp.get_user(AccessToken=access)
    idp.admin_enable_user(UserPoolId=POOL_ID, Username=username)

    idp.admin_reset_user_password(UserPoolId=POOL_ID, Username=username)
    with pytest.raises(ClientError) as reset:
        idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    assert error_code(reset) == "PasswordResetRequiredException"
    idp.confirm_forgot_password(ClientId=CLIENT_ID, Username=username, ConfirmationCode=last_code(username, "FORGOT_PASSWORD"), Password="N3w-password!")

    idp.admin_delete_user(UserPoolId=POOL_ID, Username=username)
    with pytest.raises(ClientError) as gone:
        idp.admin_get_user(UserPoolId=POOL_ID, Username=username)
    assert error_code(gone) == "UserNotFoundException"


def test_pagination_walks_every_user(idp):
    names = {unique("page") for _ in range(5)}
    for name in names:
        idp.admin_create_user(UserPoolId=POOL_ID, Username=name, MessageAction="SUPPRESS", TemporaryPassword="Temp-pass1!")
    seen, token = [], None
    while True:
        kwargs = {"UserPoolId": POOL_ID, "Limit": 2, "Filter": 'username ^= "page"'}
        if token:
            kwargs["PaginationToken"] = token
        page = idp.list_users(**kwargs)
        seen.extend(u["Username"] for u in page["Users"])
        token = page.get("PaginationToken")
        if not token:
            break
    assert names <= set(seen)
    assert len(seen) == len(set(seen))


def test_admin_calls_need_a_signature():
    unsigned = boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        config=boto3.session.Config(signature_version=__import__("botocore").UNSIGNED),
    )
    with pytest.raises(ClientError):
        unsigned.admin_get_user(UserPoolId=POOL_ID, Username="anyone")


def test_pycognito_srp_sign_in_and_refresh(idp):
    username = unique("pyc")
    sign_up(idp, username)
    idp.confirm_sign_up(ClientId=CLIENT_ID, Username=username, ConfirmationCode=last_code(username))
    user = Cognito(POOL_ID, CLIENT_ID, username=username, boto3_client_kwargs={
        "endpoint_url": ENDPOINT, "aws_access_key_id": "test", "aws_secret_access_key": "test",
    })
    # SRP through pycognito's own implementation; tokens verified against the pool's JWKS.
    user.authenticate(password=PASSWORD)
    assert user.id_claims["cognito:username"] == username
    assert user.access_claims["token_use"] == "access"
    first_access = user.access_token
    user.renew_access_token()
    assert user.access_token != first_access
    user.verify_tokens()
    assert user.get_user().email == f"{username}@example.com"

    wrong = Cognito(POOL_ID, CLIENT_ID, username=username, boto3_client_kwargs={"endpoint_url": ENDPOINT})
    with pytest.raises(ClientError) as refused:
        wrong.authenticate(password="Wrong-pass1!")
    assert error_code(refused) == "NotAuthorizedException"
    user.logout()
    with pytest.raises(ClientError):
        idp.get_user(AccessToken=first_access)


def client_with(access_key, secret_key):
    return boto3.client(
        "cognito-idp",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )


def test_admin_signatures_are_verified():
    with pytest.raises(ClientError) as wrong_secret:
        client_with("test", "not-the-secret").list_users(UserPoolId=POOL_ID, Limit=1)
    assert error_code(wrong_secret) == "InvalidSignatureException"
    with pytest.raises(ClientError) as unknown_key:
        client_with("AKIDUNKNOWN", "test").list_users(UserPoolId=POOL_ID, Limit=1)
    assert error_code(unknown_key) == "UnrecognizedClientException"
    # Public operations stay unsigned, as on AWS.
    with pytest.raises(ClientError) as public:
        client_with("AKIDUNKNOWN", "test").get_user(AccessToken="not-a-token")
    assert error_code(public) == "NotAuthorizedException"


def claims(token):
    import base64
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_set_up_script_creates_and_uses_its_own_pool(idp):
    import base64
    import hashlib
    import hmac

    pool = idp.create_user_pool(
        PoolName="set-up-script",
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": True,
                                     "RequireNumbers": True, "RequireSymbols": False}},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        MfaConfiguration="OFF",
    )["UserPool"]
    pool_id = pool["Id"]
    assert pool_id.startswith("us-east-1_") and len(pool_id) == len("us-east-1_") + 9
    assert pool_id in [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert described["UsernameAttributes"] == ["email"]

    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        PreventUserExistenceErrors="ENABLED",
        AccessTokenValidity=30,
        TokenValidityUnits={"AccessToken": "minutes"},
    )["UserPoolClient"]
    client_id, secret = client["ClientId"], client["ClientSecret"]
    assert [c["ClientId"] for c in idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]] == [client_id]
    assert idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]["ClientName"] == "web"

    def secret_hash(username):
        digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    email = f"{unique('owner')}@example.com"
    with pytest.raises(ClientError) as short:
        idp.sign_up(ClientId=client_id, SecretHash=secret_hash(email), Username=email, Password="Short1abc")
    assert error_code(short) == "InvalidPasswordException", "the new pool's policy applies"
    signed_up = idp.sign_up(ClientId=client_id, SecretHash=secret_hash(email), Username=email, Password="Longer-pass1")
    assert signed_up["UserSub"]
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    with pytest.raises(ClientError) as no_hash:
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": "Longer-pass1"})
    assert error_code(no_hash) == "NotAuthorizedException"
    tokens = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": "Longer-pass1", "SECRET_HASH": secret_hash(email)},
    )["AuthenticationResult"]
    access = claims(tokens["AccessToken"])
    assert access["exp"] - access["iat"] == 1800
    assert access["iss"] == f"{ENDPOINT}/{pool_id}"
    assert access["client_id"] == client_id
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == signed_up["UserSub"]

    # Flows can be turned off per client.
    idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"])
    with pytest.raises(ClientError) as disabled:
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": email, "PASSWORD": "Longer-pass1", "SECRET_HASH": secret_hash(email)})
    assert error_code(disabled) == "InvalidParameterException"
    assert "USER_PASSWORD_AUTH flow not enabled for this client" in disabled.value.response["Error"]["Message"]

    idp.set_user_pool_mfa_config(UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL")
    mfa = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SoftwareTokenMfaConfiguration"]["Enabled"] is True
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OPTIONAL"

    idp.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 12}})
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]["PasswordPolicy"]["MinimumLength"] == 12

    idp.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(ClientError) as gone:
        idp.describe_user_pool(UserPoolId=pool_id)
    assert error_code(gone) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as unknown_client:
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": email, "SRP_A": "2"})
    assert error_code(unknown_client) == "ResourceNotFoundException"

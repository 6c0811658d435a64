"""Choice-based sign-in (USER_AUTH) on the standalone pool, driven by boto3.

The test command's pool allows PASSWORD, EMAIL_OTP and SMS_OTP as first factors.
"""

import pytest
from botocore.exceptions import ClientError

from test_python_clients import CLIENT_ID, PASSWORD, error_code, idp, last_code, sign_up, unique  # noqa: F401


def confirmed(idp, username):
    sign_up(idp, username)
    idp.confirm_sign_up(ClientId=CLIENT_ID, Username=username, ConfirmationCode=last_code(username))


def test_select_challenge_then_an_email_code(idp):
    username = unique("choice")
    confirmed(idp, username)
    started = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username})
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    # Confirmed by email: the password and an email code, no SMS (no phone number).
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    sent = idp.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="SELECT_CHALLENGE",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": username, "ANSWER": "EMAIL_OTP"},
    )
    assert sent["ChallengeName"] == "EMAIL_OTP"
    assert sent["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = last_code(username, "SIGN_IN_CODE")
    with pytest.raises(ClientError) as wrong:
        idp.respond_to_auth_challenge(
            ClientId=CLIENT_ID,
            ChallengeName="EMAIL_OTP",
            Session=sent["Session"],
            ChallengeResponses={"USERNAME": username, "EMAIL_OTP_CODE": "000000" if code != "000000" else "111111"},
        )
    assert error_code(wrong) == "CodeMismatchException"
    tokens = idp.respond_to_auth_challenge(
        ClientId=CLIENT_ID,
        ChallengeName="EMAIL_OTP",
        Session=sent["Session"],
        ChallengeResponses={"USERNAME": username, "EMAIL_OTP_CODE": code},
    )["AuthenticationResult"]
    factors = idp.get_user_auth_factors(AccessToken=tokens["AccessToken"])
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]


def test_preferred_password_and_an_answer_not_offered(idp):
    username = unique("preferred")
    confirmed(idp, username)
    tokens = idp.initiate_auth(
        ClientId=CLIENT_ID,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer"
    # No phone number: SMS_OTP preferred falls back to the choice, and cannot be chosen.
    started = idp.initiate_auth(
        ClientId=CLIENT_ID, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "SMS_OTP"}
    )
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    with pytest.raises(ClientError) as refused:
        idp.respond_to_auth_challenge(
            ClientId=CLIENT_ID,
            ChallengeName="SELECT_CHALLENGE",
            Session=started["Session"],
            ChallengeResponses={"USERNAME": username, "ANSWER": "SMS_OTP"},
        )
    assert error_code(refused) == "InvalidParameterException"


def test_passwordless_sign_up_and_auto_sign_in(idp):
    username = unique("nopass")
    signed_up = idp.sign_up(
        ClientId=CLIENT_ID, Username=username, UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}]
    )
    confirmed = idp.confirm_sign_up(
        ClientId=CLIENT_ID, Username=username, ConfirmationCode=last_code(username), Session=signed_up["Session"]
    )
    tokens = idp.initiate_auth(
        ClientId=CLIENT_ID, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username}, Session=confirmed["Session"]
    )["AuthenticationResult"]
    assert idp.get_user_auth_factors(AccessToken=tokens["AccessToken"])["ConfiguredUserAuthFactors"] == ["EMAIL_OTP"]
    started = idp.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username})
    assert started["AvailableChallenges"] == ["EMAIL_OTP"]


def test_admin_initiate_auth_with_user_auth(idp):
    username = unique("adminauth")
    confirmed(idp, username)
    sent = idp.admin_initiate_auth(
        UserPoolId="us-east-1_LocalPool",
        ClientId=CLIENT_ID,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "EMAIL_OTP"},
    )
    assert sent["ChallengeName"] == "EMAIL_OTP"
    answer = idp.admin_respond_to_auth_challenge(
        UserPoolId="us-east-1_LocalPool",
        ClientId=CLIENT_ID,
        ChallengeName="EMAIL_OTP",
        Session=sent["Session"],
        ChallengeResponses={"USERNAME": username, "EMAIL_OTP_CODE": last_code(username, "SIGN_IN_CODE")},
    )
    assert "AccessToken" in answer["AuthenticationResult"]

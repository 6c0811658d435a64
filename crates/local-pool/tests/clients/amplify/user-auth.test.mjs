// Amplify JS v6 choice-based sign-in (USER_AUTH) against the standalone local pool: an email
// code as first factor, the factor list and the password chosen from it, and password-less
// sign-up with auto sign-in. The test command's pool allows PASSWORD, EMAIL_OTP and SMS_OTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Amplify } from 'aws-amplify';
import { autoSignIn, confirmSignIn, confirmSignUp, fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';

const ENDPOINT = process.env.POOL_ENDPOINT;
const PASSWORD = 'Corr3ct-horse!';

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: 'us-east-1_LocalPool',
      userPoolClientId: 'localclient0000000000000001',
      userPoolEndpoint: ENDPOINT,
      loginWith: { username: true },
    },
  },
});

async function lastCode(username, kind) {
  const response = await fetch(`${ENDPOINT}/local/outbox`, { headers: { Accept: 'application/json' } });
  const messages = (await response.json()).filter((m) => m.username === username && (!kind || m.kind === kind));
  assert.ok(messages.length, `a message for ${username}`);
  return messages.at(-1).code;
}

test('Amplify v6 signs in with USER_AUTH', async (t) => {
  const username = `ua${randomUUID().slice(0, 8)}`;
  await signUp({ username, password: PASSWORD, options: { userAttributes: { email: `${username}@example.com` } } });
  await confirmSignUp({ username, confirmationCode: await lastCode(username) });

  await t.test('preferredChallenge EMAIL_OTP, then the code', async () => {
    const started = await signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    assert.equal(started.nextStep.codeDeliveryDetails.destination, `${username[0]}***@e***.com`);
    const done = await confirmSignIn({ challengeResponse: await lastCode(username, 'SIGN_IN_CODE') });
    assert.equal(done.isSignedIn, true);
    assert.equal((await fetchAuthSession()).tokens.idToken.payload['cognito:username'], username);
    await signOut();
  });

  await t.test('the factor list, then the password chosen from it', async () => {
    const started = await signIn({ username, options: { authFlowType: 'USER_AUTH' } });
    assert.equal(started.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    assert.deepEqual(started.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
    const chosen = await confirmSignIn({ challengeResponse: 'PASSWORD' });
    assert.equal(chosen.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
    const done = await confirmSignIn({ challengeResponse: PASSWORD });
    assert.equal(done.isSignedIn, true);
    await signOut();
  });

  await t.test('password-less sign-up, confirmed by code, signed in automatically', async () => {
    const name = `uanp${randomUUID().slice(0, 8)}`;
    const signedUp = await signUp({
      username: name,
      options: { userAttributes: { email: `${name}@example.com` }, autoSignIn: { authFlowType: 'USER_AUTH' } },
    });
    assert.equal(signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    const confirmed = await confirmSignUp({ username: name, confirmationCode: await lastCode(name) });
    assert.equal(confirmed.nextStep.signUpStep, 'COMPLETE_AUTO_SIGN_IN');
    const signedIn = await autoSignIn();
    assert.equal(signedIn.isSignedIn, true);
    await signOut();
  });
});

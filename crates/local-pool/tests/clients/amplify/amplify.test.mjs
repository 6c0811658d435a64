// Amplify JS v6 against the standalone local pool: sign-up with auto sign-in, SRP sign-in,
// refresh (GetTokensFromRefreshToken), attribute updates, TOTP, and both sign-outs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { Amplify } from 'aws-amplify';
import {
  autoSignIn, confirmSignIn, confirmSignUp, fetchAuthSession, setUpTOTP, signIn, signOut, signUp,
  updateMFAPreference, updateUserAttributes, verifyTOTPSetup,
} from 'aws-amplify/auth';

const ENDPOINT = process.env.POOL_ENDPOINT;
const POOL_ID = 'us-east-1_LocalPool';
const CLIENT_ID = 'localclient0000000000000001';
const PASSWORD = 'Corr3ct-horse!';

Amplify.configure({
  Auth: { Cognito: { userPoolId: POOL_ID, userPoolClientId: CLIENT_ID, userPoolEndpoint: ENDPOINT, loginWith: { username: true } } },
});

async function lastCode(username, kind) {
  const response = await fetch(`${ENDPOINT}/local/outbox`, { headers: { Accept: 'application/json' } });
  const messages = (await response.json()).filter((m) => m.username === username && (!kind || m.kind === kind));
  assert.ok(messages.length, `a message for ${username}`);
  return messages.at(-1).code;
}

async function getUser(accessToken) {
  return fetch(`${ENDPOINT}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.GetUser' },
    body: JSON.stringify({ AccessToken: accessToken }),
  });
}

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(secret, stepOffset = 0) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + stepOffset));
  const digest = createHmac('sha1', base32(secret)).update(counter).digest();
  const value = digest.readUInt32BE(digest[19] & 0x0f) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

test('Amplify v6 sees a Cognito user pool', async (t) => {
  const username = `amp${randomUUID().slice(0, 8)}`;

  await t.test('signUp with autoSignIn, confirmSignUp, autoSignIn', async () => {
    const signedUp = await signUp({
      username, password: PASSWORD, options: { userAttributes: { email: `${username}@example.com` }, autoSignIn: true },
    });
    assert.equal(signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    assert.equal(signedUp.nextStep.codeDeliveryDetails.destination, `${username[0]}***@e***.com`);
    const confirmed = await confirmSignUp({ username, confirmationCode: await lastCode(username) });
    assert.equal(confirmed.nextStep.signUpStep, 'COMPLETE_AUTO_SIGN_IN');
    const signedIn = await autoSignIn();
    assert.equal(signedIn.isSignedIn, true);
    const session = await fetchAuthSession();
    assert.equal(session.tokens.idToken.payload['cognito:username'], username);
  });

  await t.test('fetchAuthSession({ forceRefresh: true }) refreshes the tokens', async () => {
    const before = (await fetchAuthSession()).tokens.accessToken.payload.jti;
    const after = (await fetchAuthSession({ forceRefresh: true })).tokens.accessToken.payload.jti;
    assert.notEqual(after, before);
  });

  await t.test('updateUserAttributes sends a code for a new email', async () => {
    const output = await updateUserAttributes({ userAttributes: { email: `${username}.new@example.com`, given_name: 'Ada' } });
    assert.equal(output.email.isUpdated, false);
    assert.equal(output.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
    assert.equal(output.given_name.isUpdated, true);
  });

  await t.test('SRP signIn after signOut', async () => {
    await signOut();
    const result = await signIn({ username, password: PASSWORD });
    assert.equal(result.isSignedIn, true);
    await assert.rejects(signIn({ username, password: PASSWORD }), /already a signed in user/i);
  });

  await t.test('TOTP set-up, then sign-in with a TOTP code', async () => {
    const setup = await setUpTOTP();
    const secret = setup.sharedSecret;
    assert.match(setup.getSetupUri('Local Pool').href, /^otpauth:\/\/totp\//);
    await verifyTOTPSetup({ code: totp(secret) });
    await updateMFAPreference({ totp: 'PREFERRED' });
    await signOut();
    const first = await signIn({ username, password: PASSWORD });
    assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    const done = await confirmSignIn({ challengeResponse: totp(secret, 1) });
    assert.equal(done.isSignedIn, true);
  });

  await t.test('signOut({ global: true }) revokes the access token', async () => {
    const { accessToken } = (await fetchAuthSession()).tokens;
    assert.equal((await getUser(accessToken.toString())).status, 200);
    await signOut({ global: true });
    const revoked = await getUser(accessToken.toString());
    assert.equal(revoked.status, 400);
    assert.equal((await revoked.json()).__type, 'NotAuthorizedException');
  });

  await t.test('a wrong password is refused as Cognito refuses it', async () => {
    await assert.rejects(signIn({ username, password: 'Wrong-pass1!' }), (err) => err.name === 'NotAuthorizedException');
  });
});

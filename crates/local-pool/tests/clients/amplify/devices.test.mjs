// Amplify JS v6 device tracking against the standalone pool's second pool (device tracking on,
// remembered devices skip MFA): the device is confirmed at sign-in, remembered, listed, lets
// the next sign-in skip TOTP, and once forgotten no longer does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn, confirmSignUp, fetchDevices, forgetDevice, rememberDevice, setUpTOTP, signIn,
  signOut, signUp, updateMFAPreference, verifyTOTPSetup,
} from 'aws-amplify/auth';

// Amplify names the device from the browser's navigator, which Node 20 lacks.
globalThis.navigator ??= { userAgent: 'Amplify device test' };

const ENDPOINT = process.env.POOL_ENDPOINT;
const PASSWORD = 'Corr3ct-horse!';

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: 'us-east-1_Devices', userPoolClientId: 'devicesclient000000000001',
      userPoolEndpoint: ENDPOINT, loginWith: { username: true },
    },
  },
});

async function lastCode(username) {
  const response = await fetch(`${ENDPOINT}/local/outbox`, { headers: { Accept: 'application/json' } });
  const messages = (await response.json()).filter((m) => m.username === username);
  assert.ok(messages.length, `a message for ${username}`);
  assert.equal(messages.at(-1).pool_id, 'us-east-1_Devices');
  return messages.at(-1).code;
}

function totp(secret, stepOffset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) key.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + stepOffset));
  const digest = createHmac('sha1', Buffer.from(key)).update(counter).digest();
  const value = digest.readUInt32BE(digest[19] & 0x0f) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

test('Amplify v6 remembers, lists and forgets devices', async (t) => {
  const username = `dev${randomUUID().slice(0, 8)}`;
  let secret;

  await t.test('sign-up, sign-in (the device is confirmed) and TOTP set-up', async () => {
    await signUp({ username, password: PASSWORD, options: { userAttributes: { email: `${username}@example.com` } } });
    await confirmSignUp({ username, confirmationCode: await lastCode(username) });
    assert.equal((await signIn({ username, password: PASSWORD })).isSignedIn, true);
    secret = (await setUpTOTP()).sharedSecret;
    await verifyTOTPSetup({ code: totp(secret) });
    await updateMFAPreference({ totp: 'PREFERRED' });
  });

  await t.test('a confirmed but not remembered device still gets MFA', async () => {
    await signOut();
    const first = await signIn({ username, password: PASSWORD });
    assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    assert.equal((await confirmSignIn({ challengeResponse: totp(secret, 1) })).isSignedIn, true);
  });

  await t.test('rememberDevice and fetchDevices', async () => {
    await rememberDevice();
    const devices = await fetchDevices();
    assert.equal(devices.length, 1);
    assert.match(devices[0].id, /^us-east-1_[0-9a-f-]{36}$/);
    assert.equal(devices[0].attributes['dev:device_remembered_status'], 'remembered');
    assert.equal(devices[0].name, 'Amplify device test');
  });

  await t.test('a remembered device signs in without a TOTP code', async () => {
    await signOut();
    const result = await signIn({ username, password: PASSWORD });
    assert.equal(result.isSignedIn, true);
    assert.equal(result.nextStep.signInStep, 'DONE');
  });

  await t.test('forgetDevice: the device is gone and MFA is back', async () => {
    await forgetDevice();
    assert.equal((await fetchDevices()).length, 0);
    await signOut();
    const result = await signIn({ username, password: PASSWORD });
    assert.equal(result.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  });
});

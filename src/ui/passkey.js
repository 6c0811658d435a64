// The passkey ceremonies for the buttons marked `data-passkey`: "sign-in" (the method list)
// and "register" (the offer after sign-in, the account page). The server asks Cognito for the
// options and hands Cognito the credential; this script only runs `navigator.credentials`
// between the two. Its texts come from the page (#ca-passkey-messages), in the page's language.

const supported = () =>
  window.isSecureContext && typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;

function messages() {
  const block = document.getElementById('ca-passkey-messages');
  try {
    return JSON.parse(block ? block.textContent : '{}');
  } catch {
    return {};
  }
}

// Base64url (RFC 4648 §5) without padding; padding tolerated on read.
function decode(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function encode(buffer) {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const withIds = (list) => (list || []).map((c) => ({ ...c, id: decode(c.id) }));

function requestOptions(json) {
  return { ...json, challenge: decode(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

function creationOptions(json) {
  return {
    ...json,
    challenge: decode(json.challenge),
    user: { ...json.user, id: decode(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials),
  };
}

// A credential as WebAuthn's JSON form (`toJSON()`), with its response's own members.
function credentialJson(credential, response) {
  return {
    id: credential.id,
    rawId: encode(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: encode(credential.response.clientDataJSON), ...response },
  };
}

function assertionJson(credential) {
  const response = credential.response;
  return credentialJson(credential, {
    authenticatorData: encode(response.authenticatorData),
    signature: encode(response.signature),
    userHandle: response.userHandle ? encode(response.userHandle) : undefined,
  });
}

function attestationJson(credential) {
  const response = credential.response;
  return credentialJson(credential, {
    attestationObject: encode(response.attestationObject),
    transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
  });
}

class ServerError extends Error {
  constructor(kind, error) {
    super(kind);
    this.kind = kind;
    this.error = error || {};
  }
}

// Posts to a server function as a form does. A redirect is followed at once (null returned).
async function post(endpoint, fields) {
  const response = await fetch(`/api/${endpoint}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields || {}),
  });
  const location = response.headers.get('location');
  if (location && response.headers.has('serverfnredirect')) {
    // Only ever within this site (the server names its own pages; this makes sure of it).
    const target = new URL(location, window.location.href);
    if (target.origin !== window.location.origin) throw new ServerError('Unexpected');
    window.location.assign(target.href);
    return null;
  }
  let value = null;
  try {
    value = await response.json();
  } catch {
    // An answer that is not JSON is unexpected.
  }
  if (!response.ok) throw new ServerError((value && value.kind) || 'Unexpected', value);
  return value;
}

// What went wrong, as the page's text for it.
function explain(error, ceremony) {
  const text = messages();
  if (error instanceof ServerError) {
    const message = text[error.kind] || text.unexpected;
    return message.replace('{seconds}', String(error.error.retry_after_secs ?? ''));
  }
  switch (error && error.name) {
    // Cancelled, timed out, or no passkey for this account on this device: the browser
    // does not say which, so neither can we.
    case 'NotAllowedError':
    case 'AbortError':
      return text.cancelled;
    case 'SecurityError':
      return text.wrong_site;
    case 'InvalidStateError':
      return ceremony === 'register' ? text.exists : text.failed;
    case 'NotSupportedError':
      return text.unsupported;
    default:
      return text.failed;
  }
}

function report(button, message) {
  const region = button.parentElement && button.parentElement.querySelector('[data-passkey-error]');
  const target = region || document.querySelector('[data-passkey-error]');
  if (!target) return;
  target.textContent = message;
  target.hidden = false;
}

async function signIn() {
  const options = JSON.parse(await post('passkey_sign_in_options'));
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  const reply = await post('passkey_sign_in', { credential: JSON.stringify(assertionJson(credential)) });
  if (reply && reply.reload) window.location.reload();
}

async function register(page) {
  const options = JSON.parse(await post('passkey_registration_options'));
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  const reply = await post('passkey_register', {
    credential: JSON.stringify(attestationJson(credential)),
    page,
  });
  if (reply && reply.reload) window.location.reload();
}

// A relying party is a domain name: at an IP address no passkey can work, so say so at once,
// with the address that would work on this computer.
function atIpAddress() {
  const host = window.location.hostname;
  return /^[0-9.]+$/.test(host) || host.includes(':') || host.startsWith('[');
}

function ipAddressMessage() {
  const local = new URL(window.location.href);
  local.hostname = 'localhost';
  return (messages().ip_address || messages().wrong_site).replace('{url}', local.origin);
}

document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-passkey]') : null;
  if (!button) return;
  event.preventDefault();
  if (button.disabled || button.getAttribute('aria-busy') === 'true') return;
  const ceremony = button.dataset.passkey;
  const label = button.textContent;
  if (!supported()) {
    report(button, messages().unsupported);
    return;
  }
  if (atIpAddress()) {
    report(button, ipAddressMessage());
    return;
  }
  button.setAttribute('aria-busy', 'true');
  button.textContent = messages().busy || label;
  try {
    if (ceremony === 'sign-in') await signIn();
    else await register(button.dataset.page || 'account');
  } catch (error) {
    report(button, explain(error, ceremony));
  } finally {
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
});

// Buttons that only work with this script are enabled by it, and the notes that say they
// need it go (a <noscript> would not do: it also shows where scripts run but this one failed).
for (const button of document.querySelectorAll('[data-passkey][data-enable-with-js]')) {
  button.disabled = false;
}
for (const note of document.querySelectorAll('[data-hide-with-js]')) note.hidden = true;
if (atIpAddress()) {
  for (const button of document.querySelectorAll('[data-passkey]')) report(button, ipAddressMessage());
}
document.documentElement.dataset.passkeyReady = 'true';

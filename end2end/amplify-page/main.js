// A third-party web app using Amplify JS against the local pool: the spec drives it through
// `window.amplifyPage`, and every result comes back as plain data (page.evaluate copies it).
import { Amplify } from 'aws-amplify';
import {
  associateWebAuthnCredential, confirmSignIn, confirmSignUp, deleteWebAuthnCredential, fetchAuthSession,
  getCurrentUser, listWebAuthnCredentials, signIn, signOut, signUp,
} from 'aws-amplify/auth';

window.amplifyPage = {
  configure({ userPoolId, userPoolClientId, userPoolEndpoint }) {
    Amplify.configure({
      Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint, loginWith: { username: true } } },
    });
  },
  signUp: ({ username, password, email }) => signUp({ username, password, options: { userAttributes: { email } } }),
  confirmSignUp: ({ username, code }) => confirmSignUp({ username, confirmationCode: code }),
  signIn: ({ username, password }) => signIn({ username, password }),
  async currentUser() {
    const { username, userId } = await getCurrentUser();
    const { tokens } = await fetchAuthSession();
    return { username, userId, idTokenUsername: tokens?.idToken?.payload['cognito:username'] ?? null };
  },
  signOut: () => signOut(),
  // Choice-based sign-in (USER_AUTH), with or without a preferred first factor.
  signInUserAuth: ({ username, preferredChallenge }) =>
    signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge } }),
  confirmSignIn: ({ challengeResponse }) => confirmSignIn({ challengeResponse }),
  // Passkeys: Amplify runs navigator.credentials itself.
  associatePasskey: () => associateWebAuthnCredential(),
  async listPasskeys() {
    const { credentials } = await listWebAuthnCredentials();
    return credentials.map(({ credentialId, friendlyCredentialName, relyingPartyId }) => ({
      credentialId, friendlyCredentialName, relyingPartyId,
    }));
  },
  deletePasskey: ({ credentialId }) => deleteWebAuthnCredential({ credentialId }),
};
document.body.dataset.ready = 'true';

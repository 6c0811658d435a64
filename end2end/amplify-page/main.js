// A third-party web app using Amplify JS against the local pool: the spec drives it through
// `window.amplifyPage`, and every result comes back as plain data (page.evaluate copies it).
import { Amplify } from 'aws-amplify';
import { confirmSignUp, fetchAuthSession, getCurrentUser, signIn, signOut, signUp } from 'aws-amplify/auth';

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
};
document.body.dataset.ready = 'true';

// An OpenID provider for the test command: `node provider.mjs <port> <redirect uri>`. Any login
// and password sign in (oidc-provider's development interactions); the account's claims are
// made from the login, so tests know what to expect.
import Provider from 'oidc-provider';

const [port, redirectUri] = [Number(process.argv[2]), process.argv[3]];
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'corp-client',
      client_secret: 'corp-secret',
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
  // Scope claims in the ID token too, as the pool reads them there.
  conformIdTokenClaims: false,
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@corp.example`, email_verified: true, name: `Corp ${id}`, given_name: 'Corp', family_name: id };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['only-for-the-test-command'] },
});
provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider at ${issuer}`));

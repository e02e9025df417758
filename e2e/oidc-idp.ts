// A real OpenID Connect provider (oidc-provider, with its development login pages) for the SSO
// tests: any login name is accepted, and its groups come from the table given.
import type { Server } from 'node:http';
import Provider from 'oidc-provider';

export type Idp = { issuer: string; close: () => Promise<void> };

export async function startIdp(port: number, redirectUri: string, groups: Record<string, string[]>): Promise<Idp> {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'strata',
        client_secret: 'strata-test-secret',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: `${id}@sso.example`, email_verified: true, name: id, groups: groups[id] ?? [] }),
    }),
    features: { devInteractions: { enabled: true } },
  });
  const server: Server = provider.listen(port);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

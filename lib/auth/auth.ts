import 'server-only';
// The better-auth instance for a database: credentials, optional OIDC SSO, the admin plugin for
// roles and bans, sessions stored in strata.sessions. Strata's schema is created first.
import { randomBytes } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { admin, genericOAuth } from 'better-auth/plugins';
import { createAccessControl } from 'better-auth/plugins/access';
import { adminAc, defaultStatements } from 'better-auth/plugins/admin/access';
import type { Knex } from 'knex';
import { STRATA_SCHEMA } from '../../db/strata';
import { ensureStrataSchema } from '../db/strata-schema';
import type { Role } from '../schemas/auth';
import { readAuthConfig, roleFromClaims, type AuthConfig } from './config';
import { log } from '../log';
import { kyselyOnKnex } from './kysely-on-knex';

export const OIDC_PROVIDER_ID = 'oidc';

/** The secret that signs session cookies: STRATA_AUTH_SECRET, or one generated once and kept in strata.settings. */
async function authSecret(knex: Knex, config: AuthConfig): Promise<string> {
  if (config.secret) return config.secret;
  await knex.raw(`INSERT INTO ${STRATA_SCHEMA}.settings (key, value) VALUES ('auth_secret', ?) ON CONFLICT (key) DO NOTHING`, [
    randomBytes(32).toString('base64url'),
  ]);
  const row = await knex(`${STRATA_SCHEMA}.settings`).where({ key: 'auth_secret' }).first<{ value: string }>('value');
  return row!.value;
}

// Roles for better-auth's admin plugin. Strata decides what each role may do itself
// (lib/auth/permissions.ts); better-auth only stores the role and refuses disabled users.
const ac = createAccessControl(defaultStatements);
const roles = { viewer: ac.newRole({}), operator: ac.newRole({}), admin: adminAc };

// The role an SSO sign-in earned from its claims, by email, between reading the profile and
// creating the user or the session (both in the same request). better-auth does not let a
// provider profile set the admin plugin's role field, so Strata applies it in its hooks.
// `role: null` marks an account that no group maps: it gets no user and no session.
const ssoRoles = new Map<string, { role: Role | null; at: number }>();

function takeSsoRole(email: string): Role | null | undefined {
  const hit = ssoRoles.get(email.toLowerCase());
  ssoRoles.delete(email.toLowerCase());
  return hit && Date.now() - hit.at < 60_000 ? hit.role : undefined;
}

function oidcPlugins(config: AuthConfig) {
  const oidc = config.oidc;
  if (!oidc) return [];
  return [
    genericOAuth({
      config: [
        {
          providerId: OIDC_PROVIDER_ID,
          discoveryUrl: `${oidc.issuer}/.well-known/openid-configuration`,
          clientId: oidc.clientId,
          clientSecret: oidc.clientSecret,
          scopes: [...new Set(['openid', 'email', 'profile', oidc.roleClaim])],
          pkce: true,
          overrideUserInfo: true,
          mapProfileToUser: (profile) => {
            const claims = profile as Record<string, unknown>;
            const role = roleFromClaims(oidc, claims) ?? null;
            if (typeof claims.email === 'string') ssoRoles.set(claims.email.toLowerCase(), { role, at: Date.now() });
            return {};
          },
        },
      ],
    }),
  ];
}

function createAuth(knex: Knex, config: AuthConfig, secret: string) {
  return betterAuth({
    appName: 'Strata',
    secret,
    baseURL: config.baseUrl,
    basePath: '/api/auth',
    telemetry: { enabled: false },
    logger: {
      // Without STRATA_BASE_URL the origin comes from each request on purpose (the README says
      // when to set it), so better-auth's reminder about it is kept out of the warnings.
      log: (level, message) => log[/Base URL is not set/.test(message) ? 'debug' : level]({ component: 'better-auth' }, message),
    },
    database: { db: kyselyOnKnex(knex), type: 'postgres', schemaName: STRATA_SCHEMA },
    user: {
      modelName: 'users',
      fields: { emailVerified: 'email_verified', createdAt: 'created_at', updatedAt: 'updated_at' },
    },
    session: {
      modelName: 'sessions',
      fields: { userId: 'user_id', expiresAt: 'expires_at', ipAddress: 'ip_address', userAgent: 'user_agent', createdAt: 'created_at', updatedAt: 'updated_at' },
      // The absolute lifetime: never extended. The idle limit is Strata's own (lib/auth/actor.ts).
      expiresIn: Math.floor(config.sessionMaxMs / 1000),
      disableSessionRefresh: true,
    },
    account: {
      modelName: 'accounts',
      fields: {
        userId: 'user_id',
        accountId: 'account_id',
        providerId: 'provider_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
    },
    verification: {
      modelName: 'verifications',
      fields: { expiresAt: 'expires_at', createdAt: 'created_at', updatedAt: 'updated_at' },
    },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12, maxPasswordLength: 128 },
    // Strata throttles sign-in itself, per account and per address, in the database (lib/auth/throttle.ts).
    rateLimit: { enabled: false },
    advanced: {
      cookiePrefix: 'strata',
      useSecureCookies: config.secureCookies,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' },
    },
    databaseHooks: {
      user: {
        create: {
          before: async (user) => {
            const role = takeSsoRole(user.email);
            if (role === null) return false;
            // Keep the refusal (or the role) for the session that would follow.
            if (role) ssoRoles.set(user.email.toLowerCase(), { role, at: Date.now() });
            return role ? { data: { ...user, role } } : undefined;
          },
        },
      },
      session: {
        create: {
          // The role follows the identity provider's groups at every SSO sign-in.
          before: async (session) => {
            if (ssoRoles.size === 0) return;
            const user = await knex(`${STRATA_SCHEMA}.users`).where({ id: session.userId }).first<{ email: string; role: string } | undefined>('email', 'role');
            const role = user && takeSsoRole(user.email);
            if (role === null) return false;
            if (role && role !== user!.role) await knex(`${STRATA_SCHEMA}.users`).where({ id: session.userId }).update({ role, updated_at: knex.fn.now() });
          },
        },
      },
    },
    plugins: [
      admin({
        ac,
        roles,
        defaultRole: 'viewer',
        adminRoles: ['admin'],
        schema: {
          user: { fields: { banReason: 'ban_reason', banExpires: 'ban_expires' } },
          session: { fields: { impersonatedBy: 'impersonated_by' } },
        },
      }),
      ...oidcPlugins(config),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const instances = new WeakMap<Knex, Promise<Auth>>();

/** The auth instance for a knex instance (one per database), with Strata's schema in place. */
export function getAuth(knex: Knex, config: AuthConfig = readAuthConfig()): Promise<Auth> {
  let p = instances.get(knex);
  if (!p) {
    p = (async () => {
      await ensureStrataSchema(knex);
      return createAuth(knex, config, await authSecret(knex, config));
    })();
    p.catch(() => instances.delete(knex));
    instances.set(knex, p);
  }
  return p;
}

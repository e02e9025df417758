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
          // The role follows the identity provider's groups at every sign-in.
          overrideUserInfo: true,
          mapProfileToUser: (profile) => {
            const role = roleFromClaims(oidc, profile as Record<string, unknown>);
            if (!role) throw new Error('This account is not in a group that may use Strata');
            return { role };
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

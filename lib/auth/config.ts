// Sign-in settings from the environment, validated once.
import { z } from 'zod';
import { parseTrustedProxies } from '../http/trusted-proxies';
import { roleSchema, type Role } from '../schemas/auth';
import { homeDatabaseUrl } from '../targets/config';

const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const envSchema = z.object({
  STRATA_ADMIN_EMAIL: optional,
  STRATA_ADMIN_PASSWORD: optional,
  STRATA_AUTH_SECRET: optional.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters'),
  STRATA_BASE_URL: optional.refine((v) => v === undefined || /^https?:\/\/[^/]+$/.test(v), 'must be an origin such as https://strata.example.com'),
  STRATA_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(120),
  STRATA_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(12),
  STRATA_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  STRATA_SIGNIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(10000).default(20),
  STRATA_SIGNIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  STRATA_OIDC_ISSUER: optional.refine((v) => v === undefined || /^https?:\/\//.test(v), 'must be an http(s) URL'),
  STRATA_OIDC_CLIENT_ID: optional,
  STRATA_OIDC_CLIENT_SECRET: optional,
  STRATA_OIDC_NAME: z.string().trim().min(1).default('SSO'),
  STRATA_OIDC_ROLE_CLAIM: z.string().trim().min(1).default('groups'),
  // "group=role" pairs, comma-separated: "strata-admins=admin,platform=operator".
  STRATA_OIDC_ROLE_MAP: optional,
  // The role of an SSO user whom no pair matches; unset means such a user may not sign in.
  STRATA_OIDC_DEFAULT_ROLE: roleSchema.optional(),
  STRATA_TRUSTED_PROXIES: z.string().optional(),
  NODE_ENV: z.string().optional(),
});

export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  roleClaim: string;
  roleMap: Map<string, Role>;
  defaultRole: Role | undefined;
};

export type AuthConfig = {
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  secret: string | undefined;
  baseUrl: string | undefined;
  sessionIdleMs: number;
  sessionMaxMs: number;
  maxFailures: number;
  maxFailuresPerIp: number;
  windowMs: number;
  oidc: OidcConfig | undefined;
  secureCookies: boolean;
};

function parseRoleMap(text: string | undefined): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const pair of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    const role = roleSchema.safeParse(pair.slice(eq + 1).trim());
    if (eq <= 0 || !role.success) throw new Error(`STRATA_OIDC_ROLE_MAP: "${pair}" is not group=viewer|operator|admin`);
    map.set(pair.slice(0, eq).trim(), role.data);
  }
  return map;
}

export function readAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.STRATA_BASE_URL) {
    // Without it the Host and X-Forwarded-Host headers would decide where redirects go and which
    // origin the CSRF check accepts.
    throw new Error(
      'Invalid environment:\n  STRATA_BASE_URL is required in production: the dashboard\'s public origin, e.g. https://strata.example.com',
    );
  }
  try {
    parseTrustedProxies(e.STRATA_TRUSTED_PROXIES);
  } catch (err) {
    throw new Error(`Invalid environment:\n  ${(err as Error).message}`);
  }
  if (!!e.STRATA_ADMIN_EMAIL !== !!e.STRATA_ADMIN_PASSWORD) {
    throw new Error('Invalid environment:\n  STRATA_ADMIN_EMAIL and STRATA_ADMIN_PASSWORD must be set together');
  }
  const oidcParts = [e.STRATA_OIDC_ISSUER, e.STRATA_OIDC_CLIENT_ID, e.STRATA_OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    throw new Error('Invalid environment:\n  STRATA_OIDC_ISSUER, STRATA_OIDC_CLIENT_ID and STRATA_OIDC_CLIENT_SECRET must be set together');
  }
  const oidc =
    e.STRATA_OIDC_ISSUER && e.STRATA_OIDC_CLIENT_ID && e.STRATA_OIDC_CLIENT_SECRET
      ? {
          issuer: e.STRATA_OIDC_ISSUER.replace(/\/$/, ''),
          clientId: e.STRATA_OIDC_CLIENT_ID,
          clientSecret: e.STRATA_OIDC_CLIENT_SECRET,
          name: e.STRATA_OIDC_NAME,
          roleClaim: e.STRATA_OIDC_ROLE_CLAIM,
          roleMap: parseRoleMap(e.STRATA_OIDC_ROLE_MAP),
          defaultRole: e.STRATA_OIDC_DEFAULT_ROLE,
        }
      : undefined;
  return {
    adminEmail: e.STRATA_ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.STRATA_ADMIN_PASSWORD,
    secret: e.STRATA_AUTH_SECRET,
    baseUrl: e.STRATA_BASE_URL,
    sessionIdleMs: e.STRATA_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.STRATA_SESSION_MAX_HOURS * 3_600_000,
    maxFailures: e.STRATA_SIGNIN_MAX_FAILURES,
    maxFailuresPerIp: e.STRATA_SIGNIN_MAX_FAILURES_PER_IP,
    windowMs: e.STRATA_SIGNIN_WINDOW_MINUTES * 60_000,
    oidc,
    secureCookies: e.STRATA_BASE_URL ? e.STRATA_BASE_URL.startsWith('https:') : e.NODE_ENV === 'production',
  };
}

/** The role an SSO user gets from the configured claim, or undefined when none applies. */
export function roleFromClaims(oidc: Pick<OidcConfig, 'roleClaim' | 'roleMap' | 'defaultRole'>, claims: Record<string, unknown>): Role | undefined {
  const raw = claims[oidc.roleClaim];
  const values = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
  const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
  let best: Role | undefined;
  for (const v of values) {
    const role = oidc.roleMap.get(v);
    if (role && (!best || rank[role] > rank[best])) best = role;
  }
  return best ?? oidc.defaultRole;
}

/** How to make a secret, for the messages that ask for one. */
export const SECRET_COMMAND = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

export class MissingAuthSecretError extends Error {
  override name = 'MissingAuthSecretError';
  constructor() {
    super(
      [
        'STRATA_AUTH_SECRET is required when Strata keeps its users in a database other than the embedded one (DATABASE_URL, STRATA_HOME_DATABASE_URL or a targets file names it).',
        'It signs the session cookies, and is kept out of the database so that reading the database is not enough to sign in.',
        'Generate one (32 random bytes) and set it in the environment of every dashboard process:',
        `  ${SECRET_COMMAND}`,
        '  (or: openssl rand -base64 32)',
      ].join('\n'),
    );
  }
}

/**
 * What stops the dashboard from starting with this environment, or null: an invalid setting, a
 * server database without STRATA_AUTH_SECRET, production without STRATA_BASE_URL.
 */
export function startupProblem(env: Record<string, string | undefined> = process.env): string | null {
  let auth: AuthConfig;
  try {
    auth = readAuthConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  if (homeDatabaseUrl(env) && !auth.secret) return new MissingAuthSecretError().message;
  return null;
}

import 'server-only';
// API tokens for automation: `Authorization: Bearer strata_…`. Only a SHA-256 of each token is
// stored; the token itself is shown once, when it is made. A token made by a user works only as
// long as that user is enabled and still holds a role at least the token's: disabling or
// demoting an admin also stops the tokens they made. Tokens made with `npm run token` belong to
// whoever runs the command line on the server, and are stopped by revoking them.
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor, Role, TokenRow } from '../schemas/auth';
import { setTokenTargets, targetsByToken } from './target-roles';

export const TOKEN_PREFIX = 'strata_';
const TOKEN_PATTERN = /^strata_[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

type DbToken = {
  id: string;
  suspended: string | null;
  name: string;
  role: Role;
  token_prefix: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
  revoked_at: Date | null;
};

function toRow(t: DbToken, targets: string[] | null = null): TokenRow {
  return {
    id: String(t.id),
    name: t.name,
    role: t.role,
    prefix: t.token_prefix,
    createdBy: t.created_by,
    createdAt: t.created_at.toISOString(),
    expiresAt: t.expires_at?.toISOString() ?? null,
    lastUsedAt: t.last_used_at?.toISOString() ?? null,
    lastUsedIp: t.last_used_ip,
    revokedAt: t.revoked_at?.toISOString() ?? null,
    suspended: t.suspended ?? null,
    targets,
  };
}

const COLUMNS = ['id', 'name', 'role', 'token_prefix', 'created_by', 'created_at', 'expires_at', 'last_used_at', 'last_used_ip', 'revoked_at'];

const RANK_SQL = (role: string) => `CASE ${role} WHEN 'viewer' THEN 1 WHEN 'operator' THEN 2 WHEN 'admin' THEN 3 ELSE 99 END`;

/**
 * Why a token's maker no longer vouches for it (NULL when they do): the SQL for a token row `t`,
 * shared by the check at every request and by the list that admins see.
 */
const SUSPENDED_SQL = `CASE WHEN t.owner_kind = 'cli' THEN NULL
  ELSE (SELECT CASE WHEN u.id IS NULL THEN 'its maker is no longer a user'
                    WHEN u.banned THEN 'its maker is disabled'
                    WHEN ${RANK_SQL('u.role')} < ${RANK_SQL('t.role')} THEN 'its maker no longer has the ' || t.role || ' role'
               END
          FROM (SELECT 1) one LEFT JOIN strata.users u ON u.id = t.created_by_user_id)
END`;

/** Who makes a token: the user behind the caller, or the command line. */
export type TokenOwner = { kind: 'user'; userId: string } | { kind: 'cli' };

/** The owner a new token gets from the caller making it (a token passes its own owner on). */
export async function ownerOf(knex: Knex, actor: { kind: 'user' | 'token'; id: string }): Promise<TokenOwner> {
  if (actor.kind === 'user') return { kind: 'user', userId: actor.id };
  const row = await knex('strata.api_tokens').where({ id: actor.id }).first<{ owner_kind: string; created_by_user_id: string | null } | undefined>('owner_kind', 'created_by_user_id');
  return row?.owner_kind === 'cli' ? { kind: 'cli' } : { kind: 'user', userId: row?.created_by_user_id ?? '' };
}

export async function createToken(
  knex: Knex,
  input: { name: string; role: Role; expiresInDays?: number; createdBy: string; owner: TokenOwner; targets?: string[] },
): Promise<{ token: string; record: TokenRow }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const targets = input.targets?.length ? [...new Set(input.targets)].sort() : null;
  // The token and its targets together: a token must never exist wider than it was asked for.
  return knex.transaction(async (trx) => {
    const [row] = await trx('strata.api_tokens')
      .insert({
        name: input.name,
        role: input.role,
        token_hash: hashToken(token),
        token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        created_by: input.createdBy,
        owner_kind: input.owner.kind,
        created_by_user_id: input.owner.kind === 'user' ? input.owner.userId : null,
        expires_at: input.expiresInDays ? trx.raw(`now() + make_interval(days => ?)`, [input.expiresInDays]) : null,
      })
      .returning(COLUMNS);
    if (targets) await setTokenTargets(trx, String((row as DbToken).id), targets);
    return { token, record: toRow({ ...(row as DbToken), suspended: null }, targets) };
  });
}

export async function listTokens(knex: Knex): Promise<TokenRow[]> {
  const rows = await knex('strata.api_tokens as t')
    .select(COLUMNS.map((c) => `t.${c}`))
    .select(knex.raw(`${SUSPENDED_SQL} AS suspended`))
    .orderBy('t.id', 'desc');
  const scoped = await targetsByToken(knex);
  return (rows as DbToken[]).map((t) => toRow(t, scoped.get(String(t.id)) ?? null));
}

/** Revokes a token; false when there is no such token. Revoking twice keeps the first time. */
export async function revokeToken(knex: Knex, id: string, by: string): Promise<TokenRow | null> {
  const [row] = await knex('strata.api_tokens')
    .where({ id })
    .update({ revoked_at: knex.raw('coalesce(revoked_at, now())'), revoked_by: knex.raw('coalesce(revoked_by, ?)', [by]) })
    .returning(COLUMNS);
  return row ? toRow({ ...(row as DbToken), suspended: null }, (await targetsByToken(knex)).get(String((row as DbToken).id)) ?? null) : null;
}

/**
 * The actor for a bearer token, or null for an unknown, revoked or expired one, or one whose maker
 * is disabled or demoted. Records the use.
 */
export async function actorForToken(knex: Knex, token: string, ip: string | null): Promise<Actor | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const [row] = await knex('strata.api_tokens as t')
    .where({ token_hash: hashToken(token) })
    .whereNull('revoked_at')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .whereRaw(`(${SUSPENDED_SQL}) IS NULL`)
    .update({ last_used_at: knex.fn.now(), last_used_ip: ip })
    .returning(['id', 'name', 'role']);
  if (!row) return null;
  return { kind: 'token', id: String(row.id), label: row.name, role: row.role };
}

import 'server-only';
// API tokens for automation: `Authorization: Bearer strata_…`. Only a SHA-256 of each token is
// stored; the token itself is shown once, when it is made.
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor, Role, TokenRow } from '../schemas/auth';

export const TOKEN_PREFIX = 'strata_';
const TOKEN_PATTERN = /^strata_[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

type DbToken = {
  id: string;
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

function toRow(t: DbToken): TokenRow {
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
  };
}

const COLUMNS = ['id', 'name', 'role', 'token_prefix', 'created_by', 'created_at', 'expires_at', 'last_used_at', 'last_used_ip', 'revoked_at'];

export async function createToken(
  knex: Knex,
  input: { name: string; role: Role; expiresInDays?: number; createdBy: string },
): Promise<{ token: string; record: TokenRow }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const [row] = await knex('strata.api_tokens')
    .insert({
      name: input.name,
      role: input.role,
      token_hash: hashToken(token),
      token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      created_by: input.createdBy,
      expires_at: input.expiresInDays ? knex.raw(`now() + make_interval(days => ?)`, [input.expiresInDays]) : null,
    })
    .returning(COLUMNS);
  return { token, record: toRow(row as DbToken) };
}

export async function listTokens(knex: Knex): Promise<TokenRow[]> {
  const rows = await knex('strata.api_tokens').select(COLUMNS).orderBy('id', 'desc');
  return (rows as DbToken[]).map(toRow);
}

/** Revokes a token; false when there is no such token. Revoking twice keeps the first time. */
export async function revokeToken(knex: Knex, id: string, by: string): Promise<TokenRow | null> {
  const [row] = await knex('strata.api_tokens')
    .where({ id })
    .update({ revoked_at: knex.raw('coalesce(revoked_at, now())'), revoked_by: knex.raw('coalesce(revoked_by, ?)', [by]) })
    .returning(COLUMNS);
  return row ? toRow(row as DbToken) : null;
}

/** The actor for a bearer token, or null for an unknown, revoked or expired one. Records the use. */
export async function actorForToken(knex: Knex, token: string, ip: string | null): Promise<Actor | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const [row] = await knex('strata.api_tokens')
    .where({ token_hash: hashToken(token) })
    .whereNull('revoked_at')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .update({ last_used_at: knex.fn.now(), last_used_ip: ip })
    .returning(['id', 'name', 'role']);
  if (!row) return null;
  return { kind: 'token', id: String(row.id), label: row.name, role: row.role };
}

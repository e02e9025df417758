import 'server-only';
// Users: listing, creating (better-auth hashes the password), changing role and disabling.
// Passwords after creation (an admin's reset, a user's own change) are in ./passwords.ts.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import type { Role, UserRow } from '../schemas/auth';
import type { Auth } from './auth';
import { setTargetRoles, targetRolesByUser } from './target-roles';

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

type DbUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  banned: boolean;
  created_at: Date;
  last_sign_in_at: Date | null;
  active_sessions: number;
  password_changed_at: Date | null;
};

export async function listUsers(knex: Knex): Promise<UserRow[]> {
  const rows = (await knex('strata.users as u')
    .select('u.id', 'u.email', 'u.name', 'u.role', 'u.banned', 'u.created_at')
    .select(knex.raw('(SELECT max(s.created_at) FROM strata.sessions s WHERE s.user_id = u.id) AS last_sign_in_at'))
    .select(knex.raw('(SELECT count(*)::int FROM strata.sessions s WHERE s.user_id = u.id AND s.expires_at > now()) AS active_sessions'))
    .select(knex.raw(`(SELECT max(a.updated_at) FROM strata.accounts a WHERE a.user_id = u.id AND a.provider_id = 'credential') AS password_changed_at`))
    .orderBy('u.email')) as DbUser[];
  const perTarget = await targetRolesByUser(knex);
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    disabled: r.banned,
    createdAt: r.created_at.toISOString(),
    lastSignInAt: r.last_sign_in_at?.toISOString() ?? null,
    activeSessions: r.active_sessions,
    passwordChangedAt: r.password_changed_at?.toISOString() ?? null,
    targetRoles: perTarget.get(r.id) ?? {},
  }));
}

export async function findUserByEmail(knex: Knex, email: string): Promise<{ id: string; role: Role } | undefined> {
  return knex('strata.users').where({ email: email.toLowerCase() }).first('id', 'role');
}

/** Creates a user with a password; throws 409 when the email is taken. */
export async function createUser(
  knex: Knex,
  auth: Auth,
  input: { email: string; name: string; role: Role; password: string },
): Promise<UserRow> {
  if (await findUserByEmail(knex, input.email)) throw new ApiError('conflict', `A user with the email ${input.email} already exists`);
  // Called without request headers, better-auth treats this as trusted server code; the caller
  // has already been authorized by Strata's own predicate.
  const { user } = await auth.api.createUser({
    body: { email: input.email, name: input.name, password: input.password, role: input.role },
  });
  const row = (await listUsers(knex)).find((u) => u.id === user.id);
  return row!;
}

/**
 * Changes a user's role or disables them; either revokes their sessions, so the change applies at
 * once. The last enabled admin cannot be demoted or disabled (409).
 */
export async function updateUser(
  knex: Knex,
  id: string,
  change: { role?: Role; disabled?: boolean; targetRoles?: Record<string, Role | null> },
  targetLabels: Map<string, string> = new Map(),
): Promise<{ before: UserRow; after: UserRow }> {
  return knex.transaction(async (trx) => {
    const admins = await trx('strata.users').where({ role: 'admin', banned: false }).forUpdate().select('id');
    const before = (await listUsers(trx)).find((u) => u.id === id);
    if (!before) throw new ApiError('not_found', 'No such user');
    const losesAdmin =
      before.role === 'admin' && !before.disabled && ((change.role && change.role !== 'admin') || change.disabled === true);
    if (losesAdmin && admins.length <= 1) {
      throw new ApiError('conflict', 'This is the last enabled admin; make another admin first');
    }
    const patch: Record<string, unknown> = { updated_at: trx.fn.now() };
    if (change.role) patch.role = change.role;
    if (change.disabled !== undefined) {
      patch.banned = change.disabled;
      patch.ban_reason = change.disabled ? 'disabled by an admin' : null;
    }
    await trx('strata.users').where({ id }).update(patch);
    if (change.targetRoles) await setTargetRoles(trx, id, change.targetRoles, targetLabels);
    if ((change.role && change.role !== before.role) || change.disabled) {
      await trx('strata.sessions').where({ user_id: id }).delete();
    }
    const after = (await listUsers(trx)).find((u) => u.id === id)!;
    return { before, after };
  });
}

export async function countAdmins(knex: Knex): Promise<number> {
  const row = await knex('strata.users').where({ role: 'admin', banned: false }).count<{ n: string }>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

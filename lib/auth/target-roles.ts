import 'server-only';
// Roles per target, kept in the home database (strata.user_target_roles, strata.api_token_targets):
// a user may be an operator on staging and a viewer on production; a token may be limited to some
// targets. A user without a row for a target has their own role there. A token acts on a target
// with its own role, never above the role its maker has there, and only on the targets it names
// (a token that names none acts on every target, as tokens made before targets existed do).
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import { ROLES, type Actor, type Role } from '../schemas/auth';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const lower = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);
const isRole = (r: unknown): r is Role => (ROLES as readonly unknown[]).includes(r);

export type TargetRef = { name: string; label: string };

/**
 * The caller as they are on `target`: the role they hold there. Throws 403 when a token is not
 * scoped to it. Without a target (a dashboard whose database is not one of the file's), as given.
 */
export async function actorOnTarget(home: Knex, actor: Actor, target: TargetRef | null): Promise<Actor> {
  if (!target) return actor;
  if (actor.kind === 'user') {
    const row = (await home('strata.user_target_roles').where({ user_id: actor.id, target_name: target.name }).first('role')) as { role: string } | undefined;
    return row && isRole(row.role) ? { ...actor, role: row.role } : actor;
  }
  const found = await home.raw<{ rows: Array<{ targets: string[] | null; maker_role: string | null }> }>(
    `SELECT (SELECT array_agg(s.target_name ORDER BY s.target_name) FROM strata.api_token_targets s WHERE s.token_id = t.id) AS targets,
            (SELECT coalesce(r.role, u.role) FROM strata.users u
               LEFT JOIN strata.user_target_roles r ON r.user_id = u.id AND r.target_name = ?
              WHERE u.id = t.created_by_user_id) AS maker_role
       FROM strata.api_tokens t WHERE t.id = ?`,
    [target.name, actor.id],
  );
  const row = found.rows[0];
  if (row?.targets && !row.targets.includes(target.name)) {
    throw new ApiError('forbidden', `This token may act on ${row.targets.join(', ')} only, not on ${target.label}`, { reason: 'token_scope' });
  }
  return row?.maker_role && isRole(row.maker_role) ? { ...actor, role: lower(actor.role, row.maker_role) } : actor;
}

/** Every user's roles that differ per target: user id → target name → role. */
export async function targetRolesByUser(knex: Knex): Promise<Map<string, Record<string, Role>>> {
  const rows = (await knex('strata.user_target_roles').select('user_id', 'target_name', 'role').orderBy(['user_id', 'target_name'])) as Array<{ user_id: string; target_name: string; role: Role }>;
  const byUser = new Map<string, Record<string, Role>>();
  for (const r of rows) {
    const m = byUser.get(r.user_id) ?? {};
    m[r.target_name] = r.role;
    byUser.set(r.user_id, m);
  }
  return byUser;
}

/**
 * Sets (a role) or clears (null) a user's role on each named target, in the caller's transaction.
 * Refused (409) when a target would be left without an enabled admin.
 */
export async function setTargetRoles(trx: Knex.Transaction, userId: string, changes: Record<string, Role | null>, labels: Map<string, string>): Promise<void> {
  for (const [target, role] of Object.entries(changes)) {
    if (role === null) await trx('strata.user_target_roles').where({ user_id: userId, target_name: target }).delete();
    else {
      await trx('strata.user_target_roles')
        .insert({ user_id: userId, target_name: target, role })
        .onConflict(['user_id', 'target_name'])
        .merge({ role });
    }
  }
  for (const target of Object.keys(changes)) {
    const admins = await trx.raw<{ rows: Array<{ n: number }> }>(
      `SELECT count(*)::int AS n FROM strata.users u
         LEFT JOIN strata.user_target_roles r ON r.user_id = u.id AND r.target_name = ?
        WHERE NOT u.banned AND coalesce(r.role, u.role) = 'admin'`,
      [target],
    );
    if (!admins.rows[0]?.n) throw new ApiError('conflict', `This would leave ${labels.get(target) ?? target} without an enabled admin; make another user an admin there first`);
  }
}

/** The targets each token is limited to (tokens that name none are absent: they act on every target). */
export async function targetsByToken(knex: Knex): Promise<Map<string, string[]>> {
  const rows = (await knex('strata.api_token_targets').select('token_id', 'target_name').orderBy(['token_id', 'target_name'])) as Array<{ token_id: string | number; target_name: string }>;
  const byToken = new Map<string, string[]>();
  for (const r of rows) byToken.set(String(r.token_id), [...(byToken.get(String(r.token_id)) ?? []), r.target_name]);
  return byToken;
}

export async function setTokenTargets(knex: Knex, tokenId: string, targets: string[]): Promise<void> {
  if (targets.length) await knex('strata.api_token_targets').insert(targets.map((t) => ({ token_id: tokenId, target_name: t })));
}

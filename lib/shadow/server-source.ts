import 'server-only';
// Shadows on a PostgreSQL server (STRATA_SHADOW_DATABASE_URL): one uniquely named database per use,
// created from template0 or from a saved replay (a template database), and dropped afterwards. Each
// database carries a comment saying which process made it and when, so that the databases of a
// process that died are found and dropped at the next start, on any host.
import { randomBytes, createHash } from 'node:crypto';
import { scopeId, templatePattern } from './scope';
import os from 'node:os';
import knex, { type Knex } from 'knex';

const WORK_PREFIX = 'strata_shadow_w_';
const TEMPLATE_PREFIX = 'strata_shadow_t_';
const like = (prefix: string) => prefix.replace(/_/g, '\\_');
const HOST = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 6);

/** Databases this process is using now; never dropped as leftovers. */
const live: Set<string> = ((globalThis as Record<string, unknown>).__strataShadowDatabases ??= new Set<string>()) as Set<string>;

type Owner = { strata: 'shadow'; host: string; pid: number; started: string } | { strata: 'shadow-template'; scope: string; created: string; used?: string };

/** A saved replay nobody has used for this long is dropped (its live database moved on, or is gone). */
export const TEMPLATE_UNUSED_MS = 7 * 24 * 3600 * 1000;

export function urlFor(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export function adminKnex(adminUrl: string): Knex {
  return knex({ client: 'pg', connection: { connectionString: adminUrl, application_name: 'strata-shadow-admin' }, pool: { min: 0, max: 1 } });
}

async function dropDatabase(admin: Knex, name: string): Promise<void> {
  // WITH (FORCE) ends the sessions still connected (a statement cut short by the time limit).
  const version = Number((await admin.raw<{ rows: { v: string }[] }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v);
  if (version >= 130000) {
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    return;
  }
  await admin.raw('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()', [name]);
  await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
}

async function comment(admin: Knex, name: string, owner: Owner): Promise<void> {
  await admin.raw(`COMMENT ON DATABASE ?? IS ${admin.raw('?', [JSON.stringify(owner)]).toQuery()}`, [name]);
}

export type ServerDatabase = { name: string; url: string; drop(): Promise<void> };

/** Creates a work database, empty (from template0) or as a copy of `template`. */
export async function createWorkDatabase(admin: Knex, adminUrl: string, template: string | null): Promise<ServerDatabase> {
  const name = `${WORK_PREFIX}${HOST}_${process.pid}_${randomBytes(4).toString('hex')}`;
  live.add(name);
  try {
    await admin.raw('CREATE DATABASE ?? TEMPLATE ??', [name, template ?? 'template0']);
    await comment(admin, name, { strata: 'shadow', host: os.hostname(), pid: process.pid, started: new Date().toISOString() });
  } catch (err) {
    await dropDatabase(admin, name).catch(() => undefined);
    live.delete(name);
    throw err;
  }
  let dropped: Promise<void> | null = null;
  return {
    name,
    url: urlFor(adminUrl, name),
    drop: () =>
      (dropped ??= dropDatabase(admin, name).finally(() => {
        live.delete(name);
      })),
  };
}

export function templateName(scope: string, key: string): string {
  return `${TEMPLATE_PREFIX}${scopeId(scope)}_${key.slice(0, 16)}`;
}

/** Whether the saved replay exists; when it does, it is marked as used now. */
export async function templateExists(admin: Knex, name: string): Promise<boolean> {
  const { rows } = await admin.raw<{ rows: { owner: string | null }[] }>(`SELECT shobj_description(oid, 'pg_database') AS owner FROM pg_database WHERE datname = ?`, [name]);
  if (!rows.length) return false;
  try {
    const owner = JSON.parse(rows[0]!.owner ?? '{}') as Owner;
    if (owner.strata === 'shadow-template') await comment(admin, name, { ...owner, used: new Date().toISOString() });
  } catch {
    // A comment someone else wrote: the template still serves.
  }
  return true;
}

/**
 * Keeps a work database (its replay done, nobody connected) as the template for `name`, and
 * drops this scope's older templates but one. Another process may have saved the same replay
 * meanwhile: then this copy is dropped.
 */
export async function saveTemplate(admin: Knex, work: ServerDatabase, name: string, scope: string): Promise<void> {
  await admin.raw('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()', [work.name]);
  try {
    await admin.raw('ALTER DATABASE ?? RENAME TO ??', [work.name, name]);
  } catch (err) {
    // Already saved by another process (or request) meanwhile: PostgreSQL says so as 42P04, or, when
    // both renames run at the same moment, as a unique violation on pg_database's name index.
    const code = (err as { code?: string }).code;
    if (code === '42P04' || code === '23505') return work.drop();
    throw err;
  } finally {
    live.delete(work.name);
  }
  await comment(admin, name, { strata: 'shadow-template', scope: scopeId(scope), created: new Date().toISOString() });
  const { rows } = await admin.raw<{ rows: { datname: string }[] }>(
    `SELECT datname FROM pg_database WHERE datname LIKE ? AND datname <> ? ORDER BY (shobj_description(oid, 'pg_database')::jsonb ->> 'created') DESC NULLS LAST`,
    [templatePattern(scope), name],
  );
  for (const { datname } of rows.slice(1)) await dropDatabase(admin, datname).catch(() => undefined);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops saved replays unused for a week, and the work databases of processes that are gone. A work
 * database's name says the host and process that made it: on this host, one whose process is dead
 * (or is this process, which is not using it) is dropped; from another host, one that nobody is
 * connected to and whose comment says it was made more than twice the time limit ago (no use lasts
 * longer). Returns the names dropped.
 */
export async function dropLeftovers(admin: Knex, timeoutMs: number): Promise<string[]> {
  const { rows } = await admin.raw<{ rows: { datname: string; owner: string | null; sessions: string }[] }>(
    `SELECT d.datname, shobj_description(d.oid, 'pg_database') AS owner,
            (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname) AS sessions
       FROM pg_database d WHERE d.datname LIKE ?`,
    [`${like(WORK_PREFIX)}%`],
  );
  const dropped: string[] = [];
  const templates = await admin.raw<{ rows: { datname: string; owner: string | null }[] }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS owner FROM pg_database WHERE datname LIKE ?`,
    [`${like(TEMPLATE_PREFIX)}%`],
  );
  for (const t of templates.rows) {
    try {
      const owner = JSON.parse(t.owner ?? '') as Owner;
      const last = owner.strata === 'shadow-template' ? Date.parse(owner.used ?? owner.created) : NaN;
      if (Date.now() - last > TEMPLATE_UNUSED_MS) {
        await dropDatabase(admin, t.datname);
        dropped.push(t.datname);
      }
    } catch {
      // Not ours to judge without a readable comment.
    }
  }
  for (const r of rows) {
    if (live.has(r.datname)) continue;
    const [host, pid] = r.datname.slice(WORK_PREFIX.length).split('_');
    let started = NaN;
    try {
      const owner = r.owner ? (JSON.parse(r.owner) as Owner) : null;
      if (owner?.strata === 'shadow') started = Date.parse(owner.started);
    } catch {
      // A comment someone else wrote: the age stays unknown.
    }
    const gone = host === HOST ? Number(pid) === process.pid || !alive(Number(pid)) : Number(r.sessions) === 0 && Date.now() - started > 2 * timeoutMs;
    if (gone) {
      await dropDatabase(admin, r.datname);
      dropped.push(r.datname);
    }
  }
  return dropped;
}

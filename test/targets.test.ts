// Environments on real PostgreSQL: three databases of the test server as development, staging and
// production (protected), at different heights and with one migration applied from two different
// file contents. The matrix's exact cells, the "staging first" rule (refusal, an operator's
// override refused, an admin's override kept in the run record and the audit), and a target that
// cannot be reached answering on its own card while the others answer.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StrataConfig } from '../lib/config';
import { closeDb } from '../lib/db/knex';
import { closePeers } from '../lib/db/peers';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { decideRollback, listApprovals, requestRollback } from '../lib/migrations/approvals';
import { startRun } from '../lib/migrations/runner';
import { compareTargets } from '../lib/targets/compare';
import { readMatrix } from '../lib/targets/matrix';
import { checkPromotion } from '../lib/targets/promotion';
import { targetsSetup } from '../lib/targets/registry';
import { closeTargetDbs, findTarget, inTarget } from '../lib/targets/scope';
import { TargetsFileError } from '../lib/targets/config';
import { fileFacts } from '../lib/migrations/files';
import { StrataMigrationSource } from '../lib/migrations/source';
import { freshTestDatabase } from './harness/db';

const mode = inject('testDb').mode;
if (mode !== 'postgres') console.log('[targets] skipped: targets are server databases; this run uses the embedded database (set TEST_DATABASE_URL)');

const dev = freshTestDatabase();
const staging = freshTestDatabase();
const prod = freshTestDatabase();
const operator = { kind: 'user' as const, id: 'u1', label: 'op@test.example', role: 'operator' as const };
const admin = { kind: 'user' as const, id: 'u2', label: 'admin@test.example', role: 'admin' as const };
const meta = { requestId: 'test-request', ip: '127.0.0.1' };

const table = (n: string) => `CREATE TABLE ${n} (id int PRIMARY KEY)`;
const migration = (sql: string, drop: string, comment = '') => `${comment}exports.up = (knex) => knex.raw('${sql}');\nexports.down = (knex) => knex.raw('DROP TABLE ${drop}');\n`;

let dir: string;
let config: StrataConfig;
let blackHole: net.Server;
const saved = { ...process.env };

// The target the next calls act on, as a request's `?target=` names it (production, this
// dashboard's own database, when none is named).
let acting = 'production';
function as(target: string) {
  acting = target;
}
const act = <T>(fn: () => Promise<T>): Promise<T> => inTarget(findTarget(acting), fn);
async function run(db: typeof dev, actor: typeof operator | typeof admin, expected: string[], override?: { reason: string }, backup?: { id: string; takenAt: string }) {
  return (await act(() => startRun(db, config, actor, { kind: 'latest', expected, override, backup }, meta))).done;
}
const TARGETS = [
  { name: 'development', label: 'Development', color: '#0284c7', urlEnv: 'T_DEV_URL' },
  { name: 'staging', label: 'Staging', color: '#d97706', urlEnv: 'T_STAGING_URL' },
  { name: 'production', label: 'Production', color: '#dc2626', urlEnv: 'DATABASE_URL', protected: true },
  { name: 'archive', label: 'Archive', color: '#64748b', urlEnv: 'T_ARCHIVE_URL' },
  { name: 'replica', label: 'Replica', color: '#64748b', urlEnv: 'T_REPLICA_URL' },
  { name: 'laptop', label: 'Laptop', color: '#64748b', urlEnv: 'T_UNSET_URL' },
];
function writeTargets(productionBackup?: Record<string, unknown>, productionExtra: Record<string, unknown> = {}) {
  const targets = TARGETS.map((t) => (t.name === 'production' ? { ...t, ...(productionBackup ? { backup: productionBackup } : {}), ...productionExtra } : t));
  fs.writeFileSync(path.join(dir, 'strata.targets.json'), JSON.stringify({ targets }));
}
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const write = (name: string, body: string) => fs.writeFileSync(path.join(config.migrationsDir, name), body);

describe.skipIf(mode !== 'postgres')('environments', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-targets-'));
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations);
    config = { ...dev.config, migrationsDir: migrations, migrationsTable: 'knex_migrations' };
    blackHole = net.createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    writeTargets();
    Object.assign(process.env, {
      STRATA_TARGETS_FILE: path.join(dir, 'strata.targets.json'),
      T_DEV_URL: dev.url,
      T_STAGING_URL: staging.url,
      DATABASE_URL: prod.url,
      T_ARCHIVE_URL: `postgresql://postgres@127.0.0.1:${closedPort}/postgres`,
      T_REPLICA_URL: `postgresql://postgres@127.0.0.1:${(blackHole.address() as net.AddressInfo).port}/postgres`,
    });
    delete process.env.T_UNSET_URL;
    for (const d of [dev, staging, prod]) await ensureStrataSchema(d.knex);

    // knex runs everything pending, so the heights come from the order in which files appear.
    write('001_a.js', migration(table('a'), 'a'));
    for (const [name, db] of [['development', dev], ['staging', staging], ['production', prod]] as const) {
      as(name);
      expect((await run(db, operator, ['001_a.js'])).status).toBe('succeeded');
    }
    write('002_b.js', migration(table('b'), 'b', '// first version\n'));
    as('development');
    await run(dev, operator, ['002_b.js']);
    // The file changes after development applied it; staging gets the new version.
    write('002_b.js', migration(table('b'), 'b', '// second version\n'));
    as('staging');
    expect((await run(staging, operator, ['002_b.js'])).status).toBe('succeeded');
    write('003_c.js', migration(table('c'), 'c'));
    as('development');
    await run(dev, operator, ['003_c.js']);
    as('production');
  }, 60_000);

  afterAll(async () => {
    await closeTargetDbs();
    await closePeers();
    await closeDb();
    blackHole?.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('knows which target this dashboard manages, and says so when the file names none', () => {
    expect(targetsSetup().current?.name).toBe('production');
    process.env.STRATA_TARGET = 'nowhere';
    expect(() => targetsSetup()).toThrow(TargetsFileError);
    expect(() => targetsSetup()).toThrow(/STRATA_TARGET is "nowhere", which is not a target of .*development, staging, production/);
    delete process.env.STRATA_TARGET;
  });

  it('shows every migration on every target, exactly, and the one applied from two different files', async () => {
    const m = await readMatrix(config);
    const cells = Object.fromEntries(m.rows.map((r) => [r.name, r.cells.map((c) => `${c.target}:${c.status}${c.batch ? `@${c.batch}` : ''}`)]));
    expect(cells).toEqual({
      '001_a.js': ['development:applied@1', 'staging:applied@1', 'production:applied@1', 'archive:unknown', 'replica:unknown', 'laptop:unknown'],
      '002_b.js': ['development:changed@2', 'staging:applied@2', 'production:pending', 'archive:unknown', 'replica:unknown', 'laptop:unknown'],
      '003_c.js': ['development:applied@3', 'staging:pending', 'production:pending', 'archive:unknown', 'replica:unknown', 'laptop:unknown'],
    });
    const row = (n: string) => m.rows.find((r) => r.name === n)!;
    expect(row('001_a.js')).toMatchObject({ checksumMismatch: false, differs: false, pendingSomewhere: false });
    expect(row('002_b.js')).toMatchObject({ checksumMismatch: true, differs: true, pendingSomewhere: true });
    expect(row('003_c.js')).toMatchObject({ checksumMismatch: false, differs: true, pendingSomewhere: true });
    expect(row('001_a.js').cells[1]).toMatchObject({ by: operator.label });
    const t = Object.fromEntries(m.targets.map((x) => [x.name, x]));
    expect(t.development).toMatchObject({ reachable: true, applied: 3, pending: 0, behindPrevious: null, current: false, protected: false });
    expect(t.staging).toMatchObject({ reachable: true, applied: 2, pending: 1, behindPrevious: 1 });
    expect(t.production).toMatchObject({ reachable: true, applied: 1, pending: 2, behindPrevious: 1, current: true, protected: true });
  });

  it("compares staging's schema with production's: what the migrations explain, and what was done by hand", async () => {
    const setup = targetsSetup();
    const t = (n: string) => setup.targets.find((x) => x.name === n)!;
    await prod.knex.raw('CREATE INDEX a_by_hand ON a (id)');
    try {
      const c = await compareTargets(config, t('staging'), t('production'));
      expect(c).toMatchObject({ unreadable: null, problem: null, onlyOnA: ['002_b.js'], onlyOnB: [] });
      expect(c.shadow?.kind).toBe('embedded');
      const seen = c.differences!.map((d) => ({ kind: d.kind, name: d.name, change: d.change, explained: d.explained }));
      expect(seen).toEqual(
        expect.arrayContaining([
          // Staging has table b from 002_b.js, which production has not applied yet.
          { kind: 'table', name: 'b', change: 'added', explained: true },
          // Only production has the index made by hand: no migration explains it.
          { kind: 'index', name: 'a_by_hand', change: 'removed', explained: false },
        ]),
      );
      expect(seen).toHaveLength(2);
      // The SQL makes production like staging.
      expect(c.differences!.find((d) => d.name === 'a_by_hand')!.sql).toEqual(['DROP INDEX CONCURRENTLY a_by_hand']);

      // A target that cannot be read is named, with why; nothing is compared.
      const unreadable = await compareTargets(config, t('staging'), t('archive'));
      expect(unreadable.unreadable).toEqual([{ target: 'archive', error: expect.stringMatching(/refused/i) }]);
      expect(unreadable.differences).toBeNull();
    } finally {
      await prod.knex.raw('DROP INDEX a_by_hand');
    }
  }, 120_000);

  it('answers for every target although three cannot be read: each says why, and since when', async () => {
    const first = await readMatrix(config);
    const t = Object.fromEntries(first.targets.map((x) => [x.name, x]));
    for (const name of ['development', 'staging', 'production']) expect(t[name]).toMatchObject({ reachable: true, error: null });
    expect(t.archive).toMatchObject({ reachable: false, applied: null });
    expect(t.archive!.error).toMatch(/refused/i);
    expect(t.replica).toMatchObject({ reachable: false });
    expect(t.replica!.error).toMatch(/time|answer/i);
    expect(t.laptop).toMatchObject({ reachable: false, error: "T_UNSET_URL is not set in this dashboard's environment" });
    const again = await readMatrix(config);
    const a = Object.fromEntries(again.targets.map((x) => [x.name, x]));
    // Still unreachable since the first failure, not since the latest.
    expect(a.archive!.unreachableSince).toBe(t.archive!.unreachableSince);
    // The silent one is looked at again in the background; the read says so, with the last reason,
    // instead of waiting its whole time limit again.
    expect(a.replica).toMatchObject({ reachable: false, unreachableSince: t.replica!.unreachableSince });
    expect(a.replica!.error).toMatch(/answer.*\(looking again now\)$/i);
    expect(Date.parse(a.archive!.unreachableSince!)).toBeLessThanOrEqual(Date.parse(again.asOf));
  }, 60_000);

  it('on production, refuses what did not run on staging from the same file, and names the rule', async () => {
    const pending = await Promise.all((await new StrataMigrationSource(config.migrationsDir).getMigrations()).filter((f) => f.file !== '001_a.js').map(fileFacts));
    const check = await act(() => checkPromotion(config, pending));
    expect(check.applies && check.verdicts.map((v) => [v.name, v.verdict])).toEqual([
      ['002_b.js', 'allowed'],
      ['003_c.js', 'not_on_previous'],
    ]);
    const refused = run(prod, operator, ['002_b.js', '003_c.js']);
    await expect(refused).rejects.toMatchObject({ code: 'conflict' });
    await expect(refused).rejects.toThrow(/Production is protected: a migration runs here only after it ran on Staging from the same file\. 003_c\.js has not been applied on Staging/);
    // An operator may not override; nothing ran either way.
    await expect(run(prod, operator, ['002_b.js', '003_c.js'], { reason: 'hotfix approved by the on-call lead' })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await prod.knex('knex_migrations').pluck('name')).sort()).toEqual(['001_a.js']);
    // Staging or development as the dashboard's target: no rule applies there.
    as('staging');
    expect(await act(() => checkPromotion(config, pending))).toMatchObject({ applies: false, why: 'Staging is not protected: migrations may run here before anywhere else.' });
    as('production');
  });

  it('allows it once staging ran the same file; a file staging ran outside Strata cannot be vouched for', async () => {
    as('staging');
    await run(staging, operator, ['003_c.js']);
    as('production');
    const ok = await run(prod, operator, ['002_b.js', '003_c.js']);
    expect(ok.status).toBe('succeeded');
    expect(ok.promotion).toMatchObject({ check: { applies: true, allowed: true }, override: null });
    expect(ok.target).toBe('production');

    // Plain knex on staging (no Strata record, so no checksum).
    write('004_d.js', migration(table('d'), 'd'));
    const plain = knexFactory({ client: 'pg', connection: staging.url, migrations: { directory: config.migrationsDir, tableName: 'knex_migrations' } });
    await plain.migrate.latest();
    await plain.destroy();
    await expect(run(prod, operator, ['004_d.js'])).rejects.toThrow(/004_d\.js was applied on Staging outside Strata, so the file it ran from is not known/);
  });

  it("keeps an admin's override with its reason in the run record and the audit", async () => {
    const reason = 'Staging applied it with plain knex during the incident; verified the file by hand';
    const run1 = await run(prod, admin, ['004_d.js'], { reason });
    expect(run1.status).toBe('succeeded');
    expect(run1.promotion).toMatchObject({ check: { applies: true, allowed: false }, override: { reason, by: admin.label, refused: [{ name: '004_d.js', verdict: 'unverified' }] } });
    const row = await prod.knex('strata.migration_runs').where({ id: run1.id }).first();
    expect(row).toMatchObject({ target_name: 'production', promotion: { override: { reason } } });
    const audit = await prod.knex('strata.audit_events').whereRaw(`details->>'runId' = ?`, [run1.id]).first();
    expect(audit.details).toMatchObject({ target: 'production', promotion: { override: { reason, by: admin.label }, verdicts: [{ name: '004_d.js', verdict: 'unverified' }] } });
  });

  it('requires a recent backup on production: confirmed by the operator, or found by the team\'s check', async () => {
    writeTargets({ maxAgeHours: 24 });
    write('005_e.js', migration(table('e'), 'e'));
    as('staging');
    await run(staging, operator, ['005_e.js']);
    as('production');
    await expect(run(prod, operator, ['005_e.js'])).rejects.toThrow(
      'Production requires a backup taken within the last 24 hours before migrations run: confirm the backup you took (its identifier and the time it was taken).',
    );
    await expect(run(prod, operator, ['005_e.js'], undefined, { id: 'snap-old', takenAt: hoursAgo(30) })).rejects.toThrow(/and the latest backup is 30\.0 hours old \(.*\), older than the 24 hours allowed/);
    expect(await prod.knex('knex_migrations').where({ name: '005_e.js' }).first()).toBeUndefined();
    const takenAt = hoursAgo(1);
    const ok = await run(prod, operator, ['005_e.js'], undefined, { id: 'snap-2026-11-29', takenAt });
    expect(ok.backup).toMatchObject({ source: 'operator', id: 'snap-2026-11-29', takenAt, maxAgeHours: 24, by: operator.label });
    const audit = await prod.knex('strata.audit_events').whereRaw(`details->>'runId' = ?`, [ok.id]).first();
    expect(audit.details.backup).toMatchObject({ source: 'operator', id: 'snap-2026-11-29' });

    writeTargets({ maxAgeHours: 24, checkCommand: 'exit 3' });
    write('006_f.js', migration(table('f'), 'f'));
    as('staging');
    await run(staging, operator, ['006_f.js']);
    as('production');
    await expect(run(prod, operator, ['006_f.js'])).rejects.toThrow(/the team's check says no: the backup check command failed \(exit code 3\)/);
    const latest = hoursAgo(2);
    writeTargets({ maxAgeHours: 24, checkCommand: `echo ${latest}` });
    const checked = await run(prod, operator, ['006_f.js']);
    expect(checked.backup).toMatchObject({ source: 'command', id: null, takenAt: latest });
    writeTargets();
  });

  it("rolls back on production only after another admin approves, in time; nobody decides their own request", async () => {
    writeTargets(undefined, { rollbackApproval: { expiresMinutes: 30 } });
    as('production');
    const adminB = { kind: 'user' as const, id: 'u3', label: 'second-admin@test.example', role: 'admin' as const };
    const last = Number((await prod.knex('knex_migrations').max({ b: 'batch' }).first())!.b);
    const names = await prod.knex('knex_migrations').where({ batch: last }).pluck('name');
    const asked = await requestRollback(prod, config, operator, { batch: last }, meta);
    expect(asked).toMatchObject({ status: 'pending', batch: last, names, requestedBy: operator.label, target: 'production' });
    await expect(requestRollback(prod, config, operator, { batch: last }, meta)).rejects.toThrow(/already waits for approval/);
    // Nothing ran yet; the requester cannot approve it, even holding the admin role.
    expect(await prod.knex('knex_migrations').where({ batch: last }).pluck('name')).toEqual(names);
    await expect(decideRollback(prod, config, { ...operator, role: 'admin' }, asked.id, 'approve', meta)).rejects.toMatchObject({ code: 'forbidden' });
    const { approval, started } = await decideRollback(prod, config, adminB, asked.id, 'approve', meta);
    expect(approval).toMatchObject({ status: 'approved', decidedBy: adminB.label });
    const run1 = await started!.done;
    expect(run1).toMatchObject({ kind: 'rollback', status: 'succeeded', actorLabel: operator.label, approval: { id: asked.id, requestedBy: operator.label, approvedBy: adminB.label } });
    expect(await prod.knex('knex_migrations').where({ batch: last }).first()).toBeUndefined();
    expect((await listApprovals(prod, config))[0]).toMatchObject({ id: asked.id, status: 'approved', runId: run1.id });
    await expect(decideRollback(prod, config, adminB, asked.id, 'approve', meta)).rejects.toThrow(/was approved already by second-admin@test\.example/);
    const actions = await prod.knex('strata.audit_events').whereRaw(`details->>'approvalId' = ?`, [asked.id]).orderBy('id').pluck('action');
    expect(actions).toEqual(['migrations.rollback_requested', 'migrations.rollback_approved']);

    // An expired request cannot be approved (its time is moved into the past here).
    const next = Number((await prod.knex('knex_migrations').max({ b: 'batch' }).first())!.b);
    const late = await requestRollback(prod, config, operator, { batch: next }, meta);
    await prod.knex('strata.rollback_approvals').where({ id: late.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await listApprovals(prod, config)).find((a) => a.id === late.id)?.status).toBe('expired');
    await expect(decideRollback(prod, config, adminB, late.id, 'approve', meta)).rejects.toThrow(/This request expired at .*; request the rollback again\./);
    expect(await prod.knex('knex_migrations').where({ batch: next }).first()).toBeDefined();

    // A refusal ends it; the batch stays.
    const third = await requestRollback(prod, config, operator, { batch: next }, meta);
    expect((await decideRollback(prod, config, adminB, third.id, 'refuse', meta)).approval).toMatchObject({ status: 'refused', decidedBy: adminB.label });
    await expect(decideRollback(prod, config, adminB, third.id, 'approve', meta)).rejects.toMatchObject({ code: 'conflict' });
    expect(await prod.knex('knex_migrations').where({ batch: next }).first()).toBeDefined();
    writeTargets();
  });
});

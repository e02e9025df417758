// The audit trail's hash chain: the database chains every insert (concurrent ones too), and the
// verification (lib/auth/audit-chain.ts, `npm run audit -- verify`) names the first row that an
// owner of the table changed, deleted or added with the triggers switched off.
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { recordAudit } from '../lib/auth/audit';
import { checkAnchor, GENESIS_HASH, rowHash, verifyAuditChain } from '../lib/auth/audit-chain';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { freshTestDatabase } from './harness/db';
import { run } from './harness/run';

const db = freshTestDatabase();
const system = { kind: 'system' as const, label: 'test' };

async function write(n: number, knex: Knex = db.knex): Promise<void> {
  const target = { knex, target: db.target };
  for (let i = 0; i < n; i++) {
    await recordAudit(target, { actor: system, action: 'test.event', outcome: 'success', requestId: `r-${i}`, ip: '10.0.0.1', details: { i, text: 'zwölf "quotes" \\ and ünïcode' } });
  }
}

/** Runs `fn` as the table's owner would to tamper: with Strata's triggers off. */
async function tamper(knex: Knex, fn: (trx: Knex.Transaction) => Promise<unknown>): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('ALTER TABLE strata.audit_events DISABLE TRIGGER USER');
    await fn(trx);
    await trx.raw('ALTER TABLE strata.audit_events ENABLE TRIGGER USER');
  });
}

beforeAll(async () => {
  await ensureStrataSchema(db.knex);
});

describe('the audit chain', () => {
  it('is computed by the database on insert, and a whole trail verifies', async () => {
    await write(20);
    const rows = await db.knex('strata.audit_events').orderBy('seq').select('seq', 'prev_hash', 'hash');
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    const report = await verifyAuditChain(db.knex);
    expect(report).toMatchObject({ ok: true, rows: 20, head: { seq: 20, hash: rows[19].hash }, problem: null });
  });

  it('chains concurrent inserts in the order they commit', async () => {
    // Separate connections, all at once.
    const many = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: db.mode === 'embedded' ? 1 : 10 } });
    try {
      await Promise.all(Array.from({ length: 60 }, (_, i) => recordAudit({ knex: many, target: db.target }, { actor: system, action: 'test.concurrent', outcome: 'success', details: { i } })));
    } finally {
      await many.destroy();
    }
    expect(await verifyAuditChain(db.knex)).toMatchObject({ ok: true, rows: 80 });
  });

  it('hashes what the row says, independently of the database, whatever the session time zone', async () => {
    await db.knex.transaction(async (trx) => {
      await trx.raw("SET LOCAL TimeZone = 'Asia/Kathmandu'");
      await recordAudit({ knex: trx, target: db.target }, { actor: system, action: 'test.zone', outcome: 'success' });
    });
    const r = (await db.knex.raw(`SELECT seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_text, actor_type, actor_id, actor_label, role, action,
      outcome, target_database, request_id, ip, details::text AS details_text, prev_hash, hash FROM strata.audit_events e ORDER BY e.seq DESC LIMIT 1`)).rows[0];
    expect(rowHash(r.prev_hash, r)).toBe(r.hash);
    expect((await verifyAuditChain(db.knex)).ok).toBe(true);
  });
});

describe('a tampered copy (a second database, made from the first as a template)', () => {
  const onPostgres = inject('testDb').mode === 'postgres';
  beforeEach((ctx) => ctx.skip(!onPostgres, 'copying a database as a template needs PostgreSQL; the embedded database checks the chain in place above'));
  let copy: Knex;
  let copyUrl: string;
  const name = `strata_tampered_${process.pid}`;
  let admin: Knex;

  beforeAll(async () => {
    if (!onPostgres) return;
    // A copy of the database above, made as a backup would be restored; tampered with, not the original.
    const { adminUrl } = inject('testDb');
    admin = knexFactory({ client: 'pg', connection: adminUrl!, pool: { min: 0, max: 1 } });
    const source = new URL(db.url).pathname.slice(1);
    // A template must have no connections: the file's own pool closes, and opens again after.
    await db.knex.destroy();
    await admin.raw('CREATE DATABASE ?? TEMPLATE ??', [name, source]);
    db.knex.initialize();
    const u = new URL(adminUrl!);
    u.pathname = `/${name}`;
    copyUrl = u.toString();
    copy = knexFactory({ client: 'pg', connection: copyUrl, pool: { min: 0, max: 2 } });
  });

  afterAll(async () => {
    await copy?.destroy();
    await admin?.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin?.destroy();
  });

  it('the copy verifies before anyone touches it', async () => {
    expect(await verifyAuditChain(copy)).toMatchObject({ ok: true, rows: 81 });
  });

  it('a changed row is named', async () => {
    await tamper(copy, (trx) => trx('strata.audit_events').where({ seq: 7 }).update({ details: JSON.stringify({ i: 6, text: 'nothing happened here' }) }));
    const report = await verifyAuditChain(copy);
    expect(report).toMatchObject({ ok: false, rows: 6, problem: { kind: 'changed', seq: 7 } });
    expect(report.problem!.message).toMatch(/row 7 \(id \d+\) was changed after it was written/);
  });

  it('so is the first of deleted rows, and rows deleted from the end', async () => {
    await tamper(copy, (trx) => trx('strata.audit_events').where({ seq: 7 }).update({ details: JSON.stringify({ i: 6, text: 'zwölf "quotes" \\ and ünïcode' }) }));
    expect((await verifyAuditChain(copy)).ok).toBe(true);
    await tamper(copy, (trx) => trx('strata.audit_events').whereIn('seq', [30, 31, 32]).delete());
    expect(await verifyAuditChain(copy)).toMatchObject({ ok: false, problem: { kind: 'missing', seq: 30, message: expect.stringMatching(/rows 30 to 32 are missing/) } });
    const last = await copy('strata.audit_events').max<{ m: string }>({ m: 'seq' }).first();
    await tamper(copy, (trx) => trx('strata.audit_events').where('seq', '>', 29).delete());
    expect(await verifyAuditChain(copy)).toMatchObject({ ok: false, problem: { kind: 'missing', seq: 30 } });
    // The next event written normally cannot close the gap: it follows the head, not the last row left.
    await recordAudit({ knex: copy, target: db.target }, { actor: system, action: 'test.after_deletion', outcome: 'success' });
    expect(Number((await copy('strata.audit_events').where({ action: 'test.after_deletion' }).first()).seq)).toBe(82);
    expect(await verifyAuditChain(copy)).toMatchObject({ ok: false, problem: { kind: 'missing', seq: 30, message: expect.stringMatching(/rows 30 to 81 are missing/) } });
    await tamper(copy, (trx) => trx('strata.audit_events').where({ action: 'test.after_deletion' }).delete());
    expect(Number(last!.m)).toBe(81);
  });

  it('a row added with the triggers off is named, as is a rewrite caught by an anchor kept elsewhere', async () => {
    // Back to a whole chain of 29 rows: the head moved to match (as an owner could do).
    await copy.raw(`UPDATE strata.audit_chain_head SET seq = 29, hash = (SELECT hash FROM strata.audit_events WHERE seq = 29)`);
    const anchor = (await verifyAuditChain(copy)).head;
    expect(anchor.seq).toBe(29);
    await tamper(copy, (trx) =>
      trx('strata.audit_events').insert({ actor_type: 'user', actor_label: 'intruder@x', action: 'user.update', outcome: 'success', target_database: 'x', details: '{}', seq: 30, prev_hash: anchor.hash, hash: 'f'.repeat(64) }),
    );
    expect(await verifyAuditChain(copy)).toMatchObject({ ok: false, problem: { kind: 'changed', seq: 30 } });
    // Recomputing every hash makes the chain whole again; the anchor taken earlier shows it.
    await tamper(copy, async (trx) => {
      await trx('strata.audit_events').where({ seq: 30 }).delete();
      await trx('strata.audit_events').where({ seq: 5 }).update({ actor_label: 'someone else' });
      const rows = (await trx.raw(`SELECT id, seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_text, actor_type, actor_id, actor_label, role, action,
        outcome, target_database, request_id, ip, details::text AS details_text FROM strata.audit_events e ORDER BY e.seq`)).rows;
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const hash = rowHash(prev, r);
        await trx('strata.audit_events').where({ id: r.id }).update({ prev_hash: prev, hash });
        prev = hash;
      }
      await trx.raw('UPDATE strata.audit_chain_head SET hash = ?', [prev]);
    });
    expect((await verifyAuditChain(copy)).ok).toBe(true);
    expect(await checkAnchor(copy, anchor)).toBe(false);
    expect(await checkAnchor(db.knex, anchor)).toBe(true);
  });

  it('`npm run audit -- verify` says the same, with exit code 2 for a broken chain', async () => {
    await tamper(copy, (trx) => trx('strata.audit_events').where({ seq: 3 }).update({ outcome: 'failure' }));
    const broken = await run('npm', ['run', '-s', 'audit', '--', 'verify'], { ...process.env, DATABASE_URL: copyUrl });
    expect(broken.code, broken.stderr).toBe(2);
    expect(broken.stdout).toMatch(/^BROKEN at row 3: row 3 \(id \d+\) was changed after it was written/m);
    const whole = await run('npm', ['run', '-s', 'audit', '--', 'verify'], db.env);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/^Intact: \d+ rows, checked in \d+ ms\.$/m);
    const head = /^Head: (\d+:[0-9a-f]{64})$/m.exec(whole.stdout)![1]!;
    const anchored = await run('npm', ['run', '-s', 'audit', '--', 'verify', '--anchor', head], db.env);
    expect(anchored.stdout).toContain(`Anchor ${head.split(':')[0]} matches.`);
  });
});

describe('many rows in one transaction', () => {
  it('are chained in order, and the head moves once, at commit', async () => {
    const before = await verifyAuditChain(db.knex);
    expect(before.ok).toBe(true);
    await db.knex.transaction(async (trx) => {
      await trx.raw(`INSERT INTO strata.audit_events (actor_type, actor_label, action, outcome, target_database, details)
        SELECT 'system', 'bulk', 'test.bulk', 'success', 'x', jsonb_build_object('i', i) FROM generate_series(1, 2000) AS i`);
      await recordAudit({ knex: trx, target: db.target }, { actor: system, action: 'test.after_bulk', outcome: 'success' });
      // Not committed yet: the head still names the last committed row.
      expect(Number((await trx('strata.audit_chain_head').first()).seq)).toBe(before.head.seq);
    });
    expect(Number((await db.knex('strata.audit_chain_head').first()).seq)).toBe(before.head.seq + 2001);
    expect(await verifyAuditChain(db.knex)).toMatchObject({ ok: true, rows: before.rows + 2001 });
  });
});

describe('append-only, still', () => {
  it('UPDATE, DELETE and TRUNCATE are refused with the triggers on', async () => {
    await expect(db.knex('strata.audit_events').update({ outcome: 'failure' })).rejects.toThrow(/append-only/);
    await expect(db.knex('strata.audit_events').delete()).rejects.toThrow(/append-only/);
    await expect(db.knex.raw('TRUNCATE strata.audit_events')).rejects.toThrow(/append-only/);
  });
});

// npm run bench -- --outage: how long a request takes to answer 503 while the database is frozen
// or stopped, and how long the dashboard takes to recover once it is back; and how fast the audit
// chain verifies. Through the real route handlers and the dashboard's own connection settings, on
// a scratch database. Frozen and refused: a TCP proxy between the dashboard and the database
// (test/harness/tcp-proxy.ts). Stopped for real: a PostgreSQL cluster of its own (pg_ctl stop and
// start), when this machine can make one.
import { NextRequest } from 'next/server';
import pg from 'pg';
import knex from 'knex';
import { recordAudit } from '../../lib/auth/audit';
import { verifyAuditChain } from '../../lib/auth/audit-chain';
import { createToken } from '../../lib/auth/tokens';
import { closeDb } from '../../lib/db/knex';
import { ensureStrataSchema } from '../../lib/db/strata-schema';
import { privateClusterUnavailable, startPrivateCluster } from '../../test/harness/private-cluster';
import { startTcpProxy } from '../../test/harness/tcp-proxy';
import { fmt, type Result } from '../bench-result';

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, never>> }) => Promise<Response>;

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => `${fmt(n)} ms`;

async function prepare(url: string): Promise<string> {
  const k = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await ensureStrataSchema(k);
    return (await createToken(k, { name: 'bench', role: 'viewer', createdBy: 'bench', owner: { kind: 'cli' } })).token;
  } finally {
    await k.destroy();
  }
}

export async function outageBenchmarks(adminUrl: string): Promise<Result[]> {
  const results: Result[] = [];
  const name = `strata_bench_outage_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
  try {
    const token = await prepare(url);
    const { GET: health } = (await import('../../app/api/health/route')) as unknown as { GET: Handler };
    const { GET: session } = (await import('../../app/api/auth/session/route')) as unknown as { GET: Handler };
    const ctx = { params: Promise.resolve({}) };
    const time = async (h: Handler, path: string, headers: Record<string, string> = {}) => {
      const t0 = performance.now();
      const res = await h(new NextRequest(`http://strata.bench${path}`, { headers }), ctx);
      await res.text();
      return { status: res.status, ms: performance.now() - t0 };
    };
    const getHealth = () => time(health, '/api/health');
    const getSession = () => time(session, '/api/auth/session', { authorization: `Bearer ${token}` });
    const recover = async () => {
      const t0 = performance.now();
      while ((await getHealth()).status !== 200) await new Promise((r) => setTimeout(r, 50));
      return performance.now() - t0;
    };

    await closeDb();
    process.env.DATABASE_URL = proxy.urlFor(url);
    await getSession();
    const up = { health: [] as number[], session: [] as number[] };
    for (let i = 0; i < 20; i++) {
      up.health.push((await getHealth()).ms);
      up.session.push((await getSession()).ms);
    }

    for (const [what, sicken] of [
      ['frozen (no answer, connections held open)', async () => proxy.freeze()],
      ['refused (port closed, connections cut)', () => proxy.refuse()],
    ] as const) {
      const h: number[] = [];
      const s: number[] = [];
      const r: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await sicken();
        const a = await getHealth();
        const b = await getSession();
        if (a.status !== 503 || b.status !== 503) throw new Error(`expected 503s with the database ${what}, got ${a.status} and ${b.status}`);
        h.push(a.ms);
        s.push(b.ms);
        await proxy.resume();
        r.push(await recover());
      }
      results.push(
        { name: `GET /api/health, database ${what}: time to 503`, value: `${ms(median(h))} (max ${ms(Math.max(...h))})`, baseline: 'same, database answering', baselineValue: ms(median(up.health)), ratio: 'bound: 5,000 ms' },
        { name: `GET /api/auth/session (token), database ${what}: time to 503`, value: `${ms(median(s))} (max ${ms(Math.max(...s))})`, baseline: 'same, database answering', baselineValue: ms(median(up.session)), ratio: 'bound: 5,000 ms' },
        { name: `recovery after the database ${what.split(' ')[0]} is back: first 200`, value: `${ms(median(r))} (max ${ms(Math.max(...r))})`, baseline: 'polling every 50 ms', baselineValue: '—', ratio: '—' },
      );
    }

    const unavailable = privateClusterUnavailable();
    if (unavailable) {
      console.error(`Skipping a real stop of PostgreSQL: ${unavailable}`);
    } else {
      const cluster = await startPrivateCluster();
      try {
        cluster.createDatabase('bench');
        const clusterToken = await prepare(cluster.url('bench'));
        await closeDb();
        process.env.DATABASE_URL = cluster.url('bench');
        const s: number[] = [];
        const r: number[] = [];
        for (let i = 0; i < 3; i++) {
          await time(session, '/api/auth/session', { authorization: `Bearer ${clusterToken}` });
          cluster.stop('fast');
          const b = await time(session, '/api/auth/session', { authorization: `Bearer ${clusterToken}` });
          if (b.status !== 503) throw new Error(`expected 503 with PostgreSQL stopped, got ${b.status}`);
          s.push(b.ms);
          cluster.start();
          r.push(await recover());
        }
        results.push(
          { name: 'GET /api/auth/session (token), PostgreSQL stopped (pg_ctl stop -m fast): time to 503', value: `${ms(median(s))} (max ${ms(Math.max(...s))})`, baseline: 'same, database answering', baselineValue: ms(median(up.session)), ratio: 'bound: 5,000 ms' },
          { name: 'recovery after PostgreSQL is started again (pg_ctl start -w returned): first 200', value: `${ms(median(r))} (max ${ms(Math.max(...r))})`, baseline: 'polling every 50 ms', baselineValue: '—', ratio: '—' },
        );
      } finally {
        await closeDb();
        cluster.destroy();
      }
    }

    // The audit chain: 100,000 rows written through the chaining trigger, then verified.
    const k = knex({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
    try {
      const n = 100_000;
      await recordAudit({ knex: k, target: { kind: 'external', url } }, { actor: { kind: 'system', label: 'bench' }, action: 'bench.first', outcome: 'success' });
      const t0 = performance.now();
      await k.raw(`INSERT INTO strata.audit_events (actor_type, actor_label, action, outcome, target_database, request_id, ip, details)
        SELECT 'system', 'bench', 'bench.event', 'success', 'bench/x', 'r-' || i, '10.0.0.1', jsonb_build_object('i', i) FROM generate_series(1, ?) AS i`, [n - 1]);
      const insertMs = performance.now() - t0;
      const plain = performance.now();
      await k.raw('SELECT * FROM strata.audit_events ORDER BY seq');
      const readMs = performance.now() - plain;
      const report = await verifyAuditChain(k);
      if (!report.ok) throw new Error(`the chain did not verify: ${report.problem?.message}`);
      results.push(
        { name: `audit chain: verify ${fmt(report.rows)} rows`, value: `${ms(report.ms)} (${fmt((report.rows / report.ms) * 1000)} rows/s)`, baseline: 'reading the same rows, no hashing', baselineValue: ms(readMs), ratio: `${(report.ms / readMs).toFixed(2)}x` },
        { name: `audit chain: insert ${fmt(n - 1)} rows in one statement (hashed by the trigger)`, value: `${ms(insertMs)} (${fmt(((n - 1) / insertMs) * 1000)} rows/s)`, baseline: '—', baselineValue: '—', ratio: '—' },
      );
    } finally {
      await k.destroy();
    }
  } finally {
    await closeDb();
    await proxy.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  return results;
}

// npm run bench -- --targets: one dashboard serving several targets, through the real route
// handlers, on scratch databases of the PostgreSQL in DATABASE_URL. What naming a target costs a
// request (its pool, the role held there), what a target that does not answer costs the matrix
// of the others, and how fast the home trail copies another target's audit rows.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import pg from 'pg';
import knex from 'knex';
import { forwardAudit } from '../../lib/auth/audit-forward';
import { createToken } from '../../lib/auth/tokens';
import { readConfig } from '../../lib/config';
import { closeDb } from '../../lib/db/knex';
import { closePeers } from '../../lib/db/peers';
import { ensureStrataSchema } from '../../lib/db/strata-schema';
import { readMatrix } from '../../lib/targets/matrix';
import { closeTargetDbs } from '../../lib/targets/scope';
import { fmt, speed, type Result } from '../bench-result';

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, never>> }) => Promise<Response>;

const RUNS = 200;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (n: number) => (n < 100 ? `${n.toFixed(2)} ms` : `${fmt(n)} ms`);
const AUDIT_ROWS = 20_000;

export async function targetsBenchmarks(adminUrl: string): Promise<Result[]> {
  const results: Result[] = [];
  const names = ['home', 'staging', 'production'].map((n) => `strata_bench_targets_${n}_${process.pid}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const url = (name: string) => {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
  };
  for (const n of names) await admin.query(`CREATE DATABASE ${n}`);
  // A server that accepts connections and never answers: the worst a target can do.
  const blackHole = net.createServer(() => undefined);
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-targets-'));
  const saved = { ...process.env };
  const [homeUrl, stagingUrl, prodUrl] = names.map(url) as [string, string, string];
  try {
    const home = knex({ client: 'pg', connection: homeUrl, pool: { min: 0, max: 2 } });
    const staging = knex({ client: 'pg', connection: stagingUrl, pool: { min: 0, max: 2 } });
    await ensureStrataSchema(home);
    await ensureStrataSchema(staging);
    const token = (await createToken(home, { name: 'bench', role: 'viewer', createdBy: 'bench', owner: { kind: 'cli' } })).token;
    const targets = (withHole: boolean) => ({
      targets: [
        { name: 'development', label: 'Development', color: '#0284c7', urlEnv: 'DATABASE_URL' },
        { name: 'staging', label: 'Staging', color: '#d97706', urlEnv: 'BENCH_STAGING_URL' },
        { name: 'production', label: 'Production', color: '#dc2626', urlEnv: 'BENCH_PROD_URL', protected: true },
        ...(withHole ? [{ name: 'silent', label: 'Silent', color: '#64748b', urlEnv: 'BENCH_SILENT_URL' }] : []),
      ],
    });
    const file = path.join(dir, 'strata.targets.json');
    Object.assign(process.env, {
      DATABASE_URL: homeUrl,
      BENCH_STAGING_URL: stagingUrl,
      BENCH_PROD_URL: prodUrl,
      BENCH_SILENT_URL: `postgresql://postgres@127.0.0.1:${(blackHole.address() as net.AddressInfo).port}/silent`,
      STRATA_AUTH_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      LOG_LEVEL: 'silent',
    });
    const { GET: migrations } = (await import('../../app/api/migrations/route')) as unknown as { GET: Handler };
    const ctx = { params: Promise.resolve({}) };
    const time = async (p: string) => {
      const t0 = performance.now();
      const res = await migrations(new NextRequest(`http://strata.bench${p}`, { headers: { authorization: `Bearer ${token}` } }), ctx);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${p}: HTTP ${res.status}`);
      return performance.now() - t0;
    };
    const sample = async (p: string) => {
      for (let i = 0; i < 20; i++) await time(p); // warm: pools open, modules compiled
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) xs.push(await time(p));
      return median(xs);
    };

    // 1. A request on the home database without a targets file, then on staging by name.
    delete process.env.STRATA_TARGETS_FILE;
    const alone = await sample('/api/migrations');
    process.env.STRATA_TARGETS_FILE = file;
    fs.writeFileSync(file, JSON.stringify(targets(false)));
    const homeNamed = await sample('/api/migrations?target=development');
    const stagingNamed = await sample('/api/migrations?target=staging');
    results.push(
      { name: `GET /api/migrations on the home target, named (median of ${RUNS})`, value: ms(homeNamed), baseline: 'the same without a targets file', baselineValue: ms(alone), ratio: speed(alone, homeNamed) },
      { name: `GET /api/migrations?target=staging, its own pool (median of ${RUNS})`, value: ms(stagingNamed), baseline: 'the home target without a targets file', baselineValue: ms(alone), ratio: speed(alone, stagingNamed) },
    );

    // 2. The matrix, with a target that accepts connections and never answers, against without it.
    const config = { ...readConfig(), migrationsTable: 'knex_migrations' };
    const matrixTime = async () => {
      const t0 = performance.now();
      const m = await readMatrix(config);
      return { ms: performance.now() - t0, m };
    };
    await matrixTime();
    const without: number[] = [];
    for (let i = 0; i < 5; i++) without.push((await matrixTime()).ms);
    fs.writeFileSync(file, JSON.stringify(targets(true)));
    const first = await matrixTime();
    const withHole: number[] = [];
    let silent = '';
    for (let i = 0; i < 5; i++) {
      const { ms: t, m } = await matrixTime();
      withHole.push(t);
      silent = m.targets.find((x) => x.name === 'silent')?.error ?? '';
    }
    results.push(
      {
        name: `the matrix of 3 targets with a 4th that never answers, first read ("${first.m.targets.find((x) => x.name === 'silent')?.error}")`,
        value: ms(first.ms),
        baseline: 'the 3 targets alone (median of 5)',
        baselineValue: ms(median(without)),
        ratio: speed(median(without), first.ms),
      },
      {
        name: `the same, later reads, median of 5 ("${silent}")`,
        value: ms(median(withHole)),
        baseline: 'the 3 targets alone (median of 5)',
        baselineValue: ms(median(without)),
        ratio: speed(median(without), median(withHole)),
      },
    );
    // A request on staging meanwhile is not held up by the silent target.
    const [stagingDuring] = await Promise.all([sample('/api/migrations?target=staging'), readMatrix(config)]);
    results.push({ name: 'GET /api/migrations?target=staging while the matrix waits on the silent target', value: ms(stagingDuring), baseline: 'the same with no silent target', baselineValue: ms(stagingNamed), ratio: speed(stagingNamed, stagingDuring) });

    // 3. Copying staging's audit rows into the home trail, against reading them.
    await staging.raw(
      `INSERT INTO strata.audit_events (actor_type, actor_label, action, outcome, target_database, details)
       SELECT 'system', 'bench', 'bench.row', 'success', 'bench', jsonb_build_object('n', g) FROM generate_series(1, ?) g`,
      [AUDIT_ROWS],
    );
    let t0 = performance.now();
    await staging('strata.audit_events').orderBy('seq').select('*');
    const readMs = performance.now() - t0;
    t0 = performance.now();
    let copied = 0;
    for (;;) {
      const r = await forwardAudit({ knex: home, target: { kind: 'external', url: homeUrl } }, { name: 'staging', label: 'Staging', db: { knex: staging, target: { kind: 'external', url: stagingUrl } } });
      copied += r.copied;
      if (!r.more || !r.copied) break;
    }
    const copyMs = performance.now() - t0;
    results.push({
      name: `copy ${fmt(copied)} audit rows from staging into the home trail (${fmt((copied / copyMs) * 1000)} rows/s)`,
      value: ms(copyMs),
      baseline: 'reading them from staging alone',
      baselineValue: ms(readMs),
      ratio: speed(readMs, copyMs),
    });
    await home.destroy();
    await staging.destroy();
  } finally {
    await closeTargetDbs();
    await closePeers();
    await closeDb();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    blackHole.close();
    for (const n of names) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  return results;
}

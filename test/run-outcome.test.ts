// The sentences a run says about itself, for every shape of outcome: each must be true in every
// case it can appear in (lib/schemas/run-outcome.ts; the panel, history, API and audit use it).
import { describe, expect, it } from 'vitest';
import type { MigrationOutcome, RunSummary } from '../lib/schemas/migrations';
import { describeRun, outcomeLabel } from '../lib/schemas/run-outcome';

function run(kind: 'latest' | 'rollback', status: RunSummary['status'], atomic: boolean, outcomes: [string, MigrationOutcome, boolean?][], extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id: '0b7a1c2d-0000-4000-8000-000000000000',
    kind,
    status,
    actorLabel: 'op@example.com',
    role: 'operator',
    startedAt: '2026-11-29T10:00:00.000Z',
    finishedAt: status === 'running' ? null : '2026-11-29T10:00:05.000Z',
    durationMs: status === 'running' ? null : 5000,
    batch: 3,
    atomic,
    expected: {},
    migrations: outcomes.map(([name, s, tx = true]) => ({ name, transaction: tx, status: s, startedAt: null, finishedAt: null, ms: null, backendPid: null })),
    currentMigration: null,
    error: null,
    undoesRun: null,
    aftermath: null,
    outcomeKnown: status !== 'running',
    target: null,
    promotion: null,
    backup: null,
    approval: null,
    ...extra,
  };
}

describe('what a run says', () => {
  it('a run that applied everything', () => {
    const r = describeRun(run('latest', 'succeeded', true, [['a', 'committed'], ['b', 'committed']]));
    expect(r).toMatchObject({ headline: 'Applied 2 migrations as batch 3.', details: [], tone: 'ok', unchanged: false });
  });

  it('a rollback that reverted everything', () => {
    expect(describeRun(run('rollback', 'succeeded', false, [['b', 'committed'], ['a', 'committed']])).headline).toBe('Rolled back batch 3: 2 migrations reverted.');
  });

  it('an atomic batch that failed: nothing stayed, and it says so', () => {
    const r = describeRun(
      run('latest', 'failed', true, [['a', 'rolled_back'], ['b', 'rolled_back'], ['c', 'not_started']], { error: { message: 'x', migration: 'b', statement: null, cause: 'migration' } }),
    );
    expect(r).toMatchObject({ headline: 'b failed.', unchanged: true, stayed: [] });
    expect(r.details).toEqual(['The batch ran in one transaction, so it was rolled back: the database is as it was before the run.']);
  });

  it('a non-atomic batch that failed half-way: what stayed comes first, and the way back', () => {
    const r = describeRun(
      run('latest', 'failed', false, [['a', 'committed'], ['b', 'committed', false], ['c', 'rolled_back'], ['d', 'not_started']], {
        error: { message: 'x', migration: 'c', statement: null, cause: 'migration' },
      }),
    );
    expect(r.headline).toBe('c failed.');
    expect(r.details[0]).toBe('2 of 4 migrations stayed applied (a, b): the batch was not one transaction, so the database is not as it was before the run.');
    expect(r.details.at(-1)).toBe('To go back, roll back what this run applied (their down() in reverse order); or fix c and run the rest.');
    expect(r.details.join(' ')).not.toMatch(/database is as it was/);
    expect(r).toMatchObject({ unchanged: false, tone: 'bad', stayed: ['a', 'b'] });
  });

  it('a non-atomic batch whose first migration failed in its own transaction: nothing stayed', () => {
    const r = describeRun(run('latest', 'failed', false, [['a', 'rolled_back'], ['b', 'not_started', false]], { error: { message: 'x', migration: 'a', statement: null, cause: 'migration' } }));
    expect(r.details).toEqual([
      'Nothing of this run stayed: a ran in its own transaction, which was rolled back, and no migration before it committed. The database is as it was before the run.',
    ]);
    expect(r.unchanged).toBe(true);
  });

  it('a migration outside a transaction that stopped part-way: Strata says it cannot tell how much stayed', () => {
    const r = describeRun(run('latest', 'failed', false, [['idx', 'partial', false]], { error: { message: 'x', migration: 'idx', statement: null, cause: 'migration' } }));
    expect(r.unchanged).toBe(false);
    expect(r.details).toEqual([expect.stringMatching(/^idx ran outside a transaction and did not finish: what it did before it stopped stayed, and Strata cannot tell how much/)]);
  });

  it('applied but not recorded by knex (up), and reverted but still listed (down)', () => {
    const up = describeRun(run('latest', 'failed', false, [['a', 'unrecorded']], { error: { message: 'x', migration: 'a', statement: null, cause: 'connection_lost' } }));
    expect(up.headline).toBe('The database connection was lost during a.');
    expect(up.details.join(' ')).toContain('a: applied, but knex did not record it, so knex would run it again.');
    const down = describeRun(run('rollback', 'failed', false, [['a', 'unrecorded']], { error: { message: 'x', migration: 'a', statement: null, cause: 'connection_lost' } }));
    expect(down.details.join(' ')).toContain('a: reverted, but knex still lists it as applied, so knex would revert it again.');
    expect(down.details.at(-1)).toBe('To go back, run pending (it re-applies what was reverted); or fix a and roll back the rest.');
  });

  it('an interrupted run says what was found afterwards: sessions left, and the lock flag', () => {
    const r = describeRun(
      run('latest', 'interrupted', false, [['a', 'committed'], ['b', 'partial', false]], {
        durationMs: null,
        error: { message: 'stopped', migration: 'b', statement: null, cause: 'process_stopped' },
        aftermath: { checkedAt: '2026-11-29T10:01:00.000Z', sessions: [{ pid: 42, state: 'active', query: 'CREATE INDEX' }], knexLocked: true },
      }),
    );
    expect(r.headline).toBe('The dashboard process running this stopped during b.');
    expect(r.details).toEqual(
      expect.arrayContaining([
        'When Strata checked (2026-11-29T10:01:00.000Z), 1 database session of this run was still there: pid 42 (active).',
        "knex's lock flag was still set: knex refuses to migrate until an admin releases it on the migrations page.",
      ]),
    );
  });

  it('while the outcome is not known yet, it claims nothing about what stayed', () => {
    const r = describeRun(run('latest', 'failed', false, [['a', 'done'], ['b', 'running']], { outcomeKnown: false, error: { message: 'x', migration: 'b', statement: null, cause: 'connection_lost' } }));
    expect(r).toMatchObject({ headline: 'The database connection was lost during b.', unchanged: null, stayed: [] });
    expect(r.details).toEqual([expect.stringMatching(/^What stayed applied is not known yet/)]);
  });

  it('a running run counts what is done and names the current migration', () => {
    expect(describeRun(run('latest', 'running', false, [['a', 'done'], ['b', 'running']], { currentMigration: 'b' })).headline).toBe('Running: 1 of 2 migrations applied; now running b.');
  });

  it('labels say up and down apart', () => {
    expect(outcomeLabel('committed', 'latest')).toBe('applied');
    expect(outcomeLabel('committed', 'rollback')).toBe('reverted');
    expect(outcomeLabel('rolled_back', 'latest')).toBe('rolled back (nothing of it stayed)');
  });
});

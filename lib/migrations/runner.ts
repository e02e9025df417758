import 'server-only';
// Run pending and Roll back batch, on the server. The run takes the run lock on a session of its
// own, checks that the database is still what the operator confirmed (409 otherwise), records
// itself, then runs knex's migrator: in one transaction when every migration allows it, else as
// knex does, each migration in its own transaction or none. Each migration marks in its own
// transaction that it finished, so that whatever committed is known whatever happens next; when
// the run ends, what became of each migration is read back from the database and recorded with
// the audit row.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import { targetLabel } from '../auth/audit';
import type { StrataConfig } from '../config';
import { isConnectionError, retryWhileUnreachable } from '../db/connection-errors';
import { databaseKeyOf } from '../db/database-key';
import { holdingEmbedded } from '../db/embedded-busy';
import type { DbTarget } from '../db/target';
import { announce, poke, topicKey } from '../live/hub';
import { log } from '../log';
import type { Actor } from '../schemas/auth';
import type { RunApproval, RunError, RunMigration, RunPromotion, RunSummary } from '../schemas/migrations';
import { checkPromotion, promotionRefusal } from '../targets/promotion';
import { requireBackup, type BackupClaim } from '../targets/backup';
import { activeTarget } from '../targets/scope';
import { capture, listMigrations, migratorConfig } from './execute';
import type { FileFacts } from './files';
import { knexLockFlag } from './lock';
import { heldByRun, knexLockSince } from './lock-state';
import { currentWork } from './plan';
import { writeFinishedRun } from './run-record';
import { openRunSession, type RunSession } from './run-session';
import { keptStatements, liveRuns, RUNS, runningRun, THIS_PROCESS, toSummary, type LiveRun, type RunRow } from './runs';
import { describeSession, migratingNow, suspectSessions } from './sessions';
import { recordStep, settleOutcomes } from './settle';

export type RunRequest = ({ kind: 'latest'; expected: string[]; override?: { reason: string } } | { kind: 'rollback'; batch: number; undoesRun?: string; approval?: RunApproval }) & { backup?: BackupClaim };
type Db = { knex: Knex; target: DbTarget; targetName?: string };
type RunActor = Actor | { kind: 'cli'; id?: string; label: string; role?: string };

export class PlanChangedError extends ApiError {
  constructor(what: string) {
    super('conflict', `The database has changed since the plan was made: ${what}. Review the new plan.`);
  }
}

/** Another run holds the run lock. */
export class RunBusyError extends ApiError {
  constructor(running: RunSummary | null) {
    super('conflict', running ? `A migration run is already in progress. ${heldByRun(running)}` : 'A migration run is already in progress.', { running });
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export type StartedRun = {
  id: string;
  /** The run as it stands when it has started (for the 202, so the page shows it at once). */
  run: RunSummary;
  /** Resolves with the finished run, once its outcome is recorded. */
  done: Promise<RunSummary>;
  /** Resolves if the run loses the database, before its outcome can be recorded. */
  databaseLost: Promise<void>;
};

/** The work the operator confirmed, checked against the database inside the run lock. */
async function verify(k: Knex, config: StrataConfig, request: RunRequest) {
  const table = config.migrationsTable;
  if (await knexLockFlag(k, table)) {
    const since = await knexLockSince(k, table, true);
    const sessions = await suspectSessions(k, table, since);
    throw new ApiError(
      'conflict',
      `knex's lock is held outside Strata: its flag in ${table}_lock has been set since at least ${since?.toISOString() ?? 'now'} (when Strata first saw it). ${
        sessions.length
          ? `${sessions.length} session(s) could be the migrator: ${sessions.map(describeSession).join(' ')}`
          : 'No session that Strata can see looks like a migrator: the tool that set it probably stopped; an admin can release it on the migrations page.'
      }`,
      { sessions },
    );
  }
  const busy = migratingNow(await suspectSessions(k, table, null), table);
  if (busy.length) {
    throw new ApiError('conflict', `Another tool is migrating: ${busy.map(describeSession).join(' ')}`, { sessions: busy });
  }
  const work = await currentWork(k, config, request.kind === 'latest' ? 'up' : 'down');
  const names = work.files.map((f) => f.name);
  if (request.kind === 'latest') {
    if (!names.length) throw new PlanChangedError('nothing is pending any more');
    if (!sameList(names, request.expected)) throw new PlanChangedError(`pending now: ${names.join(', ')}`);
    return work;
  }
  if (work.batch === null) throw new ApiError('conflict', 'Nothing is applied, so there is no batch to roll back.');
  if (work.batch !== request.batch) throw new PlanChangedError(`the last batch is now ${work.batch}`);
  if (request.undoesRun) await checkUndo(k, request.undoesRun, work.batch, names);
  return work;
}

/**
 * "Test migrations on staging first" on a protected target: refuses (409, naming the rule and each
 * migration it stopped) unless every pending migration ran on the previous target from the same
 * file, or an admin gave a written reason to override, which the run record and audit keep.
 */
async function promotionFor(config: StrataConfig, actor: RunActor, request: Extract<RunRequest, { kind: 'latest' }>, files: FileFacts[]): Promise<RunPromotion | null> {
  const check = await checkPromotion(config, files);
  if (!check.applies) return null;
  const refused = check.verdicts.filter((v) => v.verdict !== 'allowed');
  if (!refused.length) return { check, override: null };
  if (!request.override) throw new ApiError('conflict', promotionRefusal(check), { promotion: check });
  if (actor.role !== 'admin') {
    throw new ApiError('forbidden', `Only an admin may override the rule that ${check.target.label} runs only what ran on ${check.previous.label} first; your role is ${actor.role ?? 'none'}.`, { promotion: check });
  }
  return { check, override: { reason: request.override.reason, by: actor.label, refused } };
}

/** "Roll back what this run applied" only when the last batch is exactly what that run left applied. */
async function checkUndo(k: Knex, runId: string, batch: number, names: string[]): Promise<void> {
  const row = (await k(RUNS).where({ id: runId }).first()) as RunRow | undefined;
  if (!row || row.kind !== 'latest') throw new ApiError('conflict', `Run ${runId} is not a run of pending migrations.`);
  const run = toSummary(row);
  const stayed = run.migrations.filter((m) => m.status === 'committed').map((m) => m.name);
  if (run.batch !== batch) throw new ApiError('conflict', `The last batch is ${batch}, not batch ${run.batch ?? '?'} of run ${runId}: roll back what came after it first.`);
  if (!sameList([...stayed].sort(), [...names].sort())) {
    throw new ApiError('conflict', `Batch ${batch} (${names.join(', ')}) is not exactly what run ${runId} left applied (${stayed.join(', ') || 'nothing'}).`);
  }
}

/**
 * Starts a run. Resolves once the run holds the lock, has checked the plan and is recorded (the
 * caller answers 202 then). Rejects with 409 when another run holds the lock or the plan changed.
 */
export async function startRun(
  db: Db,
  config: StrataConfig,
  actor: RunActor,
  request: RunRequest,
  meta: { requestId?: string; ip?: string | null },
  options: { retryDelayMs?: number } = {},
): Promise<StartedRun> {
  const id = randomUUID();
  const table = config.migrationsTable;
  const session = await openRunSession(db, config, id);
  if (!session) throw new RunBusyError(await runningRun(db.knex, table).catch(() => null));
  const startedAt = new Date();
  const t0 = performance.now();
  let live: LiveRun;
  let only: Set<string> | undefined;
  try {
    const work = await verify(session.knex, config, request);
    const promotion = request.kind === 'latest' ? await promotionFor(config, actor, request, work.files) : null;
    const backup = await requireBackup(activeTarget(), request.backup, actor.label);
    const atomic = work.files.every((f) => f.transaction !== false);
    if (request.kind === 'latest') {
      const { completed } = await listMigrations(session.knex, config);
      only = new Set([...completed, ...work.files.map((f) => f.name)]);
    }
    const summary: RunSummary = {
      id,
      kind: request.kind,
      status: 'running',
      actorLabel: actor.label,
      role: actor.role ?? null,
      startedAt: startedAt.toISOString(),
      finishedAt: null,
      durationMs: null,
      batch: work.batch,
      atomic,
      expected: request.kind === 'latest' ? { expected: request.expected } : { batch: request.batch },
      migrations: work.files.map((f) => ({
        name: f.name,
        transaction: atomic || f.transaction !== false,
        status: 'pending',
        startedAt: null,
        finishedAt: null,
        ms: null,
        backendPid: null,
      })),
      currentMigration: null,
      error: null,
      undoesRun: request.kind === 'rollback' ? (request.undoesRun ?? null) : null,
      aftermath: null,
      outcomeKnown: false,
      target: activeTarget()?.name ?? null,
      promotion,
      backup,
      approval: request.kind === 'rollback' ? (request.approval ?? null) : null,
    };
    await db.knex(RUNS).insert({
      id,
      kind: request.kind,
      status: 'running',
      migrations_table: table,
      target_database: targetLabel(db.target),
      actor_type: actor.kind,
      actor_label: actor.label,
      role: actor.role ?? null,
      request_id: meta.requestId ?? null,
      expected: JSON.stringify(summary.expected),
      batch: summary.batch,
      atomic,
      migrations: JSON.stringify(summary.migrations),
      host: THIS_PROCESS.host,
      pid: THIS_PROCESS.pid,
      started_at: startedAt,
      session_tag: session.tag,
      undoes_run: summary.undoesRun,
      target_name: summary.target,
      promotion: promotion ? JSON.stringify(promotion) : null,
      backup: backup ? JSON.stringify(backup) : null,
      approval: summary.approval ? JSON.stringify(summary.approval) : null,
    });
    live = { summary, database: databaseKeyOf(db.knex), table, tag: session.tag, statements: new Map() };
    liveRuns.set(id, live);
  } catch (err) {
    await session.close();
    throw err;
  }
  let lost!: () => void;
  const databaseLost = new Promise<void>((r) => (lost = r));
  // On the embedded database the run holds the only connection until its outcome is recorded:
  // requests meanwhile answer from memory or say it is busy (lib/db/embedded-busy.ts).
  const holder = { kind: 'run' as const, what: request.kind === 'rollback' ? `a rollback of batch ${live.summary.batch}` : 'a migration run', id, by: actor.label };
  const done = holdingEmbedded(db.target, holder, async () => {
    try {
      const finished = await execute(db, config, session, live, request, only, { t0, onDatabaseLost: () => lost(), retryDelayMs: options.retryDelayMs });
      await writeFinishedRun(db, finished, actor, meta, { delayMs: options.retryDelayMs, statements: keptStatements(live.statements) });
      return finished;
    } finally {
      // The lock is held until the outcome is recorded, and free once `done` resolves. The run is
      // answered from memory until its session is closed: on the embedded database a poll of it
      // meanwhile is not told "busy" by the run itself.
      try {
        await session.close();
      } finally {
        liveRuns.delete(id);
      }
    }
  }).finally(() => announce(db.knex, db.target, topicKey('run', id)).catch((err: unknown) => log.warn({ err, runId: id }, 'could not announce the end of the run')));
  done.catch((err: unknown) => log.error({ err, runId: id }, 'the run could not be recorded'));
  return { id, run: structuredClone(live.summary), done, databaseLost };
}

type ExecOptions = { t0: number; onDatabaseLost: () => void; retryDelayMs?: number };

async function execute(db: Db, config: StrataConfig, session: RunSession, live: LiveRun, request: RunRequest, only: Set<string> | undefined, o: ExecOptions): Promise<RunSummary> {
  const run = live.summary;
  const direction = request.kind === 'latest' ? 'up' : 'down';
  const entry = (name: string) => run.migrations.find((m) => m.name === name);
  const finishedHere = new Set<string>();

  // Progress for other processes (on the embedded database this process is the only reader): at
  // most one write in flight and one every 200 ms, each carrying the latest state.
  let progressDue = false;
  let progressBusy = false;
  const progress = () => {
    // This process's watchers read the run from memory; other processes learn of it by NOTIFY.
    poke(topicKey('run', run.id));
    if (!session.tag) return;
    progressDue = true;
    if (progressBusy) return;
    progressBusy = true;
    setTimeout(() => {
      progressDue = false;
      db.knex(RUNS)
        .where({ id: run.id, status: 'running' })
        .update({ current_migration: run.currentMigration, migrations: JSON.stringify(run.migrations) })
        .then(() => announce(db.knex, db.target, topicKey('run', run.id)))
        .catch((err: unknown) => log.warn({ err, runId: run.id }, 'could not record the run’s progress'))
        .finally(() => {
          progressBusy = false;
          if (progressDue) progress();
        });
    }, 200);
  };

  const { state, hooks, stop } = capture(
    session.knex,
    session.knex,
    (name) => {
      const e = entry(name);
      if (e) Object.assign(e, { status: 'running', startedAt: new Date().toISOString() } satisfies Partial<RunMigration>);
      run.currentMigration = name;
      progress();
    },
    (name, _d, ms) => {
      const e = entry(name);
      if (e) Object.assign(e, { status: 'done', finishedAt: new Date().toISOString(), ms, backendPid: session.pidOf(state.connections.get(name)) } satisfies Partial<RunMigration>);
      finishedHere.add(name);
      run.currentMigration = null;
      progress();
    },
  );
  live.statements = state.statements;
  // Written with the knex the migration ran on: inside its transaction when it has one.
  hooks.afterMigration = (k, name, dir, ms, checksum) =>
    recordStep(k, { runId: run.id, table: config.migrationsTable, name, direction: dir, ms, checksum, actorLabel: run.actorLabel });

  let failure: RunError | null = null;
  try {
    const cfg = migratorConfig(config, hooks, only);
    const migrate = (k: Knex) => (request.kind === 'latest' ? k.migrate.latest(cfg) : k.migrate.rollback(cfg));
    if (run.atomic) await session.knex.transaction((trx) => migrate(trx));
    else await migrate(session.knex);
  } catch (err) {
    const lostDb = isConnectionError(err);
    const running = run.migrations.find((m) => m.status === 'running');
    if (running) running.backendPid = session.pidOf(state.connections.get(running.name));
    failure = {
      message: err instanceof Error ? err.message : String(err),
      migration: state.current ?? running?.name ?? null,
      statement: state.failedSql,
      cause: lostDb ? 'connection_lost' : 'migration',
    };
    if (lostDb) failure.message = `Database connection lost during ${failure.migration ?? 'the run'}: ${failure.message}`;
  } finally {
    stop();
  }
  const finishedAt = new Date();
  Object.assign(run, {
    status: failure ? 'failed' : 'succeeded',
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.round(performance.now() - o.t0),
    currentMigration: null,
    error: failure,
  } satisfies Partial<RunSummary>);
  if (failure?.cause === 'connection_lost') o.onDatabaseLost();

  const outcomes = await retryWhileUnreachable(
    () => settleOutcomes(db.knex, config.migrationsTable, run.id, direction, run.migrations, finishedHere),
    {
      label: 'run outcome',
      delayMs: o.retryDelayMs,
      onRetry: (err, attempt) => log.warn({ err, runId: run.id, attempt }, 'the database cannot be reached; what became of the run is read when it is back'),
    },
  );
  for (const m of run.migrations) m.status = outcomes.get(m.name) ?? m.status;
  run.outcomeKnown = true;
  return structuredClone(run);
}

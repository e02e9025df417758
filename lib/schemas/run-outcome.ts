// What a run says about itself, in one place for the run panel, the run page, the history, the
// API and the audit trail, so that they cannot disagree. Every sentence is derived from the
// per-migration outcomes (what is committed in the database), never from what was hoped for.
import type { MigrationOutcome, RunMigration, RunSummary } from './migrations';

type Direction = 'up' | 'down';

const OUTCOME: Record<MigrationOutcome, Record<Direction, string>> = {
  pending: { up: 'waiting', down: 'waiting' },
  running: { up: 'running', down: 'running' },
  done: { up: 'done', down: 'done' },
  committed: { up: 'applied', down: 'reverted' },
  unrecorded: { up: 'applied, but knex did not record it', down: 'reverted, but knex still lists it' },
  rolled_back: { up: 'rolled back (nothing of it stayed)', down: 'rolled back (nothing of it stayed)' },
  partial: { up: 'stopped part-way outside a transaction', down: 'stopped part-way outside a transaction' },
  not_started: { up: 'not started', down: 'not started' },
};

export function outcomeLabel(status: MigrationOutcome, kind: RunSummary['kind']): string {
  return OUTCOME[status][kind === 'rollback' ? 'down' : 'up'];
}

export type RunTone = 'ok' | 'bad' | 'warn' | 'info';

export type RunDescription = {
  /** The first sentence: what happened. */
  headline: string;
  /** Further sentences, in the order an operator needs them. */
  details: string[];
  tone: RunTone;
  /** Migrations whose changes stayed in the database (committed, recorded or not). */
  stayed: string[];
  /** Migrations that stopped part-way outside a transaction. */
  partial: string[];
  /** Whether the database is as it was before the run (null while it runs). */
  unchanged: boolean | null;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const list = (names: string[]) => names.join(', ');

function lead(run: RunSummary, where: string | null): string {
  const at = where ? ` during ${where}` : '';
  switch (run.error?.cause) {
    case 'connection_lost':
      return `The database connection was lost${at}.`;
    case 'process_stopped':
      return `The dashboard process running this stopped${where ? at : ' before the run finished'}.`;
    case 'lock_lost':
      return `The dashboard process running this lost its database session${at}.`;
    default:
      return where ? `${where} failed.` : run.status === 'interrupted' ? 'The run was interrupted.' : 'The run failed before any migration started.';
  }
}

function stoppedAt(migrations: RunMigration[], run: RunSummary): string | null {
  return (
    run.error?.migration ??
    migrations.find((m) => m.status === 'partial' || m.status === 'rolled_back' || m.status === 'running')?.name ??
    null
  );
}

export function describeRun(run: RunSummary): RunDescription {
  const m = run.migrations;
  const down = run.kind === 'rollback';
  const stayed = m.filter((x) => x.status === 'committed' || x.status === 'unrecorded').map((x) => x.name);
  const partial = m.filter((x) => x.status === 'partial').map((x) => x.name);
  const unrecorded = m.filter((x) => x.status === 'unrecorded').map((x) => x.name);
  const applied = down ? 'reverted' : 'applied';

  if (run.kind === 'lock_release') return { headline: "Released knex's migration lock.", details: [], tone: 'info', stayed: [], partial: [], unchanged: null };
  if (run.kind === 'terminate_backend') {
    const pid = (run.expected as { pid?: number } | null)?.pid;
    return { headline: `Ended database session ${pid ?? '?'}.`, details: [], tone: 'info', stayed: [], partial: [], unchanged: null };
  }

  if (!run.outcomeKnown && run.status !== 'running') {
    const where = stoppedAt(m, run);
    return {
      headline: lead(run, where),
      details: ['What stayed applied is not known yet: Strata reads it from the database as soon as the database answers again, and records the run then.'],
      tone: 'bad',
      stayed: [],
      partial: [],
      unchanged: null,
    };
  }

  if (run.status === 'running') {
    const done = m.filter((x) => x.status === 'committed' || x.status === 'done').length;
    const now = run.currentMigration ? `; now running ${run.currentMigration}` : '';
    return {
      headline: `Running: ${done} of ${plural(m.length, 'migration')} ${applied}${now}.`,
      details: run.atomic === false ? ['The batch is not one transaction: each migration commits when it finishes.'] : [],
      tone: 'info',
      stayed,
      partial,
      unchanged: null,
    };
  }

  if (run.status === 'succeeded') {
    const undo = run.undoesRun ? ` (what run ${run.undoesRun.slice(0, 8)} applied)` : '';
    const headline = down
      ? `Rolled back batch ${run.batch ?? '?'}${undo}: ${plural(stayed.length, 'migration')} reverted.`
      : stayed.length
        ? `Applied ${plural(stayed.length, 'migration')} as batch ${run.batch ?? '?'}.`
        : 'Nothing was pending.';
    return { headline, details: [], tone: 'ok', stayed, partial, unchanged: stayed.length === 0 };
  }

  // Failed or interrupted: say first what stayed.
  const where = stoppedAt(m, run);
  const details: string[] = [];
  let unchanged: boolean;
  if (stayed.length === 0 && partial.length === 0) {
    unchanged = true;
    details.push(
      run.atomic
        ? 'The batch ran in one transaction, so it was rolled back: the database is as it was before the run.'
        : `Nothing of this run stayed: ${where ? `${where} ran in its own transaction, which was rolled back, and no migration before it committed` : 'no migration committed'}. The database is as it was before the run.`,
    );
  } else {
    unchanged = false;
    if (stayed.length) {
      details.push(
        `${stayed.length} of ${plural(m.length, 'migration')} stayed ${applied} (${list(stayed)}): ${
          run.atomic ? 'they committed before the run stopped' : 'the batch was not one transaction'
        }, so the database is not as it was before the run.`,
      );
    }
    for (const p of partial) {
      details.push(
        `${p} ran outside a transaction and did not finish: what it did before it stopped stayed, and Strata cannot tell how much. Check it by hand (an interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index behind).`,
      );
    }
    if (unrecorded.length) {
      details.push(
        down
          ? `${list(unrecorded)}: reverted, but knex still lists ${unrecorded.length === 1 ? 'it' : 'them'} as applied, so knex would revert ${unrecorded.length === 1 ? 'it' : 'them'} again. Remove ${unrecorded.length === 1 ? 'its row' : 'their rows'} from knex's table once you have checked.`
          : `${list(unrecorded)}: applied, but knex did not record ${unrecorded.length === 1 ? 'it' : 'them'}, so knex would run ${unrecorded.length === 1 ? 'it' : 'them'} again. Check the schema before the next run.`,
      );
    }
    if (stayed.length) {
      details.push(
        down
          ? `To go back, run pending (it re-applies what was reverted); or fix ${where ?? 'the failing migration'} and roll back the rest.`
          : `To go back, roll back what this run applied (their down() in reverse order); or fix ${where ?? 'the failing migration'} and run the rest.`,
      );
    }
  }
  const aftermath = run.aftermath;
  if (aftermath) {
    if (aftermath.sessions.length) {
      details.push(
        `When Strata checked (${aftermath.checkedAt}), ${plural(aftermath.sessions.length, 'database session')} of this run ${aftermath.sessions.length === 1 ? 'was' : 'were'} still there: ${aftermath.sessions
          .map((s) => `pid ${s.pid} (${s.state ?? 'unknown state'})`)
          .join(', ')}.`,
      );
    } else {
      details.push('No database session of this run was left when Strata checked.');
    }
    details.push(
      aftermath.knexLocked
        ? "knex's lock flag was still set: knex refuses to migrate until an admin releases it on the migrations page."
        : "knex's lock flag was clear.",
    );
  }
  return { headline: lead(run, where), details, tone: unchanged ? 'warn' : 'bad', stayed, partial, unchanged };
}

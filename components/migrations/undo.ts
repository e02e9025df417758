// Whether "Roll back what this run applied" can be offered for a run, and why not: the last batch
// must be exactly what the run left committed (the server checks again when it starts).
import type { MigrationsStatus, RunSummary } from '@/lib/schemas/migrations';

export type Undo = { offer: boolean; available: boolean; why: string | null; names: string[] };

export function undoOf(run: RunSummary, status: MigrationsStatus, abilities: { operate: boolean; role: string }): Undo {
  const names = run.migrations.filter((m) => m.status === 'committed').map((m) => m.name);
  const offer = run.kind === 'latest' && (run.status === 'failed' || run.status === 'interrupted') && run.outcomeKnown && names.length > 0;
  if (!offer) return { offer, available: false, why: null, names };
  const inLast = status.migrations.filter((m) => m.batch !== null && m.batch === status.lastBatch).map((m) => m.name);
  const same = inLast.length === names.length && names.every((n) => inLast.includes(n));
  const why = !abilities.operate
    ? `Your role is ${abilities.role}: only operators and admins can roll back.`
    : status.lock.running || status.lock.knexLocked
      ? 'The lock is held; wait until it is free.'
      : status.lastBatch !== run.batch
        ? `Batch ${run.batch} is not the last batch any more (batch ${status.lastBatch ?? 'none'} is): roll back what came after it first.`
        : !same
          ? `Batch ${run.batch} no longer holds exactly what this run applied.`
          : null;
  return { offer, available: why === null, why, names };
}

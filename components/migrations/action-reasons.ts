// Why Run pending and Roll back batch are disabled, in words, so that a disabled button always says
// why (the role, a run in progress in any tab, the lock, a busy embedded database, nothing to do).
import type { MigrationsStatus } from '@/lib/schemas/migrations';

export type ActionReasons = { up: string | null; down: string | null };

export function actionReasons(s: MigrationsStatus, abilities: { operate: boolean; role: string }): ActionReasons {
  const common = !abilities.operate
    ? `Your role is ${abilities.role}: it may view migrations but not run or roll them back; ask an operator.`
    : s.blocked
      ? 'Restore the missing migration files first (see above).'
      : s.lock.running
        ? `A ${s.lock.running.kind === 'rollback' ? 'rollback' : 'run'} is in progress (by ${s.lock.running.actorLabel}); wait for it to finish.`
        : s.busy
          ? s.busy.message
          : s.lock.knexLocked
            ? "knex's migration lock is held (see Lock below)."
            : null;
  if (common) return { up: common, down: common };
  const pending = s.migrations.filter((m) => m.status === 'pending').length;
  return { up: pending === 0 ? 'Nothing is pending.' : null, down: s.lastBatch === null ? 'Nothing is applied.' : null };
}

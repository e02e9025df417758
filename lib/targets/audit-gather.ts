import 'server-only';
// Before the home database's trail is read, the trails of the other targets this dashboard serves
// are copied into it (lib/auth/audit-forward.ts), each on its own and within a time limit.
import { forwardAudit, type Forwarded } from '../auth/audit-forward';
import { databaseFailure } from '../db/failure';
import type { Db } from '../db/knex';
import { servedHere, validTargetsSetup, type Target } from './registry';
import { targetDb } from './scope';

/**
 * Whether a request reads the home database's trail, the one that gathers the others: when it
 * names no target (whichever target it would act on), or names the home one.
 */
export function readsHomeTrail(named: string | null, target: Target | null): boolean {
  return named === null || !target || target.current;
}

export async function gatherAudit(home: Db): Promise<Forwarded[]> {
  const setup = validTargetsSetup();
  if (!setup?.file) return [];
  const targets = setup.targets.filter((t) => servedHere(t) && !t.current);
  return Promise.all(
    targets.map(async (t): Promise<Forwarded> => {
      try {
        return await forwardAudit(home, { name: t.name, label: t.label, db: await targetDb(t) });
      } catch (err) {
        const failure = databaseFailure(err);
        return { target: t.name, label: t.label, copied: 0, more: false, problem: `${t.label} could not be read: ${failure ? failure.reason : (err as Error).message}` };
      }
    }),
  );
}

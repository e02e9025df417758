import 'server-only';
// Each migration of a plan with how it was previewed, and why not otherwise: on the live database
// (rolled back), on the shadow, or not at all. Every reason names what happened; none claims more
// than the previews showed.
import type { PlanMigration } from '../schemas/migrations';
import type { ShadowProblem } from '../schemas/shadow';
import { shadowFix } from '../shadow/explain';
import type { LiveDryRun } from './dry-run';
import { readSource, type FileFacts } from './files';
import type { ReviewMigration } from './lint';
import type { Walk } from './shadow-walk';

type Inputs = {
  files: FileFacts[];
  live: LiveDryRun | null;
  walk: Walk | null;
  problem: ShadowProblem | null;
  /** A file that could not be loaded: knex runs none of the batch. */
  broken: string | null;
};

/** Why the live dry run did not run migration `i` to its end. */
function notLive(i: number, files: FileFacts[], live: LiveDryRun): string {
  const firstBare = files.findIndex((f) => f.transaction === false);
  if (firstBare !== -1 && i >= firstBare) {
    return i === firstBare
      ? 'It runs outside a transaction (config.transaction = false), so it cannot run inside the rolled-back transaction of the live dry run.'
      : `The live dry run stops before ${files[firstBare]!.name}, which runs outside a transaction.`;
  }
  const failed = live.error?.migration;
  if (failed === files[i]!.name) return `It failed in the live dry run: ${live.error!.message}`;
  return failed ? `The live dry run stopped when ${failed} failed.` : 'The live dry run did not reach it.';
}

/** Why the shadow did not run it (or null when it did). */
function notShadow(name: string, walk: Walk | null, problem: ShadowProblem | null): string | null {
  if (!walk) return problem ? `No shadow could be used: ${problem.message}${problem.fix ? ` ${problem.fix}` : ''}` : 'No shadow was used.';
  const step = walk.steps.get(name);
  if (step && !step.error) return null;
  if (step?.error) {
    const fix = shadowFix(step.error.message, walk.shadow?.kind ?? null);
    return `It failed on the shadow (${walk.shadow?.label ?? 'the shadow'}): ${step.error.message}${fix ? ` ${fix}` : ' It may fail on the live database too.'}`;
  }
  return walk.error?.migration ? `The shadow stopped when ${walk.error.migration} failed there.` : 'The shadow did not reach it.';
}

export async function planMigrations({ files, live, walk, problem, broken }: Inputs): Promise<PlanMigration[]> {
  return Promise.all(
    files.map(async (f, i): Promise<PlanMigration> => {
      const base = { name: f.name, transaction: f.transaction !== false, loadError: f.loadError };
      const source = () => readSource({ file: f.name, path: f.path });
      if (broken) {
        const reason =
          f.name === broken
            ? `It could not be loaded: ${f.loadError}`
            : `Not run: knex loads every file of the batch before it runs any, and ${broken} could not be loaded, so knex would run none of them.`;
        return { ...base, previewable: false, previewedOn: null, statements: [], source: await source(), reason, effects: null, shadowError: null };
      }
      const onLive = live!.completed.has(f.name);
      const step = walk?.steps.get(f.name);
      const onShadow = !!step && !step.error;
      const shadowError = step?.error?.message ?? null;
      const effects = onShadow ? step.effects : null;
      if (onLive) {
        const statements = live!.statements.get(f.name)!.map((s) => s.sql);
        return { ...base, previewable: true, previewedOn: 'live', statements, source: null, reason: null, effects, shadowError };
      }
      const whyNotLive = notLive(i, files, live!);
      if (onShadow) return { ...base, previewable: true, previewedOn: 'shadow', statements: step.statements, source: null, reason: whyNotLive, effects, shadowError: null };
      const whyNotShadow = notShadow(f.name, walk, problem);
      return {
        ...base,
        previewable: false,
        previewedOn: null,
        statements: step?.statements.length ? step.statements : (live!.statements.get(f.name)?.map((s) => s.sql) ?? []),
        source: await source(),
        reason: `${whyNotLive} ${whyNotShadow}`,
        effects: null,
        shadowError,
      };
    }),
  );
}

/** The review's view of the plan: live statements (with rows) where the live dry run ran them, the shadow's otherwise. */
export function reviewInputs(migrations: PlanMigration[], live: LiveDryRun | null): ReviewMigration[] {
  return migrations.map((m) => {
    const ranLive = m.previewedOn === 'live' ? live?.statements.get(m.name) : undefined;
    const statements = ranLive?.length ? ranLive.map((s) => ({ sql: s.sql, results: s.results })) : m.statements.map((sql) => ({ sql, results: null }));
    let unseen: string | null = null;
    if (!m.effects) {
      unseen =
        m.previewedOn === 'live'
          ? 'It ran only on the live database (not on the shadow), so what it destroys comes from its SQL, which does not show what a CASCADE takes with it.'
          : `It was not previewed: ${m.reason ?? 'unknown'}`;
    }
    return { name: m.name, statements, effects: m.effects, unseen };
  });
}

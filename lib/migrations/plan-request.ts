import 'server-only';
// A plan asked for through the API. On the embedded database the live dry run holds the only
// connection, so it marks the database busy meanwhile: other requests say so instead of waiting.
import type { StrataConfig } from '../config';
import { holdingEmbedded } from '../db/embedded-busy';
import type { Db } from '../db/knex';
import type { Plan } from '../schemas/migrations';
import { backupRequirement } from '../targets/backup';
import { checkPromotion } from '../targets/promotion';
import { targetInfo, targetsSetup } from '../targets/registry';
import { activeTarget } from '../targets/scope';
import { fileFacts } from './files';
import { filesFor, makePlan, type PlanOptions } from './plan';

export async function planForRequest(
  db: Db,
  config: StrataConfig,
  direction: 'up' | 'down',
  request: PlanOptions & { by: string; requestId: string },
): Promise<Plan> {
  const { by, requestId, ...options } = request;
  const holder = { kind: 'run' as const, what: `a dry run of the ${direction === 'up' ? 'pending migrations' : 'rollback'}`, id: `plan:${requestId}`, by };
  const plan = await holdingEmbedded(db.target, holder, () => makePlan(db.knex, config, direction, options));
  const setup = targetsSetup();
  const here = activeTarget();
  const target = setup.file && here ? targetInfo(here) : null;
  const backup = plan.migrations.length ? await backupRequirement(here) : null;
  const approval = direction === 'down' && here?.rollbackApproval ? { expiresMinutes: here.rollbackApproval.expiresMinutes } : null;
  if (direction !== 'up' || !plan.migrations.length) return { ...plan, promotion: null, target, backup, approval };
  const files = await Promise.all((await filesFor(config, plan.migrations.map((m) => m.name))).map(fileFacts));
  return { ...plan, promotion: await checkPromotion(config, files), target, backup, approval: null };
}

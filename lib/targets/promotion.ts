import 'server-only';
// "Test migrations on staging first", enforced: on a protected target, a pending migration may run
// only when the previous target in the order has applied it from the same file contents (the
// checksum Strata recorded there). Migrations applied there outside Strata have no recorded
// checksum, so the rule cannot tell; it says so and refuses, as it does when that target cannot
// be read. An admin may override with a written reason (kept in the run record and the audit).
import type { StrataConfig } from '../config';
import type { FileFacts } from '../migrations/files';
import type { PromotionCheck, PromotionVerdict } from '../schemas/targets';
import { previousTarget, targetsSetup } from './registry';
import { readTarget } from './state';
import { activeTarget } from './scope';

export async function checkPromotion(config: StrataConfig, pending: Pick<FileFacts, 'name' | 'checksum'>[]): Promise<PromotionCheck> {
  const setup = targetsSetup();
  if (!setup.file) return { applies: false, why: 'There is no targets file: this dashboard knows one database, and no promotion order.' };
  const here = activeTarget();
  if (!here) return { applies: false, why: `This dashboard's database is not one of the targets of ${setup.file}: no promotion rule applies to it.` };
  if (!here.protected) return { applies: false, why: `${here.label} is not protected: migrations may run here before anywhere else.` };
  const prev = previousTarget(setup, here);
  if (!prev) return { applies: false, why: `${here.label} comes first in the promotion order: there is no earlier target to test on.` };

  const read = await readTarget(prev, config);
  const verdicts: PromotionVerdict[] = pending.map(({ name, checksum }) => {
    if (!read.ok) return { name, verdict: 'previous_unreachable', message: `${prev.label} could not be read (${read.error}), so Strata cannot tell whether ${name} was tested there.` };
    const there = read.applied.find((a) => a.name === name);
    if (!there) return { name, verdict: 'not_on_previous', message: `${name} has not been applied on ${prev.label}: apply it there first.` };
    if (!there.checksum) {
      return { name, verdict: 'unverified', message: `${name} was applied on ${prev.label} outside Strata, so the file it ran from is not known: Strata cannot tell that it is this one.` };
    }
    if (there.checksum !== checksum) {
      return { name, verdict: 'checksum_differs', message: `${name} was applied on ${prev.label} from different file contents (${there.checksum.slice(0, 12)}… there, ${checksum.slice(0, 12)}… now): apply this version there first.` };
    }
    return { name, verdict: 'allowed', message: `${name} was applied on ${prev.label} from this same file (batch ${there.batch}, ${there.appliedAt}${there.by ? `, by ${there.by}` : ''}).` };
  });
  return {
    applies: true,
    target: { name: here.name, label: here.label },
    previous: { name: prev.name, label: prev.label },
    verdicts,
    allowed: verdicts.every((v) => v.verdict === 'allowed'),
  };
}

/** The sentence of a refusal: the rule and each migration it stopped. */
export function promotionRefusal(check: Extract<PromotionCheck, { applies: true }>): string {
  const refused = check.verdicts.filter((v) => v.verdict !== 'allowed');
  return `${check.target.label} is protected: a migration runs here only after it ran on ${check.previous.label} from the same file. ${refused.map((v) => v.message).join(' ')} An admin may override with a written reason.`;
}

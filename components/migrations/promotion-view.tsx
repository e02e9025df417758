// "Test migrations on staging first" in the plan: the rule's verdict on each pending migration,
// and why the rule does not apply when it does not.
import type { PromotionCheck } from '@/lib/schemas/targets';

const MARK: Record<string, string> = {
  allowed: 'Tested',
  not_on_previous: 'Not applied there',
  checksum_differs: 'Different file there',
  unverified: 'Applied there outside Strata',
  previous_unreachable: 'Cannot be checked',
};

export function PromotionView({ check }: { check: PromotionCheck }) {
  if (!check.applies) return null;
  return (
    <section
      aria-labelledby="promotion-title"
      data-testid="promotion"
      className={`mb-4 rounded border p-3 text-sm ${
        check.allowed ? 'border-emerald-300 bg-emerald-50 dark:border-emerald-800 dark:bg-emerald-950' : 'border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950'
      }`}
    >
      <h3 id="promotion-title" className="font-semibold">
        {check.previous.label} first: {check.allowed ? `every migration ran on ${check.previous.label} from the same file` : `${check.target.label} refuses this run`}
      </h3>
      <p className="mt-1">
        {check.target.label} is protected: a migration runs here only after it ran on {check.previous.label} from the same file contents.
      </p>
      <ul className="mt-2 flex flex-col gap-1">
        {check.verdicts.map((v) => (
          <li key={v.name} data-testid="promotion-verdict" data-verdict={v.verdict}>
            <strong>{MARK[v.verdict]}:</strong> {v.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

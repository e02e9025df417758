// A URL parameter the API would refuse (say ?qmin=abc): said once, beside the form field it
// belongs to, with the value that was given; the page then shows no list, count, export or chart.
import Link from '@/components/ui/target-link';
import { Notice } from '@/components/ui/card';
import { INPUT, INPUT_INVALID } from '@/components/ui/controls';
import type { QueryProblem } from '@/lib/schemas/evaluations';

const PROBLEM_ID = 'query-problem';

/** The props of the form field `name`: marked invalid and described by the notice when it is the one refused. */
export function fieldProps(problem: QueryProblem | null, name: string) {
  const bad = problem?.field === name;
  return { className: bad ? INPUT_INVALID : INPUT, 'aria-invalid': bad || undefined, 'aria-describedby': bad ? PROBLEM_ID : undefined };
}

export function ProblemNotice({ problem, labels, clearHref }: { problem: QueryProblem; labels: Record<string, string>; clearHref: string }) {
  const label = labels[problem.field];
  const what = label ? `${label} (${problem.field})` : problem.field || 'The address';
  return (
    <Notice tone="error" id={PROBLEM_ID}>
      <p className="font-semibold" data-testid="query-problem">
        {what}
        {problem.value !== null && ` “${problem.value}”`}: {problem.message}.
      </p>
      <p className="mt-1">
        Correct it in the form and apply it again, or{' '}
        <Link href={clearHref} className="underline">
          start again without filters
        </Link>
        .
      </p>
    </Notice>
  );
}

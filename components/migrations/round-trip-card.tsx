'use client';
// The guide's "test both migration and rollback", on demand: the pending migrations taken through
// up → down → up on a shadow database (the same check as npm run migrate:verify).
import { useMutation } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { Card } from '@/components/ui/card';
import { Button, ErrorText } from '@/components/ui/controls';
import type { RoundTripReport } from '@/lib/schemas/shadow';
import { RoundTripView } from './round-trip-view';

export function RoundTripCard({ pending, canRun, role }: { pending: number; canRun: boolean; role: string }) {
  const verify = useMutation({
    mutationFn: () => apiFetch<{ report: RoundTripReport }>('/api/migrations/verify', { method: 'POST', body: { scope: 'pending' } }).then((r) => r.report),
  });
  return (
    <Card title="Round trip">
      <div className="flex flex-col gap-3 text-sm" data-testid="round-trip-card">
        <p>
          Takes each pending migration through up → down → up on a shadow database and compares the schema after each step: down() must give back what was there before up(), and up() must run
          again. The live database is only read.
        </p>
        <div>
          <Button onClick={() => verify.mutate()} disabled={!canRun || pending === 0 || verify.isPending}>
            {verify.isPending ? 'Checking…' : `Check the ${pending} pending migration${pending === 1 ? '' : 's'}`}
          </Button>
          {!canRun && <p className="mt-1">Your role ({role}) may not run this check; an operator can, or run npm run migrate:verify.</p>}
          {canRun && pending === 0 && <p className="mt-1">Nothing is pending. npm run migrate:verify -- --all checks every file from an empty shadow.</p>}
        </div>
        {verify.isPending && <p role="status">Running the migrations on a shadow database…</p>}
        {verify.isError && <ErrorText>Could not check: {verify.error.message}</ErrorText>}
        {verify.data && <RoundTripView report={verify.data} />}
      </div>
    </Card>
  );
}

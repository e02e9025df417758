'use client';
// The overview's view of every target of the file: each one's card (applied, pending, how far
// behind the previous one in the order, or since when it cannot be read), from the matrix.
import { useQuery } from '@tanstack/react-query';
import { apiFetch } from '@/components/api-client';
import { TargetCard } from '@/components/environments/environments-client';
import { Card } from '@/components/ui/card';
import { ErrorText } from '@/components/ui/controls';
import Link from '@/components/ui/target-link';
import type { Matrix } from '@/lib/schemas/targets';

export function TargetsSummary() {
  const matrix = useQuery({ queryKey: ['targets', 'matrix'], queryFn: () => apiFetch<Matrix>('/api/targets/matrix'), refetchInterval: 30_000 });
  return (
    <Card title="Targets">
      {matrix.isPending ? (
        <p role="status" className="text-sm">Reading every target…</p>
      ) : matrix.isError ? (
        <ErrorText>Could not read the targets: {matrix.error.message}</ErrorText>
      ) : (
        <>
          <ul className="grid gap-3 sm:grid-cols-2" data-testid="overview-targets">
            {matrix.data.targets.map((t, i) => (
              <TargetCard key={t.name} t={t} previous={i > 0 ? matrix.data.targets[i - 1]! : null} />
            ))}
          </ul>
          <p className="mt-3 text-sm">
            <Link href="/environments" className="underline">
              Every migration on every target
            </Link>
          </p>
        </>
      )}
    </Card>
  );
}

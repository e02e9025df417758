import type { Metadata } from 'next';
import { ComingArea } from '@/components/ui/coming';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Evaluations' };

export default async function EvaluationsPage() {
  await requirePageActor('/evaluations');
  return <ComingArea title="Evaluations" what="content_evaluations score distributions and browsing" />;
}

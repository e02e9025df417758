import type { Metadata } from 'next';
import { ComingArea } from '@/components/ui/coming';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Vector health' };

export default async function VectorHealthPage() {
  await requirePageActor('/vector-health');
  return <ComingArea title="Vector health" what="pgvector index health, vector dimensions and recall" />;
}

import type { Metadata } from 'next';
import { ComingArea } from '@/components/ui/coming';

export const metadata: Metadata = { title: 'Vector health' };

export default function VectorHealthPage() {
  return <ComingArea title="Vector health" what="pgvector index health, vector dimensions and recall" />;
}

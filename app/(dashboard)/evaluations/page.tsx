import type { Metadata } from 'next';
import { ComingArea } from '@/components/ui/coming';

export const metadata: Metadata = { title: 'Evaluations' };

export default function EvaluationsPage() {
  return <ComingArea title="Evaluations" what="content_evaluations score distributions and browsing" />;
}

import type { Metadata } from 'next';
import { NotFoundView } from '@/components/shell/not-found-view';

export const metadata: Metadata = { title: 'Not found' };

// notFound() in a dashboard page: the answer is a 404 inside the dashboard's frame.
export default function DashboardNotFound() {
  return <NotFoundView signedIn />;
}

// GET|POST|PUT|PATCH|DELETE|OPTIONS /api/*: any path under /api that no route has is a JSON 404 in the one error shape (with a request id, and an audit row for a refused change), not Next.js's HTML page.
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';

export const dynamic = 'force-dynamic';

const notFound = apiRoute<{ path: string[] }>(async () => {
  throw new ApiError('not_found', 'No such endpoint');
});

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;

// GET /api/auth/session: who the caller is (a user or a token) and their own role (roles per target: /api/users).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { actor } = await authorize(req, ctx, mayView, { home: true });
  return NextResponse.json({ actor }, { headers: { 'cache-control': 'no-store' } });
});

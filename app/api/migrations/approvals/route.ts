// GET /api/migrations/approvals: the latest rollback requests (waiting, approved, refused, expired), newest first.
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { approvalRule, listApprovals } from '@/lib/migrations/approvals';

export const dynamic = 'force-dynamic';

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView);
  const rule = approvalRule();
  return NextResponse.json(
    { required: rule ? { target: rule.target.label, expiresMinutes: rule.expiresMinutes } : null, approvals: await listApprovals(db, readConfig()) },
    { headers: { 'cache-control': 'no-store' } },
  );
});

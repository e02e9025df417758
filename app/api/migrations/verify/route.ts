// POST /api/migrations/verify: migrations taken through up → down → up on a shadow database ({"scope": "pending" | "all" | "range", from?, to?}).
import { NextResponse } from 'next/server';
import { apiRoute } from '@/lib/api/handler';
import { parseBody } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayDryRun } from '@/lib/auth/permissions';
import { readConfig } from '@/lib/config';
import { verifyMigrations } from '@/lib/migrations/round-trip';
import { verifyBodySchema } from '@/lib/schemas/shadow';

export const dynamic = 'force-dynamic';

export const POST = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayDryRun);
  const body = await parseBody(req, verifyBodySchema);
  return NextResponse.json({ report: await verifyMigrations(db.knex, readConfig(), body, { signal: req.signal }) });
});

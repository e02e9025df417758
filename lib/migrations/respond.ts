import 'server-only';
// The answer to Run pending and Rollback batch, shared by both routes: 202 with the run, or with
// ?wait=1 the finished run (200) or its failure (422), or 503 when the run lost the database
// before its outcome could be recorded; 409 with the current plan when the database moved on, or
// with the run that holds the lock.
import { NextResponse } from 'next/server';
import { ApiError } from '../api/errors';
import { readConfig } from '../config';
import type { Db } from '../db/knex';
import type { Actor } from '../schemas/auth';
import { makePlan } from './plan';
import { startRun, PlanChangedError, type RunRequest } from './runner';
import { getRun } from './runs';

export async function runResponse(db: Db, actor: Actor, request: RunRequest, meta: { requestId: string; ip: string; wait: boolean }): Promise<Response> {
  const config = readConfig();
  let started;
  try {
    started = await startRun(db, config, actor, request, meta);
  } catch (err) {
    if (err instanceof PlanChangedError) {
      const plan = await makePlan(db.knex, config, request.kind === 'latest' ? 'up' : 'down').catch(() => null);
      throw new ApiError('conflict', err.message, { plan });
    }
    throw err;
  }
  const location = `/api/migrations/runs/${started.id}`;
  if (!meta.wait) {
    return NextResponse.json({ run: started.run }, { status: 202, headers: { location } });
  }
  const run = await Promise.race([started.done, started.databaseLost.then(() => null)]);
  if (!run) {
    const now = await getRun(db.knex, started.id).catch(() => null);
    throw new ApiError(
      'database_unavailable',
      `${now?.error?.message ?? 'The database connection was lost during the run.'} What stayed applied is recorded when the database answers again: ${location}`,
      { runId: started.id },
    );
  }
  if (run.status !== 'succeeded') {
    throw new ApiError('migration_failed', run.error?.message ?? 'The run failed', { run });
  }
  return NextResponse.json({ run }, { headers: { location } });
}

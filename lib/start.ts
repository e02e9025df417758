import 'server-only';
// What the dashboard does once when its server starts, before it answers any request (called from
// instrumentation.ts, Node.js runtime only): refuse to start on settings that would leave it
// unsafe, saying which and how to fix them; put the front door on the HTTP server
// (lib/http/front-door.ts); then open the database (the embedded one, when there is no
// DATABASE_URL), so that its folder is owned from start-up and a problem shows in the first log
// lines, make sure Strata's own schema and a first admin exist, mark the runs of a stopped process
// interrupted, and get the shadow ready.
import { bootstrapAdmin } from './auth/bootstrap';
import { startupProblem } from './auth/config';
import { readConfig } from './config';
import { getDb } from './db/knex';
import { installFrontDoor } from './http/front-door';
import { log } from './log';
import { reconcileRuns } from './migrations/reconcile';
import { warmEngine } from './shadow/embedded-engine';
import { cleanupShadowLeftovers } from './shadow/shadow';

export async function startServer(): Promise<void> {
  const problem = startupProblem();
  if (problem) {
    process.stderr.write(`\nStrata cannot start:\n${problem}\n\n`);
    process.exit(1);
  }
  installFrontDoor();
  try {
    const db = await getDb();
    await bootstrapAdmin(db);
    // A run that was going when the previous server process died is marked interrupted.
    const interrupted = await reconcileRuns(db, readConfig());
    if (interrupted) log.warn({ interrupted }, 'marked migration runs of a stopped process as interrupted');
    // Shadow databases that a stopped process left on the shadow server; or, with the embedded
    // engine, its cold start paid now rather than by the first plan (in the background).
    await cleanupShadowLeftovers(readConfig()).catch((err: unknown) => log.warn({ err }, 'could not look for leftover shadow databases'));
    if (!readConfig().shadow.databaseUrl) void warmEngine().catch((err: unknown) => log.warn({ err }, 'could not prepare the embedded shadow engine'));
  } catch (err) {
    log.error({ err }, 'could not prepare the database at start-up');
  }
}

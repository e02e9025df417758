// Runs once when the server starts, before it answers any request: refuse to start on settings
// that would leave it unsafe (saying which and how to fix them), put the front door on the HTTP
// server (lib/http/front-door.ts), then open the database (the embedded one, when there is no
// DATABASE_URL), so that its folder is owned from start-up and a problem shows in the first log
// lines; then make sure Strata's own schema and a first admin exist.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startupProblem } = await import('./lib/auth/config');
  const problem = startupProblem();
  if (problem) {
    process.stderr.write(`\nStrata cannot start:\n${problem}\n\n`);
    process.exit(1);
  }
  const { installFrontDoor } = await import('./lib/http/front-door');
  installFrontDoor();
  const { getDb } = await import('./lib/db/knex');
  const { bootstrapAdmin } = await import('./lib/auth/bootstrap');
  const { reconcileRuns } = await import('./lib/migrations/reconcile');
  const { readConfig } = await import('./lib/config');
  const { log } = await import('./lib/log');
  try {
    const db = await getDb();
    await bootstrapAdmin(db);
    // A run that was going when the previous server process died is marked interrupted.
    const interrupted = await reconcileRuns(db, readConfig());
    if (interrupted) log.warn({ interrupted }, 'marked migration runs of a stopped process as interrupted');
  } catch (err) {
    log.error({ err }, 'could not prepare the database at start-up');
  }
}

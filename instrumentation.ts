// Runs once when the server starts: open the database now (the embedded one, when there is no
// DATABASE_URL), so that its folder is owned from start-up and a problem shows in the first log
// lines; then make sure Strata's own schema and a first admin exist.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
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
    // Shadow databases that a stopped process left on the shadow server; or, with the embedded
    // engine, its cold start paid now rather than by the first plan (in the background).
    const { cleanupShadowLeftovers } = await import('./lib/shadow/shadow');
    await cleanupShadowLeftovers(readConfig()).catch((err: unknown) => log.warn({ err }, 'could not look for leftover shadow databases'));
    if (!readConfig().shadow.databaseUrl) {
      const { warmEngine } = await import('./lib/shadow/embedded-engine');
      void warmEngine().catch((err: unknown) => log.warn({ err }, 'could not prepare the embedded shadow engine'));
    }
  } catch (err) {
    log.error({ err }, 'could not prepare the database at start-up');
  }
}

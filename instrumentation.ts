// Runs once when the server starts, before it answers any request: lib/start.ts says what it does
// (checks the settings, installs the front door, opens the database). The Node.js runtime only.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('./lib/start');
  await startServer();
}

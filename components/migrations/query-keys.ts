// React Query keys for migrations; a run's end invalidates the status and the history.
export const migrationKeys = {
  status: ['migrations', 'status'] as const,
  runs: ['migrations', 'runs'] as const,
  approvals: ['migrations', 'approvals'] as const,
  run: (id: string) => ['migrations', 'run', id] as const,
  // Under status, so that whatever refreshes the status (a run's end) checks drift again too.
  drift: ['migrations', 'status', 'drift'] as const,
};

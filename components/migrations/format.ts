// Small display helpers for the migrations pages.
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const STATUS_LABEL = {
  applied: 'Applied',
  pending: 'Pending',
  missing_file: 'Missing file',
  changed: 'Changed since applied',
} as const;

export const STATUS_STYLE = {
  applied: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  pending: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200',
  missing_file: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
  changed: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
} as const;

export const RUN_STYLE = {
  running: 'text-sky-800 dark:text-sky-300',
  succeeded: 'text-emerald-800 dark:text-emerald-300',
  failed: 'text-red-800 dark:text-red-300',
  interrupted: 'text-amber-800 dark:text-amber-300',
} as const;

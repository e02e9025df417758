// The values of lib/schemas/evaluations.ts that pages use in the browser, without zod: a client
// component that imports the schema module carries zod whole (about 31 kB gzip), since its
// schemas are built when the module loads. evaluations.ts re-exports everything here.
export const SORT_KEYS = ['created_at', 'quality', 'relevance'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const SORT_DIRS = ['asc', 'desc'] as const;
export type SortDir = (typeof SORT_DIRS)[number];
export const CONTENT_TYPES = ['topic', 'post'] as const;

export const SORT_LABEL: Record<SortKey, string> = { created_at: 'Created', quality: 'Quality', relevance: 'Relevance' };

export const PERCENTILES = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

export const DISTRIBUTION_MODES = ['estimate', 'exact'] as const;
export type DistributionMode = (typeof DISTRIBUTION_MODES)[number];

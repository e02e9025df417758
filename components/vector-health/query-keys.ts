// React Query keys for the vector health page; a finished rebuild invalidates the report by these.
export const vectorKeys = {
  report: ['vector-health'] as const,
  builds: ['vector-health', 'builds'] as const,
  jobs: ['vector-health', 'jobs'] as const,
  job: (id: string) => ['vector-health', 'job', id] as const,
};

// React Query keys for the evaluation pages: one factory, so that every query of a kind can be found by its prefix.
export const evaluationKeys = {
  all: ['evaluations'] as const,
  forums: () => [...evaluationKeys.all, 'forums'] as const,
  page: (query: string) => [...evaluationKeys.all, 'page', query] as const,
  count: (filters: string) => [...evaluationKeys.all, 'count', filters] as const,
  distributions: (query: string, mode: 'estimate' | 'exact') => [...evaluationKeys.all, 'distributions', query, mode] as const,
};

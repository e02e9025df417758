// React Query keys for the admin resources; mutations invalidate by these.
export const adminKeys = {
  users: ['users'] as const,
  tokens: ['tokens'] as const,
  audit: (filters: { actor?: string; action?: string; before?: string }) => ['audit', filters] as const,
  /** Every page of the audit trail, whatever the filters. */
  allAudit: ['audit'] as const,
};

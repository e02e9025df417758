// React Query keys for the admin resources; mutations invalidate by these.
export type AuditFilters = { actor?: string; action?: string; runId?: string; before?: string };

export const adminKeys = {
  users: ['users'] as const,
  tokens: ['tokens'] as const,
  audit: (filters: AuditFilters) => ['audit', filters] as const,
  /** Every page of the audit trail, whatever the filters. */
  allAudit: ['audit'] as const,
};

/** The audit trail's filters from the page's URL: the key and the API query the page and its data share. */
export function auditFilters(params: { get(name: string): string | null }): AuditFilters {
  return {
    actor: params.get('actor') || undefined,
    action: params.get('action') || undefined,
    runId: params.get('runId') || undefined,
    before: params.get('before') || undefined,
  };
}

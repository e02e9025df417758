// How copying the other targets' audit rows into the home trail went (lib/auth/audit-forward.ts), as the audit API answers it.
export type Forwarded = {
  target: string;
  label: string;
  /** Rows copied into the home trail this time. */
  copied: number;
  /** Whether rows remain (more than a round's worth arrived since the last read). */
  more: boolean;
  /** Why nothing (more) was copied: the target did not answer, or its trail was rewritten. */
  problem: string | null;
};

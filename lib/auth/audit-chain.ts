// Verification of the audit trail's hash chain (db/strata/0004_hardening.ts). Each row stores a
// SHA-256 over its content and the previous row's hash, with sequence numbers 1, 2, 3... The
// hashes are recomputed here, in this process, from the rows' text, so a check does not rely on
// functions in the database that whoever tampered with the rows could also have replaced. It
// names the first row that is changed, missing, out of place or outside the chain.
// Used by `npm run audit -- verify` and by the audit page (GET /api/audit/verify).
// Loaded by the command line too: no 'server-only' here.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

export const GENESIS_HASH = '0'.repeat(64);
const BATCH = 5_000;

export type ChainProblem = {
  kind: 'changed' | 'missing' | 'link' | 'duplicate' | 'unchained' | 'head';
  /** The sequence number where the chain breaks. */
  seq: number;
  /** The row's id, when the problem is a row that is there. */
  id: string | null;
  message: string;
};

export type ChainReport = {
  ok: boolean;
  /** Rows checked. */
  rows: number;
  /** The last row's number and hash: keep them somewhere else to detect a rewrite of the whole chain later. */
  head: { seq: number; hash: string };
  problem: ChainProblem | null;
  ms: number;
};

type Row = {
  id: string;
  seq: string;
  at_text: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  role: string | null;
  action: string;
  outcome: string;
  target_database: string;
  request_id: string | null;
  ip: string | null;
  details_text: string;
  prev_hash: string;
  hash: string;
};

function field(x: string | null): string {
  return x === null ? '-' : `${Buffer.byteLength(x, 'utf8')}:${x}`;
}

/** The hash a row must carry, from the previous row's hash and the row's content as text. */
export function rowHash(prev: string, r: Omit<Row, 'id' | 'prev_hash' | 'hash'>): string {
  const text = [r.seq, r.at_text, r.actor_type, r.actor_id, r.actor_label, r.role, r.action, r.outcome, r.target_database, r.request_id, r.ip, r.details_text]
    .map(field)
    .join('|');
  return createHash('sha256').update(`${prev}|${text}`, 'utf8').digest('hex');
}

// Every value as PostgreSQL writes it as text, the time as UTC whatever the session's settings.
const SELECT = `id::text AS id, seq::text AS seq,
  to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at_text,
  actor_type, actor_id, actor_label, role, action, outcome, target_database, request_id, ip,
  details::text AS details_text, prev_hash, hash`;

/** Walks the whole chain in one snapshot; stops at the first problem. */
export async function verifyAuditChain(knex: Knex): Promise<ChainReport> {
  const started = performance.now();
  return knex.transaction(
    async (trx) => {
      // A long trail takes a while to read; this is a read, not a page that must answer at once.
      await trx.raw("SELECT set_config('statement_timeout', '0', true)");
      const head = (await trx.raw<{ rows: { seq: string; hash: string }[] }>('SELECT seq::text AS seq, hash FROM strata.audit_chain_head WHERE id = 1')).rows[0];
      const report = (problem: ChainProblem | null, rows: number, last: { seq: number; hash: string }): ChainReport => ({
        ok: problem === null,
        rows,
        head: last,
        problem,
        ms: Math.round(performance.now() - started),
      });
      const outside = (await trx.raw<{ rows: { id: string }[] }>('SELECT id::text AS id FROM strata.audit_events WHERE seq IS NULL OR hash IS NULL ORDER BY id LIMIT 1')).rows[0];
      let expected = 1;
      let prev = GENESIS_HASH;
      let rows = 0;
      let after = { seq: '0', id: '0' };
      for (;;) {
        // Keyset pages on (seq, id), so that a second row with the same number is seen too. (The
        // columns are qualified: ORDER BY seq alone would sort the text alias.)
        const batch = (await trx.raw<{ rows: Row[] }>(`SELECT ${SELECT} FROM strata.audit_events e WHERE (e.seq, e.id) > (?::bigint, ?::bigint) ORDER BY e.seq, e.id LIMIT ?`, [after.seq, after.id, BATCH])).rows;
        for (const r of batch) {
          const seq = Number(r.seq);
          const upTo = { seq: expected - 1, hash: prev };
          if (seq < expected) {
            return report({ kind: 'duplicate', seq, id: r.id, message: `row ${r.id} repeats number ${seq} of the chain: a row was added outside it` }, rows, upTo);
          }
          if (seq > expected) {
            const what = seq === expected + 1 ? `row ${expected} is missing` : `rows ${expected} to ${seq - 1} are missing`;
            return report({ kind: 'missing', seq: expected, id: null, message: `${what} (deleted): the chain goes from ${expected - 1} to ${seq}` }, rows, upTo);
          }
          if (r.prev_hash !== prev) {
            return report({ kind: 'link', seq, id: r.id, message: `row ${seq} (id ${r.id}) does not follow row ${seq - 1}: its previous hash is not that row's hash` }, rows, upTo);
          }
          if (rowHash(prev, r) !== r.hash) {
            return report({ kind: 'changed', seq, id: r.id, message: `row ${seq} (id ${r.id}) was changed after it was written: its content does not match its hash` }, rows, upTo);
          }
          prev = r.hash;
          expected = seq + 1;
          rows++;
        }
        if (batch.length < BATCH) break;
        const end = batch[batch.length - 1]!;
        after = { seq: end.seq, id: end.id };
      }
      const last = { seq: expected - 1, hash: prev };
      if (outside) {
        return report({ kind: 'unchained', seq: expected, id: outside.id, message: `row id ${outside.id} is not in the chain: it was written with the chain's trigger switched off` }, rows, last);
      }
      const headSeq = Number(head?.seq ?? 0);
      if (headSeq > last.seq) {
        const what = headSeq === last.seq + 1 ? `row ${headSeq} is missing` : `rows ${last.seq + 1} to ${headSeq} are missing`;
        return report({ kind: 'missing', seq: last.seq + 1, id: null, message: `${what} (deleted from the end): the chain's head says ${headSeq}` }, rows, last);
      }
      if (!head || headSeq !== last.seq || head.hash !== last.hash) {
        return report({ kind: 'head', seq: last.seq, id: null, message: `the chain's head (${head?.seq ?? 'none'}) does not match its last row (${last.seq}): it was edited` }, rows, last);
      }
      return report(null, rows, last);
    },
    { readOnly: true, isolationLevel: 'repeatable read' },
  );
}

/** Whether the row numbered `seq` still carries `hash` (an anchor kept outside the database). */
export async function checkAnchor(knex: Knex, anchor: { seq: number; hash: string }): Promise<boolean> {
  const row = await knex('strata.audit_events').where({ seq: anchor.seq }).first<{ hash: string } | undefined>('hash');
  return row?.hash === anchor.hash;
}

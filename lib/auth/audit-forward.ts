import 'server-only';
// The home database's trail gathers every served target's (db/strata/0008_audit_forwarding.ts).
// Each target's strata.audit_events is its outbox: append-only and hash-chained, written in the
// same transaction as what it records. Copying reads the target's new rows first (bounded in time:
// a target that does not answer costs its own line and nothing else), then, in one home
// transaction, checks that the cursor has not moved meanwhile (another dashboard process copied
// them), inserts the rows and moves the cursor. So each row arrives once, in the target's order;
// a target whose row at the cursor no longer carries the hash copied is reported, not copied from.
import type { Knex } from 'knex';
import { ApiError } from '../api/errors';
import type { Db } from '../db/knex';
import { databaseKey } from '../db/database-key';
import { databaseFailure } from '../db/failure';
import { withinPeerBounds } from '../db/peers';
import { GENESIS_HASH } from './audit-chain';
import { targetLabel, type AuditRow } from './audit';
import type { Forwarded } from '../schemas/audit-forwarding';

export type { Forwarded };

/** At most this many rows per target and round; the rest comes at the next read. */
const ROUND_ROWS = 2_000;

export type ForwardSource = { name: string; label: string; db: Db };

/** A row of the target's trail as copied: the stored columns, and its place and hash in that chain. */
type SourceRow = Omit<AuditRow, 'id'> & { actor_id: string | null; seq: string; hash: string };

type Cursor = { target_name: string; database: string; last_seq: string; last_hash: string; problem: string | null };

async function cursorOf(home: Knex, name: string): Promise<Cursor | null> {
  return ((await home('strata.audit_forwarding').where({ target_name: name }).first()) as Cursor | undefined) ?? null;
}

/** Copies one target's new audit rows into the home trail; never throws (a problem is in the answer). */
export async function forwardAudit(home: Db, source: ForwardSource): Promise<Forwarded> {
  const out: Forwarded = { target: source.name, label: source.label, copied: 0, more: false, problem: null };
  if (databaseKey(source.db.target) === databaseKey(home.target)) return out;
  const database = targetLabel(source.db.target);
  const cursor = await cursorOf(home.knex, source.name);
  if (cursor?.problem) return { ...out, problem: cursor.problem };
  const lastSeq = Number(cursor?.last_seq ?? 0);
  const lastHash = cursor?.last_hash ?? GENESIS_HASH;

  let rows: SourceRow[];
  try {
    rows = await withinPeerBounds(
      (async () => {
        if (lastSeq > 0) {
          const at = (await source.db.knex('strata.audit_events').where({ seq: lastSeq }).first('hash')) as { hash: string } | undefined;
          if (at?.hash !== lastHash) {
            throw new TrailRewritten(
              at
                ? `the trail on ${source.label} (${database}) no longer holds the row copied as number ${lastSeq}: its hash is ${at.hash.slice(0, 12)}…, it was ${lastHash.slice(0, 12)}…. It was rewritten, or the database was restored from an earlier backup; nothing more is copied from it.`
                : `the trail on ${source.label} (${database}) has no row number ${lastSeq} any more, which was copied: it was cut, or the database was restored from an earlier backup; nothing more is copied from it.`,
            );
          }
        }
        return (await source.db
          .knex('strata.audit_events')
          .where('seq', '>', lastSeq)
          .orderBy('seq')
          .limit(ROUND_ROWS + 1)
          .select('seq', 'hash', 'at', 'actor_type', 'actor_id', 'actor_label', 'role', 'action', 'outcome', 'target_database', 'request_id', 'ip', 'details')) as SourceRow[];
      })(),
      (message) => new Error(message),
    );
  } catch (err) {
    if (err instanceof TrailRewritten) {
      await home.knex('strata.audit_forwarding')
        .insert({ target_name: source.name, database, last_seq: lastSeq, last_hash: lastHash, problem: err.message })
        .onConflict('target_name')
        .merge({ problem: err.message });
      return { ...out, problem: err.message };
    }
    const failure = databaseFailure(err);
    return { ...out, problem: `${source.label} could not be read: ${failure ? failure.reason : (err as Error).message}` };
  }
  out.more = rows.length > ROUND_ROWS;
  rows = rows.slice(0, ROUND_ROWS);
  if (!rows.length) return out;

  const copied = await home.knex.transaction(async (trx) => {
    await trx('strata.audit_forwarding')
      .insert({ target_name: source.name, database, last_seq: 0, last_hash: GENESIS_HASH })
      .onConflict('target_name')
      .ignore();
    const now = (await trx('strata.audit_forwarding').where({ target_name: source.name }).forUpdate().first()) as Cursor;
    // Another process copied meanwhile: its rows are in; this round's would be a second copy.
    if (Number(now.last_seq) !== lastSeq || now.problem) return 0;
    await trx('strata.audit_events').insert(
      rows.map((r) => ({
        at: r.at,
        actor_type: r.actor_type,
        actor_id: r.actor_id,
        actor_label: r.actor_label,
        role: r.role,
        action: r.action,
        outcome: r.outcome,
        target_database: r.target_database,
        request_id: r.request_id,
        ip: r.ip,
        details: JSON.stringify({ target: source.name, ...r.details, forwarded: { from: source.name, seq: Number(r.seq), hash: r.hash } }),
      })),
    );
    const last = rows[rows.length - 1]!;
    await trx('strata.audit_forwarding')
      .where({ target_name: source.name })
      .update({ database, last_seq: last.seq, last_hash: last.hash, forwarded_at: trx.fn.now() });
    return rows.length;
  });
  return { ...out, copied, more: copied > 0 && out.more };
}

class TrailRewritten extends Error {
  override name = 'TrailRewritten';
}

export type Resumed = {
  target: string;
  /** The cursor before: the last row copied, by its number and hash there. */
  was: { seq: number; hash: string };
  /** The last row both trails still share; copying goes on after it. 0: none (from the start). */
  after: number;
  /** Rows copied before that the target no longer has as they were: kept in the home trail. */
  keptAtHome: number;
};

/**
 * Copying from a target whose trail was reported rewritten (often a restore from a backup) goes
 * on after the last row both trails still share. The rows copied before stay in the home trail:
 * they happened, whatever the target holds now. 409 when copying from that target has not stopped.
 */
export async function resumeForwarding(home: Db, source: ForwardSource): Promise<Resumed> {
  const cursor = await cursorOf(home.knex, source.name);
  if (!cursor?.problem) throw new ApiError('conflict', `Copying from ${source.label} has not stopped: there is nothing to resume.`);
  const lastSeq = Number(cursor.last_seq);
  // What home copied from this target, and what the target holds now, up to the cursor.
  const copied = (await home.knex('strata.audit_events')
    .whereRaw(`details->'forwarded'->>'from' = ?`, [source.name])
    .select(home.knex.raw(`(details->'forwarded'->>'seq')::bigint AS seq`), home.knex.raw(`details->'forwarded'->>'hash' AS hash`))) as Array<{ seq: string; hash: string }>;
  const there = (await withinPeerBounds(
    source.db.knex('strata.audit_events').where('seq', '<=', lastSeq).select('seq', 'hash'),
    (message) => new Error(`${source.label} could not be read: ${message}`),
  )) as Array<{ seq: string; hash: string }>;
  const now = new Map(there.map((r) => [Number(r.seq), r.hash]));
  let after = 0;
  let afterHash = GENESIS_HASH;
  for (const r of copied) {
    const seq = Number(r.seq);
    if (seq > after && now.get(seq) === r.hash) {
      after = seq;
      afterHash = r.hash;
    }
  }
  const keptAtHome = copied.filter((r) => Number(r.seq) > after).length;
  await home.knex.transaction(async (trx) => {
    const locked = (await trx('strata.audit_forwarding').where({ target_name: source.name }).forUpdate().first()) as Cursor | undefined;
    if (!locked?.problem || Number(locked.last_seq) !== lastSeq) throw new ApiError('conflict', `Copying from ${source.label} changed meanwhile; look at the audit page again.`);
    await trx('strata.audit_forwarding').where({ target_name: source.name }).update({ last_seq: after, last_hash: afterHash, problem: null });
  });
  return { target: source.name, was: { seq: lastSeq, hash: cursor.last_hash }, after, keptAtHome };
}

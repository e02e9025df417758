// Three changes that make Strata's own tables harder to abuse:
//
// 1. The audit trail is chained. Strata's role owns strata.audit_events (it creates it), and an
//    owner or a superuser can switch its append-only trigger off and rewrite rows; no role
//    arrangement stops that. So each row now stores a hash over its content and the previous
//    row's hash, computed by the database on insert (a trigger; the insert itself is unchanged),
//    with a sequence number without gaps. Any change, removal or insertion with the trigger off
//    breaks the chain where it happened (lib/auth/audit-chain.ts verifies it). Existing rows are
//    chained in id order here.
//    Inserts are serialised by a transaction-scoped advisory lock, so concurrent ones chain in the
//    order they commit. strata.audit_chain_head keeps the last committed number and hash, written
//    once per transaction at commit (a deferred trigger): a row removed from the end leaves a gap
//    the next insert cannot close, and a transaction that writes many rows does not rewrite one
//    row many times (which grows quadratically in PostgreSQL).
// 2. Session tokens are stored as their SHA-256 (lib/auth/session-tokens.ts); existing sessions
//    are hashed in place and keep working.
// 3. API tokens remember who made them (a user, or the command line), so that a token stops
//    working when its maker is disabled or no longer holds the token's role.
import type { Knex } from 'knex';

const S = 'strata';

const GENESIS = '0'.repeat(64);
// Serialises audit inserts; any constant other tools are unlikely to use ('strata.audit').
const ADVISORY_KEY = 0x5354_4155;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE ${S}.audit_events ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text`);
  await knex.raw(`CREATE TABLE ${S}.audit_chain_head (
    id int PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL,
    hash text NOT NULL
  )`);
  await knex.raw(`INSERT INTO ${S}.audit_chain_head (id, seq, hash) VALUES (1, 0, ?)`, [GENESIS]);

  // One field of the hashed text: its length in bytes, a colon and the text, or '-' for NULL, so
  // that no two different rows make the same text. lib/auth/audit-chain.ts builds the same.
  await knex.raw(`CREATE FUNCTION ${S}.audit_field(x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN x IS NULL THEN '-' ELSE octet_length(x)::text || ':' || x END
  $$`);
  // The time as UTC text with microseconds, whatever the session's TimeZone and DateStyle.
  await knex.raw(`CREATE FUNCTION ${S}.audit_event_hash(
      prev text, seq bigint, at timestamptz, actor_type text, actor_id text, actor_label text, role text,
      action text, outcome text, target_database text, request_id text, ip text, details jsonb
    ) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(prev || '|' || concat_ws('|',
      ${S}.audit_field(seq::text),
      ${S}.audit_field(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')),
      ${S}.audit_field(actor_type), ${S}.audit_field(actor_id), ${S}.audit_field(actor_label), ${S}.audit_field(role),
      ${S}.audit_field(action), ${S}.audit_field(outcome), ${S}.audit_field(target_database),
      ${S}.audit_field(request_id), ${S}.audit_field(ip), ${S}.audit_field(details::text)
    ), 'UTF8')), 'hex')
  $$`);
  await knex.raw(`CREATE FUNCTION ${S}.audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      head record;
      last record;
    BEGIN
      -- Held to the end of the transaction: the next inserter waits, then reads (with a snapshot
      -- taken after the wait) what this one committed.
      PERFORM pg_advisory_xact_lock(${ADVISORY_KEY});
      SELECT seq, hash INTO head FROM ${S}.audit_chain_head WHERE id = 1;
      -- Rows this transaction wrote already are ahead of the head.
      SELECT seq, hash INTO last FROM ${S}.audit_events ORDER BY seq DESC LIMIT 1;
      IF last.seq IS NOT NULL AND last.seq > head.seq THEN
        head := last;
      END IF;
      NEW.seq := head.seq + 1;
      NEW.prev_hash := head.hash;
      NEW.hash := ${S}.audit_event_hash(NEW.prev_hash, NEW.seq, NEW.at, NEW.actor_type, NEW.actor_id, NEW.actor_label, NEW.role,
        NEW.action, NEW.outcome, NEW.target_database, NEW.request_id, NEW.ip, NEW.details);
      RETURN NEW;
    END $$`);
  // At commit, once per transaction: the head moves to the last row written.
  await knex.raw(`CREATE FUNCTION ${S}.audit_chain_head_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('strata.audit_head_synced', true) = '1' THEN
        RETURN NULL;
      END IF;
      PERFORM set_config('strata.audit_head_synced', '1', true);
      UPDATE ${S}.audit_chain_head h SET seq = e.seq, hash = e.hash
        FROM (SELECT seq, hash FROM ${S}.audit_events ORDER BY seq DESC LIMIT 1) e
       WHERE h.id = 1 AND e.seq > h.seq;
      RETURN NULL;
    END $$`);

  // Chain the rows written so far, oldest first.
  await knex.raw(`ALTER TABLE ${S}.audit_events DISABLE TRIGGER audit_events_no_update`);
  await knex.raw(`DO $$
    DECLARE
      r record;
      prev text := '${GENESIS}';
      n bigint := 0;
    BEGIN
      FOR r IN SELECT * FROM ${S}.audit_events ORDER BY id LOOP
        n := n + 1;
        UPDATE ${S}.audit_events
           SET seq = n, prev_hash = prev,
               hash = ${S}.audit_event_hash(prev, n, r.at, r.actor_type, r.actor_id, r.actor_label, r.role,
                 r.action, r.outcome, r.target_database, r.request_id, r.ip, r.details)
         WHERE id = r.id
        RETURNING hash INTO prev;
      END LOOP;
      UPDATE ${S}.audit_chain_head SET seq = n, hash = prev WHERE id = 1;
    END $$`);
  await knex.raw(`ALTER TABLE ${S}.audit_events ENABLE TRIGGER audit_events_no_update`);
  await knex.raw(`ALTER TABLE ${S}.audit_events ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
  await knex.raw(`CREATE UNIQUE INDEX audit_events_seq ON ${S}.audit_events (seq)`);
  await knex.raw(`CREATE TRIGGER audit_events_chain BEFORE INSERT ON ${S}.audit_events FOR EACH ROW EXECUTE FUNCTION ${S}.audit_events_chain()`);
  await knex.raw(`CREATE CONSTRAINT TRIGGER audit_chain_head_sync AFTER INSERT ON ${S}.audit_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${S}.audit_chain_head_sync()`);

  await knex.raw(`UPDATE ${S}.sessions SET token = encode(sha256(convert_to(token, 'UTF8')), 'hex')`);

  await knex.schema.withSchema(S).alterTable('api_tokens', (t) => {
    // 'user' (the admin in created_by_user_id) or 'cli' (made with `npm run token`).
    t.text('owner_kind').notNullable().defaultTo('user');
    t.text('created_by_user_id');
  });
  await knex.raw(`UPDATE ${S}.api_tokens t SET created_by_user_id = u.id FROM ${S}.users u WHERE u.email = t.created_by`);
  await knex.raw(`UPDATE ${S}.api_tokens SET owner_kind = 'cli' WHERE created_by LIKE 'cli:%'`);
  await knex.raw(`ALTER TABLE ${S}.api_tokens ADD CONSTRAINT api_tokens_owner_kind_check CHECK (owner_kind IN ('user', 'cli'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('api_tokens', (t) => {
    t.dropColumn('owner_kind');
    t.dropColumn('created_by_user_id');
  });
  // Session tokens cannot be un-hashed: every session ends.
  await knex(`${S}.sessions`).delete();
  await knex.raw(`DROP TRIGGER IF EXISTS audit_chain_head_sync ON ${S}.audit_events`);
  await knex.raw(`DROP TRIGGER IF EXISTS audit_events_chain ON ${S}.audit_events`);
  await knex.raw(`DROP FUNCTION IF EXISTS ${S}.audit_chain_head_sync()`);
  await knex.raw(`DROP FUNCTION IF EXISTS ${S}.audit_events_chain()`);
  await knex.raw(`ALTER TABLE ${S}.audit_events DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash`);
  await knex.raw(`DROP FUNCTION IF EXISTS ${S}.audit_event_hash(text, bigint, timestamptz, text, text, text, text, text, text, text, text, text, jsonb)`);
  await knex.raw(`DROP FUNCTION IF EXISTS ${S}.audit_field(text)`);
  await knex.raw(`DROP TABLE IF EXISTS ${S}.audit_chain_head`);
}

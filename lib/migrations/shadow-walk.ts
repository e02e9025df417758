import 'server-only';
// Migrations run one at a time on a shadow, through knex's own migrator, each between two catalog
// snapshots: the statements it ran (captured from knex's query events) and its schema effect (the
// diff of the snapshots). Going up, each migration can also be taken through up → down → up: down()
// must give back the catalog from before up(), and up() must run again and give the same catalog.
// When a round trip leaves the shadow in a state no real database would be in, the walk goes on
// from a fresh shadow brought to the right point without round trips.
import type { Knex } from 'knex';
import { diffSnapshots } from '../catalog/diff';
import { managedExclusions, readSnapshot, type CatalogSnapshot } from '../catalog/snapshot';
import type { StrataConfig } from '../config';
import type { SchemaChange } from '../schemas/catalog';
import type { RunError } from '../schemas/migrations';
import type { ReplayInfo, RoundTripFinding, ShadowInfo } from '../schemas/shadow';
import { withShadow, type ShadowRequest } from '../shadow/shadow';
import { capture, migratorConfig } from './execute';

export type ShadowStep = { name: string; statements: string[]; effects: SchemaChange[] | null; error: RunError | null };

export type Walk = {
  shadow: ShadowInfo | null;
  replay: ReplayInfo | null;
  steps: Map<string, ShadowStep>;
  /** The first migration that failed going up (the shadow cannot go past it). */
  error: RunError | null;
  findings: RoundTripFinding[];
  /** Taken through the whole round trip. */
  checked: string[];
};

async function step(k: Knex, config: StrataConfig, name: string, direction: 'up' | 'down'): Promise<{ statements: string[]; error: RunError | null }> {
  const { state, hooks, stop } = capture(k, k);
  const cfg = migratorConfig(config, hooks);
  try {
    await (direction === 'up' ? k.migrate.up({ ...cfg, name }) : k.migrate.down({ ...cfg, name }));
    return { statements: state.statements.get(name) ?? [], error: null };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { statements: state.statements.get(name) ?? [], error: { message, migration: name, statement: state.failedSql } };
  } finally {
    stop();
  }
}

/** "index items_title_idx on items is left behind", for a finding's message: the words say what `added` and `removed` mean there. */
export function describeChanges(changes: SchemaChange[], added: string, removed: string, changed: string): string {
  return changes
    .map((c) => `${c.kind} ${c.name}${c.table && c.kind !== 'column' ? ` on ${c.table}` : ''} ${c.change === 'added' ? added : c.change === 'removed' ? removed : `${changed} (${c.details.map((d) => d.what).join(', ')})`}`)
    .join('; ');
}

type Pass = { findings: RoundTripFinding[]; checked: string[]; error: RunError | null; next: number };

/** Walks `names` from `start` on one shadow; `next` is where a fresh shadow must go on, or names.length. */
async function pass(k: Knex, config: StrataConfig, names: string[], start: number, roundTrip: boolean, steps: Map<string, ShadowStep>): Promise<Pass> {
  const snap = () => readSnapshot(k, managedExclusions(config.migrationsTable));
  const out: Pass = { findings: [], checked: [], error: null, next: names.length };
  // Brought to the starting point without round trips (after one broke an earlier shadow).
  for (const name of names.slice(0, start)) {
    const r = await step(k, config, name, 'up');
    if (r.error) {
      out.error = r.error;
      out.next = names.length;
      return out;
    }
  }
  let s0: CatalogSnapshot = await snap();
  for (let i = start; i < names.length; i++) {
    const name = names[i]!;
    const pre = s0;
    const up = await step(k, config, name, 'up');
    if (up.error) {
      steps.set(name, { name, statements: up.statements, effects: null, error: up.error });
      out.error = up.error;
      if (roundTrip) out.findings.push({ migration: name, rule: 'up-fails', message: `up() fails: ${up.error.message}`, changes: [] });
      return out;
    }
    const s1 = await snap();
    steps.set(name, { name, statements: up.statements, effects: diffSnapshots(pre, s1), error: null });
    s0 = s1;
    if (!roundTrip) continue;
    const down = await step(k, config, name, 'down');
    if (down.error) {
      out.findings.push({ migration: name, rule: 'down-fails', message: `down() fails: ${down.error.message}`, changes: [] });
      out.next = i + 1;
      return out;
    }
    // From the catalog down() leaves to the one before up(): the SQL is what down() still has to do.
    const left = diffSnapshots(await snap(), pre);
    if (left.length) {
      out.findings.push({ migration: name, rule: 'down-incomplete', message: `down() does not undo up(): ${describeChanges(left, 'is gone (it was there before up())', 'is left behind', 'differs from before up()')}`, changes: left });
    }
    const again = await step(k, config, name, 'up');
    if (again.error) {
      out.findings.push({ migration: name, rule: 'up-fails-again', message: `up() cannot run again after down(): ${again.error.message}`, changes: [] });
      out.next = i + 1;
      return out;
    }
    const s3 = await snap();
    const differs = diffSnapshots(s3, s1);
    if (differs.length) {
      out.findings.push({ migration: name, rule: 'up-differs-again', message: `up() after down() gives another schema: ${describeChanges(differs, 'is missing', 'is new', 'differs')}`, changes: differs });
      out.next = i + 1;
      return out;
    }
    out.checked.push(name);
    s0 = s3;
  }
  return out;
}

/**
 * Runs `names` up on shadows holding the replay of `req.applied`, collecting each one's statements
 * and effect, with round trips when asked. Throws what withShadow throws (no shadow could be had).
 */
export async function walkUp(req: ShadowRequest, names: string[], options: { roundTrip: boolean }): Promise<Walk> {
  const walk: Walk = { shadow: null, replay: null, steps: new Map(), error: null, findings: [], checked: [] };
  let start = 0;
  // Each broken round trip costs a fresh shadow; a few are allowed before the rest is left unchecked.
  for (let attempt = 0; start < names.length && attempt < 4; attempt++) {
    const result = await withShadow(req, async (shadow) => {
      walk.shadow ??= shadow.info;
      walk.replay ??= shadow.replay;
      return pass(shadow.knex, req.config, names, start, options.roundTrip && attempt < 3, walk.steps);
    });
    walk.findings.push(...result.findings);
    walk.checked.push(...result.checked);
    if (result.error) {
      walk.error = result.error;
      break;
    }
    start = result.next;
  }
  return walk;
}

/** Runs `names` down, in that order, on a shadow holding the replay of `req.applied`. */
export async function walkDown(req: ShadowRequest, names: string[]): Promise<Walk> {
  return withShadow(req, async (shadow) => {
    const walk: Walk = { shadow: shadow.info, replay: shadow.replay, steps: new Map(), error: null, findings: [], checked: [] };
    const snap = () => readSnapshot(shadow.knex, managedExclusions(req.config.migrationsTable));
    let s0 = await snap();
    for (const name of names) {
      const r = await step(shadow.knex, req.config, name, 'down');
      if (r.error) {
        walk.steps.set(name, { name, statements: r.statements, effects: null, error: r.error });
        walk.error = r.error;
        break;
      }
      const s1 = await snap();
      walk.steps.set(name, { name, statements: r.statements, effects: diffSnapshots(s0, s1), error: null });
      s0 = s1;
    }
    return walk;
  });
}

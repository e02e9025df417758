// The rows of each table, produced lazily and deterministically from the seed. Every table has
// its own random stream, so one table's rows do not depend on how another was consumed.
import { createSpace, embed, nearDuplicate, NEAR_DUPLICATES, rowRng, SPREAD, type Space } from './embeddings';
import { createRng, type Rng } from './random';
import type { Scale } from './scales';

export const DIMENSIONS = 1536;
const DAY = 86_400_000;
const BASE = Date.UTC(2026, 0, 1);

const WORDS = (
  'index vector query embedding cluster recall latency migration rollback batch schema table column ' +
  'postgres forum topic post answer question model score quality relevance summary search nearest ' +
  'neighbour distance cosine lists probes build memory rows scan plan cost deploy staging production ' +
  'review release feature bug fix test data load copy insert update delete user team service metric'
).split(' ');

type Stream = 'forums' | 'topics' | 'posts' | 'vectors' | 'evaluations' | 'planted';
const STREAM_OFFSET: Record<Stream, number> = { forums: 1, topics: 2, posts: 3, vectors: 4, evaluations: 5, planted: 6 };

/**
 * A row's values in column order. Times are milliseconds since the epoch (UTC) and vectors
 * Float32Arrays; lib/generator/load.ts writes them as COPY's binary format or as text.
 */
export type Value = string | number | null | Float32Array;
export type Row = Value[];

export type World = {
  scale: Scale;
  seed: number;
  /** Separable vectors (tight clusters far apart), as the generator made before `space`. */
  easy: boolean;
  /** Where the default, realistic vectors come from (lib/generator/embeddings.ts); null when easy. */
  space: Space | null;
  topicForum: Int32Array;
  topicCluster: Int32Array;
  topicCreated: Float64Array;
  topicUpdated: Float64Array;
  postUpdated: Float64Array;
  centroids: Float32Array[];
  planted: {
    zeroPostVectors: Set<number>;
    nullTitleVectors: Set<number>;
    stalePostVectors: Set<number>;
    postsWithoutVectors: Set<number>;
  };
  forumBias: number[];
};

function rngFor(seed: number, stream: Stream): Rng {
  return createRng((seed * 7919 + STREAM_OFFSET[stream]) >>> 0);
}

function sentence(rng: Rng, n: number): string {
  const w: string[] = [];
  for (let i = 0; i < n; i++) w.push(rng.pick(WORDS));
  const s = w.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Whole milliseconds, as the loaded timestamp keeps them. */
function ts(ms: number): number {
  return Math.round(ms);
}

function unitNoise(rng: Rng, base: Float32Array | null, sigma: number): Float32Array {
  const v = new Float32Array(DIMENSIONS);
  const s = sigma / Math.sqrt(DIMENSIONS);
  let norm = 0;
  for (let i = 0; i < DIMENSIONS; i++) {
    const x = (base ? base[i]! : 0) + rng.normal() * (base ? s : 1);
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIMENSIONS; i++) v[i] = v[i]! / norm;
  return v;
}

/**
 * The stored value: each component rounded to 6 decimals (then to float4), as when vectors were
 * written as text, so every load method stores the same bits. `+ 0` turns -0 into 0. In place.
 */
export function rounded(v: Float32Array): Float32Array {
  for (let i = 0; i < v.length; i++) v[i] = Math.round(v[i]! * 1e6) / 1e6 + 0;
  return v;
}

/** pgvector's text form; for a rounded vector, the same text as its components had before. */
export function vectorLiteral(v: Float32Array): string {
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = String(Math.round(v[i]! * 1e6) / 1e6 + 0);
  return `[${parts.join(',')}]`;
}

const ZERO = new Float32Array(DIMENSIONS);

/** Picks `count` distinct indices in [0, n). */
function sample(rng: Rng, n: number, count: number, exclude: Set<number> = new Set()): Set<number> {
  const out = new Set<number>();
  while (out.size < Math.min(count, n - exclude.size)) {
    const i = rng.int(0, n - 1);
    if (!exclude.has(i)) out.add(i);
  }
  return out;
}

export type WorldOptions = { easy?: boolean };

export function createWorld(scale: Scale, seed: number, opts: WorldOptions = {}): World {
  const topics = scale.topics;
  const posts = topics * scale.postsPerTopic;
  const t = rngFor(seed, 'topics');
  const v = rngFor(seed, 'vectors');
  const p = rngFor(seed, 'planted');
  const f = rngFor(seed, 'forums');
  const world: World = {
    scale,
    seed,
    easy: opts.easy ?? false,
    space: null,
    topicForum: new Int32Array(topics),
    topicCluster: new Int32Array(topics),
    topicCreated: new Float64Array(topics),
    topicUpdated: new Float64Array(topics),
    postUpdated: new Float64Array(posts),
    centroids: [],
    planted: {
      zeroPostVectors: new Set(),
      nullTitleVectors: new Set(),
      stalePostVectors: new Set(),
      postsWithoutVectors: new Set(),
    },
    forumBias: Array.from({ length: scale.forums }, () => (f.next() - 0.5) * 0.3),
  };
  for (let c = 0; c < scale.forums * scale.clustersPerForum; c++) world.centroids.push(unitNoise(v, null, 1));
  for (let i = 0; i < topics; i++) {
    // Forums differ in size: a skewed pick.
    world.topicForum[i] = Math.min(scale.forums - 1, Math.floor(Math.pow(t.next(), 1.6) * scale.forums));
    world.topicCluster[i] = world.topicForum[i]! * scale.clustersPerForum + t.int(0, scale.clustersPerForum - 1);
    world.topicCreated[i] = BASE - t.next() * 365 * DAY;
    world.topicUpdated[i] = world.topicCreated[i]! + t.next() * 5 * DAY;
  }
  const pl = scale.planted;
  world.planted.postsWithoutVectors = sample(p, posts, pl.postsWithoutVectors);
  world.planted.zeroPostVectors = sample(p, posts, pl.zeroPostVectors, world.planted.postsWithoutVectors);
  world.planted.stalePostVectors = sample(
    p,
    posts,
    pl.stalePostVectors,
    new Set([...world.planted.postsWithoutVectors, ...world.planted.zeroPostVectors]),
  );
  world.planted.nullTitleVectors = sample(p, topics, pl.nullTitleVectors);
  if (!world.easy) world.space = createSpace(seed, DIMENSIONS, scale.forums, scale.clustersPerForum, world.topicCluster);
  return world;
}

export function* forumRows(w: World): Generator<Row> {
  for (let i = 0; i < w.scale.forums; i++) {
    const created = ts(BASE - 400 * DAY + i * DAY);
    yield [i + 1, `forum-${i + 1}`, `https://forum-${i + 1}.example`, JSON.stringify({ tier: i % 3 }), created, created];
  }
}

export function* topicRows(w: World): Generator<Row> {
  const rng = rngFor(w.seed, 'topics');
  for (let i = 0; i < w.scale.topics; i++) {
    yield [
      i + 1,
      w.topicForum[i]! + 1,
      sentence(rng, rng.int(4, 10)),
      sentence(rng, rng.int(30, 80)),
      `user${rng.int(1, 5_000)}`,
      Math.floor(Math.pow(rng.next(), 3) * 20_000),
      '{}',
      ts(w.topicCreated[i]!),
      ts(w.topicUpdated[i]!),
    ];
  }
}

export function* postRows(w: World): Generator<Row> {
  const rng = rngFor(w.seed, 'posts');
  const per = w.scale.postsPerTopic;
  for (let t = 0; t < w.scale.topics; t++) {
    for (let j = 0; j < per; j++) {
      const idx = t * per + j;
      const created = w.topicCreated[t]! + rng.next() * 30 * DAY;
      const updated = created + rng.next() * 2 * DAY;
      w.postUpdated[idx] = updated;
      yield [idx + 1, t + 1, w.topicForum[t]! + 1, sentence(rng, rng.int(15, 60)), `user${rng.int(1, 5_000)}`, '{}', ts(created), ts(updated)];
    }
  }
}

const TOPIC_ROW = 1;
const POST_ROW = 2;

/**
 * The topics [from, to) of a vector table: the realistic vectors (a random stream per row) can be
 * made a range at a time, by several threads (lib/generator/parallel.ts), with the same rows as in
 * one go. The easy ones come from one stream and are made in one go only.
 */
export type TopicRange = { from: number; to: number };

function wholeRange(w: World, range: TopicRange | undefined): TopicRange {
  if (range && range.from === 0 && range.to === w.scale.topics) return range;
  if (range && !w.space) throw new Error('the easy vectors are made in one go, not by range');
  return range ?? { from: 0, to: w.scale.topics };
}

export function* topicVectorRows(w: World, range?: TopicRange): Generator<Row> {
  const rng = rngFor(w.seed, 'vectors');
  const s = w.space;
  const { from, to } = wholeRange(w, range);
  for (let t = from; t < to; t++) {
    let content: Float32Array;
    let title: Float32Array;
    if (s) {
      const r = rowRng(w.seed, TOPIC_ROW, t);
      const forum = w.topicForum[t]!;
      content = embed(s, r, forum, w.topicCluster[t]!, t, SPREAD.topicContent);
      title = embed(s, r, forum, w.topicCluster[t]!, t, SPREAD.title);
    } else {
      content = unitNoise(rng, w.centroids[w.topicCluster[t]!]!, 0.5);
      title = unitNoise(rng, content, 0.3);
    }
    const combined = new Float32Array(DIMENSIONS);
    let norm = 0;
    for (let i = 0; i < DIMENSIONS; i++) {
      combined[i] = title[i]! + content[i]!;
      norm += combined[i]! * combined[i]!;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < DIMENSIONS; i++) combined[i] = combined[i]! / norm;
    const at = ts(w.topicUpdated[t]! + 3_600_000);
    yield [
      t + 1,
      t + 1,
      w.topicForum[t]! + 1,
      w.planted.nullTitleVectors.has(t) ? null : rounded(title),
      rounded(content),
      rounded(combined),
      at,
      at,
    ];
  }
}

/** Needs postRows to have run (it reads each post's updated_at). */
export function* postVectorRows(w: World, range?: TopicRange): Generator<Row> {
  const rng = rngFor(w.seed, 'vectors');
  const per = w.scale.postsPerTopic;
  const s = w.space;
  const { from, to } = wholeRange(w, range);
  // Ids count the posts that have a vector: those before the range, less the planted ones without.
  let id = from * per;
  for (const x of w.planted.postsWithoutVectors) if (x < from * per) id--;
  for (let t = from; t < to; t++) {
    const centroid = w.centroids[w.topicCluster[t]!]!;
    let previous: Float32Array | null = null;
    for (let j = 0; j < per; j++) {
      const idx = t * per + j;
      let v: Float32Array;
      if (s) {
        const r = rowRng(w.seed, POST_ROW, idx);
        v = previous && r.next() < NEAR_DUPLICATES ? nearDuplicate(r, previous) : embed(s, r, w.topicForum[t]!, w.topicCluster[t]!, t, SPREAD.post);
        previous = v.slice();
      } else {
        v = unitNoise(rng, centroid, 0.6);
      }
      if (w.planted.postsWithoutVectors.has(idx)) continue;
      const stale = w.planted.stalePostVectors.has(idx);
      const at = ts(w.postUpdated[idx]! + (stale ? -3 * DAY : 3_600_000));
      id++;
      yield [id, idx + 1, w.topicForum[t]! + 1, w.planted.zeroPostVectors.has(idx) ? ZERO : rounded(v), at, at];
    }
  }
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function* evaluationRows(w: World): Generator<Row> {
  const rng = rngFor(w.seed, 'evaluations');
  const posts = w.scale.topics * w.scale.postsPerTopic;
  const orphans = w.scale.planted.orphanEvaluations;
  const total = w.scale.evaluations;
  for (let i = 0; i < total; i++) {
    const orphan = i >= total - orphans;
    const isTopic = !orphan && rng.next() < 0.3;
    let contentId: number;
    let forum: number;
    if (orphan) {
      // Content that was deleted: ids past the last post, as left behind by a DELETE.
      contentId = posts + 1 + (i - (total - orphans));
      forum = (i % w.scale.forums) + 1;
    } else if (isTopic) {
      const t = rng.int(0, w.scale.topics - 1);
      contentId = t + 1;
      forum = w.topicForum[t]! + 1;
    } else {
      const p = rng.int(0, posts - 1);
      contentId = p + 1;
      forum = w.topicForum[Math.floor(p / w.scale.postsPerTopic)]! + 1;
    }
    // Skewed towards good scores, lower in some forums; relevance follows quality.
    const quality = clamp01(0.74 + w.forumBias[forum - 1]! + 0.1 * rng.normal() - 0.12 * Math.abs(rng.normal()));
    const relevance = clamp01(0.25 + 0.6 * quality + 0.12 * rng.normal());
    const created = BASE - rng.next() * 300 * DAY;
    yield [
      i + 1,
      contentId,
      isTopic ? 'topic' : 'post',
      forum,
      Math.round(quality * 10_000) / 10_000,
      Math.round(relevance * 10_000) / 10_000,
      rng.next() < 0.1 ? null : sentence(rng, rng.int(8, 20)),
      JSON.stringify({ model: rng.next() < 0.5 ? 'judge-a' : 'judge-b' }),
      ts(created),
      ts(created),
    ];
  }
}

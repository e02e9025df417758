// Vectors "as hard as real embeddings" (the default; `easy` gives the older, separable ones).
//
// Real text embeddings are not tight, far-apart clusters: topics shade into each other, a few
// dozen directions carry most of the meaning, every vector shares a common component, and the
// same text posted twice gives near-duplicates. So a vector here is
//
//   common direction + its forum's direction + its cluster's direction
//     + a point of a 32-dimension latent space, mapped into 1,536 dimensions by a fixed basis
//     + isotropic noise
//
// normalised, where the latent points are nested Gaussians (forum → cluster → topic → post)
// that overlap, so a post's nearest neighbours are its topic's other posts and then posts of
// neighbouring topics, often of other clusters: ivfflat's lists cut through these neighbourhoods,
// and probes = 1 misses a good share of them (BENCHMARKS.md has the curve).
//
// Every post draws from a random stream of its own (seed, post number), so a row does not depend
// on how many rows came before it.
import { createRng, type Rng } from './random';

export const LATENT = 32;

// Weights of the parts (before normalising); calibrated against the guide's ivfflat index.
const COMMON = 0.5;
const FORUM = 0.15;
const CLUSTER = 0.1;
const LATENT_WEIGHT = 0.9 / Math.sqrt(LATENT);
const ISO = 0.6;
// Latent spread at each level (standard deviation per latent dimension): a topic's posts spread
// wider than topics do around their cluster, so neighbourhoods run across topics and clusters.
const FORUM_SPREAD = 0.8;
const CLUSTER_SPREAD = 0.6;
const TOPIC_SPREAD = 0.6;
const POST_SPREAD = 0.8;
const TITLE_SPREAD = 0.5;
/** Share of posts that repeat the post before them in their topic, nearly (cosine about 0.99). */
export const NEAR_DUPLICATES = 0.03;
const DUPLICATE_NOISE = 0.1;

// Normal deviates from a table: 65,536 of them, picked by 16 random bits, two per 32-bit draw.
// Ten times faster than Box-Muller and, at 1,536 per vector, just as Gaussian in effect.
const NORMALS = (() => {
  const rng = createRng(0x6e6f726d);
  const t = new Float32Array(65_536);
  for (let i = 0; i < t.length; i++) t[i] = rng.normal();
  return t;
})();

/** Adds `sigma` times standard normal noise to every component of `out`. */
function addNoise(rng: Rng, out: Float64Array, sigma: number): void {
  for (let i = 0; i < out.length; i += 2) {
    const u = rng.u32();
    out[i] = out[i]! + sigma * NORMALS[u & 0xffff]!;
    if (i + 1 < out.length) out[i + 1] = out[i + 1]! + sigma * NORMALS[u >>> 16]!;
  }
}

function gaussian(rng: Rng, n: number, sigma: number, mean?: Float32Array, meanOffset = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (mean ? mean[meanOffset + i]! : 0) + sigma * rng.normal();
  return out;
}

function unit(rng: Rng, dims: number): Float32Array {
  const v = gaussian(rng, dims, 1);
  let n = 0;
  for (let i = 0; i < dims; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  for (let i = 0; i < dims; i++) v[i] = v[i]! / n;
  return v;
}

export type Space = {
  dims: number;
  common: Float32Array;
  forumDir: Float32Array[];
  clusterDir: Float32Array[];
  /** LATENT rows of `dims`: latent point → vector. */
  basis: Float32Array[];
  /** Each topic's latent mean, LATENT values per topic. */
  topicMean: Float32Array;
};

/** The fixed parts, from the seed: directions, the basis and every topic's place in the latent space. */
export function createSpace(seed: number, dims: number, forums: number, clustersPerForum: number, topicCluster: Int32Array): Space {
  const rng = createRng((seed * 7919 + 101) >>> 0);
  const common = unit(rng, dims);
  const forumDir = Array.from({ length: forums }, () => unit(rng, dims));
  const clusterDir = Array.from({ length: forums * clustersPerForum }, () => unit(rng, dims));
  const basis = Array.from({ length: LATENT }, () => unit(rng, dims));
  const forumMean = gaussian(rng, forums * LATENT, FORUM_SPREAD);
  const clusterMean = new Float32Array(forums * clustersPerForum * LATENT);
  for (let c = 0; c < forums * clustersPerForum; c++) {
    clusterMean.set(gaussian(rng, LATENT, CLUSTER_SPREAD, forumMean, Math.floor(c / clustersPerForum) * LATENT), c * LATENT);
  }
  const topicMean = new Float32Array(topicCluster.length * LATENT);
  for (let t = 0; t < topicCluster.length; t++) {
    topicMean.set(gaussian(rng, LATENT, TOPIC_SPREAD, clusterMean, topicCluster[t]! * LATENT), t * LATENT);
  }
  return { dims, common, forumDir, clusterDir, basis, topicMean };
}

/** A random stream for one row of one kind (`kind` tells topic and post vectors apart). */
export function rowRng(seed: number, kind: number, index: number): Rng {
  return createRng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ Math.imul(kind, 0xc2b2ae35)) >>> 0);
}

function normalised(x: Float64Array): Float32Array {
  let n = 0;
  for (let i = 0; i < x.length; i++) n += x[i]! * x[i]!;
  n = Math.sqrt(n);
  const v = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) v[i] = x[i]! / n;
  return v;
}

/** A unit vector for a latent point of a topic's forum and cluster. */
export function embed(s: Space, rng: Rng, forum: number, cluster: number, topic: number, spread: number): Float32Array {
  const x = new Float64Array(s.dims);
  const f = s.forumDir[forum]!;
  const c = s.clusterDir[cluster]!;
  for (let i = 0; i < s.dims; i++) x[i] = COMMON * s.common[i]! + FORUM * f[i]! + CLUSTER * c[i]!;
  const z = new Float64Array(LATENT);
  for (let k = 0; k < LATENT; k++) z[k] = LATENT_WEIGHT * (s.topicMean[topic * LATENT + k]! + spread * rng.normal());
  // Four basis rows at a time: a quarter of the passes over x.
  for (let k = 0; k < LATENT; k += 4) {
    const [b0, b1, b2, b3] = [s.basis[k]!, s.basis[k + 1]!, s.basis[k + 2]!, s.basis[k + 3]!];
    const [z0, z1, z2, z3] = [z[k]!, z[k + 1]!, z[k + 2]!, z[k + 3]!];
    for (let i = 0; i < s.dims; i++) x[i] = x[i]! + z0 * b0[i]! + z1 * b1[i]! + z2 * b2[i]! + z3 * b3[i]!;
  }
  addNoise(rng, x, ISO / Math.sqrt(s.dims));
  return normalised(x);
}

/** A near-duplicate of `v`: the same vector with a little noise. */
export function nearDuplicate(rng: Rng, v: Float32Array): Float32Array {
  const x = Float64Array.from(v);
  addNoise(rng, x, DUPLICATE_NOISE / Math.sqrt(v.length));
  return normalised(x);
}

export const SPREAD = { post: POST_SPREAD, topicContent: POST_SPREAD / 2, title: TITLE_SPREAD };

// How much data each scale makes, and how many of each planted problem it contains.
export type Scale = {
  forums: number;
  topics: number;
  postsPerTopic: number;
  evaluations: number;
  clustersPerForum: number;
  planted: {
    zeroPostVectors: number;
    nullTitleVectors: number;
    stalePostVectors: number;
    postsWithoutVectors: number;
    orphanEvaluations: number;
  };
};

export const SCALES = {
  demo: {
    forums: 4, topics: 400, postsPerTopic: 5, evaluations: 3_000, clustersPerForum: 6,
    planted: { zeroPostVectors: 3, nullTitleVectors: 5, stalePostVectors: 8, postsWithoutVectors: 6, orphanEvaluations: 12 },
  },
  small: {
    forums: 6, topics: 1_000, postsPerTopic: 5, evaluations: 10_000, clustersPerForum: 8,
    planted: { zeroPostVectors: 7, nullTitleVectors: 11, stalePostVectors: 13, postsWithoutVectors: 9, orphanEvaluations: 17 },
  },
  medium: {
    forums: 40, topics: 40_000, postsPerTopic: 5, evaluations: 1_000_000, clustersPerForum: 25,
    planted: { zeroPostVectors: 50, nullTitleVectors: 200, stalePostVectors: 500, postsWithoutVectors: 300, orphanEvaluations: 1_000 },
  },
  // 1,002,000 posts of which 2,000 without vectors: 1,000,000 post vectors (about 6 GB with TOAST).
  large: {
    forums: 100, topics: 200_400, postsPerTopic: 5, evaluations: 10_000_000, clustersPerForum: 25,
    planted: { zeroPostVectors: 250, nullTitleVectors: 1_000, stalePostVectors: 2_500, postsWithoutVectors: 2_000, orphanEvaluations: 10_000 },
  },
} satisfies Record<string, Scale>;

export type ScaleName = keyof typeof SCALES;
export const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];

/** All rows of a scale. */
export function totalRows(scale: Scale): number {
  return Object.values(expectedRows(scale)).reduce((a, b) => a + b, 0);
}

/** How many rows each table gets at a scale: the denominators of the progress display. */
export function expectedRows(scale: Scale): Record<'forums' | 'topics' | 'posts' | 'topic_vectors' | 'post_vectors' | 'content_evaluations', number> {
  const posts = scale.topics * scale.postsPerTopic;
  return {
    forums: scale.forums,
    topics: scale.topics,
    posts,
    topic_vectors: scale.topics,
    post_vectors: posts - scale.planted.postsWithoutVectors,
    content_evaluations: scale.evaluations,
  };
}

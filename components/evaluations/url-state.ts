// The evaluation pages keep their filters, sort and page in the URL, so a link can be shared.
// These helpers split the page's search parameters into what each API call takes.
import { SORT_KEYS, type SortDir, type SortKey } from '@/lib/schemas/evaluations-plain';

export const FILTER_KEYS = ['forum', 'type', 'qmin', 'qmax', 'rmin', 'rmax', 'from', 'to', 'q', 'orphans'] as const;
export const DISTRIBUTION_KEYS = ['forum', 'from', 'to', 'bins'] as const;

type Params = { get(name: string): string | null };

/** The named parameters that are set, in a fixed order (so equal filters make equal keys). */
export function pick(params: Params, keys: readonly string[]): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of keys) {
    const v = params.get(k);
    if (v) out.set(k, v);
  }
  return out;
}

/** What the list asks the API for: the rows (`page`) and the count of matching rows (`filters`). */
export function browseRequest(params: Params): { page: string; filters: string } {
  return {
    page: pick(params, [...FILTER_KEYS, 'sort', 'dir', 'after', 'before']).toString(),
    filters: pick(params, FILTER_KEYS).toString(),
  };
}

/** What the distributions page asks the API for. */
export function distributionsRequest(params: Params): string {
  return pick(params, DISTRIBUTION_KEYS).toString();
}

export function currentSort(params: Params): { sort: SortKey; dir: SortDir } {
  const s = params.get('sort');
  const sort = (SORT_KEYS as readonly string[]).includes(s ?? '') ? (s as SortKey) : 'created_at';
  return { sort, dir: params.get('dir') === 'asc' ? 'asc' : 'desc' };
}

/** The list's URL for these filters and sort, on its first page. */
export function listHref(params: Params, change: Record<string, string | null> = {}): string {
  // The target too: a filter or a page of the list stays on the database it was on.
  const next = pick(params, [...FILTER_KEYS, 'sort', 'dir', 'target']);
  for (const [k, v] of Object.entries(change)) {
    if (v === null || v === '') next.delete(k);
    else next.set(k, v);
  }
  const qs = next.toString();
  return qs ? `/evaluations?${qs}` : '/evaluations';
}

// Every query parameter of the evaluations API is checked: unknown parameters and sort columns,
// inverted ranges and malformed cursors are a 400 that names the field.
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api/errors';
import { parseQuery } from '../lib/api/input';
import {
  browseQuerySchema,
  decodeCursor,
  distributionQuerySchema,
  encodeCursor,
  exportQuerySchema,
  filterQuerySchema,
} from '../lib/schemas/evaluations';

function rejects(schema: Parameters<typeof parseQuery>[1], qs: string): ApiError {
  try {
    parseQuery(new NextRequest(`http://strata.test/api/evaluations?${qs}`), schema);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return err as ApiError;
  }
  throw new Error(`${qs} was accepted`);
}

const cursor = encodeCursor({ s: 'quality', d: 'desc', v: '0.75', i: 42 });

describe('evaluations query parameters', () => {
  it.each([
    ['sort=summary', /^sort: must be one of created_at, quality, relevance/],
    ['dir=up', /^dir: /],
    ['qmin=0.9&qmax=0.1', /^qmin: must not be greater than qmax/],
    ['rmin=1&rmax=0.5', /^rmin: must not be greater than rmax/],
    ['from=2025-03-01&to=2025-02-01', /^from: must be before to/],
    ['from=2025-02-30', /^from: is not a real date/],
    ['to=yesterday', /^to: must be a date/],
    ['after=not-a-cursor', /^after: is not a valid cursor/],
    [`after=${cursor.slice(0, -3)}`, /^after: is not a valid cursor/],
    [`after=${encodeCursor({ s: 'quality', d: 'desc', v: "0.5'; DROP TABLE x; --", i: 1 })}&sort=quality`, /^after: is not a valid cursor/],
    [`after=${cursor}`, /^after: belongs to another sort/],
    [`after=${cursor}&before=${cursor}&sort=quality`, /^before: give after or before, not both/],
    ['limit=0', /^limit: /],
    ['limit=500', /^limit: /],
    ['forum=1;2', /^forum: must be forum ids/],
    ['type=video', /^type: /],
    ['qmin=abc', /^qmin: must be a number/],
    ['orphans=yes', /^orphans: /],
    ['bogus=1', /^bogus: not a known query parameter/],
    ['sort=quality&sort=relevance', /^sort: give it once/],
  ])('browse rejects %s', (qs, message) => {
    expect(rejects(browseQuerySchema, qs).message).toMatch(message);
  });

  it('the other endpoints reject what they do not take', () => {
    expect(rejects(filterQuerySchema, 'sort=quality').message).toMatch(/^sort: not a known query parameter/);
    expect(rejects(exportQuerySchema, `after=${cursor}`).message).toMatch(/^after: not a known query parameter/);
    expect(rejects(distributionQuerySchema, 'type=post').message).toMatch(/^type: not a known query parameter/);
    expect(rejects(distributionQuerySchema, 'bins=2').message).toMatch(/^bins: /);
    expect(rejects(distributionQuerySchema, 'from=2025-05-01&to=2025-04-01').message).toMatch(/^from: /);
  });

  it('accepts a well-formed query and reads a day in `to` as the whole day', () => {
    const q = parseQuery(
      new NextRequest(`http://strata.test/api/evaluations?forum=3,5&type=post&qmin=0.2&qmax=0.9&from=2025-01-01&to=2025-01-31&q=50%25&sort=quality&dir=desc&after=${cursor}&limit=20`),
      browseQuerySchema,
    );
    expect(q).toMatchObject({
      forum: [3, 5],
      qmin: 0.2,
      qmax: 0.9,
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-02-01T00:00:00.000Z',
      q: '50%',
      after: { s: 'quality', d: 'desc', v: '0.75', i: 42 },
      limit: 20,
    });
    expect(browseQuerySchema.parse({})).toMatchObject({ sort: 'created_at', dir: 'desc', limit: 50 });
  });

  it('round-trips cursors for each kind of sort value', () => {
    for (const c of [
      { s: 'created_at', d: 'asc', v: '2025-03-01T12:00:00.123456+00:00', i: 1 },
      { s: 'quality', d: 'desc', v: 'NaN', i: 2_147_483_647 },
      { s: 'relevance', d: 'asc', v: '-1.5e-7', i: 9 },
    ] as const) {
      expect(decodeCursor(encodeCursor(c))).toEqual(c);
    }
    expect(decodeCursor(encodeCursor({ s: 'created_at', d: 'asc', v: '0.5', i: 1 }))).toBeNull();
  });
});

// Input that used to reach the database and come back as a 500: NUL characters (22021), years
// and offsets PostgreSQL refuses (22008, 22009), forged cursors out of real's range (22003),
// JSON under another content type. Each is a 400 naming the field, found before any query.
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../lib/api/errors';
import { parseBody, parseFields, parseParams, parseQuery, readForm } from '../lib/api/input';
import { createTokenBodySchema, idParamSchema, signInFormSchema } from '../lib/schemas/auth';
import { browseQuerySchema, distributionQuerySchema, encodeCursor, filterQuerySchema } from '../lib/schemas/evaluations';
import { instantSchema, parseInstantText } from '../lib/schemas/instant';
import { runsQuerySchema } from '../lib/schemas/migrations';
import { reindexBodySchema } from '../lib/schemas/vector-health';

async function refusal(p: () => unknown): Promise<ApiError> {
  try {
    await p();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return err as ApiError;
  }
  throw new Error('accepted');
}

const query = (qs: string) => new NextRequest(`http://strata.test/api/x?${qs}`);
const post = (body: string, type = 'application/json') => new NextRequest('http://strata.test/api/x', { method: 'POST', body, headers: { 'content-type': type } });

describe('NUL characters', () => {
  it('are refused in query strings, bodies, forms and path parameters, naming the field', async () => {
    expect((await refusal(() => parseQuery(query('q=%00'), filterQuerySchema))).message).toBe('q: must not contain NUL characters');
    expect((await refusal(() => parseBody(post('{"name":"a\\u0000b","role":"viewer"}'), createTokenBodySchema))).message).toBe('name: must not contain NUL characters');
    const nested = post('{"index":{"schema":"public\\u0000","name":"i"},"confirm":"i"}');
    expect((await refusal(() => parseBody(nested, reindexBodySchema))).message).toBe('index.schema: must not contain NUL characters');
    expect((await refusal(() => parseParams({ id: 'a\0' }, idParamSchema))).message).toBe('id: must not contain NUL characters');
    const form = new NextRequest('http://strata.test/api/x', { method: 'POST', body: 'email=a%00@b.c', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const fields = await readForm(form);
    expect((await refusal(() => parseFields(fields, signInFormSchema))).message).toBe('email: must not contain NUL characters');
  });
});

describe('dates and times', () => {
  it.each([
    ['from=0000-01-01', /^from: is not a real date \(years start at 0001\)/],
    ['from=2024-02-30', /^from: is not a real date/],
    ['to=2024-02-30T10:00:00Z', /^to: is not a real date/],
    ['from=2023-02-29', /^from: is not a real date/],
    ['from=2024-01-01T24:00:00Z', /^from: is not a real time/],
    ['from=1970-01-01T00:00:00-23:59', /^from: has a time zone offset out of range/],
    ['to=9999-12-31', /^to: must be before 9999-12-31/],
    ['from=12345-01-01', /^from: must be a date/],
  ])('%s is refused', async (qs, message) => {
    expect((await refusal(() => parseQuery(query(qs), filterQuerySchema))).message).toMatch(message);
  });

  it('the same rules hold for the distributions and for the runs list', async () => {
    expect((await refusal(() => parseQuery(query('from=0000-01-01'), distributionQuerySchema))).message).toMatch(/^from: /);
    const runs = runsQuerySchema.extend({ before: instantSchema().optional() });
    expect((await refusal(() => parseQuery(query('before=1970-01-01T00:00:00-23:59'), runs))).message).toMatch(/^before: has a time zone offset/);
    expect(parseQuery(query('before=1970-01-01T00:00:00-15:59'), runs).before).toBe('1970-01-01T15:59:00.000Z');
  });

  it('accepts what PostgreSQL accepts, normalised to UTC', () => {
    expect(new Date((parseInstantText('0001-01-01') as { ms: number }).ms).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(new Date((parseInstantText('2024-02-29T23:30+05:30') as { ms: number }).ms).toISOString()).toBe('2024-02-29T18:00:00.000Z');
    expect(parseQuery(query('from=2024-02-29&to=2024-03-01'), filterQuerySchema)).toMatchObject({ from: '2024-02-29T00:00:00.000Z', to: '2024-03-02T00:00:00.000Z' });
  });
});

describe('cursors', () => {
  it.each([
    ['quality', '1e39'],
    ['quality', '-1e39'],
    ['relevance', '1e-50'],
    ['quality', '3.5e38'],
  ])('a %s cursor forged to %s is refused', async (sort, v) => {
    const c = encodeCursor({ s: sort as 'quality', d: 'desc', v, i: 1 });
    expect((await refusal(() => parseQuery(query(`sort=${sort}&after=${c}`), browseQuerySchema))).message).toMatch(/^after: is not a valid cursor/);
  });

  it.each(['0000-01-01T00:00:00+00:00', '2024-02-30T00:00:00+00:00', '1970-01-01T00:00:00-23:59'])('a time cursor forged to %s is refused', async (v) => {
    const c = encodeCursor({ s: 'created_at', d: 'desc', v, i: 1 });
    expect((await refusal(() => parseQuery(query(`after=${c}`), browseQuerySchema))).message).toMatch(/^after: is not a valid cursor/);
  });

  it('keeps the values PostgreSQL writes for real and timestamptz', () => {
    for (const [s, v] of [['quality', '3.4028235e+38'], ['quality', '1e-45'], ['relevance', '-0'], ['quality', 'NaN'], ['created_at', '2025-03-01T12:00:00.123456+00:00']] as const) {
      const c = encodeCursor({ s, d: 'asc', v, i: 7 });
      expect(parseQuery(query(`sort=${s}&dir=asc&after=${c}`), browseQuerySchema).after).toEqual({ s, d: 'asc', v, i: 7 });
    }
  });
});

describe('content types', () => {
  it('takes JSON only as application/json, with no charset or UTF-8', async () => {
    const body = '{"name":"n","role":"viewer"}';
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"']) {
      expect(await parseBody(post(body, type), createTokenBodySchema)).toEqual({ name: 'n', role: 'viewer' });
    }
    for (const type of ['application/jsonx', 'application/json; charset=utf-16', 'text/plain', 'application/json-patch+json', '']) {
      expect((await refusal(() => parseBody(post(body, type), createTokenBodySchema))).message, type).toBe('body: send JSON with Content-Type: application/json');
    }
  });
});

describe('database errors about values', () => {
  it('are a 400, never a 500; a database that cannot be reached is a 503 saying why', () => {
    for (const code of ['22021', '22008', '22009', '22003', '22P05']) expect(toApiError(Object.assign(new Error('x'), { code })).status).toBe(400);
    expect(toApiError(Object.assign(new Error('x'), { code: '42601' })).status).toBe(500);
    const socket = toApiError(Object.assign(new Error('connect ENOENT /tmp/none/.s.PGSQL.5432'), { code: 'ENOENT', syscall: 'connect' }));
    expect(socket.status).toBe(503);
    expect(socket.message).toMatch(/Unix socket is not there/);
    const password = toApiError(Object.assign(new Error('password authentication failed for user "strata"'), { code: '28P01' }));
    expect(password.status).toBe(503);
    expect(password.message).toMatch(/refused the password/);
    // Wrapped by a library (better-auth: "Failed to get session"): the cause decides.
    const wrapped = Object.assign(new Error('Failed to get session'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(toApiError(wrapped).status).toBe(503);
    expect(toApiError(Object.assign(new Error('Failed'), { cause: Object.assign(new Error('x'), { code: '22021' }) })).status).toBe(400);
  });
});

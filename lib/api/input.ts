import 'server-only';
// Input parsing for route handlers: every body, query string and route parameter goes through
// a zod schema, and a failure is a 400 that names the field. Text that PostgreSQL cannot store
// (a NUL character) is refused here for every field at once, so that no route has to remember it.
import { NextRequest } from 'next/server';
import { z } from 'zod';
import { ApiError } from './errors';

/** The largest request body Strata reads (JSON or a form): its bodies are a few hundred bytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

// A field that is missing says so, rather than zod's "expected number, received undefined";
// a schema's own messages still win.
const PARSE: z.core.ParseContext<z.core.$ZodIssue> = {
  error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
};

function invalid(where: string, err: z.ZodError): ApiError {
  const first = err.issues[0];
  const unknown = first?.code === 'unrecognized_keys' ? first.keys : [];
  const field = first?.path.length ? first.path.join('.') : unknown.length ? unknown.join(', ') : where;
  const message = !first ? `Invalid ${where}` : unknown.length ? `${field}: not a known ${where} parameter` : `${field}: ${first.message}`;
  return new ApiError('bad_request', message, err.issues.map((i) => ({ path: i.path, message: i.message, code: i.code })));
}

/** The path of the first text in `value` (keys included) that holds a NUL character, or null. */
function nulAt(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === 'string') return value.includes('\0') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = nulAt(value[i], [...path, String(i)]);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\0')) return [...path, k.replaceAll('\0', '\\0')];
      const hit = nulAt(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

function parseWith<T extends z.ZodType>(where: string, value: unknown, schema: T): z.infer<T> {
  const nul = nulAt(value);
  if (nul) throw new ApiError('bad_request', `${nul.length ? nul.join('.') : where}: must not contain NUL characters`);
  const parsed = schema.safeParse(value, PARSE);
  if (!parsed.success) throw invalid(where, parsed.error);
  return parsed.data;
}

// `application/json`, with no parameter or a UTF-8 charset: JSON is UTF-8 (RFC 8259), and
// `application/jsonx` or a UTF-16 body is not what this API reads.
const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

function contentType(req: NextRequest): string {
  return (req.headers.get('content-type') ?? '').trim();
}

export async function parseBody<T extends z.ZodType>(req: NextRequest, schema: T): Promise<z.infer<T>> {
  if (!JSON_TYPE.test(contentType(req))) {
    throw new ApiError('bad_request', 'body: send JSON with Content-Type: application/json');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await req.text());
  } catch {
    throw new ApiError('bad_request', 'body: not valid JSON');
  }
  return parseWith('body', raw, schema);
}

/** A browser's own form post (`application/x-www-form-urlencoded`), for forms that work before scripts load. */
export function isFormPost(req: NextRequest): boolean {
  return FORM_TYPE.test(contentType(req));
}

/** A form's fields as text; a repeated field is a 400. */
export async function readForm(req: NextRequest): Promise<Record<string, string>> {
  if (!isFormPost(req)) throw new ApiError('bad_request', 'body: not a form (application/x-www-form-urlencoded)');
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(await req.text())) {
    if (Object.hasOwn(fields, key)) throw new ApiError('bad_request', `${key}: give it once`);
    fields[key] = value;
  }
  return fields;
}

export function parseFields<T extends z.ZodType>(fields: Record<string, string>, schema: T): z.infer<T> {
  return parseWith('body', fields, schema);
}

/** `?target=` names the target of any request (lib/targets/scope.ts); the route wrapper reads it, no route's schema. */
const RESERVED_QUERY = new Set(['target']);

export function parseQuery<T extends z.ZodType>(req: NextRequest, schema: T): z.infer<T> {
  const params = req.nextUrl.searchParams;
  const obj: Record<string, string> = {};
  for (const key of new Set(params.keys())) {
    if (RESERVED_QUERY.has(key)) continue;
    const all = params.getAll(key);
    if (all.length > 1) throw new ApiError('bad_request', `${key}: give it once`);
    obj[key] = all[0]!;
  }
  return parseWith('query', obj, schema);
}

export function parseParams<T extends z.ZodType>(params: unknown, schema: T): z.infer<T> {
  return parseWith('path', params, schema);
}

/**
 * The request with its body read into memory, at most BODY_LIMIT_BYTES of it: the route wrapper
 * calls this before anything else (authentication included), so an anonymous caller cannot make
 * the server read, or hold, more than that. A larger body is a 413 as soon as the limit is passed.
 */
export async function withBoundedBody(req: NextRequest): Promise<NextRequest> {
  if (!req.body) return req;
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > BODY_LIMIT_BYTES) throw tooLarge();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > BODY_LIMIT_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return new NextRequest(req.url, { method: req.method, headers: req.headers, body });
}

function tooLarge(): ApiError {
  return new ApiError('payload_too_large', `body: larger than ${BODY_LIMIT_BYTES / 1024 / 1024} MB; Strata's requests are small`);
}

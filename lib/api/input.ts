import 'server-only';
// Input parsing for route handlers: every body, query string and route parameter goes through
// a zod schema, and a failure is a 400 that names the field.
import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { ApiError } from './errors';

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

export async function parseBody<T extends z.ZodType>(req: NextRequest, schema: T): Promise<z.infer<T>> {
  if (!(req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    throw new ApiError('bad_request', 'body: send JSON with Content-Type: application/json');
  }
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new ApiError('bad_request', 'body: not valid JSON');
  }
  const parsed = schema.safeParse(raw, PARSE);
  if (!parsed.success) throw invalid('body', parsed.error);
  return parsed.data;
}

/** A browser's own form post (`application/x-www-form-urlencoded`), for forms that work before scripts load. */
export function isFormPost(req: NextRequest): boolean {
  return (req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** A form's fields as text; a file or a repeated field is a 400. */
export async function readForm(req: NextRequest): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new ApiError('bad_request', 'body: not a valid form');
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of form) {
    if (typeof value !== 'string' || Object.hasOwn(fields, key)) throw new ApiError('bad_request', `${key}: give it once, as text`);
    fields[key] = value;
  }
  return fields;
}

export function parseFields<T extends z.ZodType>(fields: Record<string, string>, schema: T): z.infer<T> {
  const parsed = schema.safeParse(fields, PARSE);
  if (!parsed.success) throw invalid('body', parsed.error);
  return parsed.data;
}

export function parseQuery<T extends z.ZodType>(req: NextRequest, schema: T): z.infer<T> {
  const params = req.nextUrl.searchParams;
  const obj: Record<string, string> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    if (all.length > 1) throw new ApiError('bad_request', `${key}: give it once`);
    obj[key] = all[0]!;
  }
  const parsed = schema.safeParse(obj, PARSE);
  if (!parsed.success) throw invalid('query', parsed.error);
  return parsed.data;
}

export function parseParams<T extends z.ZodType>(params: unknown, schema: T): z.infer<T> {
  const parsed = schema.safeParse(params, PARSE);
  if (!parsed.success) throw invalid('path', parsed.error);
  return parsed.data;
}

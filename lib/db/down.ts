// How the proxy tells the page layouts that the database does not answer: a request header it
// alone sets (it removes any a client sent), carrying what failed.
import type { DatabaseFailure } from './failure';

export const DATABASE_DOWN_HEADER = 'x-strata-database-down';

export function encodeDatabaseDown(f: DatabaseFailure): string {
  return `${f.kind};${encodeURIComponent(f.reason)}`;
}

export function decodeDatabaseDown(value: string | null): DatabaseFailure | null {
  if (!value) return null;
  const at = value.indexOf(';');
  try {
    return { kind: value.slice(0, at) as DatabaseFailure['kind'], reason: decodeURIComponent(value.slice(at + 1)) };
  } catch {
    return { kind: 'not_answering', reason: 'the database does not answer' };
  }
}

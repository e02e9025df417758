import 'server-only';
// What a page layout needs when the database cannot be used: whether the proxy found it down for
// this request, and which database it is (host and name, never the password).
import { headers } from 'next/headers';
import { readConfig } from '../config';
import { homeDatabaseUrl } from '../targets/config';
import { decodeDatabaseDown, DATABASE_DOWN_HEADER } from './down';
import type { DatabaseFailure } from './failure';
import { describeTarget } from './target';

export type DatabaseProblem = DatabaseFailure & { database: string };

/** The configured database as an operator knows it: host and name, or the embedded folder. */
export function databaseLabel(): string {
  const config = readConfig();
  const url = homeDatabaseUrl();
  if (!url) return `the embedded database (${config.dataDir})`;
  const t = describeTarget({ kind: 'external', url });
  return `${t.host}/${t.database}`;
}

export function withLabel(f: DatabaseFailure): DatabaseProblem {
  return { ...f, database: databaseLabel() };
}

/** The failure the proxy found for this request, or null when the database answered it. */
export async function databaseDownForRequest(): Promise<DatabaseProblem | null> {
  const f = decodeDatabaseDown((await headers()).get(DATABASE_DOWN_HEADER));
  return f ? withLabel(f) : null;
}

import 'server-only';
// What to tell an operator when the shadow could not do something: what happened, and the setting or
// step that fixes it. A shadow is a different server than the live one; some failures are the
// shadow's (an extension or a role it lacks), and the message says which.
import type { StrataConfig } from '../config';
import type { ShadowInfo, ShadowProblem } from '../schemas/shadow';
import { EMBEDDED_EXTENSIONS, ShadowStartError } from './embedded-engine';
import { ShadowStoppedError } from './limits';
import { ReplayFailedError, ReplayUnavailableError } from './replay';

const MISSING_EXTENSION = /extension "([^"]+)" is not available|could not open extension control file "[^"]*\/([^/"]+)\.control"/;
const MISSING_ROLE = /role "([^"]+)" does not exist/;

/** The fix for an error a migration raised on the shadow when the shadow, not the migration, lacks something; null otherwise. */
export function shadowFix(message: string, kind: ShadowInfo['kind'] | null): string | null {
  const ext = MISSING_EXTENSION.exec(message);
  if (ext) {
    const name = ext[1] ?? ext[2]!;
    return kind === 'server'
      ? `The shadow server has no extension "${name}": install it there, as on the live server.`
      : `The embedded shadow has no extension "${name}" (it has vector${EMBEDDED_EXTENSIONS.size > 1 ? ' and the contrib modules PGlite ships' : ''}): set STRATA_SHADOW_DATABASE_URL to a PostgreSQL server that has it.`;
  }
  const role = MISSING_ROLE.exec(message);
  if (role) {
    return `Roles belong to the server, and the shadow has no role "${role[1]}": create it on the shadow server${kind === 'embedded' ? ' (set STRATA_SHADOW_DATABASE_URL to use one)' : ''}.`;
  }
  return null;
}

/** Why no shadow could be used for the whole request, and what fixes it. */
export function shadowProblem(err: unknown, config: StrataConfig, kind: ShadowInfo['kind'] | null = null): ShadowProblem {
  const source = kind ?? (config.shadow.databaseUrl ? 'server' : 'embedded');
  if (err instanceof ReplayUnavailableError) return { message: err.message, fix: 'Restore the files of the applied migrations (knex itself refuses to migrate without them).' };
  if (err instanceof ReplayFailedError) {
    const inner = err.error instanceof Error ? err.error.message : String(err.error);
    return {
      message: err.message,
      fix: shadowFix(inner, source) ?? 'An applied migration does not run on an empty database as it did on the live one; the shadow cannot be brought to the live state.',
    };
  }
  if (err instanceof ShadowStoppedError) {
    return {
      message: err.message,
      fix: err.reason === 'timeout' ? `Raise STRATA_SHADOW_TIMEOUT_SECONDS${source === 'embedded' ? ', or set STRATA_SHADOW_DATABASE_URL (a PostgreSQL server runs heavy migrations faster than the embedded engine)' : ''}.` : null,
    };
  }
  if (err instanceof ShadowStartError) return { message: err.message, fix: 'Set STRATA_SHADOW_DATABASE_URL to use a PostgreSQL server as the shadow instead.' };
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  if (source === 'server') {
    return {
      message: `The shadow server could not be used: ${message}`,
      fix: 'Check STRATA_SHADOW_DATABASE_URL: the server must answer, have pgvector, and its role must be allowed to CREATE DATABASE.',
    };
  }
  return { message: `The embedded shadow could not be used: ${message}`, fix: null };
}

// The statements that fix what the vector health page flags, ready to paste (into psql, or into a
// migration with `config = { transaction: false }`, since CONCURRENTLY cannot run in a
// transaction). Names arrive quoted by PostgreSQL's own quote_ident in the catalog queries.
// Pure functions, so that the tests can pin each statement.
import type { Fix } from '../../schemas/vector-health';

const concurrently = (yes: boolean) => (yes ? 'CONCURRENTLY ' : '');

/** Drop an index nothing needs (unused, or covered by another). */
export function dropIndexFix(qIndex: string, online: boolean, note: string | null = null): Fix {
  return { sql: `DROP INDEX ${concurrently(online)}${qIndex};`, note, rebuild: false };
}

/**
 * An invalid index (left by a CREATE INDEX CONCURRENTLY that failed) dropped and built again from
 * its definition. One that backs a constraint cannot be dropped alone: it is rebuilt in place.
 */
export function rebuildInvalidFix(definition: string, qIndex: string, online: boolean, backsConstraint: boolean): Fix {
  if (backsConstraint) return reindexFix(qIndex, online);
  const create = definition.replace(/^CREATE (UNIQUE )?INDEX /, (_, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX ${concurrently(online)}`);
  return {
    sql: `DROP INDEX ${concurrently(online)}${qIndex};\n${create};`,
    note: 'If the build failed because of the data (a UNIQUE index over duplicate values), it fails again the same way: fix the data first.',
    rebuild: true,
  };
}

/** Build an index again from the table: what an invalid index needs. */
export function reindexFix(qIndex: string, online: boolean): Fix {
  return { sql: `REINDEX INDEX ${concurrently(online)}${qIndex};`, note: null, rebuild: true };
}

/**
 * The index definition (pg_get_indexdef) with another `lists`, built beside the old index under a
 * new name, then swapped in: queries keep an index throughout. REINDEX keeps `lists` as it is.
 */
export function recreateWithListsFix(
  definition: string,
  q: { index: string; newName: string; schema: string; name: string },
  lists: number,
  online: boolean,
): Fix {
  let def = definition.replace(/^CREATE INDEX (?:"(?:[^"]|"")+"|\S+) ON /, `CREATE INDEX ${concurrently(online)}${q.newName} ON `);
  if (/ WITH \(/.test(def)) {
    def = def.replace(/ WITH \(([^)]*)\)/, (_, opts: string) => {
      const rest = opts
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o && !/^lists\s*=/.test(o));
      return ` WITH (${[`lists = ${lists}`, ...rest].join(', ')})`;
    });
  } else if (/ WHERE /.test(def)) {
    def = def.replace(/ WHERE /, ` WITH (lists = ${lists}) WHERE `);
  } else {
    def = `${def} WITH (lists = ${lists})`;
  }
  return {
    sql: [`${def};`, `DROP INDEX ${concurrently(online)}${q.index};`, `ALTER INDEX ${q.schema}.${q.newName} RENAME TO ${q.name};`].join('\n'),
    note: 'Builds the new index beside the old one (its size again in disk space), then swaps them; the guide’s indexes are defined in a migration, so put it in a new one.',
    rebuild: false,
  };
}

/** Search more lists per query, for every new session of this database. */
export function probesFix(qDatabase: string, probes: number): Fix {
  return {
    sql: `ALTER DATABASE ${qDatabase} SET ivfflat.probes = ${probes};`,
    note: `Or per session or transaction: SET ivfflat.probes = ${probes}; measure the recall it gives below.`,
    rebuild: false,
  };
}

/** Enough memory for one rebuild, in the session that runs it. */
export function memoryFix(requiredBytes: number): Fix {
  const mb = Math.ceil(requiredBytes / (1024 * 1024)) + 16;
  return { sql: `SET maintenance_work_mem = '${mb}MB';`, note: 'In the session that builds the index, before CREATE INDEX or REINDEX (the Rebuild dialog sets it for you).', rebuild: false };
}

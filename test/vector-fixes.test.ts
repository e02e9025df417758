// The statements the vector health page offers as fixes, for definitions the catalog tests do not make.
import { describe, expect, it } from 'vitest';
import { memoryFix, probesFix, recreateWithListsFix, rebuildInvalidFix } from '../lib/diagnostics/vector/fixes';

const names = { index: 'kb."Docs_ivf"', newName: '"Docs_ivf_new"', schema: 'kb', name: '"Docs_ivf"' };

describe('recreateWithListsFix', () => {
  it('replaces lists and keeps the other options', () => {
    const fix = recreateWithListsFix(`CREATE INDEX "Docs_ivf" ON kb.docs USING ivfflat (embedding vector_l2_ops) WITH (lists='100', foo='1')`, names, 30, true);
    expect(fix.sql.split('\n')).toEqual([
      `CREATE INDEX CONCURRENTLY "Docs_ivf_new" ON kb.docs USING ivfflat (embedding vector_l2_ops) WITH (lists = 30, foo='1');`,
      'DROP INDEX CONCURRENTLY kb."Docs_ivf";',
      'ALTER INDEX kb."Docs_ivf_new" RENAME TO "Docs_ivf";',
    ]);
  });

  it('adds lists to a definition without options, before a partial index’s WHERE', () => {
    const fix = recreateWithListsFix(`CREATE INDEX "Docs_ivf" ON kb.docs USING ivfflat (embedding vector_l2_ops) WHERE (live)`, names, 8, false);
    expect(fix.sql.split('\n')[0]).toBe(`CREATE INDEX "Docs_ivf_new" ON kb.docs USING ivfflat (embedding vector_l2_ops) WITH (lists = 8) WHERE (live);`);
    expect(fix.rebuild).toBe(false);
  });
});

describe('the other fixes', () => {
  it('set probes for the database, and memory for the session that builds', () => {
    expect(probesFix('"My DB"', 10).sql).toBe('ALTER DATABASE "My DB" SET ivfflat.probes = 10;');
    expect(memoryFix(60 * 1024 * 1024).sql).toBe("SET maintenance_work_mem = '76MB';");
  });

  it('rebuild an invalid index that backs a constraint in place', () => {
    expect(rebuildInvalidFix('CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)', 'public.t_pkey', true, true)).toEqual({
      sql: 'REINDEX INDEX CONCURRENTLY public.t_pkey;',
      note: null,
      rebuild: true,
    });
  });
});

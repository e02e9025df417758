// Vector columns found in the catalog: declared dimensions, whether an index can take them, and
// NULLs and zero vectors (estimated from the statistics or a sample unless the table is small).
import { Card } from '@/components/ui/card';
import { SqlFix } from '@/components/ui/sql-fix';
import { Table } from '@/components/ui/table';
import type { Section, VectorColumn } from '@/lib/schemas/vector-health';
import { qualified } from '@/lib/schemas/vector-health-plain';
import { count } from './format';
import { EstimateCell, HealthBadge, MUTED, NUM, Problems, RowNotes, SectionView, TD, TH } from './parts';

function Dimensions({ c }: { c: VectorColumn }) {
  if (c.dimensions !== null) return <>{count(c.dimensions)}</>;
  return (
    <span>
      none declared
      {c.storedDimensions && c.storedDimensions.length > 0 && (
        <span className={`block text-xs ${MUTED}`} data-testid="stored-dimensions">
          stored: {c.storedDimensions.map((d) => `${count(d.dimensions)} (${count(d.rows)} rows)`).join(', ')}
        </span>
      )}
    </span>
  );
}

export function ColumnsCard({ section, expected }: { section: Section<VectorColumn[]>; expected: number | null }) {
  return (
    <Card title="Vector columns">
      <SectionView section={section} what="the vector columns">
        {(columns) =>
          columns.length === 0 ? (
            <p className={`text-sm ${MUTED}`}>No vector, halfvec, sparsevec or bit columns in this database’s schemas yet.</p>
          ) : (
            <div className="space-y-3">
              <Table label="Vector columns">
                <thead>
                  <tr>
                    <th scope="col" className={TH}>Column</th>
                    <th scope="col" className={TH}>Type</th>
                    <th scope="col" className={`${TH} text-right`}>Dimensions</th>
                    <th scope="col" className={TH}>Indexable</th>
                    <th scope="col" className={`${TH} text-right`}>Rows</th>
                    <th scope="col" className={`${TH} text-right`}>NULLs</th>
                    <th scope="col" className={`${TH} text-right`}>Zero vectors</th>
                    <th scope="col" className={TH}>Health</th>
                  </tr>
                </thead>
                <tbody>
                  {columns.map((c) => (
                    <ColumnRows key={`${c.schema}.${c.table}.${c.column}`} c={c} />
                  ))}
                </tbody>
              </Table>
              <p className={`text-xs ${MUTED}`}>
                {expected ? `Expected embedding dimension: ${count(expected)} (STRATA_EXPECTED_DIMENSIONS). ` : 'Set STRATA_EXPECTED_DIMENSIONS (e.g. 1536) to flag columns of another dimension. '}
                Figures marked ≈ come from the statistics or a sample of up to 1,000 rows; hover for how. The guide’s{' '}
                <code>octet_length(…::bytea)/4</code> check fails on pgvector’s types (“cannot cast type vector to bytea”); the query under each column works.
              </p>
            </div>
          )
        }
      </SectionView>
    </Card>
  );
}

function ColumnRows({ c }: { c: VectorColumn }) {
  return (
    <>
      <tr className="border-t border-slate-200 dark:border-slate-800" data-testid="vector-column" data-column={`${c.table}.${c.column}`}>
        <td className={TD}>
          <span className="font-mono">{qualified(c.schema, c.table)}.{c.column}</span>
          {c.annIndexes.length > 0 && <span className={`block text-xs ${MUTED}`}>indexed by {c.annIndexes.join(', ')}</span>}
        </td>
        <td className={TD}>{c.type}</td>
        <td className={NUM}>
          <Dimensions c={c} />
        </td>
        <td className={TD}>{c.indexable ? 'yes' : 'no'}{c.indexLimit !== null && <span className={`block text-xs ${MUTED}`}>up to {count(c.indexLimit)}</span>}</td>
        <td className={NUM}>
          <EstimateCell value={c.estimatedRows} />
        </td>
        <td className={NUM} data-testid="column-nulls">
          <EstimateCell value={c.nulls} />
        </td>
        <td className={NUM} data-testid="column-zeros">
          <EstimateCell value={c.zeros} />
        </td>
        <td className={TD}>
          <HealthBadge health={c.problems.length === 0 ? 'ok' : c.indexable ? 'warn' : 'error'} />
        </td>
      </tr>
      <tr>
        <td colSpan={8} className="pb-3">
          <RowNotes>
            <Problems items={c.problems} />
            <details className="mt-1 text-xs">
              <summary className="cursor-pointer">Query for the stored dimensions</summary>
              <SqlFix fix={{ sql: c.dimensionsSql, note: null }} testId="dimensions-sql" />
            </details>
          </RowNotes>
        </td>
      </tr>
    </>
  );
}

// Index health for every table, in the manner of PgHero: invalid, unused and duplicate indexes, and sizes.
import { Card, Notice } from '@/components/ui/card';
import { SqlFix } from '@/components/ui/sql-fix';
import { Time } from '@/components/ui/time';
import { Table } from '@/components/ui/table';
import type { IndexHealth, IndexRow, Section } from '@/lib/schemas/vector-health';
import { qualified } from '@/lib/schemas/vector-health-plain';
import { bytes, count } from './format';
import { MUTED, NUM, SectionView, TD, TH } from './parts';

function flags(ix: IndexRow, h: IndexHealth): string[] {
  const name = qualified(ix.schema, ix.name);
  const out: string[] = [];
  if (ix.building) out.push('being built');
  if (h.invalid.includes(name)) out.push('invalid');
  if (h.unused.includes(name)) out.push('unused');
  const dup = h.duplicates.find((d) => d.index === name);
  if (dup) out.push(`duplicate of ${dup.coveredBy}`);
  return out;
}

function Summary({ h }: { h: IndexHealth }) {
  return (
    <div className="space-y-3">
      {h.invalid.length > 0 && (
        <Notice tone="error">
          <span data-testid="invalid-indexes">Invalid: {h.invalid.join(', ')}.</span> Queries do not use an invalid index but writes still maintain it;
          it is usually left by a CREATE INDEX CONCURRENTLY that failed. Drop it and create it again: the statements are beside it below.
        </Notice>
      )}
      {h.duplicates.length > 0 && (
        <Notice tone="warn">
          <span data-testid="duplicate-indexes">
            Duplicates: {h.duplicates.map((d) => `${d.index} (covered by ${d.coveredBy})`).join('; ')}.
          </span>{' '}
          The covering index serves the same searches; the duplicate only costs writes and space. The DROP INDEX for each is beside it below.
        </Notice>
      )}
      {h.unused.length > 0 && (
        <Notice tone="info">
          <span data-testid="unused-indexes">Unused since the statistics were reset: {h.unused.join(', ')}.</span> Check replicas and rare jobs before
          dropping one.
        </Notice>
      )}
      {!h.statistics.available && <Notice tone="info">This server keeps no usage statistics, so unused indexes cannot be told apart.</Notice>}
    </div>
  );
}

export function IndexHealthCard({ section }: { section: Section<IndexHealth> }) {
  return (
    <Card title="Index health, every table">
      <SectionView section={section} what="the index health">
        {(h) => (
          <div className="space-y-4">
            <p className={`text-sm ${MUTED}`}>
              {count(h.indexes.length)} indexes listed{h.truncated ? ' (the largest, and every flagged one)' : ''}, {bytes(h.totalBytes)} in all. Scans
              counted since {h.statistics.resetAt ? <Time iso={h.statistics.resetAt} /> : 'the statistics began (never reset)'}.
            </p>
            <Summary h={h} />
            {h.indexes.length === 0 ? (
              <p className={`text-sm ${MUTED}`}>No indexes in this database’s schemas yet.</p>
            ) : (
              <Table label="Indexes, largest first" className="max-h-[32rem] overflow-y-auto">
                <thead>
                  <tr>
                    <th scope="col" className={TH}>Index</th>
                    <th scope="col" className={TH}>Table</th>
                    <th scope="col" className={TH}>Method</th>
                    <th scope="col" className={`${TH} text-right`}>Size</th>
                    <th scope="col" className={`${TH} text-right`}>Scans</th>
                    <th scope="col" className={TH}>Flags</th>
                  </tr>
                </thead>
                <tbody>
                  {h.indexes.map((ix) => {
                    const f = flags(ix, h);
                    return (
                      <tr key={`${ix.schema}.${ix.name}`} className="border-t border-slate-200 dark:border-slate-800" data-testid="index-row" data-index={ix.name}>
                        <td className={`${TD} font-mono`} title={ix.definition}>
                          {ix.name}
                          {(ix.primary || ix.unique) && <span className={`ml-1 font-sans text-xs ${MUTED}`}>{ix.primary ? 'primary key' : 'unique'}</span>}
                        </td>
                        <td className={`${TD} font-mono`}>{qualified(ix.schema, ix.table)}</td>
                        <td className={TD}>{ix.method}</td>
                        <td className={NUM}>{bytes(ix.sizeBytes)}</td>
                        <td className={NUM}>{ix.scans === null ? '—' : count(ix.scans)}</td>
                        <td className={TD}>
                          {f.length > 0 && <span className="font-semibold">{f.join(', ')}</span>}
                          {ix.fix && (
                            <details className="mt-1 min-w-64 text-xs" data-testid="index-fix">
                              <summary className="cursor-pointer">The statement that fixes it</summary>
                              <SqlFix fix={ix.fix} />
                            </details>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            )}
          </div>
        )}
      </SectionView>
    </Card>
  );
}

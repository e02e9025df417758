// Embedding coverage: content without a vector row and vectors older than their content, from
// bounded samples; the exact counts are a job the user asks for.
import { Card } from '@/components/ui/card';
import { Table } from '@/components/ui/table';
import type { CoveragePair, Estimate, Section } from '@/lib/schemas/vector-health';
import { qualified } from '@/lib/schemas/vector-health-plain';
import { ExactCountsPanel } from './exact-counts-panel';
import { percent } from './format';
import { EstimateCell, MUTED, NUM, SectionView, TD, TH } from './parts';

function Share({ part, whole, examples, noun }: { part: (Estimate & { examples: string[] }) | null; whole: Estimate | null; examples?: boolean; noun: string }) {
  if (!part) return <span className={MUTED}>not sampled</span>;
  return (
    <span>
      <EstimateCell value={part} /> <span className={MUTED}>({percent(part.value, whole?.value ?? 0)})</span>
      {examples !== false && part.examples.length > 0 && (
        <span className={`block text-xs ${MUTED}`}>
          e.g. {noun} {part.examples.join(', ')}
        </span>
      )}
    </span>
  );
}

function PairRow({ p }: { p: CoveragePair }) {
  const content = qualified(p.content.schema, p.content.table);
  return (
    <>
      <tr className="border-t border-slate-200 dark:border-slate-800" data-testid="coverage-row" data-content={content}>
        <td className={TD}>
          <span className="font-mono">{content}</span>
          <span className={`block text-xs ${MUTED}`}>
            embedded in {qualified(p.vectors.schema, p.vectors.table)} by {p.vectors.column}
          </span>
        </td>
        <td className={NUM}>
          <EstimateCell value={p.contentRows} />
        </td>
        <td className={NUM} data-testid="coverage-missing">
          <Share part={p.missing} whole={p.contentRows} noun={`${p.content.key}`} />
        </td>
        <td className={NUM}>
          <EstimateCell value={p.vectorRows} />
        </td>
        <td className={NUM} data-testid="coverage-stale">
          <Share part={p.stale} whole={p.vectorRows} noun={`${p.content.key}`} />
        </td>
      </tr>
      {p.note && (
        <tr>
          <td colSpan={5} className={`pb-2 text-xs ${MUTED}`}>
            {p.note}
          </td>
        </tr>
      )}
    </>
  );
}

export function CoverageCard({ section }: { section: Section<CoveragePair[]> }) {
  return (
    <Card title="Embedding coverage">
      <SectionView section={section} what="the embedding coverage">
        {(pairs) =>
          pairs.length === 0 ? (
            <p className={`text-sm ${MUTED}`}>
              No table with a vector column and a foreign key to the content it embeds (like post_vectors.post_id → posts.id).
            </p>
          ) : (
            <Table label="Embedding coverage">
              <thead>
                <tr>
                  <th scope="col" className={TH}>Content</th>
                  <th scope="col" className={`${TH} text-right`}>Rows</th>
                  <th scope="col" className={`${TH} text-right`}>Without a vector</th>
                  <th scope="col" className={`${TH} text-right`}>Vectors</th>
                  <th scope="col" className={`${TH} text-right`}>Older than their content</th>
                </tr>
              </thead>
              <tbody>
                {pairs.map((p) => (
                  <PairRow key={`${p.vectors.schema}.${p.vectors.table}`} p={p} />
                ))}
              </tbody>
            </Table>
          )
        }
      </SectionView>
      <div className="mt-4">
        <ExactCountsPanel />
      </div>
    </Card>
  );
}

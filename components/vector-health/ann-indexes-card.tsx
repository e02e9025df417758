'use client';
// The ivfflat and HNSW indexes: options against the table they index, size, validity, use, the
// memory a rebuild needs, and (for operators) the rebuild itself.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Card, Notice } from '@/components/ui/card';
import { Button } from '@/components/ui/controls';
import { SqlFix } from '@/components/ui/sql-fix';
import { Table } from '@/components/ui/table';
import type { AnnIndex, AnnReport, Section } from '@/lib/schemas/vector-health';
import { qualified } from '@/lib/schemas/vector-health-plain';
import { bytes, count } from './format';
import { JobProgress } from './job-progress';
import { EstimateCell, HealthBadge, MUTED, NUM, Problems, RowNotes, SectionView, TD, TH } from './parts';
import { vectorKeys } from './query-keys';
import { ReindexDialog } from './reindex-dialog';
import { SearchSettings } from './search-settings';
import { useJob, useJobParam } from './use-job';

function Options({ ix }: { ix: AnnIndex }) {
  if (ix.method === 'hnsw') return <>m = {ix.options.m}, ef_construction = {ix.options.efConstruction}</>;
  return <span data-testid="ann-lists">lists = {count(ix.options.lists ?? 0)}</span>;
}

function Lists({ ix }: { ix: AnnIndex }) {
  if (!ix.lists) return <span className={MUTED}>—</span>;
  return (
    <span>
      {count(ix.lists.recommended)}
      {ix.lists.rowsPerList !== null && <span className={`block text-xs ${MUTED}`}>now ≈ {count(ix.lists.rowsPerList)} rows a list</span>}
    </span>
  );
}

function Row({ ix, canReindex, onRebuild }: { ix: AnnIndex; canReindex: boolean; onRebuild: () => void }) {
  const rebuildHelps = ix.problems.some((p) => p.fix?.rebuild);
  return (
    <>
      <tr className="border-t border-slate-200 dark:border-slate-800" data-testid="ann-index-row" data-index={ix.name}>
        <td className={TD}>
          <span className="font-mono font-semibold">{ix.name}</span>
          <span className={`block text-xs ${MUTED}`}>
            {qualified(ix.schema, ix.table)}.{ix.column} · {ix.dimensions ? `${count(ix.dimensions)} dims` : 'no dims'}
          </span>
        </td>
        <td className={TD}>
          {ix.method} · {ix.distance}
          <span className={`block text-xs ${MUTED}`}>{ix.opclass}</span>
        </td>
        <td className={TD}>
          <Options ix={ix} />
        </td>
        <td className={NUM}>
          <EstimateCell value={ix.tableRows} />
        </td>
        <td className={NUM}>
          <Lists ix={ix} />
        </td>
        <td className={NUM}>{bytes(ix.sizeBytes)}</td>
        <td className={NUM}>{ix.scans === null ? '—' : count(ix.scans)}</td>
        <td className={NUM}>
          {bytes(ix.buildMemory.requiredBytes)}
          <span className={`block text-xs ${MUTED}`}>{ix.buildMemory.fits ? 'fits' : 'more than'} maintenance_work_mem</span>
        </td>
        <td className={TD}>
          <HealthBadge health={ix.health} testId="ann-health" />
          {(!ix.valid || !ix.ready) && <span className="block text-xs font-semibold text-red-800 dark:text-red-300">{ix.valid ? 'not ready' : 'invalid'}</span>}
        </td>
      </tr>
      <tr>
        <td colSpan={9} className="pb-3">
          <RowNotes>
            <div className="flex flex-wrap items-start justify-between gap-3">
              <div className="min-w-0 flex-1">
                <Problems items={ix.problems} />
                <p className={`mt-1 text-xs ${MUTED}`}>
                  {ix.search.setting} now {ix.search.current ?? 'unknown'}; recommended start {ix.search.recommended}. {ix.search.note}
                </p>
              </div>
              {/* Only where a rebuild mends what is flagged: REINDEX keeps lists, probes and memory as they are. */}
              {canReindex && rebuildHelps && (
                <Button tone="danger" onClick={onRebuild}>
                  Rebuild {ix.name}…
                </Button>
              )}
            </div>
          </RowNotes>
        </td>
      </tr>
    </>
  );
}

function RebuildProgress({ id, onDone }: { id: string; onDone: () => void }) {
  const job = useJob(id);
  const status = job.data?.status;
  useEffect(() => {
    if (status && status !== 'running') onDone();
  }, [status, onDone]);
  if (!job.data) return null;
  return (
    <div className="mb-4 rounded border border-slate-200 p-3 dark:border-slate-800">
      <JobProgress job={job.data} label={`rebuild of ${job.data.subject}`} />
    </div>
  );
}

export function AnnIndexesCard({ section, canReindex, concurrentReindex }: { section: Section<AnnReport>; canReindex: boolean; concurrentReindex: boolean }) {
  const [rebuilding, setRebuilding] = useState<AnnIndex | null>(null);
  const [jobId, setJobId] = useJobParam('reindex');
  const qc = useQueryClient();
  return (
    <Card title="ANN indexes (ivfflat and HNSW)">
      {jobId && <RebuildProgress id={jobId} onDone={() => void qc.invalidateQueries({ queryKey: vectorKeys.report })} />}
      <SectionView section={section} what="the ANN indexes">
        {(ann) =>
          ann.indexes.length === 0 ? (
            <p className={`text-sm ${MUTED}`}>
              No ivfflat or HNSW index in this database. Vector searches read every row; add an index in a migration (the guide’s third migration adds two).
            </p>
          ) : (
            <div className="space-y-4">
              {ann.overlaps.map((o) => (
                <Notice key={o.indexes.join()} tone="warn">
                  {o.sameMethod ? 'Duplicate' : 'Overlapping'} ANN indexes on {o.table}.{o.column} ({o.opfamily}): {o.indexes.join(', ')}. Queries use one of
                  them; every write maintains all.
                  <SqlFix fix={o.fix} />
                </Notice>
              ))}
              <Table label="ANN indexes">
                <thead>
                  <tr>
                    <th scope="col" className={TH}>Index</th>
                    <th scope="col" className={TH}>Method · distance</th>
                    <th scope="col" className={TH}>Options</th>
                    <th scope="col" className={`${TH} text-right`}>Table rows</th>
                    <th scope="col" className={`${TH} text-right`}>Recommended lists</th>
                    <th scope="col" className={`${TH} text-right`}>Size</th>
                    <th scope="col" className={`${TH} text-right`}>Scans</th>
                    <th scope="col" className={`${TH} text-right`}>Rebuild memory</th>
                    <th scope="col" className={TH}>Health</th>
                  </tr>
                </thead>
                <tbody>
                  {ann.indexes.map((ix) => (
                    <Row key={`${ix.schema}.${ix.name}`} ix={ix} canReindex={canReindex} onRebuild={() => setRebuilding(ix)} />
                  ))}
                </tbody>
              </Table>
              <SearchSettings ann={ann} />
            </div>
          )
        }
      </SectionView>
      {rebuilding && (
        <ReindexDialog
          index={rebuilding}
          concurrentReindex={concurrentReindex}
          onClose={() => setRebuilding(null)}
          onStarted={(id) => {
            setRebuilding(null);
            setJobId(id);
          }}
        />
      )}
    </Card>
  );
}

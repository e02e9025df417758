// The settings that govern ANN search, as this dashboard's session sees them, with what each does.
import type { AnnReport } from '@/lib/schemas/vector-health';
import { bytes } from './format';
import { MUTED, TD, TH } from './parts';
import { Table } from '@/components/ui/table';

const ADVICE: Record<string, string> = {
  'ivfflat.probes': 'Lists searched per query. Start from √lists (see each index above) and raise it until the measured recall is enough.',
  'ivfflat.iterative_scan': 'relaxed_order lets a filtered query (WHERE …) scan more lists until LIMIT rows pass the filter.',
  'ivfflat.max_probes': 'The most lists an iterative scan may search.',
  'hnsw.ef_search': 'Size of the candidate list; at least the LIMIT of your queries (40 by default). Higher: better recall, slower.',
  'hnsw.iterative_scan': 'strict_order or relaxed_order lets a filtered query keep searching until LIMIT rows pass the filter.',
  'hnsw.max_scan_tuples': 'The most rows an iterative scan may visit.',
  'hnsw.scan_mem_multiplier': 'Memory for an iterative scan, as a multiple of work_mem.',
};

export function SearchSettings({ ann }: { ann: AnnReport }) {
  return (
    <div>
      <h3 className="mb-2 text-sm font-semibold">Search settings</h3>
      {ann.settings.length === 0 ? (
        <p className={`text-sm ${MUTED}`}>pgvector’s settings could not be read in this session.</p>
      ) : (
        <Table label="Search settings">
          <thead>
            <tr>
              <th scope="col" className={TH}>Setting</th>
              <th scope="col" className={TH}>Value</th>
              <th scope="col" className={TH}>Set by</th>
              <th scope="col" className={TH}>What it does</th>
            </tr>
          </thead>
          <tbody>
            {ann.settings.map((s) => (
              <tr key={s.name} className="border-t border-slate-200 dark:border-slate-800" data-testid="search-setting">
                <td className={`${TD} font-mono`}>{s.name}</td>
                <td className={`${TD} font-mono`}>{s.setting}</td>
                <td className={TD}>{s.source}</td>
                <td className={TD}>{ADVICE[s.name] ?? s.description}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <p className={`mt-2 text-xs ${MUTED}`}>
        Values as this dashboard’s session sees them (the server’s, the database’s or the role’s defaults). Applications set them per session or
        transaction (<code>SET LOCAL ivfflat.probes = 10</code>) or for a database (<code>ALTER DATABASE … SET ivfflat.probes = 10</code>).
        maintenance_work_mem, which index builds use: {bytes(ann.maintenanceWorkMemBytes)}.
      </p>
    </div>
  );
}

import Link from '@/components/ui/target-link';
import { DriftCard } from '@/components/migrations/drift-card';
import { Card, Facts, Notice } from '@/components/ui/card';
import type { Overview } from '@/lib/diagnostics/overview';
import { TargetsSummary } from './targets-summary';

/** `source`: where this database's URL comes from (a variable's name), for an external one. */
export function OverviewView({ overview: o, source = 'DATABASE_URL', targets = false }: { overview: Overview; source?: string; targets?: boolean }) {
  const vectorMissing = !o.vector.installedVersion && !o.vector.availableVersion;
  return (
    <div className="grid max-w-4xl gap-6">
      <Card title="Connected database">
        <Facts
          rows={[
            ['Database', <span key="db" data-testid="database-name">{o.database}</span>],
            ['Host', <span key="host" data-testid="database-host">{o.host}</span>],
            [
              'Kind',
              <span key="kind" data-testid="database-kind">
                {o.kind === 'embedded' ? 'Embedded (PGlite)' : `External (${source})`}
              </span>,
            ],
            ...(o.dataDir ? ([['Data folder', <code key="dir">{o.dataDir}</code>]] as [string, React.ReactNode][]) : []),
            ['Server version', <span key="v" data-testid="server-version">{o.serverVersion}</span>],
          ]}
        />
      </Card>
      <Card title="pgvector">
        {vectorMissing ? (
          <Notice tone="error">
            <p className="font-semibold">The pgvector extension is not available on this server.</p>
            <p className="mt-2">
              The migrations run <code>CREATE EXTENSION vector</code> and will fail until it is installed. Check with:
            </p>
            <pre className="mt-2 overflow-x-auto rounded bg-black/5 p-2 dark:bg-white/10">{o.vector.checkSql}</pre>
          </Notice>
        ) : (
          <Facts
            rows={[
              [
                'Installed',
                <span key="i" data-testid="vector-installed">
                  {o.vector.installedVersion ?? 'not installed (the first migration creates it)'}
                </span>,
              ],
              ['Available on the server', <span key="a" data-testid="vector-available">{o.vector.availableVersion}</span>],
            ]}
          />
        )}
      </Card>
      <Card title="Migrations">
        <Facts
          rows={[
            ['Applied', <span key="ap" data-testid="migrations-applied" className="tabular-nums">{o.migrations.applied}</span>],
            ['Pending', <span key="pe" data-testid="migrations-pending" className="tabular-nums">{o.migrations.pending}</span>],
            ['Directory', <code key="d">{o.migrations.directory}</code>],
            ['Table', <code key="t">{o.migrations.table}</code>],
          ]}
        />
        {o.migrations.missingFiles > 0 && (
          <div className="mt-3">
            <Notice tone="warn">
              {o.migrations.missingFiles} of the {o.migrations.applied} applied migration(s) have no file on disk; knex refuses
              to migrate until they are restored.
            </Notice>
          </div>
        )}
        <p className="mt-4 text-sm">
          <Link href="/migrations" className="font-medium text-sky-700 underline dark:text-sky-400">
            See every migration
          </Link>
        </p>
      </Card>
      <DriftCard />
      {targets && <TargetsSummary />}
    </div>
  );
}

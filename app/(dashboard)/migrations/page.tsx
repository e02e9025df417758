import type { Metadata } from 'next';
import { Card, Notice } from '@/components/ui/card';
import { DbError } from '@/components/ui/db-error';
import { readConfig } from '@/lib/config';
import { getDb } from '@/lib/db/knex';
import { log } from '@/lib/log';
import { migrationStatus, type MigrationStatus } from '@/lib/migrations/status';
import { requirePageActor } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Migrations' };

const LABEL: Record<MigrationStatus['status'], string> = {
  applied: 'Applied',
  pending: 'Pending',
  missing_file: 'Missing file',
};

export default async function MigrationsPage() {
  await requirePageActor('/migrations');
  let rows: MigrationStatus[] | null = null;
  try {
    const { knex } = await getDb();
    rows = await migrationStatus(knex, readConfig());
  } catch (err) {
    log.error({ err }, 'migration status failed');
  }
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold">Migrations</h1>
      {!rows ? (
        <DbError what="the migrations" />
      ) : rows.length === 0 ? (
        <Notice tone="info">No migration files found. Create one with npm run migrate:make -- name.</Notice>
      ) : (
        <Card title={`${rows.length} migrations`}>
          <table className="w-full text-left text-sm">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th scope="col" className="py-2 pr-4">Name</th>
                <th scope="col" className="py-2 pr-4">Status</th>
                <th scope="col" className="py-2 pr-4 text-right">Batch</th>
                <th scope="col" className="py-2">Applied</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.name} className="border-b border-slate-100 dark:border-slate-800/60" data-testid="migration-row">
                  <td className="py-2 pr-4 font-mono">{m.name}</td>
                  <td className="py-2 pr-4">{LABEL[m.status]}</td>
                  <td className="py-2 pr-4 text-right tabular-nums">{m.batch ?? '—'}</td>
                  <td className="py-2">
                    {m.appliedAt ? <time dateTime={m.appliedAt} title={m.appliedAt}>{m.appliedAt.slice(0, 19).replace('T', ' ')} UTC</time> : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="mt-4 text-sm text-slate-600 dark:text-slate-400">
            Run and roll back from the command line for now: <code>npm run migrate</code>, <code>npm run migrate:rollback</code>.
          </p>
        </Card>
      )}
    </>
  );
}

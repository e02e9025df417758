import type { ReactNode } from 'react';
import { Notice } from '@/components/ui/card';
import { DbError } from '@/components/ui/db-error';
import { pageDb } from '@/lib/targets/page';
import { evaluationTablesExist } from '@/lib/evaluations/read';
import { log } from '@/lib/log';
import { EvaluationTabs } from './tabs';

/**
 * The frame of the evaluations pages: heading, tabs, and instead of the content a plain word
 * when the database cannot be read or has no guide tables yet.
 */
export async function EvaluationsArea({ children }: { children: ReactNode }) {
  let ready: boolean | null = null;
  try {
    ready = await evaluationTablesExist((await pageDb()).knex);
  } catch (err) {
    log.error({ err }, 'evaluations: checking the tables failed');
  }
  return (
    <>
      <h1 className="mb-4 text-2xl font-bold">Evaluations</h1>
      <EvaluationTabs />
      {ready === null ? (
        <DbError what="the evaluations" />
      ) : ready ? (
        children
      ) : (
        <Notice tone="info">
          This database has no <code>content_evaluations</code> table yet (or no forums, topics or posts). Apply the pending
          migrations on the Migrations page or with <code>npm run migrate</code>, then come back.
        </Notice>
      )}
    </>
  );
}

import Link from '@/components/ui/target-link';
import { Card, Facts, Notice } from '@/components/ui/card';
import { Time } from '@/components/ui/time';
import { Table } from '@/components/ui/table';
import type { EvaluationDetail } from '@/lib/schemas/evaluations';
import { fmtCount, fmtScore } from './format';

function Json({ value }: { value: unknown }) {
  return (
    <pre className="overflow-x-auto rounded bg-slate-100 p-3 font-mono text-xs dark:bg-slate-950" data-testid="metadata-json">
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function EvaluationDetailView({ detail }: { detail: EvaluationDetail }) {
  const { evaluation: e, content, others } = detail;
  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link href="/evaluations" className="underline">
          ← All evaluations
        </Link>
      </p>
      <h2 className="text-xl font-semibold" data-testid="evaluation-title">
        Evaluation {e.id} of {e.contentType} {e.contentId}
      </h2>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Evaluation">
          <Facts
            rows={[
              ['Forum', e.forumName ? `${e.forumName} (id ${e.forumId})` : '—'],
              ['Content', `${e.contentType} ${e.contentId}`],
              ['Quality', <span key="q" className="tabular-nums" data-testid="detail-quality">{fmtScore(e.quality, 4)}</span>],
              ['Relevance', <span key="r" className="tabular-nums">{fmtScore(e.relevance, 4)}</span>],
              ['Created', <Time key="c" iso={e.createdAt} />],
              ['Updated', <Time key="u" iso={e.updatedAt} />],
            ]}
          />
          <h3 className="mt-4 mb-1 text-sm font-semibold">Summary</h3>
          <p className="text-sm whitespace-pre-wrap">{e.summary ?? <span className="text-slate-500">No summary.</span>}</p>
          <h3 className="mt-4 mb-1 text-sm font-semibold">Metadata</h3>
          <Json value={e.metadata} />
        </Card>
        <Card title={content?.kind === 'topic' ? 'The topic' : content?.kind === 'post' ? 'The post' : 'The content'}>
          {content === null ? (
            <Notice tone="warn">
              {e.contentType === 'topic' || e.contentType === 'post'
                ? `The ${e.contentType} with id ${e.contentId} no longer exists: this evaluation is an orphan.`
                : `The content type “${e.contentType}” names neither a topic nor a post: this evaluation is an orphan.`}
            </Notice>
          ) : content.kind === 'topic' ? (
            <>
              <p className="mb-2 text-lg font-semibold" data-testid="content-title">{content.title}</p>
              <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
                by {content.author}, <Time iso={content.createdAt} />
              </p>
              <p className="text-sm whitespace-pre-wrap" data-testid="content-body">{content.body}</p>
            </>
          ) : (
            <>
              <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
                In topic {content.topicTitle ? <span className="font-semibold">“{content.topicTitle}”</span> : content.topicId ?? '—'}, by{' '}
                {content.author}, <Time iso={content.createdAt} />
              </p>
              <p className="text-sm whitespace-pre-wrap" data-testid="content-body">{content.body}</p>
            </>
          )}
        </Card>
      </div>
      <Card title={`Other evaluations of this ${e.contentType} (${fmtCount(others.total)})`}>
        {others.total === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">This is the only evaluation of this content.</p>
        ) : (
          <>
            <Table label="Other evaluations of this content">
              <thead>
                <tr className="border-b border-slate-200 dark:border-slate-800">
                  <th scope="col" className="py-2 pr-4">Evaluation</th>
                  <th scope="col" className="py-2 pr-4 text-right">Quality</th>
                  <th scope="col" className="py-2 pr-4 text-right">Relevance</th>
                  <th scope="col" className="py-2 pr-4">Summary</th>
                  <th scope="col" className="py-2 pr-4">Metadata</th>
                  <th scope="col" className="py-2">Created</th>
                </tr>
              </thead>
              <tbody>
                {others.rows.map((o) => (
                  <tr key={o.id} className="border-b border-slate-100 align-top dark:border-slate-800/60" data-testid="other-evaluation">
                    <td className="py-2 pr-4">
                      <Link href={`/evaluations/${o.id}`} className="underline">
                        {o.id}
                      </Link>
                    </td>
                    <td className="py-2 pr-4 text-right tabular-nums">{fmtScore(o.quality)}</td>
                    <td className="py-2 pr-4 text-right tabular-nums">{fmtScore(o.relevance)}</td>
                    <td className="py-2 pr-4">{o.summary ?? '—'}</td>
                    <td className="py-2 pr-4 font-mono text-xs">{JSON.stringify(o.metadata)}</td>
                    <td className="py-2 whitespace-nowrap">
                      <Time iso={o.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
            {others.total > others.rows.length && (
              <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
                The newest {fmtCount(others.rows.length)} of {fmtCount(others.total)} are shown.
              </p>
            )}
          </>
        )}
      </Card>
    </div>
  );
}

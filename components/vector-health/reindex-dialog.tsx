'use client';
// The confirmation before a rebuild: it names the index, the table, the lock taken and a rough
// duration, offers more maintenance_work_mem for this rebuild when the build needs it, and asks
// for the index name typed again.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { apiFetch } from '@/components/api-client';
import { Facts } from '@/components/ui/card';
import { Button, ErrorText, INPUT } from '@/components/ui/controls';
import type { AnnIndex, JobView, ReindexBody } from '@/lib/schemas/vector-health';
import { qualified } from '@/lib/schemas/vector-health-plain';
import { bytes } from './format';

const MB = 1024 * 1024;

export function ReindexDialog({
  index,
  concurrentReindex,
  onClose,
  onStarted,
}: {
  index: AnnIndex;
  concurrentReindex: boolean;
  onClose: () => void;
  onStarted: (jobId: string) => void;
}) {
  const titleId = useId();
  const first = useRef<HTMLInputElement>(null);
  const [concurrently, setConcurrently] = useState(concurrentReindex && index.reindex.concurrently !== null);
  const [typed, setTyped] = useState('');
  const needsMemory = !index.buildMemory.fits && index.method === 'ivfflat';
  const [memory, setMemory] = useState(needsMemory ? String(Math.ceil(index.buildMemory.requiredBytes / MB) + 16) : '');
  const plan = concurrently && index.reindex.concurrently ? index.reindex.concurrently : index.reindex.plain;
  const start = useMutation({
    mutationFn: (body: ReindexBody) => apiFetch<{ job: JobView }>('/api/vector-health/reindex', { method: 'POST', body }),
    onSuccess: (res) => onStarted(res.job.id),
  });

  useEffect(() => {
    first.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const mwm = Number(memory);
    start.mutate({
      index: { schema: index.schema, name: index.name },
      confirm: typed,
      concurrently,
      ...(memory && Number.isInteger(mwm) && mwm > 0 ? { maintenanceWorkMemMb: mwm } : {}),
    });
  }

  return (
    <div className="fixed inset-0 z-10 flex items-center justify-center bg-black/40 p-4">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="max-h-full w-full max-w-2xl overflow-y-auto rounded-lg border border-slate-200 bg-white p-6 shadow-xl dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id={titleId} className="mb-4 text-lg font-bold">
          Rebuild {qualified(index.schema, index.name)}?
        </h2>
        <form onSubmit={submit} className="space-y-4 text-sm">
          <Facts
            rows={[
              ['Index', <code key="i">{qualified(index.schema, index.name)}</code>],
              ['Table', <code key="t">{qualified(index.schema, index.table)}</code>],
              ['Statement', <code key="s">{plan.statement}</code>],
              ['Locks', <span key="l">{plan.lock}</span>],
              ['Duration', <span key="d">{plan.estimate}, from the index size ({bytes(index.sizeBytes)}); a rough estimate</span>],
              [
                'Memory',
                <span key="m">
                  needs about {bytes(index.buildMemory.requiredBytes)} ({index.buildMemory.basis}); maintenance_work_mem is{' '}
                  {bytes(index.buildMemory.maintenanceWorkMemBytes)}
                </span>,
              ],
            ]}
          />
          <label className="flex items-center gap-2">
            <input
              ref={first}
              type="checkbox"
              checked={concurrently}
              disabled={index.reindex.concurrently === null}
              onChange={(e) => setConcurrently(e.target.checked)}
            />
            CONCURRENTLY (reads and writes go on){index.reindex.concurrently === null ? ' — not available on this server' : ''}
          </label>
          <label className="block font-medium">
            maintenance_work_mem for this rebuild, in MB <span className="font-normal">(blank: the server’s setting)</span>
            <input inputMode="numeric" pattern="[0-9]*" value={memory} onChange={(e) => setMemory(e.target.value)} className={INPUT} />
          </label>
          {needsMemory && (
            <p className="text-amber-800 dark:text-amber-300">
              With the server’s setting the rebuild fails (“memory required is …”); the value above applies to this rebuild’s session only.
            </p>
          )}
          <label className="block font-medium">
            Type <code>{index.name}</code> to confirm
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} className={INPUT} />
          </label>
          {start.isError && <ErrorText>{start.error.message}</ErrorText>}
          <div className="flex justify-end gap-3">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" tone="danger" disabled={typed !== index.name || start.isPending}>
              {start.isPending ? 'Starting…' : `Rebuild ${index.name}`}
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}

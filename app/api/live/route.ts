// GET /api/live?run={id} or ?job={id}: the run's or the job's state pushed as it changes
// (Server-Sent Events: "state" events with the same JSON as GET /api/migrations/runs/{id} or
// /api/vector-health/jobs/{id}, then "end" once it is final). One read per change for all of this
// process's watchers (lib/live/hub.ts); pages poll instead when the stream fails.
import { ApiError } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/handler';
import { parseQuery } from '@/lib/api/input';
import { authorize } from '@/lib/auth/guard';
import { mayView } from '@/lib/auth/permissions';
import { getJob } from '@/lib/jobs/registry';
import { listen, subscribe, topicKey, type LiveEvent } from '@/lib/live/hub';
import { readRun } from '@/lib/migrations/runs';
import { liveQuerySchema } from '@/lib/schemas/live';

export const dynamic = 'force-dynamic';

/** A stream ends after this long; the browser's EventSource opens a new one (and is authorized again). */
const STREAM_MS = 10 * 60_000;
const PING_MS = 15_000;

export const GET = apiRoute(async (req, ctx) => {
  const { db } = await authorize(req, ctx, mayView, { fromMemoryWhileBusy: true });
  const q = parseQuery(req, liveQuerySchema);
  const [key, read, final] =
    'run' in q
      ? [topicKey('run', q.run), () => readRun(db, q.run), (v: unknown) => { const r = v as { status: string; outcomeKnown: boolean }; return r.status !== 'running' && r.outcomeKnown; }]
      : [topicKey('job', q.job), () => getJob(db, q.job), (v: unknown) => (v as { status: string }).status !== 'running'];
  if ((await read()) === null) throw new ApiError('not_found', 'run' in q ? 'No such run' : 'No such job');
  void listen(db.target);

  const encoder = new TextEncoder();
  let stop = () => undefined as void;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const finish = () => {
        if (closed) return;
        closed = true;
        clearInterval(ping);
        clearTimeout(limit);
        unsubscribe();
        req.signal.removeEventListener('abort', finish);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      write('retry: 2000\n\n');
      const unsubscribe = subscribe(key, read, final, (e: LiveEvent) => {
        if (e.type === 'state') write(`event: state\ndata: ${JSON.stringify(e.data)}\n\n`);
        else if (e.type === 'error') write(`event: problem\ndata: ${JSON.stringify({ message: e.message })}\n\n`);
        else {
          write('event: end\ndata: {}\n\n');
          queueMicrotask(finish);
        }
      });
      const ping = setInterval(() => write(': ping\n\n'), PING_MS);
      const limit = setTimeout(finish, STREAM_MS);
      req.signal.addEventListener('abort', finish, { once: true });
      stop = finish;
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store, no-transform', 'x-accel-buffering': 'no' },
  });
});

import 'server-only';
// The bounds on shadow use: how many run at once in this process (each embedded one holds a few
// hundred MB), and how long one use may last, queueing included. A use ends early when the request
// that asked for it goes away.

export class ShadowStoppedError extends Error {
  override name = 'ShadowStoppedError';
  constructor(readonly reason: 'timeout' | 'cancelled', seconds: number) {
    super(
      reason === 'timeout'
        ? `The shadow database took longer than its time limit of ${seconds} s (STRATA_SHADOW_TIMEOUT_SECONDS) and was stopped.`
        : 'The request went away, so the shadow database was stopped.',
    );
  }
}

export type Deadline = { signal: AbortSignal; error(): ShadowStoppedError };

/** One signal for the time limit and the caller's own, which says which of the two fired. */
export function deadline(timeoutMs: number, caller?: AbortSignal): Deadline {
  const timer = AbortSignal.timeout(timeoutMs);
  const signal = caller ? AbortSignal.any([timer, caller]) : timer;
  return { signal, error: () => new ShadowStoppedError(timer.aborted ? 'timeout' : 'cancelled', Math.round(timeoutMs / 1000)) };
}

type Waiter = { grant: () => void; signal: AbortSignal };
type SlotState = { active: number; queue: Waiter[] };
const state: SlotState = ((globalThis as Record<string, unknown>).__strataShadowSlots ??= { active: 0, queue: [] }) as SlotState;

/** Waits for one of `max` places; resolves with the function that gives it back. */
export function acquireSlot(max: number, d: Deadline): Promise<() => void> {
  return new Promise((resolve, reject) => {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      state.active--;
      drain(max);
    };
    const grant = () => {
      state.active++;
      resolve(release);
    };
    if (d.signal.aborted) return reject(d.error());
    if (state.active < max) return grant();
    const waiter: Waiter = { grant, signal: d.signal };
    state.queue.push(waiter);
    d.signal.addEventListener(
      'abort',
      () => {
        const i = state.queue.indexOf(waiter);
        if (i >= 0) state.queue.splice(i, 1);
        reject(d.error());
      },
      { once: true },
    );
  });
}

function drain(max: number): void {
  while (state.active < max && state.queue.length) {
    const next = state.queue.shift()!;
    if (!next.signal.aborted) next.grant();
  }
}

/** How many shadows this process runs now (for tests and the benchmark). */
export function activeShadows(): number {
  return state.active;
}

'use client';
// A point in time as every page shows it: the absolute time in the reader's time zone, ISO-like
// (2026-11-29 14:03:12), with how long ago beside it and the zone and UTC on hover.
//
// The server does not know the reader's zone, so it renders UTC (marked "UTC") and no relative
// time; the browser then renders its own zone and the relative time. useSyncExternalStore gives
// hydration the server's values first, so the two never mismatch.
import { useSyncExternalStore } from 'react';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** "2026-11-29 14:03:12" in `zone` (an IANA name such as Europe/Berlin, or UTC). */
export function absolute(iso: string, zone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(formatter(zone).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "3 min. ago", "in 2 days": how far `iso` is from `now`. */
export function relative(iso: string, now: number): string {
  let v = (new Date(iso).getTime() - now) / 1000;
  if (Number.isNaN(v)) return '';
  for (const [unit, size] of STEPS) {
    if (Math.abs(v) < size) return rtf.format(Math.round(v), unit);
    v /= size;
  }
  return '';
}

const never = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const noZone = () => null;

// One clock for every time on the page, ticking while any is shown.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
function subscribeNow(onChange: () => void): () => void {
  listeners.add(onChange);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, 15_000);
  now = Date.now();
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
const readNow = () => now;

export function Time({ iso }: { iso: string | null }) {
  const zone = useSyncExternalStore(never, browserZone, noZone);
  const at = useSyncExternalStore(subscribeNow, readNow, noZone);
  if (!iso) return <span className="text-slate-500 dark:text-slate-400">—</span>;
  const shown = absolute(iso, zone ?? 'UTC');
  const ago = at === null ? '' : relative(iso, at);
  const title = zone && zone !== 'UTC' ? `${shown} ${zone}; ${absolute(iso, 'UTC')} UTC` : `${absolute(iso, 'UTC')} UTC`;
  return (
    <time dateTime={iso} title={title} data-testid="time">
      <span className="whitespace-nowrap tabular-nums">
        {shown}
        {zone === null && ' UTC'}
      </span>
      {ago && <span className="whitespace-nowrap text-slate-600 dark:text-slate-400"> ({ago})</span>}
    </time>
  );
}

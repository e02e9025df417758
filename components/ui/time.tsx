'use client';
// A time shown relative to now, with the exact time on hover.

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

export function relative(iso: string, now = Date.now()): string {
  let v = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(v) < size) return rtf.format(Math.round(v), unit);
    v /= size;
  }
  return iso;
}

export function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-slate-500">—</span>;
  return (
    <time dateTime={iso} title={new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'} suppressHydrationWarning>
      {relative(iso)}
    </time>
  );
}

// Dates and times as the API takes them: a day (YYYY-MM-DD, UTC) or an ISO 8601 time with its
// offset, checked field by field against what PostgreSQL's timestamptz accepts, so that a value
// JavaScript's Date would quietly roll over (2024-02-30 becomes March 1) or that PostgreSQL
// refuses (year 0000, an offset of -23:59) is a 400 naming the field, never a query error.
// Shared by the route handlers and the pages (no server imports).
import { z } from 'zod';

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysIn(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export type InstantParts = { dayOnly: boolean; ms: number };

/**
 * The instant a text names, or a sentence saying why it names none. Years 1 to 9999; offsets up
 * to ±15:59 (PostgreSQL's limit); a time without an offset is UTC.
 */
export function parseInstantText(text: string): InstantParts | string {
  const m = PATTERN.exec(text);
  if (!m) return 'must be a date (YYYY-MM-DD) or an ISO 8601 time';
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1) return 'is not a real date (years start at 0001)';
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return 'is not a real date';
  const dayOnly = m[4] === undefined;
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return 'is not a real time';
  let offsetMin = 0;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(3).replace(':', '') || 0);
    if (oh > 15 || om > 59) return 'has a time zone offset out of range (at most ±15:59)';
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = m[7] ? Number(m[7]) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(fraction * 1000);
  // Date.UTC maps years 0-99 to 1900-1999; set the full year again.
  const d = new Date(utc);
  if (year < 100) d.setUTCFullYear(year);
  return { dayOnly, ms: d.getTime() - offsetMin * 60_000 };
}

// Beyond this, toISOString writes a six-digit year that PostgreSQL does not read.
const LAST_MS = Date.UTC(9999, 11, 31);

/** An instant as a normalised UTC ISO string; `endOfDay` makes a bare day mean the whole day. */
export function instantSchema(opts: { endOfDay?: boolean } = {}) {
  return z.string().transform((s, ctx) => {
    const parsed = parseInstantText(s);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    const ms = parsed.dayOnly && opts.endOfDay ? parsed.ms + 86_400_000 : parsed.ms;
    if (ms >= LAST_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be before 9999-12-31' });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });
}

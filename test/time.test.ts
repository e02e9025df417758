// How pages write a point in time: ISO-like in the reader's zone, and how long ago.
import { describe, expect, it } from 'vitest';
import { absolute, relative } from '../components/ui/time';

describe('absolute', () => {
  it('writes the time in the given zone, ISO-like and to the second', () => {
    expect(absolute('2026-11-29T13:03:12.345Z', 'UTC')).toBe('2026-11-29 13:03:12');
    expect(absolute('2026-11-29T13:03:12Z', 'Europe/Berlin')).toBe('2026-11-29 14:03:12');
    expect(absolute('2026-07-01T00:30:00Z', 'America/New_York')).toBe('2026-06-30 20:30:00');
  });

  it('writes midnight as 00, not 24', () => {
    expect(absolute('2026-01-02T00:00:05Z', 'UTC')).toBe('2026-01-02 00:00:05');
  });

  it('leaves text that is not a time as it is', () => {
    expect(absolute('soon', 'UTC')).toBe('soon');
  });
});

describe('relative', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  it('says how long ago, or how far ahead, in the largest whole unit', () => {
    expect(relative('2026-11-29T11:57:00Z', now)).toBe('3 min. ago');
    expect(relative('2026-11-29T09:00:00Z', now)).toBe('3 hr. ago');
    expect(relative('2026-11-28T12:00:00Z', now)).toBe('yesterday');
    expect(relative('2026-12-02T12:00:00Z', now)).toBe('in 3 days');
  });
});

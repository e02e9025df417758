// The export's CSV: its header, and how the batch export writes a field (the COPY export,
// export-copy.ts, writes the same bytes).
export const CSV_HEADER = [
  'id',
  'forum_id',
  'forum',
  'content_type',
  'content_id',
  'content',
  'orphan',
  'quality_score',
  'relevance_score',
  'summary',
  'created_at',
] as const;

/** RFC 4180 quoting; text a spreadsheet would run as a formula is prefixed with an apostrophe. */
export function csvField(v: unknown, text = false): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

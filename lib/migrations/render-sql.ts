// A statement as an operator reads it in a plan: knex's `$1`, `$2`… placeholders replaced by the
// values that were bound to them, each written as a SQL literal (the text pg sends for it, quoted),
// long values and long statements cut short with a comment that says so. For reading only: a
// truncated statement is not meant to be run.
import { createRequire } from 'node:module';
import path from 'node:path';

// pg's own conversion of a JS value to the text it sends (dates, arrays, JSON, buffers), so that
// what the plan shows is what the database received. pg/lib/utils has no type declarations.
const pgUtils = createRequire(path.join(process.cwd(), 'package.json'))('pg/lib/utils') as { prepareValue(v: unknown): string | Buffer | null };

export type RenderLimits = { value: number; statement: number };

export const DEFAULT_LIMITS: RenderLimits = { value: 200, statement: 20_000 };

const group = (n: number) => n.toLocaleString('en-US');

/** A string as a SQL literal that reads the same whatever standard_conforming_strings says. */
export function quoteLiteral(text: string): string {
  const body = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** One bound value as a literal, cut to `max` characters (marked) when longer. */
export function literal(value: unknown, max = DEFAULT_LIMITS.value): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' || typeof value === 'bigint') {
    return Number.isFinite(value as number) || typeof value === 'bigint' ? String(value) : `'${String(value)}'`;
  }
  const prepared = pgUtils.prepareValue(value);
  if (prepared === null) return 'NULL';
  const text = Buffer.isBuffer(prepared) ? `\\x${prepared.toString('hex')}` : prepared;
  if (text.length <= max) return quoteLiteral(text);
  return `${quoteLiteral(`${text.slice(0, max)}…`)} /* value truncated: ${group(text.length)} characters in all */`;
}

/**
 * Replaces `$n` placeholders outside strings, quoted identifiers, comments and dollar-quoted
 * bodies. A placeholder with no binding is left as it is.
 */
export function renderSql(sql: string, bindings: readonly unknown[] | undefined, limits: RenderLimits = DEFAULT_LIMITS): string {
  let out = sql;
  if (bindings?.length) {
    let result = '';
    let i = 0;
    const n = sql.length;
    while (i < n) {
      const c = sql[i]!;
      const next = sql[i + 1];
      let end = i + 1;
      if (c === "'" || c === '"') {
        // '' (or "") inside is an escaped quote; E'' strings also escape with a backslash.
        const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? '');
        end = i + 1;
        while (end < n) {
          if (escapes && sql[end] === '\\') end += 2;
          else if (sql[end] === c && sql[end + 1] === c) end += 2;
          else if (sql[end] === c) {
            end++;
            break;
          } else end++;
        }
      } else if (c === '-' && next === '-') {
        end = sql.indexOf('\n', i);
        end = end === -1 ? n : end;
      } else if (c === '/' && next === '*') {
        let depth = 1;
        end = i + 2;
        while (end < n && depth > 0) {
          const pair = sql.slice(end, end + 2);
          if (pair === '/*' || pair === '*/') {
            depth += pair === '/*' ? 1 : -1;
            end += 2;
          } else end++;
        }
      } else if (c === '$' && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '')) {
        const placeholder = /^\$(\d+)/.exec(sql.slice(i, i + 12));
        const tag = placeholder ? null : /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
        if (placeholder) {
          const index = Number(placeholder[1]) - 1;
          result += index >= 0 && index < bindings.length ? literal(bindings[index], limits.value) : placeholder[0];
          i += placeholder[0].length;
          continue;
        }
        if (tag) {
          const close = sql.indexOf(tag[0], i + tag[0].length);
          end = close === -1 ? n : close + tag[0].length;
        }
      }
      result += sql.slice(i, end);
      i = end;
    }
    out = result;
  }
  if (out.length <= limits.statement) return out;
  return `${out.slice(0, limits.statement)}\n/* statement truncated: ${group(out.length)} characters in all */`;
}

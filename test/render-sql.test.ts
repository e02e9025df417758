// Plan SQL with its bound values inlined: every value reaches the database as the same value when
// the rendered statement runs, placeholders inside strings, identifiers and comments stay, and long
// values and statements are cut with a mark that says so.
import { describe, expect, it } from 'vitest';
import { literal, renderSql } from '../lib/migrations/render-sql';
import { freshTestDatabase } from './harness/db';

const db = freshTestDatabase();

describe('renderSql', () => {
  it('inlines values that read back as the values that were bound', async () => {
    const values: unknown[] = ["it's", 'back\\slash', 42, -1.5, true, null, { a: [1, "q'"] }, [1, 2, 3], new Date('2024-02-11T10:00:00Z'), Buffer.from([0xde, 0xad])];
    const sql = 'SELECT $1::text AS a, $2::text AS b, $3::int AS c, $4::float8 AS d, $5::bool AS e, $6::text AS f, $7::jsonb AS g, $8::int[] AS h, $9::timestamptz AS i, $10::bytea AS j';
    const bound = (await db.knex.raw(sql.replace(/\$\d+/g, '?'), values as never[])).rows[0];
    const inlined = (await db.knex.raw(renderSql(sql, values))).rows[0];
    expect(inlined).toEqual(bound);
    expect(renderSql(sql, values)).not.toMatch(/\$\d/);
  });

  it('leaves $n alone inside strings, quoted identifiers, comments and dollar-quoted bodies', () => {
    const sql = `SELECT '$1', "a$1", $1 -- $1\n, /* $1 /* $1 */ */ $$ $1 $$, $fn$ $1 $fn$, E'\\' $1', a$1, $2`;
    expect(renderSql(sql, ['x', 7])).toBe(`SELECT '$1', "a$1", 'x' -- $1\n, /* $1 /* $1 */ */ $$ $1 $$, $fn$ $1 $fn$, E'\\' $1', a$1, 7`);
  });

  it('cuts a long value and a long statement, and says so', () => {
    const vector = `[${Array.from({ length: 1536 }, () => '0.123456').join(',')}]`;
    const one = literal(vector, 40);
    expect(one).toBe(`'${vector.slice(0, 40)}…' /* value truncated: ${vector.length.toLocaleString('en-US')} characters in all */`);
    const params = Array.from({ length: 600 }, (_, i) => `row ${i}`);
    const insert = `INSERT INTO t (v) VALUES ${params.map((_, i) => `($${i + 1})`).join(', ')}`;
    const out = renderSql(insert, params, { value: 200, statement: 1000 });
    expect(out).toMatch(/^INSERT INTO t \(v\) VALUES \('row 0'\), \('row 1'\)/);
    expect(out).toMatch(/\/\* statement truncated: [\d,]+ characters in all \*\/$/);
    expect(out.length).toBeLessThan(1100);
  });

  it('keeps a placeholder that has no value', () => {
    expect(renderSql('SELECT $1, $2', ['a'])).toBe("SELECT 'a', $2");
    expect(renderSql('SELECT 1', [])).toBe('SELECT 1');
  });
});

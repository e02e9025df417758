// Where a confirmation asks for more than a click: a rollback that drops tables holding rows (or
// whose rows Strata could not count), or the vector extension, asks the operator to type the
// batch number, which proves they read what it destroys. A rollback that destroys nothing of that
// kind, and every run of pending migrations, needs no typing; on a protected target every rollback is typed.
import type { Plan } from '@/lib/schemas/migrations';

export type Friction = { required: false } | { required: true; reason: string; answer: string };

const fmt = (n: number) => n.toLocaleString('en-US');

export function frictionOf(plan: Plan): Friction {
  if (plan.direction !== 'down' || plan.batch === null) return { required: false };
  const tables = plan.destroys.filter((d) => d.kind === 'table' && (d.rows === null || d.rows > 0));
  const emptied = plan.destroys.filter((d) => d.kind === 'rows' && (d.rows === null || d.rows > 0));
  const vector = plan.destroys.some((d) => d.kind === 'extension' && d.name === 'vector');
  const guarded = plan.target?.protected ? `${plan.target.label} is protected: every rollback there is typed. ` : '';
  if (!tables.length && !emptied.length && !vector) {
    return guarded ? { required: true, reason: `${guarded}This rollback drops no table holding data.`, answer: String(plan.batch) } : { required: false };
  }
  const parts: string[] = [];
  if (tables.length) {
    const listed = tables.map((t) => `${t.name} (${t.rows === null ? 'rows not counted' : `${t.rowsEstimated ? 'about ' : ''}${fmt(t.rows)} row${t.rows === 1 ? '' : 's'}`})`);
    parts.push(`drops ${tables.length} table${tables.length === 1 ? '' : 's'} holding data: ${listed.join(', ')}`);
  }
  if (emptied.length) {
    const listed = emptied.map((d) => `${d.rows === null ? 'rows (not counted)' : `${d.rowsEstimated ? 'about ' : ''}${fmt(d.rows)} row${d.rows === 1 ? '' : 's'}`} from ${d.table ?? d.name}`);
    parts.push(`deletes ${listed.join(', ')}`);
  }
  if (vector) parts.push('drops the vector extension (every vector column and ANN index goes with it)');
  return { required: true, reason: `${guarded}This rollback ${parts.join('; ')}.`, answer: String(plan.batch) };
}

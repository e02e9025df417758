import 'server-only';
// Every migration (rows) × every target (columns): applied (batch, when, by), pending, changed
// since applied, missing file, or unknown where the target could not be read; and across targets,
// whether the same migration was applied from different file contents.
import type { StrataConfig } from '../config';
import { fileFacts, type FileFacts } from '../migrations/files';
import { StrataMigrationSource } from '../migrations/source';
import type { Matrix, MatrixCell, MatrixRow, TargetState } from '../schemas/targets';
import { targetInfo, targetsSetup } from './registry';
import { readTarget, type AppliedHere, type TargetRead } from './state';

export async function migrationFiles(config: StrataConfig): Promise<FileFacts[]> {
  return Promise.all((await new StrataMigrationSource(config.migrationsDir).getMigrations()).map(fileFacts));
}

export function buildMatrix(files: FileFacts[], reads: TargetRead[]): { rows: MatrixRow[]; targets: TargetState[] } {
  const byFile = new Map(files.map((f) => [f.name, f]));
  const appliedBy = reads.map((r) => (r.ok ? new Map(r.applied.map((a) => [a.name, a])) : null));
  const names = new Set(files.map((f) => f.name));
  for (const r of reads) if (r.ok) for (const a of r.applied) names.add(a.name);

  const rows: MatrixRow[] = [...names].sort().map((name) => {
    const file = byFile.get(name) ?? null;
    const cells: MatrixCell[] = reads.map((r, i) => {
      const here = appliedBy[i];
      const base = { target: r.target.name, batch: null, appliedAt: null, by: null, checksum: null };
      if (!here) return { ...base, status: 'unknown' };
      const a: AppliedHere | undefined = here.get(name);
      if (!a) return { ...base, status: 'pending' };
      const status = !file ? 'missing_file' : a.checksum && a.checksum !== file.checksum ? 'changed' : 'applied';
      return { target: r.target.name, status, batch: a.batch, appliedAt: a.appliedAt, by: a.by, checksum: a.checksum };
    });
    const known = cells.filter((c) => c.status !== 'unknown');
    const recorded = new Set(known.map((c) => c.checksum).filter((c): c is string => c !== null));
    const checksumMismatch = recorded.size > 1;
    return {
      name,
      fileChecksum: file?.checksum ?? null,
      cells,
      checksumMismatch,
      differs: checksumMismatch || new Set(known.map((c) => (c.status === 'pending' ? 'pending' : 'applied'))).size > 1 || known.some((c) => c.status === 'changed' || c.status === 'missing_file'),
      pendingSomewhere: known.some((c) => c.status === 'pending'),
    };
  });

  const targets: TargetState[] = reads.map((r, i) => {
    const base = { ...targetInfo(r.target), ms: r.ms };
    if (!r.ok) return { ...base, reachable: false, error: r.error, unreachableSince: r.unreachableSince, applied: null, pending: null, behindPrevious: null };
    const here = appliedBy[i]!;
    const prev = i > 0 ? appliedBy[i - 1] : null;
    return {
      ...base,
      reachable: true,
      error: null,
      unreachableSince: null,
      applied: r.applied.length,
      pending: files.filter((f) => !here.has(f.name)).length,
      behindPrevious: prev ? [...prev.keys()].filter((n) => !here.has(n)).length : null,
    };
  });
  return { rows, targets };
}

/** The matrix now: every target read at the same time, each within its own time limit. */
export async function readMatrix(config: StrataConfig): Promise<Matrix> {
  const setup = targetsSetup();
  const [files, reads] = await Promise.all([migrationFiles(config), Promise.all(setup.targets.map((t) => readTarget(t, config)))]);
  return { file: setup.file, ...buildMatrix(files, reads), asOf: new Date().toISOString() };
}

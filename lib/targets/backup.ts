import 'server-only';
// "Backup database before migrations", for a target whose entry in the targets file asks for it:
// Strata cannot take a production backup itself, so either the team's own check says when the
// latest backup was taken (a command printing the time, or a URL answering it), or the operator
// confirms one, with its identifier and time. A run starts only with a backup younger than the
// target's limit; what was checked goes into the run record and the audit.
import { execFile } from 'node:child_process';
import { ApiError } from '../api/errors';
import type { BackupEvidence, BackupRequirement } from '../schemas/targets';
import type { Target } from './registry';

const CHECK_TIMEOUT_MS = 10_000;
/** A backup "taken" later than now by more than this is refused as a mistake (clock skew allowed). */
const FUTURE_SLACK_MS = 5 * 60_000;

export type BackupClaim = { id: string; takenAt: string };

function runCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { timeout: CHECK_TIMEOUT_MS, maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the backup check command failed (${err.killed ? `no answer within ${CHECK_TIMEOUT_MS / 1000} s` : `exit code ${String(err.code)}`})${stderr.trim() ? `: ${stderr.trim().slice(0, 300)}` : ''}`));
      else resolve(stdout.trim());
    });
  });
}

async function askUrl(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`the backup check URL answered HTTP ${res.status}`);
  const body = (await res.json().catch(() => null)) as { latestBackupAt?: unknown } | null;
  if (!body || typeof body.latestBackupAt !== 'string') throw new Error('the backup check URL did not answer {"latestBackupAt": "<ISO time>"}');
  return body.latestBackupAt;
}

/** What the target asks for, and (when the team configured a check) what the check says now. */
export async function backupRequirement(target: Target | null): Promise<BackupRequirement | null> {
  const spec = target?.backup;
  if (!target || !spec) return null;
  const how = spec.checkCommand ? 'command' : spec.checkUrl ? 'url' : 'confirm';
  if (how === 'confirm') return { target: target.label, maxAgeHours: spec.maxAgeHours, how, check: null };
  const checkedAt = new Date().toISOString();
  try {
    const text = how === 'command' ? await runCommand(spec.checkCommand!) : await askUrl(spec.checkUrl!);
    const at = Date.parse(text.split('\n')[0]!.trim());
    if (Number.isNaN(at)) throw new Error(`the backup check answered "${text.slice(0, 80)}", which is not a time (ISO 8601 expected)`);
    const problem = ageProblem(at, spec.maxAgeHours);
    return { target: target.label, maxAgeHours: spec.maxAgeHours, how, check: { latestBackupAt: new Date(at).toISOString(), checkedAt, ok: !problem, problem } };
  } catch (err) {
    return { target: target.label, maxAgeHours: spec.maxAgeHours, how, check: { latestBackupAt: null, checkedAt, ok: false, problem: (err as Error).message } };
  }
}

function ageProblem(at: number, maxAgeHours: number): string | null {
  const ageMs = Date.now() - at;
  if (ageMs < -FUTURE_SLACK_MS) return `the backup's time ${new Date(at).toISOString()} is in the future`;
  const hours = ageMs / 3_600_000;
  if (hours > maxAgeHours) return `the latest backup is ${hours.toFixed(1)} hours old (${new Date(at).toISOString()}), older than the ${maxAgeHours} hours allowed`;
  return null;
}

/**
 * Checks the rule for a run on `target`: the evidence to keep, or null when the target asks for no
 * backup; throws 409 saying what is missing or too old.
 */
export async function requireBackup(target: Target | null, claim: BackupClaim | undefined, by: string): Promise<BackupEvidence | null> {
  const req = await backupRequirement(target);
  if (!req) return null;
  const rule = `${req.target} requires a backup taken within the last ${req.maxAgeHours} hours before migrations run`;
  if (req.how !== 'confirm') {
    if (!req.check?.ok) throw new ApiError('conflict', `${rule}, and the team's check says no: ${req.check?.problem ?? 'no answer'}.`, { backup: req });
    return { source: req.how, id: null, takenAt: req.check.latestBackupAt!, checkedAt: req.check.checkedAt, maxAgeHours: req.maxAgeHours, by };
  }
  if (!claim) throw new ApiError('conflict', `${rule}: confirm the backup you took (its identifier and the time it was taken).`, { backup: req });
  const at = Date.parse(claim.takenAt);
  const problem = ageProblem(at, req.maxAgeHours);
  if (problem) throw new ApiError('conflict', `${rule}, and ${problem}.`, { backup: req });
  return { source: 'operator', id: claim.id, takenAt: new Date(at).toISOString(), checkedAt: new Date().toISOString(), maxAgeHours: req.maxAgeHours, by };
}

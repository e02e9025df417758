// The targets file: a team's databases, validated with messages that say exactly what is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTargetsFile, TargetsFileError } from '../lib/targets/config';

function dirWith(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-targets-'));
  fs.writeFileSync(path.join(dir, 'strata.targets.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const three = {
  targets: [
    { name: 'development', label: 'Development', color: '#0284c7', urlEnv: 'DATABASE_URL' },
    { name: 'staging', label: 'Staging', color: '#d97706', urlEnv: 'STAGING_DATABASE_URL' },
    { name: 'production', label: 'Production', color: '#dc2626', urlEnv: 'PRODUCTION_DATABASE_URL', protected: true, backup: { maxAgeHours: 24 }, rollbackApproval: { expiresMinutes: 30 } },
  ],
};

describe('the targets file', () => {
  it('is optional: without it there is no list (one target from DATABASE_URL or the embedded database)', () => {
    expect(readTargetsFile({}, fs.mkdtempSync(path.join(os.tmpdir(), 'strata-none-')))).toBeNull();
  });

  it('lists the targets in promotion order, with defaults', () => {
    const read = readTargetsFile({}, dirWith(three))!;
    expect(read.targets.map((t) => [t.name, t.protected])).toEqual([
      ['development', false],
      ['staging', false],
      ['production', true],
    ]);
    expect(read.targets[2]).toMatchObject({ backup: { maxAgeHours: 24 }, rollbackApproval: { expiresMinutes: 30 } });
  });

  it('says exactly what is wrong, by path', () => {
    const bad = {
      targets: [
        { name: 'Prod', label: '', color: 'red', urlEnv: 'postgres://u:secret@db/app' },
        { name: 'staging', label: 'S', color: '#d97706', urlEnv: 'S_URL', extra: 1 },
        { name: 'staging', label: 'S2', color: '#d97706', urlEnv: 'S2_URL', dashboardUrl: 'javascript:alert(1)' },
      ],
    };
    let message = '';
    try {
      readTargetsFile({}, dirWith(bad));
    } catch (err) {
      expect(err).toBeInstanceOf(TargetsFileError);
      message = (err as Error).message;
    }
    expect(message).toContain('targets[0].name: must be lower-case letters');
    expect(message).toContain('targets[0].label: must not be empty');
    expect(message).toContain('targets[0].color: must be a hex colour');
    expect(message).toContain('targets[0].urlEnv: must be the name of an environment variable');
    expect(message).toMatch(/targets\[1\]: Unrecognized key.*extra/);
    expect(message).toContain('targets[2].name: "staging" is already the name of targets[1]');
    expect(message).toContain('targets[2].dashboardUrl: must be an http(s) URL');
    // The message never repeats a URL someone pasted by mistake.
    expect(message).not.toContain('secret');
  });

  it('names the file and the JSON error; a named file that is missing is an error too', () => {
    expect(() => readTargetsFile({}, dirWith('{ "targets": ['))).toThrow(/strata\.targets\.json: not valid JSON/);
    expect(() => readTargetsFile({ STRATA_TARGETS_FILE: '/nonexistent/targets.json' })).toThrow(/\/nonexistent\/targets\.json: cannot be read/);
  });
});

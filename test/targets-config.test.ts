// The targets file: a team's databases, validated with messages that say exactly what is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeDatabaseUrl, readTargetsFile, TargetsFileError } from '../lib/targets/config';
import { targetsSetup } from '../lib/targets/registry';

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

describe('the home database and the target a request acts on by default', () => {
  const named = {
    targets: [
      { name: 'development', label: 'Development', color: '#0284c7', urlEnv: 'DEV_URL' },
      { name: 'staging', label: 'Staging', color: '#d97706', urlEnv: 'STAGING_URL' },
      { name: 'production', label: 'Production', color: '#dc2626', urlEnv: 'PROD_URL', protected: true },
    ],
  };
  const urls = { DEV_URL: 'postgresql://u@db:5432/dev', STAGING_URL: 'postgresql://u@db:5432/staging', PROD_URL: 'postgresql://u@prod:5432/app' };

  it('is STRATA_HOME_DATABASE_URL, else DATABASE_URL, else the first target the environment gives a URL', () => {
    const dir = dirWith(named);
    expect(homeDatabaseUrl({ ...urls, STRATA_HOME_DATABASE_URL: 'postgresql://u@meta/strata', DATABASE_URL: urls.PROD_URL }, dir)).toBe('postgresql://u@meta/strata');
    expect(homeDatabaseUrl({ ...urls, DATABASE_URL: urls.PROD_URL }, dir)).toBe(urls.PROD_URL);
    expect(homeDatabaseUrl(urls, dir)).toBe(urls.DEV_URL);
    expect(homeDatabaseUrl({ STAGING_URL: urls.STAGING_URL }, dir)).toBe(urls.STAGING_URL);
    // A target on DATABASE_URL, unset: the embedded database is that target, and the home.
    expect(homeDatabaseUrl({ STAGING_URL: urls.STAGING_URL }, dirWith(three))).toBeUndefined();
    expect(homeDatabaseUrl({}, fs.mkdtempSync(path.join(os.tmpdir(), 'strata-none-')))).toBeUndefined();
  });

  it('makes the home target the one requests act on when they name none; a home of its own leaves that to the first target', () => {
    const dir = dirWith(named);
    const setup = targetsSetup(urls, dir);
    expect(setup.current?.name).toBe('development');
    expect(setup.defaultTarget?.name).toBe('development');
    expect(setup.targets.map((t) => [t.name, t.current, t.url])).toEqual([
      ['development', true, null],
      ['staging', false, urls.STAGING_URL],
      ['production', false, urls.PROD_URL],
    ]);
    const apart = targetsSetup({ ...urls, STRATA_HOME_DATABASE_URL: 'postgresql://u@meta:5432/strata' }, dir);
    expect(apart.current).toBeNull();
    expect(apart.defaultTarget?.name).toBe('development');
    expect(apart.targets.every((t) => t.url !== null)).toBe(true);
    // The home may be one of the targets, found by its URL.
    expect(targetsSetup({ ...urls, STRATA_HOME_DATABASE_URL: urls.PROD_URL }, dir).current?.name).toBe('production');
    // Without the first target's URL here, the first one that has one.
    expect(targetsSetup({ PROD_URL: urls.PROD_URL, STRATA_HOME_DATABASE_URL: 'postgresql://u@meta:5432/strata' }, dir).defaultTarget?.name).toBe('production');
  });
});

describe('STRATA_TARGET', () => {
  it('refuses to serve a target through the home connection when its own variable names another database', () => {
    const dir = dirWith({
      targets: [
        { name: 'staging', label: 'Staging', color: '#d97706', urlEnv: 'STAGING_URL' },
        { name: 'production', label: 'Production', color: '#dc2626', urlEnv: 'PROD_URL', protected: true },
      ],
    });
    const env = { STRATA_TARGET: 'staging', STAGING_URL: 'postgresql://u@db:5432/staging', DATABASE_URL: 'postgresql://u@prod:5432/app', PROD_URL: 'postgresql://u@prod:5432/app' };
    expect(() => targetsSetup(env, dir)).toThrow(TargetsFileError);
    expect(() => targetsSetup(env, dir)).toThrow(
      'STRATA_TARGET is "staging", but STAGING_URL names another database than the home one (DATABASE_URL): requests on Staging would change the wrong database. Unset STRATA_TARGET, or make the two the same.',
    );
    // The same database under two spellings is fine; so is a target whose variable is not set here.
    expect(targetsSetup({ ...env, STAGING_URL: 'postgresql://u@prod/app' }, dir).current?.name).toBe('staging');
    expect(targetsSetup({ STRATA_TARGET: 'staging', DATABASE_URL: 'postgresql://u@db:5432/staging' }, dir).current?.name).toBe('staging');
  });
});

// What the dashboard and the CLI show of the database address, and what the logs keep of it.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { describeTarget } from '../lib/db/target';
import { loggerOptions } from '../lib/log';

const external = (url: string) => describeTarget({ kind: 'external', url });

describe('describeTarget', () => {
  it('shows host:port and the database of a TCP URL', () => {
    expect(external('postgresql://app:s3cret@db.example.com:6543/inventory')).toEqual({
      kind: 'external',
      host: 'db.example.com:6543',
      database: 'inventory',
    });
    expect(external('postgres://app@10.0.0.5/orders')).toMatchObject({ host: '10.0.0.5', database: 'orders' });
    expect(external('postgres://app@[::1]:5433/orders')).toMatchObject({ host: '[::1]:5433' });
  });

  it('shows the socket folder of a Unix-socket URL', () => {
    expect(external('postgresql://app:s3cret@/inventory?host=/var/run/postgresql')).toEqual({
      kind: 'external',
      host: '/var/run/postgresql',
      database: 'inventory',
    });
    expect(external('postgresql://app@%2Fvar%2Frun%2Fpostgresql/inventory')).toMatchObject({
      host: '/var/run/postgresql',
      database: 'inventory',
    });
    expect(external('postgresql:///inventory?host=/tmp&port=5433')).toMatchObject({ host: '/tmp (port 5433)' });
  });

  it('names the database pg would use when the URL has none', () => {
    expect(external('postgresql://reporting@db:5432')).toMatchObject({ database: 'reporting' });
    expect(external('postgresql://db:5432')).toMatchObject({ host: 'db:5432', database: 'postgres' });
  });

  it('shows the embedded gate like any other address', () => {
    const d = describeTarget({ kind: 'embedded', url: 'postgresql://postgres@127.0.0.1:54321/postgres', dataDir: '/d', owner: 'self' });
    expect(d).toEqual({ kind: 'embedded', host: '127.0.0.1:54321', database: 'postgres' });
  });

  it('never shows the user’s password, even for a URL it cannot read', () => {
    const urls = [
      'postgresql://app:s3cret@db.example.com:6543/inventory',
      'postgresql://app:s3cret@/inventory?host=/var/run/postgresql',
      'postgresql://app:s3cret@db.example.com:6543/inventory?password=s3cret',
      'postgresql://app:s3cret@db.example.com:notaport/inventory',
      'postgresql://app:s3cret@[zz/inventory',
    ];
    for (const url of urls) {
      let out: unknown;
      expect(() => (out = external(url)), url).not.toThrow();
      expect(JSON.stringify(out), url).not.toContain('s3cret');
    }
  });
});

describe('log redaction', () => {
  function capture(): { logger: pino.Logger; lines: () => string } {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    return { logger: pino(loggerOptions('info'), sink), lines: () => text };
  }

  it('drops the URL that a parse error carries, and passwords in connection strings and messages', () => {
    const { logger, lines } = capture();
    let parseError: unknown;
    try {
      new URL('postgresql://app:s3cret@/inventory?host=/var/run/postgresql');
    } catch (err) {
      parseError = err;
    }
    expect((parseError as { input?: string }).input).toContain('s3cret');
    logger.error({ err: parseError }, 'could not read DATABASE_URL');
    logger.error(parseError as Error);
    logger.warn({ input: 'postgresql://app:s3cret@db/x' }, 'bad input');
    logger.info({ config: { connectionString: 'postgresql://app:s3cret@db/x' } }, 'connecting');
    logger.info({ databaseUrl: 'postgresql://app:s3cret@db/x' }, 'configured');
    logger.error({ err: new Error('cannot reach postgresql://app:s3cret@db:5432/x') }, 'failed');
    logger.info('connecting to postgres://app:s3cret@db/x');
    const out = lines();
    expect(out.trim().split('\n')).toHaveLength(7);
    expect(out).not.toContain('s3cret');
    expect(out).toContain('[redacted]');
    expect(out).toContain('postgresql://app:[redacted]@db:5432/x');
  });
});

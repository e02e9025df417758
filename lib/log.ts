// Structured JSON logs. Every API request logs one line with its request id.
import pino from 'pino';
import { readConfig } from './config';

// postgres://user:secret@host -> postgres://user:[redacted]@host, wherever such a URL appears in
// a message or an error's text.
const URL_PASSWORD = /(postgres(?:ql)?:\/\/[^:@/\s]*:)[^@\s]*@/gi;
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, '$1[redacted]@');
}

// Secrets by field name. `input` is what a URL parse error carries: the whole URL, password and
// all (Node's TypeError ERR_INVALID_URL). Connection strings go whole: their other parts (host,
// user) are not worth a parser here.
const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'input',
  '*.input',
  'err.input',
  'err.errors[*].input',
  'connectionString',
  '*.connectionString',
  '*.*.connectionString',
  'databaseUrl',
  '*.databaseUrl',
  'DATABASE_URL',
  '*.DATABASE_URL',
];

export function loggerOptions(level: pino.LevelWithSilentOrString): pino.LoggerOptions {
  return {
    level,
    base: { app: 'strata' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      err: (err: Error) => {
        const out = pino.stdSerializers.err(err);
        if (typeof out.message === 'string') out.message = redactUrlPasswords(out.message);
        if (typeof out.stack === 'string') out.stack = redactUrlPasswords(out.stack);
        return out;
      },
    },
    hooks: {
      logMethod(args, method) {
        const clean = args.map((a: unknown) => (typeof a === 'string' ? redactUrlPasswords(a) : a));
        return method.apply(this, clean as Parameters<pino.LogFn>);
      },
    },
  };
}

const holder = globalThis as { __strataLog?: pino.Logger };

export const log: pino.Logger = (holder.__strataLog ??= pino(loggerOptions(readConfig().logLevel)));

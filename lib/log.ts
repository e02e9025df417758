// Structured JSON logs. Every API request logs one line with its request id.
import pino from 'pino';
import { readConfig } from './config';

const holder = globalThis as { __strataLog?: pino.Logger };

export const log: pino.Logger = (holder.__strataLog ??= pino({
  level: readConfig().logLevel,
  base: { app: 'strata' },
  redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
}));

import 'server-only';
// Session tokens are stored as their SHA-256, as API tokens are: someone who can read
// strata.sessions (a replica, a backup, a leaked dump) learns nothing they can sign in with.
// better-auth keeps the token in plain text, so this sits between better-auth and its database
// adapter: the token is hashed on its way in (the row it writes, every lookup by token) and the
// plain token the caller already holds is put back into the rows that come out.
import { createHash } from 'node:crypto';
import type { DBAdapter, DBTransactionAdapter, Where } from 'better-auth/adapters';

/** The stored form of a session token (also how tests and migrations find a session by cookie). */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const isSession = (model: string) => model === 'session' || model === 'sessions';

type Row = Record<string, unknown> | null | undefined;
type Plain = Map<string, string>;

function hashWhere(where: Where[] | undefined, plain: Plain): Where[] | undefined {
  return where?.map((w) => {
    if (w.field !== 'token') return w;
    const one = (v: unknown) => {
      if (typeof v !== 'string') return v;
      const h = hashSessionToken(v);
      plain.set(h, v);
      return h;
    };
    return { ...w, value: (Array.isArray(w.value) ? (w.value as unknown[]).map(one) : one(w.value)) as Where['value'] };
  });
}

function restore<T>(row: T, plain: Plain): T {
  const r = row as Row;
  if (!r || typeof r.token !== 'string' || !plain.has(r.token)) return row;
  return { ...r, token: plain.get(r.token) } as T;
}

function wrap<A extends DBTransactionAdapter>(inner: A): A {
  type Args = { model: string; where?: Where[]; update?: Record<string, unknown> };
  const rewrite = <T extends Args>(args: T, plain: Plain): T => {
    if (!isSession(args.model)) return args;
    const out = { ...args, where: hashWhere(args.where, plain) };
    if (args.update && typeof args.update.token === 'string') out.update = { ...args.update, token: hashSessionToken(args.update.token) };
    return out;
  };
  const wrapped = {
    ...inner,
    create: async (args: Parameters<A['create']>[0]) => {
      if (!isSession(args.model) || typeof (args.data as Row)?.token !== 'string') return inner.create(args);
      const token = (args.data as { token: string }).token;
      const row = await inner.create({ ...args, data: { ...args.data, token: hashSessionToken(token) } });
      return restore(row, new Map([[hashSessionToken(token), token]]));
    },
    findOne: async (args: Parameters<A['findOne']>[0]) => {
      const plain: Plain = new Map();
      return restore(await inner.findOne(rewrite(args, plain)), plain);
    },
    findMany: async (args: Parameters<A['findMany']>[0]) => {
      const plain: Plain = new Map();
      return (await inner.findMany(rewrite(args, plain))).map((r) => restore(r, plain));
    },
    update: async (args: Parameters<A['update']>[0]) => {
      const plain: Plain = new Map();
      return restore(await inner.update(rewrite(args, plain)), plain);
    },
    updateMany: (args: Parameters<A['updateMany']>[0]) => inner.updateMany(rewrite(args, new Map())),
    delete: (args: Parameters<A['delete']>[0]) => inner.delete(rewrite(args, new Map())),
    deleteMany: (args: Parameters<A['deleteMany']>[0]) => inner.deleteMany(rewrite(args, new Map())),
    count: (args: Parameters<A['count']>[0]) => inner.count(rewrite(args, new Map())),
    consumeOne: async (args: Parameters<A['consumeOne']>[0]) => {
      const plain: Plain = new Map();
      return restore(await inner.consumeOne(rewrite(args, plain)), plain);
    },
    incrementOne: async (args: Parameters<A['incrementOne']>[0]) => {
      const plain: Plain = new Map();
      return restore(await inner.incrementOne(rewrite(args, plain)), plain);
    },
  };
  return wrapped as unknown as A;
}

/** better-auth's adapter with session tokens hashed at rest. */
export function withHashedSessionTokens(inner: DBAdapter): DBAdapter {
  const outer = wrap(inner) as DBAdapter;
  outer.transaction = (cb) => inner.transaction((trx) => cb(wrap(trx)));
  return outer;
}

// npm run user -- <create|list|set-role|disable|enable|reset-password> …   npm run token -- <create|list|revoke> …
// npm run audit -- verify [--anchor SEQ:HASH]
// Manages Strata's users and API tokens from the command line, on the same database as the
// dashboard (DATABASE_URL, or the embedded one). Every change is in the audit trail, whose hash
// chain `audit verify` checks.
import os from 'node:os';
import { parseArgs } from 'node:util';
import knex, { type Knex } from 'knex';
import { recordAudit, type AuditActor } from '../lib/auth/audit';
import { checkAnchor, verifyAuditChain } from '../lib/auth/audit-chain';
import { getAuth } from '../lib/auth/auth';
import { resetPassword } from '../lib/auth/passwords';
import { createToken, listTokens, revokeToken } from '../lib/auth/tokens';
import { createUser, findUserByEmail, generatePassword, listUsers, updateUser } from '../lib/auth/users';
import { readConfig } from '../lib/config';
import { knexConfig } from '../lib/db/knex-config';
import { ensureStrataSchema } from '../lib/db/strata-schema';
import { closeOwnedEmbedded, describeTarget, resolveTarget } from '../lib/db/target';
import { ApiError } from '../lib/api/errors';
import { createTokenBodySchema, createUserBodySchema, passwordSchema, roleSchema } from '../lib/schemas/auth';

const USAGE = `Usage:
  npm run user -- create --email EMAIL --role viewer|operator|admin [--name NAME] [--password-stdin]
  npm run user -- list
  npm run user -- set-role --email EMAIL --role viewer|operator|admin
  npm run user -- disable --email EMAIL
  npm run user -- enable --email EMAIL
  npm run user -- reset-password --email EMAIL [--password-stdin]
  npm run token -- create --name NAME --role viewer|operator|admin [--expires-days N]
  npm run token -- list
  npm run token -- revoke --id ID
  npm run audit -- verify [--anchor SEQ:HASH]`;

class UsageError extends Error {}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function need(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv.slice(1).includes('help')) {
    console.log(USAGE);
    return 0;
  }
  const [resource, command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      id: { type: 'string' },
      'expires-days': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      anchor: { type: 'string' },
    },
  });
  const config = readConfig();
  const target = await resolveTarget(config);
  const db = { knex: knex(knexConfig(target, config)), target };
  const where = describeTarget(target);
  console.error(`Strata on ${where.host}/${where.database} (${target.kind}).`);
  const actor: AuditActor = { kind: 'cli', label: `cli:${os.userInfo().username}` };
  const audit = (action: string, details: Record<string, unknown>) => recordAudit(db, { actor, action, outcome: 'success', details });
  try {
    await ensureStrataSchema(db.knex);
    if (resource === 'audit' && command === 'verify') return await verify(db.knex, values.anchor);
    if (resource === 'user' && command === 'create') {
      const auth = await getAuth(db);
      const password = values['password-stdin'] ? await readStdin() : generatePassword();
      const input = createUserBodySchema.parse({
        email: need(values.email, '--email'),
        name: values.name ?? need(values.email, '--email').split('@')[0],
        role: need(values.role, '--role'),
        password,
      });
      const user = await createUser(db.knex, auth, { ...input, password });
      await audit('user.create', { userId: user.id, email: user.email, role: user.role });
      console.log(`Created ${user.email} (${user.role}).`);
      if (!values['password-stdin']) console.log(`Password (shown only now): ${password}`);
    } else if (resource === 'user' && command === 'list') {
      for (const u of await listUsers(db.knex)) console.log(`${u.email}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\t${u.name}`);
    } else if (resource === 'user' && ['set-role', 'disable', 'enable'].includes(command ?? '')) {
      const email = need(values.email, '--email');
      const user = await findUserByEmail(db.knex, email);
      if (!user) throw new UsageError(`No user with the email ${email}`);
      const change = command === 'set-role' ? { role: roleSchema.parse(need(values.role, '--role')) } : { disabled: command === 'disable' };
      const { before, after } = await updateUser(db.knex, user.id, change);
      await audit('user.update', { userId: user.id, email, from: { role: before.role, disabled: before.disabled }, to: { role: after.role, disabled: after.disabled } });
      console.log(`${email}: ${after.role}, ${after.disabled ? 'disabled' : 'active'}.`);
    } else if (resource === 'user' && command === 'reset-password') {
      const email = need(values.email, '--email');
      const user = await findUserByEmail(db.knex, email);
      if (!user) throw new UsageError(`No user with the email ${email}`);
      const password = values['password-stdin'] ? await readStdin() : generatePassword();
      const valid = passwordSchema.safeParse(password);
      if (!valid.success) throw new ApiError('bad_request', `The password from stdin ${valid.error.issues[0]!.message}; nothing was changed`);
      const { user: after, sessionsEnded } = await resetPassword(db.knex, await getAuth(db), user.id, password);
      await audit('user.password_reset', { userId: after.id, email: after.email, sessionsEnded });
      console.log(`Reset the password of ${after.email}; ${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended.`);
      if (!values['password-stdin']) console.log(`Password (shown only now): ${password}`);
    } else if (resource === 'token' && command === 'create') {
      const days = values['expires-days'];
      const input = createTokenBodySchema.parse({
        name: need(values.name, '--name'),
        role: need(values.role, '--role'),
        ...(days ? { expiresInDays: Number(days) } : {}),
      });
      const { token, record } = await createToken(db.knex, { ...input, createdBy: actor.label, owner: { kind: 'cli' } });
      await audit('token.create', { tokenId: record.id, name: record.name, role: record.role, expiresAt: record.expiresAt });
      console.error(`Created token ${record.id} "${record.name}" (${record.role}). It is shown only now:`);
      console.log(token);
    } else if (resource === 'token' && command === 'list') {
      for (const t of await listTokens(db.knex)) {
        const state = t.revokedAt ? 'revoked' : t.suspended ? `not working (${t.suspended})` : 'active';
        console.log(`${t.id}\t${t.name}\t${t.role}\t${t.prefix}…\t${state}\tlast used ${t.lastUsedAt ?? 'never'}`);
      }
    } else if (resource === 'token' && command === 'revoke') {
      const id = need(values.id, '--id');
      if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new UsageError('--id must be a token id (see `npm run token -- list`)');
      const record = await revokeToken(db.knex, id, actor.label);
      if (!record) throw new UsageError(`No token with id ${id}`);
      await audit('token.revoke', { tokenId: record.id, name: record.name, role: record.role });
      console.log(`Revoked token ${record.id} "${record.name}".`);
    } else {
      throw new UsageError(resource ? `Unknown command: ${resource} ${command ?? ''}` : 'Give a command');
    }
    return 0;
  } finally {
    await db.knex.destroy();
    await closeOwnedEmbedded();
  }
}

/** Prints the chain's state; exit code 0 when it is whole, 2 when it is broken. */
async function verify(knex: Knex, anchor: string | undefined): Promise<number> {
  const report = await verifyAuditChain(knex);
  if (!report.ok) {
    console.log(`BROKEN at row ${report.problem!.seq}: ${report.problem!.message}.`);
    console.log(`${report.rows} rows before it are intact (checked in ${report.ms} ms).`);
    return 2;
  }
  console.log(`Intact: ${report.rows} rows, checked in ${report.ms} ms.`);
  console.log(`Head: ${report.head.seq}:${report.head.hash}`);
  console.log('Keep the head somewhere outside this database; `--anchor SEQ:HASH` later proves the rows up to it were not rewritten.');
  if (anchor) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(anchor);
    if (!m) throw new UsageError('--anchor must be SEQ:HASH, as printed on the Head line');
    if (!(await checkAnchor(knex, { seq: Number(m[1]), hash: m[2]! }))) {
      console.log(`BROKEN: row ${m[1]} no longer carries the anchored hash: the chain was rewritten up to there.`);
      return 2;
    }
    console.log(`Anchor ${m[1]} matches.`);
  }
  return 0;
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    // parseArgs's own errors (an unknown or incomplete option) are usage errors too.
    const usage = err instanceof UsageError || (err as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS');
    if (usage) console.error(`${(err as Error).message}\n\n${USAGE}`);
    else if (err instanceof ApiError) console.error(err.message);
    else if (err && typeof err === 'object' && 'issues' in err) {
      for (const i of (err as { issues: { path: PropertyKey[]; message: string }[] }).issues) console.error(`${i.path.join('.') || 'input'}: ${i.message}`);
    } else console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });

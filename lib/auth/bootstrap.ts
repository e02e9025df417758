import 'server-only';
// The first admin, at start-up: from STRATA_ADMIN_EMAIL / STRATA_ADMIN_PASSWORD, or, on the
// embedded database with neither set and no admin yet, one with a random password printed once.
import { ApiError } from '../api/errors';
import type { Db } from '../db/knex';
import { log } from '../log';
import { recordAudit } from './audit';
import { getAuth } from './auth';
import { readAuthConfig, type AuthConfig } from './config';
import { countAdmins, createUser, findUserByEmail, generatePassword } from './users';

export const EMBEDDED_ADMIN_EMAIL = 'admin@strata.local';

export async function bootstrapAdmin(db: Db, config: AuthConfig = readAuthConfig()): Promise<void> {
  const auth = await getAuth(db, config);
  const system = { kind: 'system' as const, label: 'start-up' };
  if (config.adminEmail && config.adminPassword) {
    if (await findUserByEmail(db.knex, config.adminEmail)) return;
    try {
      await createUser(db.knex, auth, { email: config.adminEmail, name: 'Administrator', role: 'admin', password: config.adminPassword });
    } catch (err) {
      // Another dashboard process starting at the same moment made it first.
      if (err instanceof ApiError && err.code === 'conflict') return;
      throw err;
    }
    await recordAudit(db, { actor: system, action: 'user.create', outcome: 'success', details: { email: config.adminEmail, role: 'admin', source: 'STRATA_ADMIN_EMAIL' } });
    log.info({ email: config.adminEmail }, 'created the admin from STRATA_ADMIN_EMAIL');
    return;
  }
  if ((await countAdmins(db.knex)) > 0) return;
  if (db.target.kind !== 'embedded') {
    log.warn(
      'no admin exists: set STRATA_ADMIN_EMAIL and STRATA_ADMIN_PASSWORD and restart, or run `npm run user -- create --email you@example.com --role admin`',
    );
    return;
  }
  const password = generatePassword();
  await createUser(db.knex, auth, { email: EMBEDDED_ADMIN_EMAIL, name: 'Administrator', role: 'admin', password });
  await recordAudit(db, { actor: system, action: 'user.create', outcome: 'success', details: { email: EMBEDDED_ADMIN_EMAIL, role: 'admin', source: 'embedded first start' } });
  // Printed once, to the terminal only (not the JSON log), so that a newcomer can sign in at once.
  process.stdout.write(
    `\n  Strata created an admin for the embedded database:\n    email:    ${EMBEDDED_ADMIN_EMAIL}\n    password: ${password}\n  It is shown only this once. Add your own users under Admin → Users.\n\n`,
  );
}

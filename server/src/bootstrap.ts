import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db/database';
import {
  countUsers,
  createToken,
  createUser,
  findUserByName,
  hasToken
} from './repos/users';

/**
 * First start: create the instance admin ("admin", owner of everything) and write its token to
 * <data-dir>/admin-token (0600). MODELREG_ADMIN_TOKEN chooses the token instead, and is
 * (re)registered on later starts so a deployment can rotate it through the environment.
 * Returns the file written, if any; the token itself never reaches the log.
 */
export async function ensureAdmin(
  db: Db,
  dataDir: string,
  envToken: string | null
): Promise<{ created: boolean; tokenFile: string | null }> {
  const empty = (await countUsers(db)) === 0;
  let created = false;
  let admin = await findUserByName(db, 'admin');
  if (empty && !admin) {
    admin = await createUser(db, 'admin', true);
    created = true;
  }
  if (!admin) {
    return { created, tokenFile: null };
  }
  if (envToken) {
    if (!(await hasToken(db, envToken))) {
      await createToken(db, admin.id, 'MODELREG_ADMIN_TOKEN', envToken);
    }
    return { created, tokenFile: null };
  }
  if (!created) {
    return { created, tokenFile: null };
  }
  const token = await createToken(db, admin.id, 'admin-token');
  const file = path.join(dataDir, 'admin-token');
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { created, tokenFile: file };
}

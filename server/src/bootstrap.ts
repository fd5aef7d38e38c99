import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db/database';
import {
  countUsers,
  createToken,
  createUser,
  findUserByName,
  hasToken,
  revokeTokensNamed
} from './repos/users';

const ENV_TOKEN_NAME = 'MODELREG_ADMIN_TOKEN';

/**
 * First start: create the instance admin ("admin", owner of everything) and write its token to
 * <data-dir>/admin-token (0600). MODELREG_ADMIN_TOKEN chooses the token instead, and is
 * (re)registered on later starts so a deployment can rotate it through the environment: the
 * previous MODELREG_ADMIN_TOKEN is revoked when a different one is set.
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
    // Rotation: a new MODELREG_ADMIN_TOKEN revokes the one it replaces (security).
    await revokeTokensNamed(db, admin.id, ENV_TOKEN_NAME, envToken);
    if (!(await hasToken(db, envToken))) {
      await createToken(db, admin.id, ENV_TOKEN_NAME, { plain: envToken });
    }
    return { created, tokenFile: null };
  }
  if (!created) {
    return { created, tokenFile: null };
  }
  const { token } = await createToken(db, admin.id, 'admin-token');
  const file = path.join(dataDir, 'admin-token');
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { created, tokenFile: file };
}

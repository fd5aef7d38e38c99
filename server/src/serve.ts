import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from './app';
import { LocalBlobStore } from './blobs/local';
import { ensureAdmin } from './bootstrap';
import type { ServerConfig } from './config';
import { openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrate';

/** `serve`: open storage, migrate, make sure an admin exists, listen until SIGINT/SIGTERM. */
export async function serve(config: ServerConfig): Promise<void> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // A data dir made before file modes were tightened (or by hand) is closed too (security).
  fs.chmodSync(config.dataDir, 0o700);
  const { db, kind } = await openDatabase(config);
  await migrateToLatest(db);
  const blobs = new LocalBlobStore(path.join(config.dataDir, 'blobs'));
  const app = await buildApp({
    db,
    dbKind: kind,
    blobs,
    logLevel: config.logLevel,
    limits: config.limits,
    webhooks: config.webhooks
  });
  blobs.onCorrupt = (sha256, detail) =>
    app.log.error(
      { sha256 },
      `blob ${sha256} is corrupt on disk (${detail}): download aborted, blob quarantined; run verify`
    );
  const admin = await ensureAdmin(db, config.dataDir, config.adminToken);
  if (admin.tokenFile) {
    app.log.info(
      `created the instance admin "admin"; its token is in ${admin.tokenFile}`
    );
  } else if (admin.created) {
    app.log.info(
      'created the instance admin "admin" with the token from MODELREG_ADMIN_TOKEN'
    );
  }

  const stop = async (signal: string) => {
    app.log.info(`${signal}: shutting down`);
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    `modelreg serving ${kind === 'postgres' ? 'PostgreSQL' : path.join(config.dataDir, 'registry.sqlite')} with blobs in ${path.join(config.dataDir, 'blobs')}`
  );
}

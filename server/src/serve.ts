import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from './app';
import { describeBlobStore, openBlobStore } from './blobs/open';
import { ensureAdmin } from './bootstrap';
import type { ServerConfig } from './config';
import { openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { loadOrCreateSigningKey, SIGNING_KEY_FILE } from './signing/key';
import { signUnsignedVersions } from './signing/manifest';

/**
 * `serve`: open storage, migrate, make sure an admin exists, listen. On SIGTERM/SIGINT the process
 * stops accepting, /api/v1/ready answers 503, in-flight requests (uploads included) get the grace
 * period to finish, then it exits.
 */
export async function serve(config: ServerConfig): Promise<void> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // A data dir made before file modes were tightened (or by hand) is closed too (security).
  fs.chmodSync(config.dataDir, 0o700);
  const { db, kind } = await openDatabase(config);
  await migrateToLatest(db);
  const blobs = openBlobStore(config.blobs, config.dataDir);
  const signingKey = loadOrCreateSigningKey(
    config.signingKeyFile ?? path.join(config.dataDir, SIGNING_KEY_FILE)
  );
  const app = await buildApp({
    signingKey,
    db,
    dbKind: kind,
    blobs,
    blobSettings: config.blobs,
    logLevel: config.logLevel,
    limits: config.limits,
    webhooks: config.webhooks,
    metricsToken: config.metricsToken,
    candidateLeaseSeconds: config.candidateLeaseSeconds,
    trustProxy: config.trustProxy
  });
  const where = blobs.kind === 'local' ? 'on disk' : 'in the bucket';
  blobs.onCorrupt = (sha256, detail) =>
    app.log.error(
      { sha256 },
      `blob ${sha256} is corrupt ${where} (${detail}): download aborted${blobs.kind === 'local' ? ', blob quarantined' : ''}; run verify`
    );
  const signed = await signUnsignedVersions(db, signingKey);
  if (signed) {
    app.log.info(
      `signed ${signed} version(s) promoted before versions were signed (key ${signingKey.keyId.slice(0, 16)})`
    );
  }
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

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    app.log.info(
      `${signal}: draining (no new connections; in-flight requests get ${config.shutdownGraceSeconds} s)`
    );
    app.draining = true;
    const deadline = setTimeout(() => {
      app.log.warn(
        `${signal}: requests still running after ${config.shutdownGraceSeconds} s; exiting anyway`
      );
      process.exit(1);
    }, config.shutdownGraceSeconds * 1000);
    deadline.unref();
    await app.close();
    app.log.info(`${signal}: drained, exiting`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    `modelreg serving ${kind === 'postgres' ? 'PostgreSQL' : path.join(config.dataDir, 'registry.sqlite')} with blobs in ${describeBlobStore(config.blobs, config.dataDir)}`
  );
}

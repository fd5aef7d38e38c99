import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from './app';
import { LocalBlobStore } from './blobs/local';
import { openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrate';

export const OPENAPI_USAGE = `openapi                 print the OpenAPI document GET /api/v1/openapi.json serves (JSON), then exit`;

/**
 * `openapi`: the served document without serving, for `make api-types`. The app needs storage to
 * build, so it gets a throwaway SQLite database and blob directory; nothing listens.
 */
export async function openapi(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-openapi-'));
  try {
    const { db, kind } = await openDatabase({
      dataDir,
      databaseUrl: null,
      databaseSchema: null
    });
    await migrateToLatest(db);
    const app = await buildApp({
      db,
      dbKind: kind,
      blobs: new LocalBlobStore(path.join(dataDir, 'blobs')),
      logLevel: 'warn'
    });
    await app.ready();
    process.stdout.write(JSON.stringify(app.swagger(), null, 2) + '\n');
    await app.close();
    await db.destroy();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

import type { FastifyInstance } from 'fastify';
import type { BlobSettings } from '../blobs/open';
import type { BlobStore } from '../blobs/store';
import type { DatabaseKind } from '../db/connect';
import type { Db } from '../db/database';

declare module 'fastify' {
  interface FastifyInstance {
    /** The metadata database (SQLite or PostgreSQL), through Kysely only. */
    db: Db;
    dbKind: DatabaseKind;
    /** Artifact bytes, content-addressed by sha256: a local directory or a bucket. */
    blobs: BlobStore;
    /** How artifact bytes move: presigned uploads and download redirects when the store offers them. */
    blobSettings: BlobSettings;
  }
}

export function installStorage(
  app: FastifyInstance,
  deps: {
    db: Db;
    dbKind: DatabaseKind;
    blobs: BlobStore;
    blobSettings: BlobSettings;
  }
): void {
  app.decorate('db', deps.db);
  app.decorate('dbKind', deps.dbKind);
  app.decorate('blobs', deps.blobs);
  app.decorate('blobSettings', deps.blobSettings);
  app.addHook('onClose', async () => {
    await deps.db.destroy();
  });
}

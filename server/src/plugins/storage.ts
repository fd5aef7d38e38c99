import type { FastifyInstance } from 'fastify';
import type { BlobStore } from '../blobs/store';
import type { DatabaseKind } from '../db/connect';
import type { Db } from '../db/database';

declare module 'fastify' {
  interface FastifyInstance {
    /** The metadata database (SQLite or PostgreSQL), through Kysely only. */
    db: Db;
    dbKind: DatabaseKind;
    /** Artifact bytes, content-addressed by sha256. */
    blobs: BlobStore;
  }
}

export function installStorage(
  app: FastifyInstance,
  deps: { db: Db; dbKind: DatabaseKind; blobs: BlobStore }
): void {
  app.decorate('db', deps.db);
  app.decorate('dbKind', deps.dbKind);
  app.decorate('blobs', deps.blobs);
  app.addHook('onClose', async () => {
    await deps.db.destroy();
  });
}

import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { validateArtifactPath } from '../domain/artifact-path';
import { attachArtifact, findArtifact } from '../repos/artifacts';
import { context, input, need, optStr } from './context';
import { invalidParam } from './errors';
import { lockedError, writeRun } from './runs';
import { runById } from './store';

/** The MLflow UI's own upload limit (mlflow/server/handlers.py). */
const UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
const TOO_LARGE = 'Artifact size is too large. Max size is 10MB.';

const TEXT =
  /(^|\/)MLmodel$|\.(txt|log|json|ya?ml|md|csv|tsv|py|cfg|ini|toml)$/i;

/** Text files are shown as text (never as HTML, whatever their name); the rest are bytes. */
const contentType = (path: string) =>
  TEXT.test(path) ? 'text/plain; charset=utf-8' : 'application/octet-stream';

/** One stored file as the UI reads it. */
export function sendArtifact(
  app: FastifyInstance,
  reply: FastifyReply,
  artifact: { path: string; size: number; sha256: string }
) {
  reply
    .header('Content-Type', contentType(artifact.path))
    .header('Content-Length', artifact.size)
    .header('ETag', `"${artifact.sha256}"`);
  return reply.send(app.blobs.open(artifact.sha256));
}

/**
 * The MLflow UI's artifact routes, relative to the tracking URI: `POST
 * /ajax-api/2.0/mlflow/upload-artifact?run_uuid=&path=` (the body is the file) and `GET
 * /get-artifact?run_uuid=&path=`. The bytes go to and come from the same content-addressed store
 * as every other artifact.
 */
export async function uiArtifactRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) =>
    done(null, payload)
  );

  app.post('/ajax-api/2.0/mlflow/upload-artifact', async request => {
    const ctx = await context(request);
    need(ctx, 'developer', 'uploading an artifact');
    const query = input(request);
    const runId = optStr(query, 'run_uuid');
    if (!runId) {
      throw invalidParam('Request must specify run_uuid.');
    }
    const path = optStr(query, 'path');
    if (!path) {
      throw invalidParam('Request must specify path.');
    }
    validateArtifactPath(path);
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > UPLOAD_MAX_BYTES) {
      throw invalidParam(TOO_LARGE);
    }
    if (declared === 0 || !request.body) {
      throw invalidParam('Request must specify data.');
    }
    const run = await runById(db, ctx.group.id, runId);
    if (run.candidate.locked) {
      throw await lockedError(db, run);
    }
    const blob = await app.blobs.put(request.body as Readable);
    if (blob.size === 0) {
      throw invalidParam('Request must specify data.');
    }
    if (blob.size > UPLOAD_MAX_BYTES) {
      throw invalidParam(TOO_LARGE);
    }
    await writeRun(db, run, () =>
      attachArtifact(db, run.candidate, { path, ...blob })
    );
    return {};
  });

  app.get('/get-artifact', async (request, reply) => {
    const ctx = await context(request);
    const query = input(request);
    const runId = optStr(query, 'run_id') || optStr(query, 'run_uuid');
    if (!runId) {
      throw invalidParam('Request must specify run_id.');
    }
    const run = await runById(db, ctx.group.id, runId);
    const artifact = await findArtifact(
      db,
      run.candidate.id,
      validateArtifactPath(optStr(query, 'path'))
    );
    return sendArtifact(app, reply, artifact);
  });
}

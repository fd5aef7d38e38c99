import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database';
import { validateArtifactPath } from '../domain/artifact-path';
import {
  attachArtifact,
  detachArtifact,
  findArtifact,
  listArtifacts
} from '../repos/artifacts';
import { context, input, need, optStr, str } from './context';
import { doesNotExist } from './errors';
import { multipartRoutes } from './multipart';
import { lockedError, writeRun } from './runs';
import { experimentIds, loggedModelById, runById, type Run } from './store';
import { runArtifactUri } from './views';

/**
 * Artifact paths as the client builds them from an artifact URI: a run's,
 * `<experiment_id>/<run_id>/artifacts[/<path>]`, or a logged model's (MLflow 3),
 * `<experiment_id>/models/<model_id>/artifacts[/<path>]`, whose files sit in its candidate under its folder.
 * The run or model decides; the experiment part is informative.
 */
async function locate(
  db: Db,
  groupId: number,
  full: string
): Promise<{ run: Run; path: string }> {
  const model = /^\/*[^/]+\/models\/(m-[^/]+)\/artifacts(?:\/(.*))?$/.exec(
    full
  );
  if (model) {
    const lm = await loggedModelById(db, groupId, model[1]);
    const c = await db
      .selectFrom('candidates')
      .select('run_id')
      .where('id', '=', lm.candidate_id)
      .executeTakeFirstOrThrow();
    const rest = (model[2] ?? '').replace(/\/+$/, '');
    return {
      run: await runById(db, groupId, c.run_id),
      path: rest ? `${lm.folder}/${rest}` : lm.folder
    };
  }
  const m = /^\/*[^/]+\/([^/]+)\/artifacts(?:\/(.*))?$/.exec(full);
  if (!m) {
    throw doesNotExist(
      `No artifact at "${full}": artifact paths look like <experiment_id>/<run_id>/artifacts/<path> or <experiment_id>/models/<model_id>/artifacts/<path>`
    );
  }
  const run = await runById(db, groupId, m[1]);
  return { run, path: (m[2] ?? '').replace(/\/+$/, '') };
}

/** Files and folders directly under `dir` (relative paths, "" is the root), MLflow's FileInfo shape. */
export async function listDir(
  db: Db,
  candidateId: number,
  dir: string,
  fullPaths: boolean
) {
  const prefix = dir ? `${dir}/` : '';
  const entries = new Map<
    string,
    { path: string; is_dir: boolean; file_size?: number }
  >();
  for (const a of await listArtifacts(db, candidateId)) {
    if (!a.path.startsWith(prefix)) {
      continue;
    }
    const rest = a.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const path = fullPaths ? prefix + name : name;
    if (slash < 0) {
      entries.set(name, { path, is_dir: false, file_size: a.size });
    } else if (!entries.has(name)) {
      entries.set(name, { path, is_dir: true });
    }
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

const wildcard = (request: FastifyRequest) =>
  (request.params as { '*': string })['*'] ?? '';

/** The `mlflow-artifacts` proxy: bytes stream into the registry's content-addressed blob store. */
export async function artifactProxyRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  // Large files go in parts straight to the bucket when the registry has one (multipart.ts).
  await app.register(
    multipartRoutes(ctx => locate(db, ctx.group.id, wildcard(ctx.request)))
  );
  // Bodies of any type are the artifact's bytes; they are streamed, never parsed or buffered.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) =>
    done(null, payload)
  );

  app.put('/artifacts/*', async (request, reply) => {
    const ctx = await context(request);
    need(ctx, 'developer', 'uploading an artifact');
    const { run, path } = await locate(db, ctx.group.id, wildcard(request));
    const rel = validateArtifactPath(path);
    // Refuse before reading the body: a locked run must not cost a 200 MB upload.
    if (run.candidate.locked) {
      throw await lockedError(db, run);
    }
    const body = (request.body as Readable | undefined) ?? request.raw;
    const blob = await app.blobs.put(body);
    app.metrics.proxied.inc({ direction: 'in' }, blob.size);
    await writeRun(db, run, () =>
      attachArtifact(db, run.candidate, { path: rel, ...blob })
    );
    return reply.status(200).send({});
  });

  app.get('/artifacts/*', async (request, reply) => {
    const ctx = await context(request);
    const { run, path } = await locate(db, ctx.group.id, wildcard(request));
    const a = await findArtifact(
      db,
      run.candidate.id,
      validateArtifactPath(path)
    );
    reply
      .header('Content-Type', 'application/octet-stream')
      .header('Content-Length', a.size)
      .header('ETag', `"${a.sha256}"`);
    return reply.send(app.blobs.open(a.sha256));
  });

  app.delete('/artifacts/*', async request => {
    const ctx = await context(request);
    need(ctx, 'developer', 'deleting an artifact');
    const { run, path } = await locate(db, ctx.group.id, wildcard(request));
    const doomed = (await listArtifacts(db, run.candidate.id)).filter(
      a => !path || a.path === path || a.path.startsWith(`${path}/`)
    );
    if (!doomed.length) {
      throw doesNotExist(
        `No artifact at "${path}" in run ${run.candidate.run_id}`
      );
    }
    for (const a of doomed) {
      await writeRun(db, run, () => detachArtifact(db, run.candidate, a.path));
    }
    return {};
  });

  app.get('/artifacts', async request => {
    const ctx = await context(request);
    const full = optStr(input(request), 'path') ?? '';
    // Above a run's artifact root (an experiment's folder) there is nothing the client needs to list.
    if (!/^[^/]+\/(models\/)?[^/]+\/artifacts(\/|$)/.test(full)) {
      return { files: [] };
    }
    const { run, path } = await locate(db, ctx.group.id, full);
    const manifest = await listArtifacts(db, run.candidate.id);
    if (manifest.some(a => a.path === path)) {
      return { files: [] };
    } // a file, not a folder
    return { files: await listDir(db, run.candidate.id, path, false) };
  });
}

/** The tracking API's `artifacts/list`: paths relative to the run's artifact root. */
export async function artifactListRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  app.get('/artifacts/list', async request => {
    const ctx = await context(request);
    const inp = input(request);
    const runId = optStr(inp, 'run_id') || str(inp, 'run_uuid');
    const run = await runById(db, ctx.group.id, runId);
    const path = (optStr(inp, 'path') ?? '').replace(/^\/+|\/+$/g, '');
    if (path) {
      validateArtifactPath(path);
    }
    const experimentId = (await experimentIds(db, ctx.group.id)).mlflowId(
      run.candidate.experiment_id
    );
    return {
      root_uri: runArtifactUri(experimentId, run.candidate.run_id),
      files: await listDir(db, run.candidate.id, path, true)
    };
  });
}

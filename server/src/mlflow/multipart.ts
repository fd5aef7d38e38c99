import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DirectTransfers } from '../blobs/store';
import { validateArtifactPath } from '../domain/artifact-path';
import { ApiError } from '../errors';
import { attachArtifact } from '../repos/artifacts';
import {
  findUpload,
  forgetUpload,
  recordUpload,
  stagedOf,
  type UploadRow
} from '../repos/uploads';
import { abortStaged, completeStaged } from '../routes/uploads';
import { context, input, need, optNum, str, type Ctx } from './context';
import { doesNotExist, invalidParam, MlflowError } from './errors';
import { lockedError, writeRun } from './runs';
import type { Run } from './store';

/**
 * MLflow's multipart artifact protocol (`mlflow-artifacts/mpu/create|complete|abort`), as its
 * client (`HttpArtifactRepository._try_multipart_upload`) speaks it: create answers one presigned
 * part URL per part, the client PUTs its chunks straight to the bucket and sends the part list to
 * complete. The client declares neither the file's size nor its digest, so the registry hashes the
 * assembled object itself (as for a presigned upload) and attaches the file under that digest.
 * Without a bucket, or with MODELREG_DIRECT_UPLOADS=false, create answers MLflow's own
 * "not supported" error, on which the client falls back to one streamed PUT.
 */

/** MLflow's client falls back to a plain PUT on exactly this message (`_UnsupportedMultipartUploadException`). */
export const MULTIPART_UNSUPPORTED =
  'Multipart upload is not supported for the current artifact repository';

/** Rows of MLflow's uploads carry no declared digest: that is how they are told from the REST API's. */
const UNDECLARED = '';

interface Located {
  run: Run;
  /** The artifact path inside the run. */
  path: string;
}

type Locate = (ctx: Ctx) => Promise<Located>;

/**
 * Registered inside the artifact proxy (artifacts.ts) with its `locate`, so the paths resolve
 * exactly as the proxy's PUT does. Those routes stream raw bodies; these read MLflow's JSON.
 */
export function multipartRoutes(locate: Locate) {
  return async (app: FastifyInstance): Promise<void> => {
    const db = app.db;
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: 4 << 20 },
      app.getDefaultJsonParser('error', 'error')
    );

    const direct = (): DirectTransfers => {
      const d = app.blobs.direct;
      if (!d || !app.blobSettings.directUploads) {
        throw new MlflowError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED);
      }
      return d;
    };

    /** As in MLflow, the URL names the directory and the body's `path` (the client's local file) the name. */
    const target = async (ctx: Ctx): Promise<Located> => {
      const { run, path } = await locate(ctx);
      const name = fileName(str(input(ctx.request), 'path'));
      return {
        run,
        path: validateArtifactPath([path, name].filter(Boolean).join('/'))
      };
    };

    /** The run and file an upload writes to, refused early when the run cannot take files. */
    const writable = async (request: FastifyRequest): Promise<Located> => {
      const ctx = await context(request);
      need(ctx, 'developer', 'uploading an artifact');
      direct(); // "not supported" first: the client then falls back to a PUT, whatever the path
      const located = await target(ctx);
      if (located.run.candidate.locked) {
        throw await lockedError(db, located.run);
      }
      return located;
    };

    /** The pending upload `upload_id` of this run and path. */
    const pending = async (
      located: Located,
      uploadId: string
    ): Promise<UploadRow> => {
      let row: UploadRow | null = null;
      try {
        row = await findUpload(db, located.run.candidate.id, uploadId);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'NOT_FOUND')) {
          throw err;
        }
      }
      if (!row || row.sha256 !== UNDECLARED || row.path !== located.path) {
        throw doesNotExist(
          `No multipart upload "${uploadId}" of "${located.path}" in run ${located.run.candidate.run_id}: it was completed, aborted or never started; log the artifact again`
        );
      }
      return row;
    };

    app.post('/mpu/create/*', async request => {
      const located = await writable(request);
      const transfers = direct();
      const inp = input(request);
      const count = optNum(inp, 'num_parts') ?? 1;
      const { upload, urls } = await transfers.startPartsUpload(
        count,
        app.blobSettings.uploadUrlSeconds
      );
      const row = await recordUpload(
        db,
        {
          candidateId: located.run.candidate.id,
          path: located.path,
          sha256: UNDECLARED,
          size: 0
        },
        upload
      );
      app.metrics.presigned.inc({ kind: 'upload' });
      return {
        upload_id: row.id,
        credentials: urls.map(u => ({
          url: u.url,
          part_number: u.number,
          headers: {}
        }))
      };
    });

    app.post('/mpu/complete/*', async request => {
      const located = await writable(request);
      const inp = input(request);
      const row = await pending(located, str(inp, 'upload_id'));
      const parts = partNumbers(inp.parts);
      const { run } = located;
      await completeStaged(
        app,
        row,
        { parts },
        entry =>
          writeRun(db, run, () => attachArtifact(db, run.candidate, entry)),
        request.raw.socket
      );
      return {};
    });

    app.post('/mpu/abort/*', async request => {
      const ctx = await context(request);
      need(ctx, 'developer', 'aborting an upload');
      const row = await pending(
        await target(ctx),
        str(input(request), 'upload_id')
      );
      if (await forgetUpload(db, row.id)) {
        await abortStaged(app, stagedOf(row));
      }
      return {};
    });
  };
}

/** How many parts the client sent; they must be numbered 1..n, as MLflow's client numbers them. */
function partNumbers(parts: unknown): number {
  if (!Array.isArray(parts) || parts.length === 0) {
    throw invalidParam(
      "Missing value for required parameter 'parts': the list of uploaded parts ({part_number, etag})"
    );
  }
  const numbers = parts
    .map(p => Number((p as { part_number?: unknown })?.part_number))
    .sort((a, b) => a - b);
  if (numbers.some((n, i) => n !== i + 1)) {
    throw invalidParam(
      `Invalid value for parameter 'parts': part numbers must run 1..${parts.length}, got ${numbers.join(', ')}`
    );
  }
  return parts.length;
}

/** The last segment of the client's local path (`os.path.basename`, POSIX or Windows). */
function fileName(localPath: string): string {
  return localPath.split(/[\\/]/).filter(Boolean).pop() ?? '';
}

import type { Socket } from 'node:net';
import {
  Type,
  type FastifyPluginAsyncTypebox,
  type Static
} from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { modelAccess, requireRole, routeModelAccess } from '../access';
import type { StagedUpload } from '../blobs/store';
import type { CandidateRow } from '../db/database';
import { validateArtifactPath } from '../domain/artifact-path';
import { ApiError, versionLocked } from '../errors';
import {
  attachArtifact,
  reserveBlob,
  type ArtifactEntry
} from '../repos/artifacts';
import { findCandidate } from '../repos/candidates';
import {
  findUpload,
  forgetUpload,
  pendingUpload,
  recordUpload,
  stagedOf,
  type UploadRow
} from '../repos/uploads';
import { CandidateParams, commonErrors, errorRef } from '../schemas/common';

export const UploadRequest = Type.Object(
  {
    path: Type.String({ description: 'artifact path, e.g. model/weights.bin' }),
    sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
    size: Type.Integer({ minimum: 0, maximum: 5 * 1024 ** 4 })
  },
  { additionalProperties: false }
);

export const UploadPlan = Type.Union([
  Type.Object({
    mode: Type.Literal('proxy'),
    reason: Type.String({
      description: 'why the bytes go through the registry'
    })
  }),
  Type.Object({
    mode: Type.Literal('presigned'),
    upload_id: Type.String(),
    expires_at: Type.String({ description: 'the part URLs stop working then' }),
    parts: Type.Array(
      Type.Object({
        number: Type.Integer(),
        url: Type.String({
          description: "PUT the part's bytes here, no Authorization header"
        }),
        size: Type.Integer(),
        uploaded: Type.Boolean({
          description: 'already in the bucket (a resumed upload)'
        })
      })
    )
  })
]);
export type UploadPlanBody = Static<typeof UploadPlan>;

const UploadParams = Type.Object({
  ...CandidateParams.properties,
  upload_id: Type.String({ pattern: '^up_[0-9a-f]{24}$' })
});

export interface UploadSettings {
  /** Offer presigned uploads when the store can (default on with S3). */
  direct: boolean;
  /** Lifetime of presigned part URLs. */
  expiresSeconds: number;
}

/**
 * Presigned uploads: the client PUTs the parts straight to the bucket, then asks the registry to
 * complete; the registry hashes the staged bytes and attaches the file only when they are the
 * declared sha256 (400 DIGEST_MISMATCH otherwise, nothing attached).
 */
export function uploadRoutes(
  settings: UploadSettings
): FastifyPluginAsyncTypebox {
  return async app => {
    const writable = async (
      p: { group: string; model: string; iid: number },
      caller: Parameters<typeof modelAccess>[1]
    ): Promise<CandidateRow> => {
      const a = await modelAccess(app.db, caller, p.group, p.model);
      requireRole(a, caller, 'developer', 'uploading artifacts');
      const candidate = await findCandidate(app.db, a.model.id, p.iid);
      if (candidate.locked) {
        throw versionLocked(`candidate ${candidate.iid}`);
      }
      return candidate;
    };

    app.post(
      '/models/:group/:model/candidates/:iid/uploads',
      {
        schema: {
          tags: ['artifacts'],
          summary:
            'Start an artifact upload (developer+): "proxy" means PUT the bytes to .../artifacts/{path}; "presigned" gives part URLs in the bucket',
          params: CandidateParams,
          body: UploadRequest,
          response: { 200: UploadPlan, ...commonErrors }
        }
      },
      async request => {
        const candidate = await writable(request.params, request.caller);
        const path = validateArtifactPath(request.body.path);
        const direct = app.blobs.direct;
        if (!direct || !settings.direct) {
          return {
            mode: 'proxy' as const,
            reason: direct
              ? 'direct transfers are disabled on this registry (MODELREG_DIRECT_UPLOADS=false)'
              : `the ${app.blobs.kind} blob store takes uploads through the registry`
          };
        }
        const entry = {
          candidateId: candidate.id,
          path,
          sha256: request.body.sha256.toLowerCase(),
          size: request.body.size
        };
        // The same bytes to the same path again: resume that upload, telling which parts arrived.
        let row = await pendingUpload(app.db, entry);
        let done = new Set<number>();
        if (row) {
          try {
            done = await direct.uploadedParts(stagedOf(row));
          } catch {
            // Its staged parts are gone (gc, or a restored database): start afresh.
            if (await forgetUpload(app.db, row.id)) {
              await abortStaged(app, stagedOf(row));
            }
            row = null;
          }
        }
        row ??= await recordUpload(
          app.db,
          entry,
          await direct.startUpload(entry.size)
        );
        app.metrics.presigned.inc({ kind: 'upload' });
        const parts = await direct.partUrls(
          stagedOf(row),
          entry.size,
          settings.expiresSeconds
        );
        return {
          mode: 'presigned' as const,
          upload_id: row.id,
          expires_at: new Date(
            Date.now() + settings.expiresSeconds * 1000
          ).toISOString(),
          parts: parts.map(p => ({ ...p, uploaded: done.has(p.number) }))
        };
      }
    );

    app.post(
      '/models/:group/:model/candidates/:iid/uploads/:upload_id/complete',
      {
        schema: {
          tags: ['artifacts'],
          summary:
            'Finish a presigned upload (developer+): the registry hashes the staged bytes and attaches the file; 400 DIGEST_MISMATCH if they are not the declared sha256',
          params: UploadParams,
          response: {
            201: Type.Ref('Artifact'),
            409: errorRef,
            ...commonErrors
          }
        }
      },
      async (request, reply) => {
        const candidate = await writable(request.params, request.caller);
        const row = await findUpload(
          app.db,
          candidate.id,
          request.params.upload_id
        );
        const entry = await completeStaged(
          app,
          row,
          { sha256: row.sha256, size: row.size },
          file => attachArtifact(app.db, candidate, file),
          request.raw.socket
        );
        return reply.status(201).send(entry);
      }
    );

    app.delete(
      '/models/:group/:model/candidates/:iid/uploads/:upload_id',
      {
        schema: {
          tags: ['artifacts'],
          summary:
            'Abandon a presigned upload (developer+): its staged parts are deleted',
          params: UploadParams,
          response: { 204: Type.Null(), ...commonErrors }
        }
      },
      async (request, reply) => {
        const a = await routeModelAccess(app, request);
        requireRole(a, request.caller, 'developer', 'abandoning uploads');
        const candidate = await findCandidate(
          app.db,
          a.model.id,
          request.params.iid
        );
        const row = await findUpload(
          app.db,
          candidate.id,
          request.params.upload_id
        );
        if (await forgetUpload(app.db, row.id)) {
          await abortStaged(app, stagedOf(row));
        }
        return reply.status(204).send(null);
      }
    );
  };
}

/** Discards a staged upload's bytes; a failure is left to gc. */
export async function abortStaged(
  app: FastifyInstance,
  staged: StagedUpload
): Promise<void> {
  await app.blobs.direct
    ?.abortUpload(staged)
    .catch(err =>
      app.log.warn(
        { err, key: staged.key },
        'could not discard a staged upload; gc will'
      )
    );
}

/**
 * One request completes an upload: it claims the row by deleting it, and puts it back when the
 * client can still fix things (parts missing, bucket unreachable); a digest mismatch discards all.
 * `attach` records the verified file (the REST API's and MLflow's routes attach differently).
 */
export async function completeStaged(
  app: FastifyInstance,
  row: UploadRow,
  expected: { sha256: string; size: number } | { parts: number },
  attach: (entry: ArtifactEntry) => Promise<void>,
  socket?: Socket
): Promise<ArtifactEntry> {
  // The verification pass reads the whole object back while the client waits in silence (a 1 GiB
  // file took minutes on a loaded machine): the idle timeout must not take that for a dead peer.
  socket?.setTimeout(0);
  try {
    return await completeVerified(app, row, expected, attach);
  } finally {
    socket?.setTimeout(app.server.timeout);
  }
}

async function completeVerified(
  app: FastifyInstance,
  row: UploadRow,
  expected: { sha256: string; size: number } | { parts: number },
  attach: (entry: ArtifactEntry) => Promise<void>
): Promise<ArtifactEntry> {
  const direct = app.blobs.direct;
  if (!direct) {
    throw new ApiError(
      'CONFLICT',
      'this registry no longer stores blobs in a bucket; upload the file again'
    );
  }
  if (!(await forgetUpload(app.db, row.id))) {
    throw new ApiError(
      'CONFLICT',
      `upload ${row.id} is being completed by another request`
    );
  }
  let stored: { sha256: string; size: number };
  try {
    stored = await direct.completeUpload(
      stagedOf(row),
      expected,
      (sha256, size) => reserveBlob(app.db, sha256, size)
    );
  } catch (err) {
    if (err instanceof ApiError && err.code === 'DIGEST_MISMATCH') {
      await abortStaged(app, stagedOf(row));
    } else {
      await app.db
        .insertInto('uploads')
        .values(row)
        .execute()
        .catch(() => undefined);
    }
    throw err;
  }
  const entry = { path: row.path, ...stored };
  await attach(entry);
  return entry;
}

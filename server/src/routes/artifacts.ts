import { Readable } from 'node:stream';
import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import {
  modelAccess,
  requireRole,
  requireUser,
  type Caller,
  routeModelAccess
} from '../access';
import { SHA256_HEX } from '../blobs/store';
import { ApiError, notFound, versionLocked } from '../errors';
import { validateArtifactPath } from '../domain/artifact-path';
import {
  CandidateParams,
  commonErrors,
  errorRef,
  onePage,
  page,
  VersionParams
} from '../schemas/common';
import {
  attachArtifact,
  detachArtifact,
  findArtifact,
  readableBlob,
  leaseKnownBlob,
  reserveBlob,
  listArtifacts
} from '../repos/artifacts';
import { findCandidate } from '../repos/candidates';
import { resolveVersion } from '../repos/versions';
import { sendArtifact } from './download';
import { downloadResponses } from '../schemas/download';

const artifactRef = Type.Ref('Artifact');
const CandidatePathParams = Type.Object({
  ...CandidateParams.properties,
  '*': Type.String({ description: 'artifact path, e.g. model/weights.bin' })
});
const VersionPathParams = Type.Object({
  ...VersionParams.properties,
  '*': Type.String()
});

function checksumHeader(
  value: string | string[] | undefined
): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const v = String(value).trim().toLowerCase();
  if (!SHA256_HEX.test(v)) {
    throw new ApiError(
      'VALIDATION_ERROR',
      'X-Checksum-Sha256 must be 64 hex characters'
    );
  }
  return v;
}

export const artifactRoutes: FastifyPluginAsyncTypebox = async app => {
  // Artifact bodies are raw bytes of any type: hand the request stream to the handler unread.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) =>
    done(null, payload)
  );

  app.put(
    '/models/:group/:model/candidates/:iid/artifacts/*',
    {
      schema: {
        tags: ['artifacts'],
        summary:
          'Upload an artifact (developer+): raw bytes, streamed and hashed; or X-Checksum-Deploy to attach a known blob',
        params: CandidatePathParams,
        headers: Type.Object({
          'x-checksum-sha256': Type.Optional(
            Type.String({
              description:
                'expected sha256 of the body (400 DIGEST_MISMATCH otherwise)'
            })
          ),
          'x-checksum-deploy': Type.Optional(
            Type.String({
              description:
                '"true": send no body, attach the blob with X-Checksum-Sha256 (404 if unknown)'
            })
          )
        }),
        response: { 201: artifactRef, 409: errorRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const p = request.params;
      const path = validateArtifactPath(p['*']);
      const a = await modelAccess(app.db, request.caller, p.group, p.model);
      requireRole(a, request.caller, 'developer', 'uploading artifacts');
      const candidate = await findCandidate(app.db, a.model.id, p.iid);
      // Checked again in the attaching transaction; this early check just spares a wasted upload.
      if (candidate.locked) {
        throw versionLocked(`candidate ${candidate.iid}`);
      }
      const expected = checksumHeader(request.headers['x-checksum-sha256']);

      if (
        String(request.headers['x-checksum-deploy'] ?? '').toLowerCase() ===
        'true'
      ) {
        if (!expected) {
          throw new ApiError(
            'VALIDATION_ERROR',
            'X-Checksum-Deploy needs X-Checksum-Sha256'
          );
        }
        const known = await readableBlob(app.db, request.caller!, expected);
        // Then gc's lease: a gc deleting this blob right now finishes first, and it is then unknown.
        if (known && !(await leaseKnownBlob(app.db, expected))) {
          throw notFound(`blob sha256 ${expected} (upload the bytes instead)`);
        }
        if (!known || !(await app.blobs.touch(expected))) {
          throw notFound(`blob sha256 ${expected} (upload the bytes instead)`);
        }
        const entry = { path, sha256: expected, size: known.size };
        await attachArtifact(app.db, candidate, entry);
        return reply.status(201).send(entry);
      }

      const body = (request.body as Readable | undefined) ?? Readable.from([]);
      let stored: { sha256: string; size: number };
      try {
        stored = await app.blobs.put(body, {
          expectedSha256: expected,
          reserve: (sha256, size) => reserveBlob(app.db, sha256, size)
        });
      } catch (err) {
        if (err instanceof ApiError) {
          throw err;
        }
        // Only a client that went away is "interrupted"; a failed write (full disk, I/O error) also
        // tears the request stream down, but must reach the error handler with its own code (507...).
        const code = (err as NodeJS.ErrnoException).code;
        const clientGone =
          code === 'ECONNRESET' ||
          code === 'ERR_STREAM_PREMATURE_CLOSE' ||
          (err as Error).message === 'aborted';
        if (
          clientGone &&
          (request.raw.destroyed || request.raw.readableAborted)
        ) {
          request.log.info(
            { path },
            'upload interrupted by the client; nothing was kept'
          );
          throw new ApiError(
            'VALIDATION_ERROR',
            'the upload was interrupted before the body ended; nothing was kept'
          );
        }
        throw err;
      }
      app.metrics.proxied.inc({ direction: 'in' }, stored.size);
      const entry = { path, ...stored };
      await attachArtifact(app.db, candidate, entry);
      return reply.status(201).send(entry);
    }
  );

  app.get(
    '/models/:group/:model/candidates/:iid/artifacts',
    {
      schema: {
        tags: ['artifacts'],
        summary: "The candidate's file manifest",
        params: CandidateParams,
        response: { 200: page(artifactRef), ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      const c = await findCandidate(app.db, a.model.id, request.params.iid);
      return onePage(await listArtifacts(app.db, c.id));
    }
  );

  app.get(
    '/models/:group/:model/candidates/:iid/artifacts/*',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Download an artifact (Range, ETag = sha256)',
        params: CandidatePathParams,
        response: { ...downloadResponses, ...commonErrors }
      }
    },
    async (request, reply) => {
      const p = request.params;
      const path = validateArtifactPath(p['*']);
      const a = await modelAccess(app.db, request.caller, p.group, p.model);
      const c = await findCandidate(app.db, a.model.id, p.iid);
      return sendArtifact(
        request,
        reply,
        app.blobs,
        await findArtifact(app.db, c.id, path)
      );
    }
  );

  app.delete(
    '/models/:group/:model/candidates/:iid/artifacts/*',
    {
      schema: {
        tags: ['artifacts'],
        summary:
          'Remove an artifact (developer+); 409 VERSION_LOCKED once promoted',
        params: CandidatePathParams,
        response: { 204: Type.Null(), 409: errorRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const p = request.params;
      const path = validateArtifactPath(p['*']);
      const a = await modelAccess(app.db, request.caller, p.group, p.model);
      requireRole(a, request.caller, 'developer', 'removing artifacts');
      await detachArtifact(
        app.db,
        await findCandidate(app.db, a.model.id, p.iid),
        path
      );
      return reply.status(204).send(null);
    }
  );

  app.get(
    '/models/:group/:model/versions/:version/artifacts',
    {
      schema: {
        tags: ['artifacts'],
        summary: "The version's frozen file manifest",
        params: VersionParams,
        response: { 200: page(artifactRef), ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      const v = await resolveVersion(
        app.db,
        a.model.id,
        request.params.version
      );
      return onePage(await listArtifacts(app.db, v.candidate_id));
    }
  );

  app.get(
    '/models/:group/:model/versions/:version/artifacts/*',
    {
      schema: {
        tags: ['artifacts'],
        summary:
          "Download a version's artifact (Range, ETag = sha256); yanked versions stay downloadable",
        params: VersionPathParams,
        response: { ...downloadResponses, ...commonErrors }
      }
    },
    async (request, reply) => {
      const p = request.params;
      const path = validateArtifactPath(p['*']);
      const a = await modelAccess(app.db, request.caller, p.group, p.model);
      const v = await resolveVersion(app.db, a.model.id, p.version);
      return sendArtifact(
        request,
        reply,
        app.blobs,
        await findArtifact(app.db, v.candidate_id, path)
      );
    }
  );

  const lockedVersionWrite = async (request: {
    caller: Caller;
    params: { group: string; model: string; version: string; '*': string };
  }) => {
    const p = request.params;
    validateArtifactPath(p['*']);
    const a = await modelAccess(app.db, request.caller, p.group, p.model);
    requireRole(a, request.caller, 'developer', 'changing artifacts');
    const v = await resolveVersion(app.db, a.model.id, p.version);
    throw versionLocked(`version ${v.version}`);
  };
  app.put(
    '/models/:group/:model/versions/:version/artifacts/*',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Always 409 VERSION_LOCKED: versions never change',
        params: VersionPathParams,
        response: { 409: errorRef, ...commonErrors }
      }
    },
    lockedVersionWrite
  );
  app.delete(
    '/models/:group/:model/versions/:version/artifacts/*',
    {
      schema: {
        tags: ['artifacts'],
        summary: 'Always 409 VERSION_LOCKED: versions never change',
        params: VersionPathParams,
        response: { 409: errorRef, ...commonErrors }
      }
    },
    lockedVersionWrite
  );

  app.head(
    '/blobs/:sha256',
    {
      schema: {
        tags: ['artifacts'],
        summary:
          '200 when an artifact in a group you can read has this digest (for checksum deploy); 404 otherwise, as if absent',
        params: Type.Object({ sha256: Type.String() })
      }
    },
    async (request, reply) => {
      const caller = requireUser(request.caller, 'checking blobs');
      const sha = request.params.sha256.toLowerCase();
      if (!SHA256_HEX.test(sha)) {
        throw new ApiError(
          'VALIDATION_ERROR',
          'a sha256 digest is 64 hex characters'
        );
      }
      const known = await readableBlob(app.db, caller, sha);
      if (!known || !(await app.blobs.stat(sha))) {
        return reply.status(404).send();
      }
      return reply.status(200).header('X-Blob-Size', known.size).send();
    }
  );
};

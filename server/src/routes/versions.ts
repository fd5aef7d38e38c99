import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { requireRole, type ModelAccess, routeModelAccess } from '../access';
import { ApiError, badRequest, versionLocked } from '../errors';
import { nextVersions, requireSemver, type BumpPart } from '../domain/semver';
import {
  commonErrors,
  errorRef,
  FreeObject,
  ModelParams,
  VersionParams
} from '../schemas/common';
import { findCandidate } from '../repos/candidates';
import {
  highestVersion,
  listVersionRows,
  promote,
  resolveVersion,
  setNotes,
  yank
} from '../repos/versions';
import { versionViews } from '../repos/version-view';
import { signVersions } from '../signing/manifest';
import { NextVersionsSchema } from '../schemas/objects';

const versionRef = Type.Ref('Version');

export const versionRoutes: FastifyPluginAsyncTypebox = async app => {
  const fullName = (a: ModelAccess) => `${a.group.name}/${a.model.name}`;
  const viewOne = async (a: ModelAccess, ref: string) =>
    (
      await versionViews(
        app.db,
        [await resolveVersion(app.db, a.model.id, ref)],
        fullName(a)
      )
    )[0];

  /** The version `bump` gives: the same `next_versions` the versions list shows. */
  const bumpedVersion = async (modelId: number, bump: BumpPart) => {
    const next = nextVersions(
      highestVersion(await listVersionRows(app.db, modelId))
    )[bump];
    if (next === null) {
      throw badRequest(
        'there is no version to patch yet: a first release is bump "minor" (0.1.0) or "major" (1.0.0), or give "version"'
      );
    }
    return next;
  };

  app.post(
    '/models/:group/:model/versions',
    {
      schema: {
        tags: ['versions'],
        summary:
          'Promote a candidate to a locked version (maintainer+); give version or bump',
        params: ModelParams,
        body: Type.Object({
          version: Type.Optional(
            Type.String({
              description: 'SemVer 2.0.0, e.g. 1.2.0 or 2.0.0-rc.1'
            })
          ),
          bump: Type.Optional(
            Type.Union([
              Type.Literal('patch'),
              Type.Literal('minor'),
              Type.Literal('major')
            ])
          ),
          candidate: Type.Integer({ minimum: 1 }),
          notes: Type.Optional(Type.String())
        }),
        response: { 201: versionRef, 409: errorRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'promoting a candidate');
      const { version, bump, candidate: iid, notes } = request.body;
      if ((version === undefined) === (bump === undefined)) {
        throw badRequest(
          'give exactly one of "version" (e.g. "1.2.0") or "bump" (patch, minor or major)'
        );
      }
      const candidate = await findCandidate(app.db, a.model.id, iid);
      const semver = requireSemver(
        version ?? (await bumpedVersion(a.model.id, bump!))
      );
      const row = await promote(
        app.db,
        a.model,
        candidate,
        semver,
        notes ?? '',
        request.caller!.username,
        (trx, promoted) =>
          signVersions(trx, app.signingKey, [promoted], fullName(a))
      );
      return reply
        .status(201)
        .send((await versionViews(app.db, [row], fullName(a)))[0]);
    }
  );

  app.get(
    '/models/:group/:model/versions',
    {
      schema: {
        tags: ['versions'],
        summary:
          'All versions, highest SemVer precedence first (yanked included, flagged)',
        params: ModelParams,
        response: {
          200: Type.Object({
            items: Type.Array(versionRef),
            next_cursor: Type.Null(),
            next_versions: NextVersionsSchema
          }),
          ...commonErrors
        }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      const rows = await listVersionRows(app.db, a.model.id);
      return {
        items: await versionViews(app.db, rows, fullName(a)),
        next_cursor: null,
        next_versions: nextVersions(highestVersion(rows))
      };
    }
  );

  app.get(
    '/models/:group/:model/versions/:version',
    {
      schema: {
        tags: ['versions'],
        summary: 'One version; {version} may also be an alias or "latest"',
        params: VersionParams,
        response: { 200: versionRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return viewOne(a, request.params.version);
    }
  );

  app.patch(
    '/models/:group/:model/versions/:version',
    {
      schema: {
        tags: ['versions'],
        summary:
          'Edit release notes (maintainer+); any other field is 409 VERSION_LOCKED',
        params: VersionParams,
        body: FreeObject,
        response: { 200: versionRef, 409: errorRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'editing a version');
      const v = await resolveVersion(
        app.db,
        a.model.id,
        request.params.version
      );
      const others = Object.keys(request.body).filter(k => k !== 'notes');
      if (others.length) {
        throw versionLocked(
          `version ${v.version} (fields ${others.join(', ')})`
        );
      }
      const notes = request.body.notes;
      if (typeof notes !== 'string') {
        throw badRequest('body/notes must be a string');
      }
      await setNotes(app.db, v, notes, request.caller!.username);
      return viewOne(a, v.version);
    }
  );

  app.post(
    '/models/:group/:model/versions/:version/yank',
    {
      schema: {
        tags: ['versions'],
        summary:
          'Yank a version (maintainer+): hidden from latest, still downloadable, number never reused',
        params: VersionParams,
        body: Type.Object({ reason: Type.String({ minLength: 1 }) }),
        response: { 200: versionRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'yanking a version');
      const v = await resolveVersion(
        app.db,
        a.model.id,
        request.params.version
      );
      await yank(app.db, v, request.body.reason, request.caller!.username);
      return viewOne(a, v.version);
    }
  );

  app.delete(
    '/models/:group/:model/versions/:version',
    {
      schema: {
        tags: ['versions'],
        summary:
          'Always 409 VERSION_LOCKED: versions are deleted only with their model',
        params: VersionParams,
        response: { 409: errorRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'deleting a version');
      const v = await resolveVersion(
        app.db,
        a.model.id,
        request.params.version
      );
      throw new ApiError(
        'VERSION_LOCKED',
        `version ${v.version} cannot be deleted; yank it instead (POST .../versions/${v.version}/yank)`
      );
    }
  );
};

import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { requireRole, routeModelAccess } from '../access';
import { commonErrors, errorRef, VersionParams } from '../schemas/common';
import { recordGitTag } from '../repos/git-tags';
import { versionViews } from '../repos/version-view';
import { resolveVersion } from '../repos/versions';

export const versionGitRoutes: FastifyPluginAsyncTypebox = async app => {
  app.put(
    '/models/:group/:model/versions/:version/git-tag',
    {
      schema: {
        tags: ['versions'],
        summary:
          'Record the git tag made for a version (maintainer+; once: tags are never moved)',
        description:
          'The client creates the annotated tag `<model name>@v<semver>` on the trained commit (Candidate.promote(git_tag=True)) and records it here.',
        params: VersionParams,
        body: Type.Object(
          {
            tag: Type.String({ minLength: 1, maxLength: 300 }),
            commit: Type.String({
              pattern: '^[0-9a-f]{7,64}$',
              description: 'the full commit sha the tag points at'
            })
          },
          { additionalProperties: false }
        ),
        response: { 200: Type.Ref('Version'), 409: errorRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'recording a git tag');
      const v = await resolveVersion(
        app.db,
        a.model.id,
        request.params.version
      );
      await recordGitTag(
        app.db,
        a.model.name,
        v,
        request.body.tag,
        request.body.commit
      );
      const fresh = await resolveVersion(app.db, a.model.id, v.version);
      return (
        await versionViews(app.db, [fresh], `${a.group.name}/${a.model.name}`)
      )[0];
    }
  );
};

import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { routeModelAccess } from '../access';
import { badRequest } from '../errors';
import { commonErrors, ModelParams } from '../schemas/common';
import { compareItems } from '../repos/compare';

export const compareRoutes: FastifyPluginAsyncTypebox = async app => {
  app.get(
    '/models/:group/:model/compare',
    {
      schema: {
        tags: ['compare'],
        summary:
          'Candidates and versions side by side: params, last metrics with the best marked, file manifests',
        params: ModelParams,
        querystring: Type.Object({
          refs: Type.String({
            description:
              'comma-separated c:<iid> and v:<version|alias|latest>, e.g. c:3,c:5,v:1.2.0'
          })
        }),
        response: { 200: Type.Ref('Compare'), ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      const refs = request.query.refs
        .split(',')
        .map(s => s.trim())
        .filter(Boolean);
      if (!refs.length) {
        throw badRequest('refs: give at least one of c:<iid> or v:<version>');
      }
      if (refs.length > 500) {
        throw badRequest('refs: compare at most 500 items at once');
      }
      return compareItems(app.db, a.model, refs);
    }
  );
};

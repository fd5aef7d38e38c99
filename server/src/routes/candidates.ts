import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import {
  groupAccess,
  modelAccess,
  requireRole,
  type ModelAccess,
  routeModelAccess
} from '../access';
import { isUniqueViolation } from '../db/connect';
import { badRequest } from '../errors';
import { nameProblem } from '../domain/roles';
import { pageLimit } from '../domain/cursor';
import { parseFilter, parseOrderBy } from '../domain/filter';
import {
  CandidateParams,
  commonErrors,
  errorRef,
  Metric,
  ModelParams,
  page,
  Paging
} from '../schemas/common';
import {
  claimForWrite,
  candidateViews,
  createCandidate,
  deleteCandidate,
  findCandidate,
  patchCandidate
} from '../repos/candidates';
import { searchCandidates } from '../repos/candidate-search';
import { renewLease } from '../repos/candidate-lease';
import { insertMetrics, metricHistory } from '../repos/metrics';
import { createModel, findModel } from '../repos/models';
import {
  CandidateBody,
  CandidatePatchBody,
  CandidateStatus as Status
} from '../schemas/objects';
import type { Caller } from '../access';
import type { Db } from '../db/database';

const candidateRef = Type.Ref('Candidate');

/** The model and candidate a developer+ changes; `doing` names the change in a 403. */
async function candidateForChange(
  db: Db,
  caller: Caller | null,
  params: { group: string; model: string; iid: number },
  doing: string
) {
  const a = await modelAccess(db, caller, params.group, params.model);
  requireRole(a, caller, 'developer', doing);
  return { a, candidate: await findCandidate(db, a.model.id, params.iid) };
}

/** POST candidates?create_model=true: the first candidate of a notebook may bring its model into being. */
async function modelForNewCandidate(
  db: Db,
  caller: Caller,
  group: string,
  model: string,
  create: boolean
): Promise<ModelAccess> {
  if (!create) {
    return modelAccess(db, caller, group, model);
  }
  const access = await groupAccess(db, caller, group);
  requireRole(access, caller, 'developer', 'logging a candidate');
  let row = await findModel(db, access.group.id, model);
  if (!row) {
    const problem = nameProblem(model);
    if (problem) {
      throw badRequest(`No model ${group}/${model} to create: ${problem}.`);
    }
    try {
      row = await createModel(
        db,
        access.group.id,
        { name: model },
        caller!.username
      );
    } catch (err) {
      // Another client created it at the same moment: use theirs.
      if (!isUniqueViolation(err)) {
        throw err;
      }
      row = await findModel(db, access.group.id, model);
      if (!row) {
        throw err;
      }
    }
  }
  return { ...access, model: row };
}

export const candidateRoutes: FastifyPluginAsyncTypebox = async app => {
  const fullName = (a: ModelAccess) => `${a.group.name}/${a.model.name}`;
  const view = async (a: ModelAccess, iid: number) =>
    (
      await candidateViews(
        app.db,
        [await findCandidate(app.db, a.model.id, iid)],
        fullName(a)
      )
    )[0];

  app.post(
    '/models/:group/:model/candidates',
    {
      schema: {
        tags: ['candidates'],
        summary:
          'Log a candidate (developer+); ?create_model=true creates the model if missing',
        params: ModelParams,
        querystring: Type.Object({
          create_model: Type.Optional(Type.Boolean())
        }),
        body: CandidateBody,
        response: { 201: candidateRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const { group, model } = request.params;
      const a = await modelForNewCandidate(
        app.db,
        request.caller,
        group,
        model,
        request.query.create_model === true
      );
      requireRole(a, request.caller, 'developer', 'logging a candidate');
      const row = await createCandidate(
        app.db,
        a.model.id,
        request.body,
        request.caller!.username
      );
      return reply
        .status(201)
        .send((await candidateViews(app.db, [row], fullName(a)))[0]);
    }
  );

  app.get(
    '/models/:group/:model/candidates',
    {
      schema: {
        tags: ['candidates'],
        summary:
          'Search candidates: filter, order by a metric, keyset pages; CI linkage',
        params: ModelParams,
        querystring: Type.Object({
          status: Type.Optional(Status),
          experiment: Type.Optional(Type.String()),
          filter: Type.Optional(
            Type.String({
              description: "e.g. metrics.auc > 0.9 and params.depth = '6'"
            })
          ),
          order_by: Type.Optional(
            Type.String({
              description:
                'metrics.<key> DESC | params.<key> ASC | created_at | name | status | experiment | iid DESC (default); ASC or DESC'
            })
          ),
          pipeline: Type.Optional(Type.String()),
          commit: Type.Optional(Type.String()),
          merge_request: Type.Optional(Type.String()),
          ...Paging
        }),
        response: { 200: page(candidateRef), ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      const q = request.query;
      const res = await searchCandidates(app.db, {
        modelId: a.model.id,
        status: q.status,
        experiment: q.experiment,
        pipeline: q.pipeline,
        commit: q.commit,
        mergeRequest: q.merge_request,
        clauses: parseFilter(q.filter),
        order: parseOrderBy(q.order_by),
        cursor: q.cursor,
        limit: pageLimit(q.limit)
      });
      return {
        items: await candidateViews(app.db, res.rows, fullName(a)),
        next_cursor: res.next_cursor
      };
    }
  );

  app.get(
    '/models/:group/:model/candidates/:iid',
    {
      schema: {
        tags: ['candidates'],
        summary: 'One candidate',
        params: CandidateParams,
        response: { 200: candidateRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return view(a, request.params.iid);
    }
  );

  app.patch(
    '/models/:group/:model/candidates/:iid',
    {
      schema: {
        tags: ['candidates'],
        summary:
          'Change a candidate (developer+); params only gain new keys; 409 VERSION_LOCKED once promoted',
        params: CandidateParams,
        body: CandidatePatchBody,
        response: { 200: candidateRef, 409: errorRef, ...commonErrors }
      }
    },
    async request => {
      const { a, candidate } = await candidateForChange(
        app.db,
        request.caller,
        request.params,
        'changing a candidate'
      );
      await patchCandidate(
        app.db,
        candidate,
        request.body,
        request.caller!.username
      );
      return view(a, request.params.iid);
    }
  );

  app.post(
    '/models/:group/:model/candidates/:iid/heartbeat',
    {
      schema: {
        tags: ['candidates'],
        summary:
          'Keep a running candidate open (developer+): without a heartbeat within lease_seconds it ends failed; a heartbeat reopens one that ended so',
        params: CandidateParams,
        response: {
          200: Type.Object({
            lease_expires_at: Type.String(),
            lease_seconds: Type.Number()
          }),
          409: errorRef,
          ...commonErrors
        }
      }
    },
    async request => {
      const { candidate } = await candidateForChange(
        app.db,
        request.caller,
        request.params,
        'logging a candidate'
      );
      return renewLease(app.db, candidate, app.candidateLeaseSeconds);
    }
  );

  app.delete(
    '/models/:group/:model/candidates/:iid',
    {
      schema: {
        tags: ['candidates'],
        summary:
          'Delete a candidate (developer+); 409 VERSION_LOCKED once promoted',
        params: CandidateParams,
        response: { 204: Type.Null(), 409: errorRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'developer', 'deleting a candidate');
      await deleteCandidate(
        app.db,
        await findCandidate(app.db, a.model.id, request.params.iid),
        request.caller!.username
      );
      return reply.status(204).send(null);
    }
  );

  app.post(
    '/models/:group/:model/candidates/:iid/metrics',
    {
      schema: {
        tags: ['candidates'],
        summary:
          'Log a batch of metric values (developer+); full history is kept',
        params: CandidateParams,
        body: Type.Array(Metric, { maxItems: 10000 }),
        response: {
          201: Type.Object({ accepted: Type.Integer() }),
          409: errorRef,
          ...commonErrors
        }
      }
    },
    async (request, reply) => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'developer', 'logging metrics');
      const c = await findCandidate(app.db, a.model.id, request.params.iid);
      const accepted = await app.db.transaction().execute(async trx => {
        await claimForWrite(trx, c);
        return insertMetrics(trx, c.id, request.body);
      });
      return reply.status(201).send({ accepted });
    }
  );

  app.get(
    '/models/:group/:model/candidates/:iid/metrics/:key',
    {
      schema: {
        tags: ['candidates'],
        summary: 'Full history of one metric',
        params: Type.Object({
          group: Type.String(),
          model: Type.String(),
          iid: Type.Integer({ minimum: 1 }),
          key: Type.String()
        }),
        response: {
          200: Type.Object({
            key: Type.String(),
            history: Type.Array(
              Type.Object({
                value: Type.Number(),
                step: Type.Integer(),
                timestamp: Type.Integer()
              })
            )
          }),
          ...commonErrors
        }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      const c = await findCandidate(app.db, a.model.id, request.params.iid);
      return {
        key: request.params.key,
        history: await metricHistory(app.db, c.id, request.params.key)
      };
    }
  );
};

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database';
import {
  context,
  input,
  keyValues,
  need,
  optNum,
  optStr,
  str,
  strList,
  type Ctx
} from './context';
import {
  alreadyExists,
  doesNotExist,
  invalidParam,
  MlflowError
} from './errors';
import {
  compareValues,
  matches,
  page,
  parseFilter,
  parseOrderBy
} from './filter';
import {
  defaultExperimentId,
  experimentById,
  experimentByName,
  insertExperiment,
  listExperiments,
  runsModelId,
  saveExperimentMeta,
  type Experiment
} from './store';
import { experimentJson } from './views';

/** A new experiment of the group; its runs are filed in the group's runs model until registered. */
async function createExperiment(
  db: Db,
  ctx: Ctx,
  name: string,
  tags: Record<string, string>
): Promise<Experiment> {
  need(ctx, 'developer', 'creating an experiment');
  if (await experimentByName(db, ctx.group.id, name)) {
    throw alreadyExists(`Experiment '${name}' already exists.`);
  }
  const id = await insertExperiment(
    db,
    ctx.group.id,
    await runsModelId(db, ctx.group.id, ctx.actor),
    name,
    tags
  );
  return experimentById(db, ctx.group.id, String(id), ctx.actor);
}

/** Resolves an experiment id from a request; "0" names the group's Default experiment, created on first use. */
export async function resolveExperimentId(
  db: Db,
  ctx: Ctx,
  id: string
): Promise<Experiment> {
  return experimentById(db, ctx.group.id, id, ctx.actor);
}

/** A promoted candidate's experiment keeps its name: the version's provenance names it. */
async function refuseIfLocked(db: Db, e: Experiment): Promise<void> {
  const locked = await db
    .selectFrom('candidates')
    .innerJoin('versions', 'versions.candidate_id', 'candidates.id')
    .innerJoin('models', 'models.id', 'versions.model_id')
    .select(['candidates.run_id', 'versions.version', 'models.name'])
    .where('candidates.experiment_id', '=', e.id)
    .where('candidates.locked', '=', 1)
    .executeTakeFirst();
  if (locked) {
    throw new MlflowError(
      'INVALID_STATE',
      `Experiment '${e.name}' cannot be renamed: its run ${locked.run_id} is locked (promoted to version ${locked.version} of model "${locked.name}"). Create a new experiment instead.`
    );
  }
}

const tagsOf = (pairs: { key: string; value: string }[]) =>
  Object.fromEntries(pairs.map(t => [t.key, t.value]));

function experimentField(
  e: Experiment,
  key: string
): string | number | undefined {
  switch (key) {
    case 'name':
      return e.name;
    case 'experiment_id':
      return e.mlflowId;
    case 'creation_time':
      return Date.parse(e.created_at);
    case 'last_update_time':
      return e.updated_at ?? Date.parse(e.created_at);
    case 'lifecycle_stage':
      return e.lifecycle_stage;
    default:
      return undefined;
  }
}

export async function experimentRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;

  app.post('/experiments/create', async request => {
    const ctx = await context(request);
    const inp = input(request);
    const e = await createExperiment(
      db,
      ctx,
      str(inp, 'name'),
      tagsOf(keyValues(inp, 'tags'))
    );
    return { experiment_id: String(e.id) };
  });

  app.get('/experiments/get', async request => {
    const ctx = await context(request);
    return {
      experiment: experimentJson(
        await resolveExperimentId(db, ctx, str(input(request), 'experiment_id'))
      )
    };
  });

  app.get('/experiments/get-by-name', async request => {
    const ctx = await context(request);
    const name = str(input(request), 'experiment_name');
    const e = await experimentByName(db, ctx.group.id, name);
    if (!e) {
      throw doesNotExist(`Could not find experiment with name '${name}'`);
    }
    return { experiment: experimentJson(e) };
  });

  const search = async (request: FastifyRequest) => {
    const ctx = await context(request);
    const inp = input(request);
    const clauses = parseFilter(optStr(inp, 'filter'), 'attribute');
    const view = optStr(inp, 'view_type') ?? 'ACTIVE_ONLY';
    const order = parseOrderBy(strList(inp, 'order_by'));
    await defaultExperimentId(db, ctx.group.id, ctx.actor);
    let all = (await listExperiments(db, ctx.group.id)).filter(
      e =>
        view === 'ALL' ||
        (view === 'DELETED_ONLY'
          ? e.lifecycle_stage === 'deleted'
          : e.lifecycle_stage !== 'deleted')
    );
    // As in MLflow's SQL (a join on the tag), an experiment without the tag matches no tag clause,
    // `!=` included.
    all = all.filter(e =>
      clauses.every(c =>
        c.kind === 'tag'
          ? e.tags[c.key] !== undefined && matches(c, e.tags[c.key])
          : matches(c, experimentField(e, c.key))
      )
    );
    // MLflow's order: newest created first, ties by experiment id ascending (also after any order_by).
    const terms = order.length
      ? order
      : [{ kind: 'attribute' as const, key: 'creation_time', desc: true }];
    all.sort((a, b) => {
      for (const t of terms) {
        const c = compareValues(
          experimentField(a, t.key),
          experimentField(b, t.key),
          t.desc
        );
        if (c) {
          return c;
        }
      }
      return a.id - b.id;
    });
    const p = page(all, optNum(inp, 'max_results'), optStr(inp, 'page_token'));
    return {
      experiments: p.items.map(experimentJson),
      ...(p.next_page_token ? { next_page_token: p.next_page_token } : {})
    };
  };
  app.post('/experiments/search', search);
  app.get('/experiments/search', search);

  app.post('/experiments/update', async request => {
    const ctx = await context(request);
    need(ctx, 'developer', 'renaming an experiment');
    const inp = input(request);
    const e = await resolveExperimentId(db, ctx, str(inp, 'experiment_id'));
    const newName = str(inp, 'new_name');
    if (newName === e.name) {
      return {};
    }
    await refuseIfLocked(db, e);
    if (await experimentByName(db, ctx.group.id, newName)) {
      throw alreadyExists(`Experiment '${newName}' already exists.`);
    }
    await db
      .updateTable('experiments')
      .set({ name: newName })
      .where('id', '=', e.id)
      .execute();
    await saveExperimentMeta(db, e.id, {});
    return {};
  });

  const lifecycle = (stage: string) => async (request: FastifyRequest) => {
    const ctx = await context(request);
    need(
      ctx,
      'developer',
      `${stage === 'deleted' ? 'deleting' : 'restoring'} an experiment`
    );
    const e = await resolveExperimentId(
      db,
      ctx,
      str(input(request), 'experiment_id')
    );
    if (stage === 'deleted' && e.mlflowId === '0') {
      throw invalidParam(
        "Cannot delete the default experiment '0'. This is an internally reserved experiment."
      );
    }
    await saveExperimentMeta(db, e.id, { lifecycle_stage: stage });
    return {};
  };
  app.post('/experiments/delete', lifecycle('deleted'));
  app.post('/experiments/restore', lifecycle('active'));

  const setTag = (remove: boolean) => async (request: FastifyRequest) => {
    const ctx = await context(request);
    need(ctx, 'developer', 'tagging an experiment');
    const inp = input(request);
    const e = await resolveExperimentId(db, ctx, str(inp, 'experiment_id'));
    const tags = { ...e.tags };
    if (remove) {
      delete tags[str(inp, 'key')];
    } else {
      tags[str(inp, 'key')] = optStr(inp, 'value') ?? '';
    }
    await saveExperimentMeta(db, e.id, { tags });
    return {};
  };
  app.post('/experiments/set-experiment-tag', setTag(false));
  app.post('/experiments/delete-experiment-tag', setTag(true));
}

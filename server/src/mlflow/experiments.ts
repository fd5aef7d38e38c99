import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database';
import { isUniqueViolation } from '../db/connect';
import { createModel, findModel } from '../repos/models';
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
import { alreadyExists, doesNotExist, invalidParam } from './errors';
import {
  compareValues,
  matches,
  page,
  parseFilter,
  parseOrderBy
} from './filter';
import {
  ensureExperimentRow,
  ensureModelExperiments,
  experimentById,
  experimentByName,
  listExperiments,
  saveExperimentMeta,
  splitExperimentName,
  type Experiment
} from './store';
import { experimentJson } from './views';

/** The client's default experiment id "0" is the group's `Default` experiment (model `Default`). */
export const DEFAULT_EXPERIMENT = 'Default';

async function createExperiment(
  db: Db,
  ctx: Ctx,
  name: string,
  tags: Record<string, string>
): Promise<Experiment> {
  need(
    ctx,
    'developer',
    'creating an experiment (and the model that holds its runs)'
  );
  const { model: modelName, series } = splitExperimentName(name);
  if (await experimentByName(db, ctx.group.id, name)) {
    throw alreadyExists(`Experiment '${name}' already exists.`);
  }
  let model = await findModel(db, ctx.group.id, modelName);
  if (!model) {
    try {
      model = await createModel(
        db,
        ctx.group.id,
        {
          name: modelName,
          description: `Runs of the MLflow experiment "${name}".`
        },
        ctx.actor
      );
    } catch (err) {
      if (!isUniqueViolation(err)) {
        throw err;
      }
      model = (await findModel(db, ctx.group.id, modelName))!;
    }
  }
  const id = await ensureExperimentRow(db, model, series);
  await saveExperimentMeta(db, id, { lifecycle_stage: 'active', tags });
  return experimentById(db, ctx.group.id, id);
}

/** Resolves an experiment id from a request; "0" names the group's Default experiment, created on first use. */
export async function resolveExperimentId(
  db: Db,
  ctx: Ctx,
  id: string
): Promise<Experiment> {
  if (id === '0') {
    const existing = await experimentByName(
      db,
      ctx.group.id,
      DEFAULT_EXPERIMENT
    );
    return existing ?? createExperiment(db, ctx, DEFAULT_EXPERIMENT, {});
  }
  if (!/^\d+$/.test(id)) {
    throw invalidParam(`Invalid experiment ID: '${id}'`);
  }
  return experimentById(db, ctx.group.id, Number(id));
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
      return String(e.id);
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
    await ensureModelExperiments(db, ctx.group.id);
    let all = (await listExperiments(db, ctx.group.id)).filter(
      e =>
        view === 'ALL' ||
        (view === 'DELETED_ONLY'
          ? e.lifecycle_stage === 'deleted'
          : e.lifecycle_stage !== 'deleted')
    );
    all = all.filter(e =>
      clauses.every(c =>
        matches(c, c.kind === 'tag' ? e.tags[c.key] : experimentField(e, c.key))
      )
    );
    const terms = order.length
      ? order
      : [{ kind: 'attribute' as const, key: 'last_update_time', desc: true }];
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
      return b.id - a.id;
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
    const { model, series } = splitExperimentName(newName);
    if (model !== e.model.name) {
      throw invalidParam(
        `experiment "${e.name}" holds runs of model "${e.model.name}"; a new name must stay in that model: "${e.model.name}" or "${e.model.name}/<series>"`
      );
    }
    if (await experimentByName(db, ctx.group.id, newName)) {
      throw alreadyExists(`Experiment '${newName}' already exists.`);
    }
    await db
      .updateTable('experiments')
      .set({ name: series })
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

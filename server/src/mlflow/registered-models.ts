import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isUniqueViolation } from '../db/connect';
import type { Db, ModelRow } from '../db/database';
import { NAME_RE } from '../domain/roles';
import { deleteAlias, moveAlias } from '../repos/aliases';
import {
  createModel,
  deleteModel,
  updateCard,
  type ModelMetadata
} from '../repos/models';
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
import { resignModel } from '../signing/manifest';
import { renameModel } from '../repos/model-names';
import { groupMeta, registeredModel, versionByNumber } from './store';
import {
  latestPerStage,
  modelVersionsJson,
  registeredModelJson
} from './views';

function extraOf(model: ModelRow): Record<string, unknown> {
  return ((JSON.parse(model.metadata) as ModelMetadata).extra ?? {}) as Record<
    string,
    unknown
  >;
}

async function named(
  request: FastifyRequest,
  role: 'guest' | 'developer' | 'maintainer' | 'owner',
  action: string
): Promise<{ ctx: Ctx; model: ModelRow; inp: Record<string, unknown> }> {
  const ctx = await context(request);
  if (role !== 'guest') {
    need(ctx, role, action);
  }
  const inp = input(request);
  return {
    ctx,
    model: await registeredModel(
      request.server.db,
      ctx.group.id,
      str(inp, 'name')
    ),
    inp
  };
}

function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw invalidParam(
      `registered model name "${name}" must be letters, digits, ".", "_", "-" (at most 100), starting with a letter or digit`
    );
  }
}

async function setTags(
  db: Db,
  ctx: Ctx,
  model: ModelRow,
  change: (extra: Record<string, unknown>) => void
): Promise<void> {
  const extra = { ...extraOf(model) };
  change(extra);
  await updateCard(db, model, { metadata: { extra } }, ctx.actor);
}

/** Registered models are the group's models: card description <-> description, card `metadata.extra` <-> tags. */
export async function registeredModelRoutes(
  app: FastifyInstance
): Promise<void> {
  const db = app.db;

  app.post('/registered-models/create', async request => {
    const ctx = await context(request);
    need(ctx, 'developer', 'creating a registered model');
    const inp = input(request);
    const name = str(inp, 'name');
    checkName(name);
    const extra = Object.fromEntries(
      keyValues(inp, 'tags').map(t => [t.key, t.value])
    );
    try {
      const model = await createModel(
        db,
        ctx.group.id,
        {
          name,
          description: optStr(inp, 'description') ?? '',
          metadata: { extra }
        },
        ctx.actor
      );
      return { registered_model: await registeredModelJson(db, model) };
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw alreadyExists(`Registered Model (name=${name}) already exists.`);
      }
      throw err;
    }
  });

  app.get('/registered-models/get', async request => {
    const { model } = await named(request, 'guest', '');
    return { registered_model: await registeredModelJson(db, model) };
  });

  app.get('/registered-models/search', async request => {
    const ctx = await context(request);
    const inp = input(request);
    const clauses = parseFilter(optStr(inp, 'filter'));
    const terms = parseOrderBy(strList(inp, 'order_by'));
    const runsModel = (await groupMeta(db, ctx.group.id)).runs_model_id;
    const rows = (
      await db
        .selectFrom('models')
        .selectAll()
        .where('group_id', '=', ctx.group.id)
        .execute()
    ).filter(r => r.id !== runsModel);
    const field = (
      mdl: ModelRow,
      kind: string,
      key: string
    ): string | number | undefined => {
      if (kind === 'tag') {
        const v = extraOf(mdl)[key];
        return v === undefined ? undefined : String(v);
      }
      if (key === 'name') {
        return mdl.name;
      }
      if (key === 'last_updated_timestamp' || key === 'timestamp') {
        return Date.parse(mdl.updated_at);
      }
      if (key === 'creation_timestamp') {
        return Date.parse(mdl.created_at);
      }
      throw invalidParam(
        `Invalid attribute key '${key}' in a registered model search`
      );
    };
    const hits = rows.filter(r =>
      clauses.every(c => matches(c, field(r, c.kind, c.key)))
    );
    hits.sort((a, b) => {
      for (const t of terms) {
        const c = compareValues(
          field(a, t.kind, t.key),
          field(b, t.kind, t.key),
          t.desc
        );
        if (c) {
          return c;
        }
      }
      return a.name < b.name ? -1 : 1;
    });
    const p = page(
      hits,
      optNum(inp, 'max_results') ?? 100,
      optStr(inp, 'page_token')
    );
    const models = [];
    for (const r of p.items) {
      models.push(await registeredModelJson(db, r));
    }
    return {
      registered_models: models,
      ...(p.next_page_token ? { next_page_token: p.next_page_token } : {})
    };
  });

  app.patch('/registered-models/update', async request => {
    const { ctx, model, inp } = await named(
      request,
      'developer',
      'editing a registered model'
    );
    const description = optStr(inp, 'description');
    if (description !== undefined) {
      await updateCard(db, model, { description }, ctx.actor);
    }
    return {
      registered_model: await registeredModelJson(
        db,
        await registeredModel(db, ctx.group.id, model.name)
      )
    };
  });

  app.post('/registered-models/rename', async request => {
    const { ctx, model, inp } = await named(
      request,
      'maintainer',
      'renaming a registered model'
    );
    const newName = str(inp, 'new_name');
    checkName(newName);
    // The registry's rule: a model with versions is renamed by an owner only (its name is then retired).
    await renameModel(db, model, ctx.group.name, newName, {
      username: ctx.actor,
      role: ctx.role
    });
    await resignModel(
      db,
      app.signingKey,
      model.id,
      `${ctx.group.name}/${newName}`
    );
    return {
      registered_model: await registeredModelJson(
        db,
        await registeredModel(db, ctx.group.id, newName)
      )
    };
  });

  // The registry's rule: versions are never deleted one by one; an owner deletes the whole model.
  app.delete('/registered-models/delete', async request => {
    const { model } = await named(
      request,
      'owner',
      'deleting a registered model (with all its runs and versions)'
    );
    await deleteModel(db, model.id);
    return {};
  });

  app.post('/registered-models/set-tag', async request => {
    const { ctx, model, inp } = await named(
      request,
      'developer',
      'tagging a registered model'
    );
    const key = str(inp, 'key');
    await setTags(db, ctx, model, extra => {
      extra[key] = optStr(inp, 'value') ?? '';
    });
    return {};
  });

  app.delete('/registered-models/delete-tag', async request => {
    const { ctx, model, inp } = await named(
      request,
      'developer',
      'tagging a registered model'
    );
    const key = str(inp, 'key');
    if (!(key in extraOf(model))) {
      throw doesNotExist(`Registered model tag with name=${key} not found`);
    }
    await setTags(db, ctx, model, extra => {
      delete extra[key];
    });
    return {};
  });

  const latest = async (request: FastifyRequest) => {
    const { model, inp } = await named(request, 'guest', '');
    const versions = await db
      .selectFrom('versions')
      .selectAll()
      .where('model_id', '=', model.id)
      .execute();
    return {
      model_versions: latestPerStage(
        await modelVersionsJson(db, model, versions),
        strList(inp, 'stages')
      )
    };
  };
  app.post('/registered-models/get-latest-versions', latest);
  app.get('/registered-models/get-latest-versions', latest);

  app.post('/registered-models/alias', async request => {
    const { ctx, model, inp } = await named(
      request,
      'maintainer',
      'moving an alias'
    );
    const alias = str(inp, 'alias');
    if (!NAME_RE.test(alias) || /^(latest|v\d+)$/i.test(alias)) {
      throw invalidParam(
        `alias "${alias}" must be letters, digits, "_", "-" and not "latest" or v<number>`
      );
    }
    const version = await versionByNumber(db, model, str(inp, 'version'));
    await moveAlias(db, model.id, alias, version, ctx.actor);
    return {};
  });

  app.get('/registered-models/alias', async request => {
    const { model, inp } = await named(request, 'guest', '');
    const alias = str(inp, 'alias');
    const hit = await db
      .selectFrom('aliases')
      .select('version_id')
      .where('model_id', '=', model.id)
      .where('name', '=', alias)
      .executeTakeFirst();
    if (!hit) {
      throw doesNotExist(`Registered model alias ${alias} not found.`);
    }
    const version = await db
      .selectFrom('versions')
      .selectAll()
      .where('id', '=', hit.version_id)
      .executeTakeFirstOrThrow();
    return {
      model_version: (await modelVersionsJson(db, model, [version]))[0]
    };
  });

  app.delete('/registered-models/alias', async request => {
    const { ctx, model, inp } = await named(
      request,
      'maintainer',
      'deleting an alias'
    );
    await deleteAlias(db, model.id, str(inp, 'alias'), ctx.actor);
    return {};
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CandidateRow, Db, ModelRow, VersionRow } from '../db/database';
import { deleteAlias, moveAlias } from '../repos/aliases';
import { listArtifacts, attachArtifact } from '../repos/artifacts';
import {
  createCandidate,
  moveCandidate,
  patchCandidate
} from '../repos/candidates';
import {
  historyAsInputs,
  insertMetrics,
  metricHistories
} from '../repos/metrics';
import {
  highestVersion,
  listVersionRows,
  promote,
  setNotes
} from '../repos/versions';
import {
  bumpSemver,
  precedenceKey,
  requireSemver,
  type SemVer
} from '../domain/semver';
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
import { HIDDEN } from './run-search-sql';
import { copyDatasets } from '../repos/candidate-datasets';
import {
  groupMeta,
  loggedModelById,
  m,
  saveRunMeta,
  registeredModel,
  runById,
  saveVersionMeta,
  versionByNumber,
  versionMetas
} from './store';
import { signVersions } from '../signing/manifest';
import { moveIntoOwnCandidate, recordRegistration } from './logged-models';
import {
  downloadUri,
  modelVersionsJson,
  STAGE_BY_ALIAS,
  subpathOfSource
} from './views';

/** The tag that carries (and, at creation, chooses) the registry's SemVer of an MLflow version. */
export const SEMVER_TAG = 'modelreg.version';

/**
 * The candidate an MLflow registration points at: a logged model's, or a run's. `runs:/<run>/<name>` names
 * the run's logged model of that name when it has one, as MLflow 3 resolves it. `trainingRunId` is the run a
 * logged model came from: the version reports it as its run. `candidate` is null when the source names no
 * run of the group (MLflow accepts any run id, or none): the version then gets an empty candidate of its own.
 */
async function sourceCandidate(
  db: Db,
  ctx: Ctx,
  inp: Record<string, unknown>
): Promise<{
  candidate: CandidateRow | null;
  loggedModelId: string | null;
  trainingRunId: string | null;
}> {
  const source = optStr(inp, 'source') ?? '';
  const runId =
    optStr(inp, 'run_id') ||
    /^runs:\/([^/]+)/.exec(source)?.[1] ||
    /^mlflow-artifacts:\/(?:\/[^/]*)?\/?[^/]+\/([^/]+)\/artifacts/.exec(
      source
    )?.[1];
  const inRun =
    runId && !optStr(inp, 'model_id')
      ? await loggedModelOfRun(db, runId, subpathOfSource(source))
      : null;
  const loggedModelId =
    optStr(inp, 'model_id') ||
    /^models:\/(m-[0-9a-f]+)\/?$/.exec(source)?.[1] ||
    inRun;
  if (loggedModelId) {
    const lm = await moveIntoOwnCandidate(
      db,
      await loggedModelById(db, ctx.group.id, loggedModelId),
      ctx.actor
    );
    const candidate = await db
      .selectFrom('candidates')
      .selectAll()
      .where('id', '=', lm.candidate_id)
      .executeTakeFirstOrThrow();
    return {
      candidate,
      loggedModelId,
      trainingRunId:
        lm.from_run && candidate.run_id !== lm.source_run_id
          ? lm.source_run_id
          : null
    };
  }
  const run = runId
    ? await runById(db, ctx.group.id, runId).catch(notFound)
    : null;
  return {
    candidate: run?.candidate ?? null,
    loggedModelId: null,
    trainingRunId: null
  };
}

function notFound(err: unknown): null {
  if (err instanceof MlflowError && err.code === 'RESOURCE_DOES_NOT_EXIST') {
    return null;
  }
  throw err;
}

/**
 * The candidate of a version registered without a run of the group: no files, and locked by its promotion,
 * so it never gets any. The source and run id the client sent are its provenance.
 */
async function emptyCandidate(
  db: Db,
  ctx: Ctx,
  model: ModelRow,
  inp: Record<string, unknown>
): Promise<CandidateRow> {
  const mlflow = {
    source: optStr(inp, 'source') ?? '',
    ...(optStr(inp, 'run_id') ? { run_id: optStr(inp, 'run_id') } : {})
  };
  const candidate = await createCandidate(
    db,
    model.id,
    { name: '', status: 'finished', provenance: { mlflow } },
    ctx.actor
  );
  await saveRunMeta(db, candidate.id, { lifecycle_stage: HIDDEN });
  return candidate;
}

/** The newest logged model of a run with this name (MLflow 3's reading of `runs:/<run>/<name>`). */
async function loggedModelOfRun(
  db: Db,
  runId: string,
  name: string | null
): Promise<string | null> {
  if (!name) {
    return null;
  }
  const lm = await m(db)
    .selectFrom('mlflow_logged_models')
    .select('model_id')
    .where('source_run_id', '=', runId)
    .where('name', '=', name)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return lm?.model_id ?? null;
}

/** "next minor of the highest, 0.1.0 first" unless the `modelreg.version` tag names one. */
async function chooseSemver(
  db: Db,
  model: ModelRow,
  tags: Record<string, string>
): Promise<SemVer> {
  const v = tags[SEMVER_TAG]
    ? requireSemver(tags[SEMVER_TAG])
    : bumpSemver(highestVersion(await listVersionRows(db, model.id)), 'minor');
  const taken = await db
    .selectFrom('versions')
    .select('version')
    .where('model_id', '=', model.id)
    .where('version_key', '=', precedenceKey(v))
    .executeTakeFirst();
  if (taken) {
    throw alreadyExists(
      `Model ${model.name} already has version ${taken.version} (tag ${SEMVER_TAG}); version numbers are never reused, pick another.`
    );
  }
  return v;
}

/**
 * A run of another model, or one already promoted, reaches the target model as a linked candidate:
 * params, metric history and the file manifest are copied as references to the same blobs.
 */
async function linkedCandidate(
  db: Db,
  ctx: Ctx,
  model: ModelRow,
  source: CandidateRow
): Promise<CandidateRow> {
  const [params, tags, histories, files, from] = await Promise.all([
    db
      .selectFrom('params')
      .select(['key', 'value'])
      .where('candidate_id', '=', source.id)
      .execute(),
    db
      .selectFrom('candidate_tags')
      .select(['key', 'value'])
      .where('candidate_id', '=', source.id)
      .execute(),
    metricHistories(db, [source.id]),
    listArtifacts(db, source.id),
    db
      .selectFrom('models')
      .select('name')
      .where('id', '=', source.model_id)
      .executeTakeFirstOrThrow()
  ]);
  const copy = await createCandidate(
    db,
    model.id,
    {
      name: source.name,
      status: 'finished',
      params: Object.fromEntries(params.map(p => [p.key, p.value])),
      tags: {
        ...Object.fromEntries(tags.map(t => [t.key, t.value])),
        'modelreg.source': `${ctx.group.name}/${from.name}#${source.iid} (run ${source.run_id})`
      },
      metrics: historyAsInputs(histories),
      provenance: JSON.parse(source.provenance)
    },
    ctx.actor
  );
  for (const f of files) {
    await attachArtifact(db, copy, f);
  }
  await copyDatasets(db, source.id, copy.id);
  return copy;
}

/**
 * A logged model's candidate holds its files; the run it came from holds the params, metrics, datasets and
 * provenance. A version must freeze all of them (the panel's version page and compare read them from the
 * version's candidate), so at registration the run's record is copied in, the logged model's own keys
 * winning. A snapshot at registration: what the still-open run logs afterwards stays with the run.
 */
async function adoptTrainingRecord(
  db: Db,
  target: CandidateRow,
  trainingRunId: string,
  groupId: number
): Promise<void> {
  const { candidate: run } = await runById(db, groupId, trainingRunId);
  const [runParams, haveParams, histories, haveMetrics] = await Promise.all([
    db
      .selectFrom('params')
      .select(['key', 'value'])
      .where('candidate_id', '=', run.id)
      .execute(),
    db
      .selectFrom('params')
      .select('key')
      .where('candidate_id', '=', target.id)
      .execute(),
    metricHistories(db, [run.id]),
    db
      .selectFrom('latest_metrics')
      .select('key')
      .where('candidate_id', '=', target.id)
      .execute()
  ]);
  const ownParams = new Set(haveParams.map(p => p.key));
  const ownMetrics = new Set(haveMetrics.map(m => m.key));
  const params = Object.fromEntries(
    runParams.filter(p => !ownParams.has(p.key)).map(p => [p.key, p.value])
  );
  const metrics = historyAsInputs(
    histories.filter(h => !ownMetrics.has(h.key))
  );
  const provenance = JSON.parse(run.provenance) as Record<string, unknown>;
  await patchCandidate(db, target, {
    params,
    ...(Object.keys(provenance).length ? { provenance } : {})
  });
  if (metrics.length) {
    await db
      .transaction()
      .execute(trx => insertMetrics(trx, target.id, metrics));
  }
  await copyDatasets(db, run.id, target.id);
}

async function target(
  request: FastifyRequest,
  role: 'guest' | 'developer' | 'maintainer',
  action: string
) {
  const ctx = await context(request);
  if (role !== 'guest') {
    need(ctx, role, action);
  }
  const inp = input(request);
  const model = await registeredModel(
    request.server.db,
    ctx.group.id,
    str(inp, 'name')
  );
  const version = await versionByNumber(
    request.server.db,
    model,
    str(inp, 'version')
  );
  return { ctx, inp, model, version };
}

async function one(db: Db, model: ModelRow, version: VersionRow) {
  const fresh = await db
    .selectFrom('versions')
    .selectAll()
    .where('id', '=', version.id)
    .executeTakeFirstOrThrow();
  return { model_version: (await modelVersionsJson(db, model, [fresh]))[0] };
}

async function setVersionTag(
  db: Db,
  version: VersionRow,
  key: string,
  value: string | null
): Promise<void> {
  if (key === SEMVER_TAG) {
    if (value === version.version) {
      return;
    }
    throw invalidParam(
      `tag ${SEMVER_TAG} is the registry's version number (${version.version}); it is set when the version is created and never changes`
    );
  }
  const tags = JSON.parse(
    (await versionMetas(db, [version.id])).get(version.id)?.tags ?? '{}'
  ) as Record<string, string>;
  if (value === null) {
    if (!(key in tags)) {
      throw doesNotExist(`Model version tag with name=${key} not found`);
    }
    delete tags[key];
  } else {
    tags[key] = value;
  }
  await saveVersionMeta(db, version.id, { tags: JSON.stringify(tags) });
}

const STAGES: Record<string, string> = {
  none: 'None',
  staging: 'Staging',
  production: 'Production',
  archived: 'Archived'
};

export async function modelVersionRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;

  app.post('/model-versions/create', async request => {
    const ctx = await context(request);
    need(ctx, 'maintainer', 'registering a model version (a promotion)');
    const inp = input(request);
    const model = await registeredModel(db, ctx.group.id, str(inp, 'name'));
    const tags = Object.fromEntries(
      keyValues(inp, 'tags').map(t => [t.key, t.value])
    );
    const semver = await chooseSemver(db, model, tags);
    const {
      candidate: source,
      loggedModelId,
      trainingRunId
    } = await sourceCandidate(db, ctx, inp);
    // A run is registered as it is: moved from the runs model into the registered model. Only a run that is
    // already a version, or one filed in another registered model, reaches it as a linked copy.
    if (source && trainingRunId && !source.locked) {
      await adoptTrainingRecord(db, source, trainingRunId, ctx.group.id);
    }
    const runsModel = (await groupMeta(db, ctx.group.id)).runs_model_id;
    const candidate = !source
      ? await emptyCandidate(db, ctx, model, inp)
      : source.model_id === model.id && !source.locked
        ? source
        : source.model_id === runsModel && !source.locked
          ? await moveCandidate(db, source, model.id, ctx.actor)
          : await linkedCandidate(db, ctx, model, source);
    const version = await promote(
      db,
      model,
      candidate,
      semver,
      optStr(inp, 'description') ?? '',
      ctx.actor,
      (trx, promoted) =>
        signVersions(
          trx,
          app.signingKey,
          [promoted],
          `${ctx.group.name}/${model.name}`
        )
    );
    delete tags[SEMVER_TAG];
    if (source && candidate.id !== source.id) {
      await saveRunMeta(db, candidate.id, { lifecycle_stage: HIDDEN });
    }
    await saveVersionMeta(db, version.id, {
      // Without a run of the group the version reports the run id the client sent, or none ('').
      run_id: !source
        ? (optStr(inp, 'run_id') ?? '')
        : (trainingRunId ??
          (candidate.id !== source.id ? source.run_id : null)),
      tags: JSON.stringify(tags),
      source: optStr(inp, 'source') || null,
      logged_model_id: loggedModelId
    });
    if (loggedModelId) {
      await recordRegistration(
        db,
        loggedModelId,
        model.name,
        String(version.mlflow_version)
      );
    }
    return one(db, model, version);
  });

  app.get('/model-versions/get', async request => {
    const { model, version } = await target(request, 'guest', '');
    return one(db, model, version);
  });

  app.patch('/model-versions/update', async request => {
    const { ctx, inp, model, version } = await target(
      request,
      'maintainer',
      'editing a version description (release notes)'
    );
    const description = optStr(inp, 'description');
    if (description !== undefined) {
      await setNotes(db, version, description, ctx.actor);
    }
    return one(db, model, version);
  });

  app.delete('/model-versions/delete', async request => {
    const { model, version } = await target(
      request,
      'maintainer',
      'deleting a version'
    );
    throw new MlflowError(
      'INVALID_STATE',
      `Version ${version.mlflow_version} (${version.version}) of ${model.name} is locked: registry versions are never deleted. Yank it in modelreg (POST /api/v1/models/{group}/${model.name}/versions/${version.version}/yank) to hide it from "latest".`
    );
  });

  app.post('/model-versions/set-tag', async request => {
    const { inp, version } = await target(
      request,
      'maintainer',
      'tagging a version'
    );
    await setVersionTag(
      db,
      version,
      str(inp, 'key'),
      optStr(inp, 'value') ?? ''
    );
    return {};
  });

  app.delete('/model-versions/delete-tag', async request => {
    const { inp, version } = await target(
      request,
      'maintainer',
      'tagging a version'
    );
    await setVersionTag(db, version, str(inp, 'key'), null);
    return {};
  });

  app.post('/model-versions/transition-stage', async request => {
    const { ctx, inp, model, version } = await target(
      request,
      'maintainer',
      'changing a stage (moving an alias)'
    );
    const stage = STAGES[str(inp, 'stage').toLowerCase()];
    if (!stage) {
      throw invalidParam(
        `Invalid Model Version stage: ${optStr(inp, 'stage')}. Value must be one of None, Staging, Production, Archived.`
      );
    }
    const archive = String(inp.archive_existing_versions) === 'true';
    const aliasRows = await db
      .selectFrom('aliases')
      .select(['name', 'version_id'])
      .where('model_id', '=', model.id)
      .execute();
    // Leaving a stage: drop the stage aliases that point here.
    for (const a of aliasRows) {
      if (
        a.version_id === version.id &&
        STAGE_BY_ALIAS[a.name] &&
        STAGE_BY_ALIAS[a.name] !== stage
      ) {
        await deleteAlias(db, model.id, a.name, ctx.actor);
      }
    }
    if (stage === 'Staging' || stage === 'Production') {
      const alias = stage.toLowerCase();
      const previous = aliasRows.find(
        a => a.name === alias && a.version_id !== version.id
      );
      await moveAlias(db, model.id, alias, version, ctx.actor);
      if (previous) {
        await saveVersionMeta(db, previous.version_id, {
          stage: archive ? 'Archived' : 'None'
        });
      }
      await saveVersionMeta(db, version.id, { stage: 'None' });
    } else {
      await saveVersionMeta(db, version.id, { stage });
    }
    return one(db, model, version);
  });

  app.get('/model-versions/get-download-uri', async request => {
    const { model, version } = await target(request, 'guest', '');
    const meta = (await versionMetas(db, [version.id])).get(version.id);
    return { artifact_uri: (await downloadUri(db, model, version, meta)).uri };
  });

  app.get('/model-versions/search', async request => {
    const ctx = await context(request);
    const inp = input(request);
    const clauses = parseFilter(optStr(inp, 'filter'));
    // MLflow's default: most recently updated first (then name, then newest version, as below).
    const orderBy = strList(inp, 'order_by');
    const terms = parseOrderBy(
      orderBy.length ? orderBy : ['last_updated_timestamp DESC']
    );
    const byName = clauses.find(
      c => c.kind === 'attribute' && c.key === 'name' && c.op === '='
    );
    let q = db
      .selectFrom('models')
      .selectAll()
      .where('group_id', '=', ctx.group.id);
    if (byName) {
      q = q.where('name', '=', String(byName.value));
    }
    const all = [];
    for (const model of await q.execute()) {
      const versions = await db
        .selectFrom('versions')
        .selectAll()
        .where('model_id', '=', model.id)
        .execute();
      all.push(...(await modelVersionsJson(db, model, versions)));
    }
    type Mv = (typeof all)[number];
    const field = (
      v: Mv,
      kind: string,
      key: string
    ): string | number | undefined => {
      if (kind === 'tag') {
        return v.tags.find(t => t.key === key)?.value;
      }
      switch (key) {
        case 'name':
          return v.name;
        case 'run_id':
          return v.run_id;
        case 'source_path':
        case 'source':
          return v.source;
        case 'version_number':
        case 'version':
          return Number(v.version);
        case 'current_stage':
          return v.current_stage;
        case 'creation_timestamp':
          return v.creation_timestamp;
        case 'last_updated_timestamp':
          return v.last_updated_timestamp;
        default:
          throw invalidParam(
            `Invalid attribute key '${key}' in a model version search`
          );
      }
    };
    const hits = all.filter(v =>
      clauses.every(c => matches(c, field(v, c.kind, c.key)))
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
      return a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : Number(b.version) - Number(a.version);
    });
    const p = page(
      hits,
      optNum(inp, 'max_results') ?? 10000,
      optStr(inp, 'page_token')
    );
    return {
      model_versions: p.items,
      ...(p.next_page_token ? { next_page_token: p.next_page_token } : {})
    };
  });
}

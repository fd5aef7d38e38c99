import { sql } from 'kysely';
import type { Db, ModelRow } from '../db/database';
import { nowIso } from '../db/database';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import type { Role } from '../domain/roles';
import { compareSemver, parseSemver } from '../domain/semver';
import { emitEvent } from '../outbox/events';
import { recordActivity } from './activity';
import { assertNameNotRetired, retireNameIfVersioned } from './model-names';

import type {
  ModelMetadata,
  ModelMetadataInput,
  ModelView
} from '../schemas/objects';

export type { ModelMetadata };

export function normalizeMetadata(
  input: ModelMetadataInput | undefined,
  base?: ModelMetadata
): ModelMetadata {
  const m = { ...(base ?? emptyMetadata()), ...(input ?? {}) } as ModelMetadata;
  m.tags = [...new Set((m.tags ?? []).map(String))];
  return m;
}

function emptyMetadata(): ModelMetadata {
  return {
    task: '',
    framework: '',
    license: '',
    tags: [],
    intended_use: '',
    limitations: '',
    metric_goals: {},
    extra: {}
  };
}

export async function findModel(
  db: Db,
  groupId: number,
  name: string
): Promise<ModelRow | undefined> {
  return db
    .selectFrom('models')
    .selectAll()
    .where('group_id', '=', groupId)
    .where('name', '=', name)
    .executeTakeFirst();
}

async function writeTags(
  db: Db,
  modelId: number,
  tags: string[]
): Promise<void> {
  await db.deleteFrom('model_tags').where('model_id', '=', modelId).execute();
  if (tags.length) {
    await db
      .insertInto('model_tags')
      .values(tags.map(tag => ({ model_id: modelId, tag })))
      .execute();
  }
}

/** Throws the database's unique violation when the name is taken (the caller maps it to 409). */
export async function createModel(
  db: Db,
  groupId: number,
  input: {
    name: string;
    description?: string;
    metadata?: ModelMetadataInput;
  },
  actor: string
): Promise<ModelRow> {
  const metadata = normalizeMetadata(input.metadata);
  const group = await db
    .selectFrom('groups')
    .select('name')
    .where('id', '=', groupId)
    .executeTakeFirstOrThrow();
  await assertNameNotRetired(db, groupId, group.name, input.name);
  return db.transaction().execute(async trx => {
    const now = nowIso();
    const model = await trx
      .insertInto('models')
      .values({
        group_id: groupId,
        name: input.name,
        description: input.description ?? '',
        metadata: JSON.stringify(metadata),
        created_by: actor,
        created_at: now,
        updated_at: now,
        last_candidate_iid: 0,
        candidate_count: 0,
        last_mlflow_version: 0
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeTags(trx, model.id, metadata.tags);
    await recordActivity(trx, model.id, 'model.created', actor, {
      name: input.name
    });
    return model;
  });
}

export async function updateCard(
  db: Db,
  model: ModelRow,
  patch: { description?: string; metadata?: ModelMetadataInput },
  actor: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    const values: {
      updated_at: string;
      description?: string;
      metadata?: string;
    } = { updated_at: nowIso() };
    if (patch.description !== undefined) {
      values.description = patch.description;
    }
    if (patch.metadata !== undefined) {
      const metadata = normalizeMetadata(
        patch.metadata,
        JSON.parse(model.metadata)
      );
      values.metadata = JSON.stringify(metadata);
      await writeTags(trx, model.id, metadata.tags);
    }
    await trx
      .updateTable('models')
      .set(values)
      .where('id', '=', model.id)
      .execute();
    await recordActivity(trx, model.id, 'card.edited', actor, {
      fields: Object.keys(patch)
    });
    await emitEvent(trx, model.id, 'card.updated', actor, {
      fields: Object.keys(patch)
    });
  });
}

export async function deleteModel(db: Db, modelId: number): Promise<void> {
  await db.transaction().execute(async trx => {
    const model = await trx
      .selectFrom('models')
      .selectAll()
      .where('id', '=', modelId)
      .executeTakeFirst();
    // A name that had versions is never given to another model (security).
    if (model) {
      await retireNameIfVersioned(trx, model, 'deleted');
    }
    // Foreign keys cascade to candidates, versions, aliases...; blobs stay for gc.
    await trx.deleteFrom('models').where('id', '=', modelId).execute();
  });
}

/** Highest SemVer that is neither a pre-release nor yanked. */
export function latestOf(
  versions: { version: string; prerelease: number; yanked: number }[]
): string | null {
  let best: { v: ReturnType<typeof parseSemver>; s: string } | null = null;
  for (const row of versions) {
    if (row.prerelease || row.yanked) {
      continue;
    }
    const v = parseSemver(row.version);
    if (v && (!best || compareSemver(v, best.v!) > 0)) {
      best = { v, s: row.version };
    }
  }
  return best?.s ?? null;
}

export async function modelView(
  db: Db,
  model: ModelRow,
  groupName: string,
  role: Role | null
): Promise<ModelView> {
  const [versions, aliases, deployments] = await Promise.all([
    db
      .selectFrom('versions')
      .select(['id', 'version', 'prerelease', 'yanked'])
      .where('model_id', '=', model.id)
      .execute(),
    db
      .selectFrom('aliases')
      .innerJoin('versions', 'versions.id', 'aliases.version_id')
      .select(['aliases.name', 'versions.version'])
      .where('aliases.model_id', '=', model.id)
      .orderBy('aliases.name')
      .execute(),
    db
      .selectFrom('deployments')
      .select(eb => eb.fn.countAll<number>().as('n'))
      .where('model_id', '=', model.id)
      .executeTakeFirstOrThrow()
  ]);
  return {
    group: groupName,
    name: model.name,
    full_name: `${groupName}/${model.name}`,
    description: model.description,
    metadata: JSON.parse(model.metadata) as ModelMetadata,
    latest_version: latestOf(versions),
    aliases: Object.fromEntries(aliases.map(a => [a.name, a.version])),
    counts: {
      versions: versions.length,
      candidates: Number(model.candidate_count),
      deployments: Number(deployments.n)
    },
    created_by: model.created_by,
    created_at: model.created_at,
    updated_at: model.updated_at,
    your_role: role
  };
}

export interface ModelSearch {
  q?: string;
  group?: string;
  tag?: string;
  cursor?: string;
  limit: number;
  /** Caller's user id and admin flag: visibility is decided in SQL, so pages stay full. */
  userId: number | null;
  isAdmin: boolean;
}

/** Models the caller may read, ordered by group name then model name (keyset-paginated). */
export async function searchModels(db: Db, s: ModelSearch) {
  let q = db
    .selectFrom('models')
    .innerJoin('groups', 'groups.id', 'models.group_id')
    .selectAll('models')
    .select(['groups.name as group_name']);
  if (!s.isAdmin) {
    q = q.where(eb =>
      eb.or([
        eb('groups.visibility', '=', 'public'),
        ...(s.userId !== null
          ? [
              eb.exists(
                eb
                  .selectFrom('memberships')
                  .select('memberships.user_id')
                  .whereRef('memberships.group_id', '=', 'groups.id')
                  .where('memberships.user_id', '=', s.userId)
              )
            ]
          : [])
      ])
    );
  }
  if (s.group) {
    q = q.where('groups.name', '=', s.group);
  }
  if (s.tag) {
    q = q.where(eb =>
      eb.exists(
        eb
          .selectFrom('model_tags')
          .select('model_tags.tag')
          .whereRef('model_tags.model_id', '=', 'models.id')
          .where('model_tags.tag', '=', s.tag!)
      )
    );
  }
  if (s.q) {
    const like = `%${s.q.toLowerCase().replace(/[\\%_]/g, c => '\\' + c)}%`;
    q = q.where(eb =>
      eb.or([
        eb(sql`lower(models.name)`, 'like', sql`${like} escape '\\'`),
        eb(sql`lower(models.description)`, 'like', sql`${like} escape '\\'`),
        eb(sql`lower(groups.name)`, 'like', sql`${like} escape '\\'`),
        // A data scientist remembers the run ("lr-0.01-deep") more often than its model.
        eb.exists(
          eb
            .selectFrom('candidates')
            .select('candidates.id')
            .whereRef('candidates.model_id', '=', 'models.id')
            .where(
              sql`lower(candidates.name)`,
              'like',
              sql`${like} escape '\\'`
            )
        )
      ])
    );
  }
  const after = decodeCursor(s.cursor);
  if (after) {
    const [g, n] = after.map(String);
    q = q.where(eb =>
      eb.or([
        eb('groups.name', '>', g),
        eb.and([eb('groups.name', '=', g), eb('models.name', '>', n)])
      ])
    );
  }
  const rows = await q
    .orderBy('groups.name')
    .orderBy('models.name')
    .limit(s.limit + 1)
    .execute();
  const page = rows.slice(0, s.limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    next_cursor:
      rows.length > s.limit ? encodeCursor([last.group_name, last.name]) : null
  };
}

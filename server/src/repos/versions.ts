import type { Db, ModelRow, VersionRow } from '../db/database';
import { nowIso } from '../db/database';
import { isUniqueViolation } from '../db/connect';
import { ApiError, notFound } from '../errors';
import {
  compareVersions,
  formatSemver,
  parseSemver,
  precedenceKey,
  type SemVer
} from '../domain/semver';
import { emitEvent } from '../outbox/events';
import { recordActivity } from './activity';
import { cardForPromotion } from './card';
import { latestOf } from './models';

export async function listVersionRows(
  db: Db,
  modelId: number
): Promise<VersionRow[]> {
  const rows = await db
    .selectFrom('versions')
    .selectAll()
    .where('model_id', '=', modelId)
    .execute();
  // Precedence order, highest first: SemVer cannot be sorted as strings.
  return rows.sort(
    (a, b) => compareVersions(b.version, a.version) || b.id - a.id
  );
}

/** The highest version ever used (yanked ones too), so a bump never reuses a number. */
export function highestVersion(rows: VersionRow[]): SemVer | null {
  return rows.length ? parseSemver(rows[0].version) : null;
}

/**
 * Promotes a candidate: one transaction locks the candidate and inserts the version. The
 * unique keys (model, precedence key) and (candidate) make the database refuse duplicates,
 * whichever process wins the race.
 */
export async function promote(
  db: Db,
  model: ModelRow,
  candidate: { id: number; iid: number },
  v: SemVer,
  notes: string,
  actor: string,
  /** Runs in the promoting transaction: the version's signature is stored with it (signing/). */
  onPromoted: (trx: Db, row: VersionRow) => Promise<void>
): Promise<VersionRow> {
  const version = formatSemver(v);
  try {
    return await db.transaction().execute(async trx => {
      const taken = await trx
        .selectFrom('versions')
        .select('version')
        .where('model_id', '=', model.id)
        .where('version_key', '=', precedenceKey(v))
        .executeTakeFirst();
      if (taken) {
        throw versionExists(version, taken.version);
      }
      // The group's required card sections gate release versions; the version freezes the revision.
      const cardRevision = await cardForPromotion(trx, model, version, v);
      const locked = await trx
        .updateTable('candidates')
        .set({ locked: 1, status: 'finished', updated_at: nowIso() })
        .where('id', '=', candidate.id)
        .where('locked', '=', 0)
        .executeTakeFirst();
      if (Number(locked.numUpdatedRows) === 0) {
        throw new ApiError(
          'CONFLICT',
          `candidate ${candidate.iid} is already promoted; a candidate becomes exactly one version`
        );
      }
      const { last_mlflow_version } = await trx
        .updateTable('models')
        .set(eb => ({ last_mlflow_version: eb('last_mlflow_version', '+', 1) }))
        .where('id', '=', model.id)
        .returning('last_mlflow_version')
        .executeTakeFirstOrThrow();
      const row = await trx
        .insertInto('versions')
        .values({
          model_id: model.id,
          version,
          version_key: precedenceKey(v),
          prerelease: v.prerelease.length ? 1 : 0,
          candidate_id: candidate.id,
          notes,
          yanked: 0,
          yank_reason: null,
          mlflow_version: last_mlflow_version,
          card_revision: cardRevision,
          created_by: actor,
          created_at: nowIso()
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await onPromoted(trx, row);
      await recordActivity(trx, model.id, 'version.promoted', actor, {
        version,
        candidate: candidate.iid
      });
      await emitEvent(trx, model.id, 'version.promoted', actor, {
        version,
        candidate: candidate.iid,
        prerelease: row.prerelease === 1,
        notes
      });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const other = await db
        .selectFrom('versions')
        .select('version')
        .where('model_id', '=', model.id)
        .where('version_key', '=', precedenceKey(v))
        .executeTakeFirst();
      if (other) {
        throw versionExists(version, other.version);
      }
      throw new ApiError(
        'CONFLICT',
        `candidate ${candidate.iid} is already promoted; a candidate becomes exactly one version`
      );
    }
    throw err;
  }
}

function versionExists(wanted: string, existing: string) {
  return new ApiError(
    'VERSION_EXISTS',
    `version ${existing} already exists (or existed and was yanked)${wanted !== existing ? ` and has the same precedence as ${wanted}` : ''}; version numbers are never reused, pick another`
  );
}

/** `{version}` in a URL: an exact version, "latest", or an alias name. */
export async function resolveVersion(
  db: Db,
  modelId: number,
  ref: string
): Promise<VersionRow> {
  const parsed = parseSemver(ref);
  if (parsed) {
    const row = await db
      .selectFrom('versions')
      .selectAll()
      .where('model_id', '=', modelId)
      .where('version_key', '=', precedenceKey(parsed))
      .executeTakeFirst();
    if (!row || (parsed.build && row.version !== ref)) {
      throw notFound(`version ${ref}`);
    }
    return row;
  }
  if (ref === 'latest') {
    const rows = await listVersionRows(db, modelId);
    const latest = latestOf(rows);
    if (!latest) {
      throw notFound('a latest version (no released, unyanked version yet)');
    }
    return rows.find(r => r.version === latest)!;
  }
  const alias = await db
    .selectFrom('aliases')
    .innerJoin('versions', 'versions.id', 'aliases.version_id')
    .selectAll('versions')
    .where('aliases.model_id', '=', modelId)
    .where('aliases.name', '=', ref)
    .executeTakeFirst();
  if (!alias) {
    throw notFound(`version or alias "${ref}"`);
  }
  return alias;
}

export async function setNotes(
  db: Db,
  version: VersionRow,
  notes: string,
  actor: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    await trx
      .updateTable('versions')
      .set({ notes })
      .where('id', '=', version.id)
      .execute();
    await recordActivity(trx, version.model_id, 'version.notes', actor, {
      version: version.version
    });
  });
}

export async function yank(
  db: Db,
  version: VersionRow,
  reason: string,
  actor: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    await trx
      .updateTable('versions')
      .set({ yanked: 1, yank_reason: reason })
      .where('id', '=', version.id)
      .execute();
    await recordActivity(trx, version.model_id, 'version.yanked', actor, {
      version: version.version,
      reason
    });
    await emitEvent(trx, version.model_id, 'version.yanked', actor, {
      version: version.version,
      reason
    });
  });
}

export async function aliasesByVersion(
  db: Db,
  modelId: number
): Promise<Map<number, string[]>> {
  const rows = await db
    .selectFrom('aliases')
    .select(['name', 'version_id'])
    .where('model_id', '=', modelId)
    .orderBy('name')
    .execute();
  const m = new Map<number, string[]>();
  for (const r of rows) {
    (m.get(r.version_id) ?? m.set(r.version_id, []).get(r.version_id)!).push(
      r.name
    );
  }
  return m;
}

export async function findVersionByCandidate(
  db: Db,
  candidateId: number
): Promise<VersionRow | undefined> {
  return db
    .selectFrom('versions')
    .selectAll()
    .where('candidate_id', '=', candidateId)
    .executeTakeFirst();
}

export async function versionCandidateIid(
  db: Db,
  version: VersionRow
): Promise<number> {
  const r = await db
    .selectFrom('candidates')
    .select('iid')
    .where('id', '=', version.candidate_id)
    .executeTakeFirstOrThrow();
  return r.iid;
}

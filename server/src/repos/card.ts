import type { Db, ModelRow } from '../db/database';
import { nowIso } from '../db/database';
import { ApiError, notFound } from '../errors';
import { decodeCursor, encodeCursor } from '../domain/cursor';
import type { SemVer } from '../domain/semver';
import {
  CARD_SECTION_KEYS,
  type CardPutBody,
  type CardSectionKey,
  type CardSectionsValue,
  type CardView
} from '../schemas/card';
import { emitEvent } from '../outbox/events';
import { recordActivity } from './activity';

export function emptySections(): CardSectionsValue {
  return Object.fromEntries(
    CARD_SECTION_KEYS.map(k => [k, ''])
  ) as CardSectionsValue;
}

/** All keys present, in card order; anything else (a stored key since renamed) is dropped. */
export function normalizeSections(
  input: Partial<Record<string, unknown>> | undefined
): CardSectionsValue {
  const out = emptySections();
  for (const k of CARD_SECTION_KEYS) {
    const v = input?.[k];
    if (typeof v === 'string') {
      out[k] = v;
    }
  }
  return out;
}

const isFilled = (text: string) => text.trim().length > 0;

export function completeness(
  sections: CardSectionsValue,
  required: CardSectionKey[]
) {
  const missing = CARD_SECTION_KEYS.filter(k => !isFilled(sections[k]));
  return {
    filled: CARD_SECTION_KEYS.length - missing.length,
    total: CARD_SECTION_KEYS.length,
    missing,
    required,
    required_missing: required.filter(k => missing.includes(k))
  };
}

export async function requiredSections(
  db: Db,
  groupId: number
): Promise<CardSectionKey[]> {
  const row = await db
    .selectFrom('groups')
    .select('card_required_sections')
    .where('id', '=', groupId)
    .executeTakeFirst();
  const keys = JSON.parse(row?.card_required_sections ?? '[]') as string[];
  return CARD_SECTION_KEYS.filter(k => keys.includes(k));
}

export async function setRequiredSections(
  db: Db,
  groupId: number,
  keys: CardSectionKey[]
): Promise<CardSectionKey[]> {
  const ordered = CARD_SECTION_KEYS.filter(k => keys.includes(k));
  await db
    .updateTable('groups')
    .set({ card_required_sections: JSON.stringify(ordered) })
    .where('id', '=', groupId)
    .execute();
  return ordered;
}

export async function findRevision(db: Db, modelId: number, revision: number) {
  return db
    .selectFrom('card_revisions')
    .selectAll()
    .where('model_id', '=', modelId)
    .where('revision', '=', revision)
    .executeTakeFirst();
}

type RevisionRow = NonNullable<Awaited<ReturnType<typeof findRevision>>>;

export function revisionView(
  row: RevisionRow,
  modelFullName: string,
  required: CardSectionKey[]
): CardView {
  const sections = normalizeSections(JSON.parse(row.sections));
  return {
    model: modelFullName,
    description: row.description,
    sections,
    revision: row.revision,
    draft: false,
    message: row.message,
    updated_at: row.created_at,
    updated_by: row.created_by,
    completeness: completeness(sections, required)
  };
}

/** The current card: the latest saved revision with the model's description, or null before the first save. */
export async function currentCard(
  db: Db,
  model: ModelRow,
  modelFullName: string
): Promise<CardView | null> {
  const [row, required] = await Promise.all([
    findRevision(db, model.id, model.last_card_revision),
    requiredSections(db, model.group_id)
  ]);
  if (!row) {
    return null;
  }
  return {
    ...revisionView(row, modelFullName, required),
    description: model.description
  };
}

export async function getRevision(
  db: Db,
  model: ModelRow,
  modelFullName: string,
  revision: number
): Promise<CardView> {
  const row = await findRevision(db, model.id, revision);
  if (!row) {
    throw notFound(
      `card revision ${revision} of ${modelFullName} (it has ${model.last_card_revision})`
    );
  }
  return revisionView(
    row,
    modelFullName,
    await requiredSections(db, model.group_id)
  );
}

/**
 * Writes the next revision. The counter on the model row is bumped in the same transaction, so
 * concurrent saves get distinct numbers; `base_revision` turns a lost update into 409 CONFLICT.
 */
export async function saveCard(
  db: Db,
  model: ModelRow,
  body: CardPutBody,
  actor: string,
  fill?: { framework?: string; task?: string }
): Promise<number> {
  return db.transaction().execute(async trx => {
    const {
      last_card_revision: revision,
      description,
      metadata
    } = await trx
      .updateTable('models')
      .set(eb => ({
        last_card_revision: eb('last_card_revision', '+', 1),
        updated_at: nowIso()
      }))
      .where('id', '=', model.id)
      .returning(['last_card_revision', 'description', 'metadata'])
      .executeTakeFirstOrThrow();
    if (
      body.base_revision !== undefined &&
      body.base_revision !== revision - 1
    ) {
      throw new ApiError(
        'CONFLICT',
        `the card is at revision ${revision - 1}, not ${body.base_revision}: someone saved it meanwhile; reload it, reapply your change and save again`
      );
    }
    const newDescription = body.description ?? description;
    const meta = JSON.parse(metadata) as Record<string, unknown>;
    // The first save keeps what the draft detected, unless the card already says otherwise.
    for (const key of ['framework', 'task'] as const) {
      if (fill?.[key] && !meta[key]) {
        meta[key] = fill[key];
      }
    }
    await trx
      .updateTable('models')
      .set({ description: newDescription, metadata: JSON.stringify(meta) })
      .where('id', '=', model.id)
      .execute();
    await trx
      .insertInto('card_revisions')
      .values({
        model_id: model.id,
        revision,
        description: newDescription,
        sections: JSON.stringify(normalizeSections(body.sections)),
        message: body.message ?? null,
        created_by: actor,
        created_at: nowIso()
      })
      .execute();
    await recordActivity(trx, model.id, 'card.edited', actor, {
      revision,
      ...(body.message ? { message: body.message } : {})
    });
    await emitEvent(trx, model.id, 'card.updated', actor, {
      revision,
      ...(body.message ? { message: body.message } : {})
    });
    return revision;
  });
}

export async function listRevisions(
  db: Db,
  modelId: number,
  cursor: string | undefined,
  limit: number
) {
  const after = decodeCursor(cursor);
  let q = db
    .selectFrom('card_revisions')
    .select(['revision', 'message', 'created_at', 'created_by', 'sections'])
    .where('model_id', '=', modelId);
  if (after) {
    q = q.where('revision', '<', Number(after[0]));
  }
  const rows = await q
    .orderBy('revision', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map(r => ({
      revision: r.revision,
      message: r.message,
      updated_at: r.created_at,
      updated_by: r.created_by,
      filled: completeness(normalizeSections(JSON.parse(r.sections)), []).filled
    })),
    next_cursor:
      rows.length > limit
        ? encodeCursor([page[page.length - 1].revision])
        : null
  };
}

/**
 * Inside the promotion's transaction: the card revision a new version freezes, after checking the
 * group's required sections. Pre-releases may ship with an incomplete card; releases may not.
 */
export async function cardForPromotion(
  trx: Db,
  model: ModelRow,
  version: string,
  v: SemVer
): Promise<number | null> {
  const { last_card_revision } = await trx
    .selectFrom('models')
    .select('last_card_revision')
    .where('id', '=', model.id)
    .executeTakeFirstOrThrow();
  if (v.prerelease.length === 0) {
    const required = await requiredSections(trx, model.group_id);
    if (required.length) {
      const row = await findRevision(trx, model.id, last_card_revision);
      const sections = normalizeSections(row ? JSON.parse(row.sections) : {});
      const missing = completeness(sections, required).required_missing;
      if (missing.length) {
        const unsaved = row
          ? ''
          : ' (the card has never been saved: review the draft and save it)';
        throw new ApiError(
          'CARD_INCOMPLETE',
          `version ${version} needs the card sections ${missing.join(', ')}, which this group requires${unsaved}; fill them (PUT .../card) and promote again, or promote a pre-release such as ${v.major}.${v.minor}.${v.patch}-rc.1`
        );
      }
    }
  }
  return last_card_revision > 0 ? last_card_revision : null;
}

import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import {
  groupAccess,
  modelAccess,
  requireRole,
  type Caller,
  type ModelAccess
} from '../access';
import { badRequest } from '../errors';
import { pageLimit } from '../domain/cursor';
import {
  CardPut,
  CardRevisionSummary,
  GroupCardPatch,
  type CardView
} from '../schemas/card';
import {
  commonErrors,
  errorRef,
  GroupParams,
  ModelParams,
  page,
  Paging
} from '../schemas/common';
import {
  currentCard,
  getRevision,
  listRevisions,
  normalizeSections,
  saveCard,
  setRequiredSections
} from '../repos/card';
import { draftCard } from '../repos/card-draft';
import { parseCardMarkdown, renderCardMarkdown } from '../repos/card-markdown';
import {
  normalizeMetadata,
  updateCard,
  type ModelMetadata
} from '../repos/models';
import { resolveVersion } from '../repos/versions';
import { versionViews } from '../repos/version-view';

const cardRef = Type.Ref('Card');
/** A README is small; a bigger body is a mistake (or an attack), not a card. */
const MAX_CARD_MD_BYTES = 1024 * 1024;

export const cardRoutes: FastifyPluginAsyncTypebox = async app => {
  app.addContentTypeParser(
    ['text/markdown', 'text/x-markdown', 'text/plain'],
    { parseAs: 'string', bodyLimit: MAX_CARD_MD_BYTES },
    (_request, body, done) => done(null, body)
  );

  /** The caller's access to the model named in the route, or 404/401 as for every model route. */
  const accessOf = (request: {
    caller: Caller;
    params: { group: string; model: string };
  }) =>
    modelAccess(
      app.db,
      request.caller,
      request.params.group,
      request.params.model
    );
  const fullName = (a: ModelAccess) => `${a.group.name}/${a.model.name}`;
  const cardOf = async (
    a: ModelAccess
  ): Promise<CardView & { detected?: object }> =>
    (await currentCard(app.db, a.model, fullName(a))) ??
    draftCard(app.db, app.blobs, a.model, fullName(a));
  const reload = async (a: ModelAccess) => ({
    ...a,
    model: await app.db
      .selectFrom('models')
      .selectAll()
      .where('id', '=', a.model.id)
      .executeTakeFirstOrThrow()
  });

  app.get(
    '/models/:group/:model/card',
    {
      schema: {
        tags: ['card'],
        summary:
          'The card: sections, revision, completeness (a draft from the first candidate until saved)',
        params: ModelParams,
        response: { 200: cardRef, ...commonErrors }
      }
    },
    async request => cardOf(await accessOf(request))
  );

  app.put(
    '/models/:group/:model/card',
    {
      schema: {
        tags: ['card'],
        summary:
          'Save the card as a new revision (developer+); absent sections are saved empty',
        params: ModelParams,
        body: CardPut,
        response: { 200: cardRef, 409: errorRef, ...commonErrors }
      }
    },
    async request => {
      const a = await accessOf(request);
      requireRole(a, request.caller, 'developer', 'editing the model card');
      const detected =
        a.model.last_card_revision === 0
          ? (await draftCard(app.db, app.blobs, a.model, fullName(a))).detected
          : undefined;
      const revision = await saveCard(
        app.db,
        a.model,
        request.body,
        request.caller!.username,
        detected
      );
      // The revision this request wrote, even when a concurrent save already moved the card on.
      return getRevision(app.db, a.model, fullName(a), revision);
    }
  );

  app.get(
    '/models/:group/:model/card/revisions',
    {
      schema: {
        tags: ['card'],
        summary: 'Saved revisions of the card, newest first',
        params: ModelParams,
        querystring: Type.Object({ ...Paging }),
        response: { 200: page(CardRevisionSummary), ...commonErrors }
      }
    },
    async request => {
      const a = await accessOf(request);
      return listRevisions(
        app.db,
        a.model.id,
        request.query.cursor,
        pageLimit(request.query.limit)
      );
    }
  );

  app.get(
    '/models/:group/:model/card/revisions/:revision',
    {
      schema: {
        tags: ['card'],
        summary: 'One saved revision of the card, as it was',
        params: Type.Object({
          group: Type.String(),
          model: Type.String(),
          revision: Type.Integer({ minimum: 1 })
        }),
        response: { 200: cardRef, ...commonErrors }
      }
    },
    async request => {
      const a = await accessOf(request);
      return getRevision(app.db, a.model, fullName(a), request.params.revision);
    }
  );

  app.get(
    '/models/:group/:model/card.md',
    {
      schema: {
        tags: ['card'],
        summary:
          'The card as a Hugging Face README.md (YAML front matter + sections); ?version= freezes it to a version',
        params: ModelParams,
        querystring: Type.Object({
          version: Type.Optional(
            Type.String({
              description:
                'a version, an alias or "latest"; default: the current card with the latest version\'s metrics'
            })
          )
        }),
        response: {
          200: {
            description:
              'The card as a Hugging Face README (YAML front matter + markdown)',
            content: { 'text/markdown': { schema: Type.String() } }
          },
          ...commonErrors
        }
      }
    },
    async (request, reply) => {
      const a = await accessOf(request);
      const metadata = JSON.parse(a.model.metadata) as ModelMetadata;
      let doc;
      if (request.query.version !== undefined) {
        const row = await resolveVersion(
          app.db,
          a.model.id,
          request.query.version
        );
        const [version] = await versionViews(app.db, [row], fullName(a));
        const frozen = row.card_revision
          ? await getRevision(app.db, a.model, fullName(a), row.card_revision)
          : null;
        doc = {
          modelFullName: fullName(a),
          metadata,
          version: { version: version.version, metrics: version.metrics },
          description: frozen?.description ?? a.model.description,
          sections: frozen?.sections ?? normalizeSections({}),
          cardRevision: row.card_revision
        };
      } else {
        const card = await cardOf(a);
        const latest = await resolveVersion(app.db, a.model.id, 'latest').catch(
          () => null
        );
        const version = latest
          ? (await versionViews(app.db, [latest], fullName(a)))[0]
          : null;
        doc = {
          modelFullName: fullName(a),
          metadata,
          version: version
            ? { version: version.version, metrics: version.metrics }
            : null,
          description: card.description,
          sections: card.sections,
          cardRevision: card.revision || null
        };
      }
      const file =
        `${a.group.name}-${a.model.name}${request.query.version ? '-' + request.query.version : ''}-README.md`.replace(
          /[^A-Za-z0-9._-]/g,
          '_'
        );
      return reply
        .type('text/markdown; charset=utf-8')
        .header('content-disposition', `inline; filename="${file}"`)
        .send(renderCardMarkdown(doc));
    }
  );

  app.put(
    '/models/:group/:model/card.md',
    {
      schema: {
        tags: ['card'],
        summary:
          'Import a README.md (Content-Type: text/markdown) as a new card revision (developer+); front matter updates the metadata',
        params: ModelParams,
        body: Type.String({ maxLength: MAX_CARD_MD_BYTES }),
        response: { 200: cardRef, ...commonErrors }
      }
    },
    async request => {
      const a = await accessOf(request);
      requireRole(a, request.caller, 'developer', 'importing a model card');
      if (typeof request.body !== 'string') {
        throw badRequest(
          'send the README as the body with Content-Type: text/markdown'
        );
      }
      if (request.body.includes('\0')) {
        throw badRequest('card.md contains a NUL character; send UTF-8 text');
      }
      const imported = parseCardMarkdown(request.body);
      if (Object.keys(imported.metadata).length) {
        const base = JSON.parse(a.model.metadata) as ModelMetadata;
        const metadata = {
          ...imported.metadata,
          ...(imported.metadata.extra
            ? { extra: { ...base.extra, ...imported.metadata.extra } }
            : {})
        };
        await updateCard(
          app.db,
          a.model,
          { metadata: normalizeMetadata(metadata, base) },
          request.caller!.username
        );
      }
      const fresh = await reload(a);
      const revision = await saveCard(
        app.db,
        fresh.model,
        {
          sections: imported.sections,
          description: imported.description,
          message: 'imported from card.md'
        },
        request.caller!.username
      );
      return getRevision(app.db, a.model, fullName(a), revision);
    }
  );

  app.patch(
    '/groups/:group',
    {
      schema: {
        tags: ['groups'],
        summary:
          'Set the card sections a release version needs (owner); pre-releases are exempt',
        params: GroupParams,
        body: GroupCardPatch,
        response: {
          200: Type.Object({
            name: Type.String(),
            card_required_sections: Type.Array(Type.String())
          }),
          ...commonErrors
        }
      }
    },
    async request => {
      const access = await groupAccess(
        app.db,
        request.caller,
        request.params.group
      );
      requireRole(
        access,
        request.caller,
        'owner',
        'setting the required card sections'
      );
      const keys = await setRequiredSections(
        app.db,
        access.group.id,
        request.body.card_required_sections
      );
      return { name: access.group.name, card_required_sections: keys };
    }
  );
};

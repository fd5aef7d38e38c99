import {
  Type,
  type Static,
  type TOptional,
  type TString
} from '@sinclair/typebox';

/**
 * The model card's sections, in reading order. The keys are a contract (issue 12); each section is
 * markdown. The free description of the model stays beside them.
 */
export const CARD_SECTION_KEYS = [
  'intended_use',
  'out_of_scope',
  'versioning',
  'training_data',
  'evaluation',
  'deployment',
  'inference',
  'retraining',
  'monitoring',
  'risks',
  'owners'
] as const;
export type CardSectionKey = (typeof CARD_SECTION_KEYS)[number];

const SectionText = Type.String({
  maxLength: 100_000,
  description: 'markdown'
});
const SectionKey = Type.Union(CARD_SECTION_KEYS.map(k => Type.Literal(k)));

/** Every key is optional on input (absent = empty); unknown keys are refused. */
export const CardSectionsInput = Type.Object(
  Object.fromEntries(
    CARD_SECTION_KEYS.map(k => [k, Type.Optional(SectionText)])
  ) as Record<CardSectionKey, TOptional<TString>>,
  { additionalProperties: false }
);
export const CardSections = Type.Object(
  Object.fromEntries(CARD_SECTION_KEYS.map(k => [k, Type.String()])) as Record<
    CardSectionKey,
    TString
  >
);
export type CardSectionsValue = Static<typeof CardSections>;

export const Completeness = Type.Object({
  filled: Type.Integer(),
  total: Type.Integer(),
  missing: Type.Array(Type.String(), {
    description: 'empty sections, in card order'
  }),
  required: Type.Array(Type.String(), {
    description: "the group's card_required_sections"
  }),
  required_missing: Type.Array(Type.String(), {
    description: 'required sections still empty: these block a release version'
  })
});

export const CardSchema = Type.Object(
  {
    model: Type.String(),
    description: Type.String(),
    sections: CardSections,
    revision: Type.Integer({
      description: '0 while no revision has been saved'
    }),
    draft: Type.Boolean({
      description:
        'true: nothing saved yet; sections are drafted from the first candidate'
    }),
    message: Type.Union([Type.String(), Type.Null()]),
    updated_at: Type.Union([Type.String(), Type.Null()]),
    updated_by: Type.Union([Type.String(), Type.Null()]),
    completeness: Completeness,
    detected: Type.Optional(
      Type.Object(
        {
          framework: Type.Optional(Type.String()),
          task: Type.Optional(Type.String())
        },
        {
          description:
            'a draft only: what the first candidate says; kept on the first save'
        }
      )
    )
  },
  { $id: 'Card' }
);
export type CardView = Static<typeof CardSchema>;

export const CardPut = Type.Object(
  {
    sections: CardSectionsInput,
    description: Type.Optional(Type.String({ maxLength: 100_000 })),
    message: Type.Optional(
      Type.String({
        maxLength: 500,
        description: 'what changed, shown in the history'
      })
    ),
    base_revision: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'refuse with 409 CONFLICT when the card moved on since this revision'
      })
    )
  },
  { additionalProperties: false }
);
export type CardPutBody = Static<typeof CardPut>;

export const CardRevisionSummary = Type.Object({
  revision: Type.Integer(),
  message: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.String(),
  updated_by: Type.String(),
  filled: Type.Integer()
});

export const GroupCardPatch = Type.Object(
  {
    card_required_sections: Type.Array(SectionKey, {
      uniqueItems: true,
      maxItems: CARD_SECTION_KEYS.length
    })
  },
  { additionalProperties: false }
);

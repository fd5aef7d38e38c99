import { Type, type Static } from '@sinclair/typebox';
import {
  BoundedStringMap,
  FreeObject,
  MAX_KEYS_PER_REQUEST,
  Metric,
  Name,
  RoleSchema,
  StringMap
} from './common';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) =>
  Type.Union([t, Type.Null()]);

const MetricGoals = Type.Record(
  Type.String(),
  Type.Union([Type.Literal('max'), Type.Literal('min')])
);

/** Model metadata as given: every field optional (absent = unchanged or empty). */
export const ModelMetadataSchema = Type.Object({
  task: Type.Optional(Type.String()),
  framework: Type.Optional(Type.String()),
  license: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  intended_use: Type.Optional(Type.String()),
  limitations: Type.Optional(Type.String()),
  metric_goals: Type.Optional(MetricGoals),
  extra: Type.Optional(FreeObject)
});

export const ModelCard = Type.Object(
  {
    group: Type.String(),
    name: Type.String(),
    full_name: Type.String(),
    description: Type.String(),
    metadata: Type.Object(
      {
        task: Type.String(),
        framework: Type.String(),
        license: Type.String(),
        tags: Type.Array(Type.String()),
        intended_use: Type.String(),
        limitations: Type.String(),
        metric_goals: MetricGoals,
        extra: FreeObject
      },
      { additionalProperties: true }
    ),
    latest_version: Nullable(Type.String()),
    aliases: StringMap,
    counts: Type.Object({
      versions: Type.Integer(),
      candidates: Type.Integer(),
      deployments: Type.Integer()
    }),
    created_by: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
    your_role: Type.Union([RoleSchema, Type.Null()])
  },
  { $id: 'Model' }
);
export type ModelView = Static<typeof ModelCard>;
/** Metadata as stored and answered: every field present. */
export type ModelMetadata = ModelView['metadata'];
export type ModelMetadataInput = Static<typeof ModelMetadataSchema>;

const MetricValue = Type.Object({
  value: Type.Number(),
  step: Type.Integer(),
  timestamp: Type.Integer()
});

const CandidateDataset = Type.Object({
  name: Type.String(),
  digest: Type.String(),
  context: Nullable(
    Type.String({
      description: 'what it was used for: training, evaluation, ...'
    })
  ),
  source: Type.String({
    description: 'where it came from, as MLflow records it (JSON)'
  }),
  schema: Nullable(
    Type.String({ description: 'its schema, as MLflow records it (JSON)' })
  )
});

export const CandidateSchema = Type.Object(
  {
    iid: Type.Integer(),
    run_id: Type.String({ description: 'stable id (MLflow run id)' }),
    model: Type.String(),
    name: Type.String(),
    experiment: Nullable(Type.String()),
    status: Type.String(),
    params: StringMap,
    metrics: Type.Record(Type.String(), MetricValue),
    tags: StringMap,
    provenance: FreeObject,
    author: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
    version: Nullable(Type.String()),
    locked: Type.Boolean(),
    artifact_count: Type.Integer(),
    datasets: Type.Array(CandidateDataset, {
      description:
        "the datasets it was trained or evaluated on (MLflow's log_input): its data lineage"
    }),
    lease_expires_at: Nullable(
      Type.String({
        description:
          'while running: when it ends failed unless its client sends a heartbeat'
      })
    ),
    status_reason: Nullable(
      Type.String({
        description: 'why the registry ended it (e.g. no heartbeat)'
      })
    )
  },
  { $id: 'Candidate' }
);
export type CandidateView = Static<typeof CandidateSchema>;

const Status = Type.Union([
  Type.Literal('running'),
  Type.Literal('finished'),
  Type.Literal('failed')
]);
const Experiment = Type.Union([Name, Type.Null()]);

/** POST .../candidates */
export const CandidateBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 250 })),
  experiment: Type.Optional(Experiment),
  status: Type.Optional(Status),
  params: Type.Optional(BoundedStringMap),
  metrics: Type.Optional(Type.Array(Metric, { maxItems: 10000 })),
  tags: Type.Optional(BoundedStringMap),
  provenance: Type.Optional(FreeObject)
});
export type CandidateInput = Static<typeof CandidateBody>;

/** PATCH .../candidates/{iid}: a null tag value removes the tag. */
export const CandidatePatchBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 250 })),
  status: Type.Optional(Status),
  status_reason: Type.Optional(
    Nullable(
      Type.String({
        maxLength: 2000,
        description:
          'why it ended (e.g. an upload cancelled or its kernel lost); null clears it'
      })
    )
  ),
  experiment: Type.Optional(Experiment),
  params: Type.Optional(BoundedStringMap),
  tags: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]), {
      maxProperties: MAX_KEYS_PER_REQUEST,
      description: `at most ${MAX_KEYS_PER_REQUEST} keys per request; null deletes a key`
    })
  ),
  provenance: Type.Optional(FreeObject)
});
export type CandidatePatch = Static<typeof CandidatePatchBody>;
export { Status as CandidateStatus };

export const ArtifactSchema = Type.Object(
  { path: Type.String(), sha256: Type.String(), size: Type.Integer() },
  { $id: 'Artifact' }
);
export type ArtifactView = Static<typeof ArtifactSchema>;

export const NextVersionsSchema = Type.Object(
  {
    major: Type.String(),
    minor: Type.String(),
    patch: Type.Union([Type.String(), Type.Null()])
  },
  {
    description:
      'What `bump` gives for each part when promoting now, counted from the highest version ever used (yanked and pre-releases included: 2.0.0-rc.1 bumps to 2.0.0). patch is null before a first release, which is 0.1.0 or 1.0.0.'
  }
);
export type NextVersions = Static<typeof NextVersionsSchema>;

export const VersionSchema = Type.Object(
  {
    version: Type.String(),
    model: Type.String(),
    candidate: Type.Integer(),
    notes: Type.String(),
    locked: Type.Boolean(),
    yanked: Type.Boolean(),
    yank_reason: Nullable(Type.String()),
    prerelease: Type.Boolean(),
    params: StringMap,
    metrics: Type.Record(Type.String(), MetricValue),
    provenance: FreeObject,
    files: Type.Array(Type.Ref('Artifact')),
    manifest_digest: Type.String({
      description:
        'sha256 over "<sha256>  <path>" lines of the files, sorted by path'
    }),
    git_tag: Nullable(
      Type.String({
        description: 'GTO tag <model name>@v<semver>, once tagged'
      })
    ),
    git_commit: Nullable(Type.String()),
    aliases: Type.Array(Type.String()),
    mlflow_version: Type.Integer(),
    card_revision: Type.Union([Type.Integer(), Type.Null()], {
      description:
        'the card revision frozen with this version (GET .../card/revisions/{n})'
    }),
    run_id: Type.String(),
    created_by: Type.String(),
    created_at: Type.String()
  },
  { $id: 'Version' }
);
/** Files are a reference in the schema (for the OpenAPI document); here they are resolved. */
export type VersionView = Omit<Static<typeof VersionSchema>, 'files'> & {
  files: ArtifactView[];
};

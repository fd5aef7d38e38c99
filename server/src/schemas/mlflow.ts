import { Type, type TSchema } from '@sinclair/typebox';

/**
 * The MLflow routes' request checks, as MLflow's tracking server makes them (the `schema=` of each
 * handler in mlflow/server/handlers.py): which fields are required, which must be strings, lists,
 * integer-like or float-like, and the bounds it enforces. The MLflow layer attaches them by route
 * (`mlflow/validation.ts`) and words their failures as MLflow does: "Missing value for required
 * parameter 'key'", "Invalid value 31 for parameter 'run_id' supplied".
 *
 * Bodies are parsed without coercion; query strings are coerced, so `?max_results=10` is a number.
 */

const INT = '^\\s*[-+]?\\d+\\s*$';
const FLOAT =
  '^\\s*[-+]?((\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?|nan|NaN|inf|Inf|infinity|Infinity)\\s*$';

/** `_assert_string` */
const string = Type.Optional(Type.String());
/** `_assert_required` + `_assert_string`: present and not empty. */
const required = Type.String({ minLength: 1 });
/** `_assert_intlike`: an integer, or text that reads as one. */
const intLike = (bounds: { maximum?: number } = {}) =>
  Type.Union([Type.Integer(bounds), Type.String({ pattern: INT })]);
/** The same in a query string, which is coerced (a union would let "5000" pass as text). */
const intQuery = (bounds: { maximum?: number } = {}) => Type.Integer(bounds);
/** `_assert_floatlike` */
const floatLike = Type.Union([Type.Number(), Type.String({ pattern: FLOAT })]);
/** `_assert_array` */
const list = Type.Optional(Type.Array(Type.Unknown()));
/** `_assert_array` + `_assert_item_type_string` */
const strings = Type.Optional(Type.Array(Type.String()));
const bool = Type.Optional(
  Type.Union([Type.Boolean(), Type.String({ pattern: '^(true|false)$' })])
);
const opt = Type.Optional;

const runId = { run_id: required };
const experimentId = { experiment_id: required };
const modelName = { name: required };
const modelVersion = { name: required, version: required };

/** log-batch: each entry's key (and a metric's value and timestamp) must be present. */
const keyed = Type.Object({ key: required });
const batchMetric = Type.Object({
  key: required,
  value: Type.Unknown(),
  timestamp: Type.Unknown()
});

const experimentSearch = (maxResults: TSchema) =>
  Type.Object({
    view_type: opt(intLikeOrName()),
    max_results: opt(maxResults),
    order_by: list,
    filter: string,
    page_token: string
  });

/** `view_type` / `run_view_type`: MLflow's client sends the enum's name; the proto also takes its number. */
function intLikeOrName() {
  return Type.Union([
    Type.Integer(),
    Type.String({ pattern: `${INT}|^(ACTIVE_ONLY|DELETED_ONLY|ALL)$` })
  ]);
}

/** Route (method and path after `/api/2.0/mlflow`) -> the request's schema (body, or query for GET). */
export const MLFLOW_REQUESTS: Record<string, TSchema> = {
  'POST /experiments/create': Type.Object({
    name: required,
    artifact_location: string,
    tags: list
  }),
  'GET /experiments/get': Type.Object(experimentId),
  'GET /experiments/get-by-name': Type.Object({ experiment_name: required }),
  'POST /experiments/search': experimentSearch(intLike()),
  'GET /experiments/search': experimentSearch(intQuery()),
  'POST /experiments/update': Type.Object({
    ...experimentId,
    new_name: required
  }),
  'POST /experiments/delete': Type.Object(experimentId),
  'POST /experiments/restore': Type.Object(experimentId),
  'POST /experiments/set-experiment-tag': Type.Object({
    ...experimentId,
    key: required,
    value: string
  }),
  'POST /experiments/delete-experiment-tag': Type.Object({
    ...experimentId,
    key: required
  }),

  'POST /runs/create': Type.Object({
    experiment_id: string,
    start_time: opt(intLike()),
    run_name: string
  }),
  'GET /runs/get': Type.Object(runId),
  'POST /runs/update': Type.Object({
    ...runId,
    end_time: opt(intLike()),
    status: string,
    run_name: string
  }),
  'POST /runs/delete': Type.Object(runId),
  'POST /runs/restore': Type.Object(runId),
  'POST /runs/log-metric': Type.Object({
    ...runId,
    key: required,
    value: floatLike,
    timestamp: intLike(),
    step: opt(intLike()),
    model_id: string,
    dataset_name: string,
    dataset_digest: string
  }),
  'POST /runs/log-parameter': Type.Object({
    ...runId,
    key: required,
    value: string
  }),
  'POST /runs/set-tag': Type.Object({ ...runId, key: required, value: string }),
  'POST /runs/delete-tag': Type.Object({ ...runId, key: required }),
  'POST /runs/log-batch': Type.Object({
    ...runId,
    metrics: opt(Type.Array(batchMetric)),
    params: opt(Type.Array(keyed)),
    tags: opt(Type.Array(keyed))
  }),
  'POST /runs/log-inputs': Type.Object({
    ...runId,
    datasets: list,
    models: list
  }),
  'POST /runs/outputs': Type.Object({
    ...runId,
    models: Type.Array(Type.Unknown())
  }),
  'POST /runs/log-model': Type.Object({ ...runId, model_json: required }),
  'POST /runs/search': Type.Object({
    experiment_ids: list,
    filter: string,
    max_results: opt(intLike({ maximum: 50000 })),
    order_by: strings,
    run_view_type: opt(intLikeOrName()),
    page_token: string
  }),

  'GET /artifacts/list': Type.Object({
    ...runId,
    path: string,
    page_token: string
  }),
  'GET /metrics/get-history': Type.Object({
    ...runId,
    metric_key: required,
    page_token: string
  }),

  'POST /registered-models/create': Type.Object({
    ...modelName,
    tags: list,
    description: string
  }),
  'GET /registered-models/get': Type.Object(modelName),
  'GET /registered-models/search': Type.Object({
    filter: string,
    max_results: opt(intQuery({ maximum: 1000 })),
    order_by: strings,
    page_token: string
  }),
  'PATCH /registered-models/update': Type.Object({
    ...modelName,
    description: string
  }),
  'POST /registered-models/rename': Type.Object({
    ...modelName,
    new_name: required
  }),
  'DELETE /registered-models/delete': Type.Object(modelName),
  'POST /registered-models/set-tag': Type.Object({
    ...modelName,
    key: required,
    value: string
  }),
  'DELETE /registered-models/delete-tag': Type.Object({
    ...modelName,
    key: required
  }),
  'POST /registered-models/get-latest-versions': Type.Object({
    ...modelName,
    stages: strings
  }),
  'GET /registered-models/get-latest-versions': Type.Object({
    ...modelName,
    stages: strings
  }),
  'POST /registered-models/alias': Type.Object({
    ...modelName,
    alias: required,
    version: required
  }),
  'GET /registered-models/alias': Type.Object({
    ...modelName,
    alias: required
  }),
  'DELETE /registered-models/alias': Type.Object({
    ...modelName,
    alias: required
  }),

  'POST /model-versions/create': Type.Object({
    ...modelName,
    source: required,
    run_id: string,
    tags: list,
    run_link: string,
    description: string,
    model_id: string
  }),
  'GET /model-versions/get': Type.Object(modelVersion),
  'PATCH /model-versions/update': Type.Object({
    ...modelVersion,
    description: string
  }),
  'DELETE /model-versions/delete': Type.Object(modelVersion),
  'POST /model-versions/set-tag': Type.Object({
    ...modelVersion,
    key: required,
    value: string
  }),
  'DELETE /model-versions/delete-tag': Type.Object({
    ...modelVersion,
    key: required
  }),
  'POST /model-versions/transition-stage': Type.Object({
    ...modelVersion,
    stage: required,
    archive_existing_versions: bool
  }),
  'GET /model-versions/get-download-uri': Type.Object(modelVersion),
  'GET /model-versions/search': Type.Object({
    filter: string,
    max_results: opt(intQuery({ maximum: 200000 })),
    order_by: strings,
    page_token: string
  }),

  'POST /logged-models': Type.Object({
    ...experimentId,
    name: string,
    model_type: string,
    source_run_id: string,
    params: list,
    tags: list
  }),
  'PATCH /logged-models/:model_id/tags': Type.Object({ tags: list }),
  'POST /logged-models/search': Type.Object({
    experiment_ids: Type.Array(Type.String()),
    filter: string,
    datasets: list,
    max_results: opt(intLike()),
    order_by: list,
    page_token: string
  })
};

import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  GraphQLError,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  buildSchema,
  execute,
  getNamedType,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type SelectionSetNode
} from 'graphql';
import { input, optStr } from './context';
import { invalidParam } from './errors';

/**
 * MLflow's `/graphql` (relative to the tracking URI): the reads its UI makes through GraphQL
 * (get/search runs with their experiment and model versions, get experiment, list artifacts, sampled
 * metric histories, dataset summaries). Every field is answered by the REST route of the same name,
 * called in-process with the caller's own credentials, so access, validation and shapes are the
 * REST API's. Names are MLflow's camelCase; 64-bit numbers are strings (`LongString`); a field the
 * REST answer leaves out reads as its proto default ("", 0, false, []), as MLflow's does.
 */

const SDL = /* GraphQL */ `
  directive @component(name: String!) on QUERY | MUTATION
  scalar LongString

  enum MlflowRunStatus {
    RUNNING
    SCHEDULED
    FINISHED
    FAILED
    KILLED
  }
  enum MlflowViewType {
    ACTIVE_ONLY
    DELETED_ONLY
    ALL
  }
  enum MlflowModelVersionStatus {
    PENDING_REGISTRATION
    FAILED_REGISTRATION
    READY
  }

  type ApiError {
    code: String
    message: String
  }
  type MlflowExperimentTag {
    key: String
    value: String
  }
  type MlflowExperiment {
    experimentId: String
    name: String
    artifactLocation: String
    lifecycleStage: String
    lastUpdateTime: LongString
    creationTime: LongString
    tags: [MlflowExperimentTag!]
  }
  type MlflowMetric {
    key: String
    value: Float
    timestamp: LongString
    step: LongString
    datasetName: String
    datasetDigest: String
    modelId: String
    runId: String
  }
  type MlflowParam {
    key: String
    value: String
  }
  type MlflowRunTag {
    key: String
    value: String
  }
  type MlflowRunData {
    metrics: [MlflowMetric!]
    params: [MlflowParam!]
    tags: [MlflowRunTag!]
  }
  type MlflowRunInfo {
    runId: String
    runUuid: String
    runName: String
    experimentId: String
    userId: String
    status: MlflowRunStatus
    startTime: LongString
    endTime: LongString
    artifactUri: String
    lifecycleStage: String
  }
  type MlflowInputTag {
    key: String
    value: String
  }
  type MlflowDataset {
    name: String
    digest: String
    sourceType: String
    source: String
    schema: String
    profile: String
  }
  type MlflowDatasetInput {
    tags: [MlflowInputTag!]
    dataset: MlflowDataset
  }
  type MlflowModelInput {
    modelId: String
  }
  type MlflowRunInputs {
    datasetInputs: [MlflowDatasetInput!]
    modelInputs: [MlflowModelInput!]
  }
  type MlflowModelOutput {
    modelId: String
    step: LongString
  }
  type MlflowRunOutputs {
    modelOutputs: [MlflowModelOutput!]
  }
  type MlflowModelVersionTag {
    key: String
    value: String
  }
  type MlflowModelVersion {
    name: String
    version: String
    creationTimestamp: LongString
    lastUpdatedTimestamp: LongString
    userId: String
    currentStage: String
    description: String
    source: String
    runId: String
    status: MlflowModelVersionStatus
    statusMessage: String
    tags: [MlflowModelVersionTag!]
    runLink: String
    aliases: [String]
    modelId: String
  }
  type MlflowRun {
    info: MlflowRunInfo
    data: MlflowRunData
    inputs: MlflowRunInputs
    outputs: MlflowRunOutputs
    experiment: MlflowExperiment
    modelVersions: [MlflowModelVersion!]
  }
  type MlflowGetRunResponse {
    run: MlflowRun
    apiError: ApiError
  }
  type MlflowGetExperimentResponse {
    experiment: MlflowExperiment
    apiError: ApiError
  }
  type MlflowSearchRunsResponse {
    runs: [MlflowRun!]
    nextPageToken: String
    apiError: ApiError
  }
  type MlflowFileInfo {
    path: String
    isDir: Boolean
    fileSize: LongString
  }
  type MlflowListArtifactsResponse {
    rootUri: String
    files: [MlflowFileInfo!]
    nextPageToken: String
    apiError: ApiError
  }
  type MlflowMetricWithRunId {
    key: String
    value: Float
    timestamp: LongString
    step: LongString
    runId: String
  }
  type MlflowGetMetricHistoryBulkIntervalResponse {
    metrics: [MlflowMetricWithRunId!]
    apiError: ApiError
  }
  type MlflowSearchModelVersionsResponse {
    modelVersions: [MlflowModelVersion!]
    nextPageToken: String
    apiError: ApiError
  }
  type MlflowDatasetSummary {
    experimentId: String
    name: String
    digest: String
    context: String
  }
  type MlflowSearchDatasetsResponse {
    datasetSummaries: [MlflowDatasetSummary!]
    apiError: ApiError
  }
  type Test {
    output: String
  }
  type TestMutation {
    output: String
  }

  input MlflowGetRunInput {
    runId: String
    runUuid: String
  }
  input MlflowGetExperimentInput {
    experimentId: String
  }
  input MlflowSearchRunsInput {
    experimentIds: [String]
    filter: String
    runViewType: MlflowViewType
    maxResults: Int
    orderBy: [String]
    pageToken: String
  }
  input MlflowListArtifactsInput {
    runId: String
    runUuid: String
    path: String
    pageToken: String
  }
  input MlflowGetMetricHistoryBulkIntervalInput {
    runIds: [String]
    metricKey: String
    startStep: Int
    endStep: Int
    maxResults: Int
  }
  input MlflowSearchModelVersionsInput {
    filter: String
    maxResults: LongString
    orderBy: [String]
    pageToken: String
  }
  input MlflowSearchDatasetsInput {
    experimentIds: [String]
  }

  type Query {
    mlflowGetExperiment(
      input: MlflowGetExperimentInput
    ): MlflowGetExperimentResponse
    mlflowGetRun(input: MlflowGetRunInput): MlflowGetRunResponse
    mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
    mlflowListArtifacts(
      input: MlflowListArtifactsInput
    ): MlflowListArtifactsResponse
    mlflowGetMetricHistoryBulkInterval(
      input: MlflowGetMetricHistoryBulkIntervalInput
    ): MlflowGetMetricHistoryBulkIntervalResponse
    mlflowSearchModelVersions(
      input: MlflowSearchModelVersionsInput
    ): MlflowSearchModelVersionsResponse
    test(inputString: String): Test
  }
  type Mutation {
    mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
    mlflowSearchDatasets(
      input: MlflowSearchDatasetsInput
    ): MlflowSearchDatasetsResponse
    testMutation(inputString: String): TestMutation
  }
`;

const schema = buildSchema(SDL);
const longString = schema.getType('LongString') as GraphQLScalarType;
longString.serialize = value => String(value);
longString.parseValue = value => Number(value);

// MLflow's limits on one request (mlflow/server/graphql/graphql_no_batching.py).
const MAX_ROOT_FIELDS = 10;
const MAX_ALIASES = 10;
const MAX_DEPTH = 10;
const MAX_SELECTIONS = 1000;

/** The request's cost, checked before anything runs: MLflow's root-field, alias, depth and size limits. */
function checkQuerySize(document: DocumentNode): string | null {
  const fragments = new Map(
    document.definitions.flatMap(d =>
      d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : []
    )
  );
  let rootFields = 0;
  let maxAliases = 0;
  let selections = 0;
  const walk = (set: SelectionSetNode, depth: number, seen: Set<string>) => {
    if (depth > MAX_DEPTH) {
      throw new GraphQLError(`Query exceeds maximum depth of ${MAX_DEPTH}`);
    }
    const pending = [...set.selections];
    let aliases = 0;
    const visited = new Set(seen);
    while (pending.length) {
      const selection = pending.shift()!;
      if (selection.kind === 'InlineFragment') {
        pending.push(...selection.selectionSet.selections);
      } else if (selection.kind === 'FragmentSpread') {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !visited.has(selection.name.value)) {
          visited.add(selection.name.value);
          pending.push(...fragment.selectionSet.selections);
        }
      } else {
        aliases += selection.alias ? 1 : 0;
        rootFields += depth === 1 ? 1 : 0;
        if (++selections > MAX_SELECTIONS) {
          throw new GraphQLError(
            `Query exceeds maximum total selections of ${MAX_SELECTIONS}`
          );
        }
        if (selection.selectionSet) {
          walk(selection.selectionSet, depth + 1, visited);
        }
      }
    }
    maxAliases = Math.max(maxAliases, aliases);
  };
  try {
    for (const definition of document.definitions) {
      if (definition.kind === 'OperationDefinition') {
        walk(definition.selectionSet, 1, new Set());
      }
    }
  } catch (err) {
    return (err as Error).message;
  }
  const over = (what: string, limit: number, got: number) =>
    `GraphQL queries should have at most ${limit} ${what}, got ${got} ${what}.`;
  if (rootFields > MAX_ROOT_FIELDS) {
    return over('root fields', MAX_ROOT_FIELDS, rootFields);
  }
  if (maxAliases > MAX_ALIASES) {
    return over('aliases', MAX_ALIASES, maxAliases);
  }
  return null;
}

interface Context {
  /** One REST call of this group's MLflow API, as the caller. */
  rest: (
    method: 'GET' | 'POST',
    route: string,
    args: Record<string, unknown>
  ) => Promise<Record<string, unknown>>;
}

const snake = (name: string) =>
  name.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`);

/** `{runId: "x", maxResults: 5}` -> `{run_id: "x", max_results: 5}` (absent fields dropped). */
function restArgs(args: Record<string, unknown>): Record<string, unknown> {
  const given = (args.input ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(given)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [snake(k), v])
  );
}

/** What a proto field reads as when the REST answer leaves it out. */
function protoDefault(type: GraphQLOutputType): unknown {
  const inner = type instanceof GraphQLNonNull ? type.ofType : type;
  if (inner instanceof GraphQLList) {
    return [];
  }
  switch (getNamedType(inner).name) {
    case 'String':
      return '';
    case 'Boolean':
      return false;
    case 'Int':
    case 'LongString':
      return 0;
    default:
      return null;
  }
}

type Resolver = (
  source: Record<string, unknown>,
  args: Record<string, unknown>,
  ctx: Context
) => unknown;

const rootQuery: Record<string, Resolver> = {
  mlflowGetExperiment: (_s, args, ctx) =>
    ctx.rest('GET', 'experiments/get', restArgs(args)),
  mlflowGetRun: (_s, args, ctx) => ctx.rest('GET', 'runs/get', restArgs(args)),
  mlflowSearchRuns: (_s, args, ctx) =>
    ctx.rest('POST', 'runs/search', restArgs(args)),
  mlflowListArtifacts: (_s, args, ctx) =>
    ctx.rest('GET', 'artifacts/list', restArgs(args)),
  mlflowGetMetricHistoryBulkInterval: (_s, args, ctx) =>
    ctx.rest('GET', 'metrics/get-history-bulk-interval', restArgs(args)),
  mlflowSearchModelVersions: (_s, args, ctx) =>
    ctx.rest('GET', 'model-versions/search', restArgs(args)),
  mlflowSearchDatasets: (_s, args, ctx) =>
    ctx.rest('POST', 'experiments/search-datasets', restArgs(args)),
  test: (_s, args) => ({ output: args.inputString }),
  testMutation: (_s, args) => ({ output: args.inputString })
};

/** Fields a run has in GraphQL that its REST shape does not: its experiment and model versions. */
const runExtras: Record<string, Resolver> = {
  experiment: async (run, _args, ctx) => {
    const info = run.info as { experiment_id: string };
    const found = await ctx.rest('GET', 'experiments/get', {
      experiment_id: info.experiment_id
    });
    return found.experiment;
  },
  modelVersions: async (run, _args, ctx) => {
    const info = run.info as { run_id: string };
    const found = await ctx.rest('GET', 'model-versions/search', {
      filter: `run_id='${info.run_id}'`
    });
    return found.model_versions ?? [];
  }
};

const resolveField: GraphQLFieldResolver<unknown, Context> = (
  source,
  args,
  ctx,
  info
) => {
  const parent = info.parentType.name;
  if (parent === 'Query' || parent === 'Mutation') {
    return rootQuery[info.fieldName]?.({}, args, ctx);
  }
  const object = source as Record<string, unknown>;
  if (parent === 'MlflowRun' && runExtras[info.fieldName]) {
    return runExtras[info.fieldName](object, args, ctx);
  }
  const value = object[snake(info.fieldName)];
  if (value === undefined || value === null) {
    return protoDefault(info.returnType);
  }
  // A metric's NaN has no GraphQL Float: MLflow answers null. The REST views carry it as "NaN".
  if (
    (typeof value === 'number' && Number.isNaN(value)) ||
    (value === 'NaN' && getNamedType(info.returnType).name === 'Float')
  ) {
    return null;
  }
  return value;
};

/** The handler of MLflow's `/graphql`; graphql-routes.ts loads this module on the first query. */
export function graphqlAnswer(
  app: FastifyInstance
): (request: FastifyRequest) => Promise<unknown> {
  return async (request: FastifyRequest) => {
    const inp = input(request);
    const query = optStr(inp, 'query');
    if (!query) {
      throw invalidParam(
        'GraphQL requests need a "query" (POST {"query", "variables", "operationName"})'
      );
    }
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      return { data: null, errors: [(err as Error).message] };
    }
    const tooBig = checkQuerySize(document);
    const invalid = tooBig ? [] : validate(schema, document);
    if (tooBig || invalid.length) {
      return {
        data: null,
        errors: tooBig ? [tooBig] : invalid.map(e => e.message)
      };
    }
    const prefix = `/mlflow/${encodeURIComponent((request.params as { group: string }).group)}/api/2.0/mlflow/`;
    const headers = request.headers.authorization
      ? { authorization: request.headers.authorization }
      : {};
    const ctx: Context = {
      rest: async (method, route, args) => {
        const response = await app.inject({
          method,
          url: prefix + route,
          headers,
          ...(method === 'GET'
            ? { query: args as Record<string, string> }
            : { payload: args })
        });
        const body = response.json() as Record<string, unknown>;
        if (response.statusCode >= 400) {
          throw new GraphQLError(String(body.message ?? response.body), {
            extensions: { code: body.error_code }
          });
        }
        return body;
      }
    };
    let variables = inp.variables;
    if (typeof variables === 'string') {
      try {
        variables = variables ? JSON.parse(variables) : undefined;
      } catch {
        throw invalidParam('GraphQL "variables" must be a JSON object');
      }
    }
    const result = await execute({
      schema,
      document,
      contextValue: ctx,
      fieldResolver: resolveField,
      variableValues:
        variables && typeof variables === 'object'
          ? (variables as Record<string, unknown>)
          : undefined,
      operationName: optStr(inp, 'operationName')
    });
    return {
      data: result.data ?? null,
      errors: result.errors?.length ? result.errors.map(e => e.message) : null
    };
  };
}

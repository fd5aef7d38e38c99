import type {
  FastifyError,
  FastifyRequest,
  RouteOptions,
  preValidationHookHandler
} from 'fastify';
import { MLFLOW_REQUESTS } from '../schemas/mlflow';
import { invalidParam, type MlflowError } from './errors';

/**
 * MLflow's request validation on the MLflow routes: each route gets its schema from
 * schemas/mlflow.ts, requests are normalized the way MLflow's proto parsing sees them (null means
 * absent; `run_uuid` stands for `run_id`), and a failure is worded as MLflow words it.
 */

const ROUTE = /\/(?:ajax-)?api\/2\.0\/mlflow(\/.*)$/;
const SEE_DOCS =
  ' See the API docs for more information about request parameters.';

/** onRoute hook: attach the route's MLflow request schema (as the body, or the query string of a GET). */
export function attachRequestSchema(route: RouteOptions): void {
  const path = ROUTE.exec(route.url)?.[1];
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  for (const method of methods) {
    const schema = path && MLFLOW_REQUESTS[`${method} ${path}`];
    if (schema) {
      route.schema = {
        ...route.schema,
        [method === 'GET' ? 'querystring' : 'body']: schema
      };
    }
  }
}

/** A parsed JSON object (not a stream, a buffer or an array). */
const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  !!value && Object.getPrototypeOf(value) === Object.prototype;

/** Recursively drops null fields: MLflow's proto parsing reads `"run_id": null` as no run_id. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(withoutNulls);
  }
  if (isJsonObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)])
    );
  }
  return value;
}

/** preValidation hook: nulls are absent, and a request naming its run `run_uuid` (MLflow 1.x) has a run_id. */
export const normalizeRequest: preValidationHookHandler = async request => {
  const body = request.body;
  if (isJsonObject(body)) {
    const clean = withoutNulls(body) as Record<string, unknown>;
    if (clean.run_id === undefined && clean.run_uuid !== undefined) {
      clean.run_id = clean.run_uuid;
    }
    request.body = clean;
  }
  const query = request.query as Record<string, unknown> | undefined;
  if (query && query.run_id === undefined && query.run_uuid !== undefined) {
    query.run_id = query.run_uuid;
  }
};

const rawBodies = new WeakMap<FastifyRequest, string>();

/** Keeps a JSON body's text, so a rejected number reads back as sent (MLflow says `9.0`, not `9`). */
export function rememberBodyText(request: FastifyRequest, text: string): void {
  rawBodies.set(request, text);
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: { missingProperty?: string };
}

/** `/metrics/0/timestamp` -> `metrics[0].timestamp`, MLflow's way of naming a nested field. */
function fieldName(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (name, part) =>
        /^\d+$/.test(part)
          ? `${name}[${part}]`
          : name
            ? `${name}.${part}`
            : part,
      ''
    );
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const part of pointer.split('/').slice(1)) {
    value = (value as Record<string, unknown> | undefined)?.[part];
  }
  return value;
}

/** The value as Python's `json.dumps(sort_keys=True, separators=(",", ":"))` prints it. */
function pythonJson(value: unknown, rawNumber?: string): string {
  if (typeof value === 'number') {
    const isFloat = rawNumber !== undefined && /[.eE]/.test(rawNumber);
    return isFloat && Number.isInteger(value) ? `${value}.0` : String(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(v => pythonJson(v)).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map(
        k =>
          `${JSON.stringify(k)}:${pythonJson((value as Record<string, unknown>)[k])}`
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

function pythonType(value: unknown): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'int' : 'float';
  }
  if (typeof value === 'string') {
    return 'str';
  }
  if (typeof value === 'boolean') {
    return 'bool';
  }
  if (Array.isArray(value)) {
    return 'list';
  }
  return value === undefined || value === null ? 'NoneType' : 'dict';
}

/** A top-level number's text in the body as sent, if it can be found. */
function rawNumberOf(
  request: FastifyRequest,
  field: string
): string | undefined {
  const text = rawBodies.get(request);
  if (!text || field.includes('.') || field.includes('[')) {
    return undefined;
  }
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`"${escaped}"\\s*:\\s*(-?[\\d.eE+-]+)`).exec(text)?.[1];
}

/** A failed schema check on an MLflow route as MLflow's INVALID_PARAMETER_VALUE, or null for other errors. */
export function validationError(
  err: unknown,
  request: FastifyRequest
): MlflowError | null {
  const errors = (err as FastifyError).validation as AjvError[] | undefined;
  if (!errors?.length) {
    return null;
  }
  const first = errors[0];
  const root =
    (err as FastifyError).validationContext === 'querystring'
      ? request.query
      : request.body;
  const pointer =
    first.keyword === 'required'
      ? `${first.instancePath}/${first.params.missingProperty}`
      : first.instancePath;
  const field = fieldName(pointer);
  const value = valueAt(root, pointer);
  if (value === undefined || value === '') {
    return invalidParam(
      `Missing value for required parameter '${field}'.${SEE_DOCS}`
    );
  }
  return invalidParam(
    `Invalid value ${pythonJson(value, rawNumberOf(request, field))} for parameter '${field}' supplied:  Hint: Value was of type '${pythonType(value)}'.${SEE_DOCS}`
  );
}

import type { FastifyRequest } from 'fastify';
import { groupAccess, requireRole, type GroupAccess } from '../access';
import { findGroup } from '../repos/groups';
import type { Role } from '../domain/roles';
import { invalidParam, MlflowError } from './errors';

/** The group named by the tracking URI (`<registry>/mlflow/<group>`), with the caller's role in it. */
export interface Ctx extends GroupAccess {
  actor: string;
  request: FastifyRequest;
}

/**
 * MLflow clients expect 401 when no token was sent. Anonymous callers may still read public
 * groups; for a private or missing group they get 401 alike, so existence does not leak.
 */
export async function context(request: FastifyRequest): Promise<Ctx> {
  const groupName = (request.params as { group: string }).group;
  const db = request.server.db;
  if (!request.caller) {
    const group = await findGroup(db, groupName);
    if (!group || group.visibility !== 'public') {
      throw new MlflowError(
        'UNAUTHENTICATED',
        'send a modelreg token: set MLFLOW_TRACKING_TOKEN=<token> (create one with POST /api/v1/users/{username}/tokens)'
      );
    }
  }
  const access = await groupAccess(db, request.caller, groupName);
  return { ...access, actor: request.caller?.username ?? 'anonymous', request };
}

/** Role check with MLflow's code (PERMISSION_DENIED) and modelreg's wording. */
export function need(ctx: Ctx, min: Role, action: string): void {
  requireRole(ctx, ctx.request.caller, min, action);
}

export type Input = Record<string, unknown>;

/** Body for POST/PATCH/DELETE, query string for GET: MLflow's client sends the same fields either way. */
export function input(request: FastifyRequest): Input {
  const q = (request.query ?? {}) as Input;
  const b =
    request.body &&
    typeof request.body === 'object' &&
    !Buffer.isBuffer(request.body)
      ? (request.body as Input)
      : {};
  return { ...q, ...b };
}

export function str(inp: Input, key: string): string {
  const v = optStr(inp, key);
  if (v === undefined || v === '') {
    throw invalidParam(
      `Missing value for required parameter '${key}'. See the API docs for more information about request parameters.`
    );
  }
  return v;
}

export function optStr(inp: Input, key: string): string | undefined {
  let v = inp[key];
  if (Array.isArray(v)) {
    v = v[0];
  }
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v === 'object') {
    throw invalidParam(
      `Invalid value for parameter '${key}': expected a string`
    );
  }
  return String(v);
}

export function optNum(inp: Input, key: string): number | undefined {
  const v = optStr(inp, key);
  if (v === undefined || v === '') {
    return undefined;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) {
    throw invalidParam(
      `Invalid value ${JSON.stringify(v)} for parameter '${key}': expected a number`
    );
  }
  return n;
}

export function strList(inp: Input, key: string): string[] {
  const v = inp[key];
  if (v === undefined || v === null) {
    return [];
  }
  return (Array.isArray(v) ? v : [v]).map(String);
}

/**
 * A list parameter MLflow requires and bounds, refused in its words: "<request> request must specify
 * at least one <item>." / "... cannot specify more than <max> <item>s. Received <n> <item>s."
 */
export function boundedList(
  inp: Input,
  key: string,
  request: string,
  item: string,
  max: number
): string[] {
  const list = strList(inp, key);
  if (!list.length) {
    throw invalidParam(`${request} request must specify at least one ${item}.`);
  }
  if (list.length > max) {
    throw invalidParam(
      `${request} request cannot specify more than ${max} ${item}s. Received ${list.length} ${item}s.`
    );
  }
  return list;
}

export function keyValues(
  inp: Input,
  key: string
): { key: string; value: string }[] {
  const v = inp[key];
  if (v === undefined || v === null) {
    return [];
  }
  if (!Array.isArray(v)) {
    throw invalidParam(
      `Invalid value for parameter '${key}': expected a list of {key, value}`
    );
  }
  return v.map(t => {
    const o = t as Input;
    if (!o || typeof o.key !== 'string' || !o.key) {
      throw invalidParam(
        `Invalid value for parameter '${key}': every entry needs a key`
      );
    }
    return {
      key: o.key,
      value: o.value === undefined || o.value === null ? '' : String(o.value)
    };
  });
}

export function isoToMs(iso: string): number {
  return Date.parse(iso);
}

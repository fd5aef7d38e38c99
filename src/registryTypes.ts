/** The registry's data shapes (docs/api.md) and the group roles the panel checks. */
import type { components, paths } from './generated/registry-api';

/** Roles in a group, weakest first. */
export const ROLES = [
  'guest',
  'reporter',
  'developer',
  'maintainer',
  'owner'
] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` is at least `needed`. */
export function hasRole(
  role: string | null | undefined,
  needed: Role
): boolean {
  const have = ROLES.indexOf((role ?? '') as Role);
  return have >= 0 && have >= ROLES.indexOf(needed);
}

/**
 * The registry's REST shapes are the server's: aliases onto the types `make api-types` generates
 * from its OpenAPI document (src/generated/registry-api.ts), so a schema change shows up here.
 */
export type Schemas = components['schemas'];
type Json<R> = R extends { content: { 'application/json': infer T } }
  ? T
  : never;
/** The JSON body of the 200 answer of `GET path`. */
export type GetAnswer<P extends keyof paths> = paths[P]['get'] extends {
  responses: { 200: infer R };
}
  ? Json<R>
  : never;
type ModelPath<S extends string> = `/api/v1/models/{group}/{model}/${S}`;

/** The one list envelope: `next_cursor` is null on the last page (and for one-page lists). */
export type IPage<T> = { items: T[]; next_cursor: string | null };

/** What the candidates list can be narrowed to: the server's search parameters. */
export type ICandidateQuery = {
  /** A metric or param expression, e.g. `metrics.auc > 0.9`. */
  filter?: string;
  status?: 'running' | 'finished' | 'failed';
  experiment?: string;
  pipeline?: string;
  commit?: string;
  merge_request?: string;
};

/** Model metadata as sent: every field optional. */
export type IModelMetadata = Partial<Schemas['Model']['metadata']>;

/** A model and its card. */
export type IModel = Schemas['Model'];

export type IMetricValue = Schemas['Candidate']['metrics'][string];

/** Provenance is a free object on the wire; these are the keys the client records. */
export interface IProvenance {
  notebook?: { path?: string; snapshot?: string };
  kernel?: { name?: string; language?: string };
  environment?: {
    python?: string;
    platform?: string;
    packages?: { name: string; version: string }[];
  };
  git?: { remote?: string; branch?: string; commit?: string; dirty?: boolean };
  /** The cells executed in the kernel, matched against the saved notebook (docs/jupyter-hook.md). */
  cells?: IExecutedCells;
  ci?: {
    provider?: string;
    pipeline_id?: string;
    job_id?: string;
    job_url?: string;
    merge_request?: string;
    project_url?: string;
    commit?: string;
  };
}

export interface IExecutedCells {
  executed: {
    execution_count: number;
    cell: number | null;
    sha256: string;
    source: string;
    edited_since: boolean;
  }[];
  /** Notebook cell numbers (1-based) in the order they ran. */
  order: number[];
  out_of_order: boolean;
  edited_since_run: number[];
  not_run: number[];
  not_in_notebook: number[];
  notebook_differs: boolean | null;
}

/** A candidate; its free-form provenance read with the keys the client records. */
export type ICandidate = Omit<Schemas['Candidate'], 'provenance'> & {
  provenance?: IProvenance;
};

/** A stored file: of a candidate or a version. */
export type IArtifact = Schemas['Artifact'];

export type IVersion = Omit<Schemas['Version'], 'provenance' | 'files'> & {
  provenance: IProvenance;
  files: IArtifact[];
};

/** What `bump` gives for each part if the model were promoted now, decided by the server. */
export type INextVersions = GetAnswer<ModelPath<'versions'>>['next_versions'];

export type BumpPart = keyof INextVersions;

/** GET .../versions: every version, highest first, and the next versions `bump` would give. */
export type IVersionList = IPage<IVersion> & { next_versions: INextVersions };

/** POST .../versions: exactly one of `version` and `bump`. */
export interface IPromoteRequest {
  candidate: number;
  version?: string;
  bump?: BumpPart;
  notes?: string;
}

export type IAlias = GetAnswer<ModelPath<'aliases'>>['items'][number];

export type IDeployment = GetAnswer<ModelPath<'deployments'>>['items'][number];

/** GET .../deployments/{id}: the deployment with its history and live metrics. */
export type IDeploymentDetail = GetAnswer<ModelPath<'deployments/{id}'>>;

/** One status change of a deployment. */
export type IDeploymentStatusChange = IDeploymentDetail['history'][number];

export type IActivity = GetAnswer<ModelPath<'activity'>>['items'][number];

/** The answer of GET .../compare?refs=... */
export type ICompareResult = Schemas['Compare'];

export type IMetricPoint =
  ICompareResult['metrics'][number]['history'][number][number];

/** GET /modelreg/status of the server extension. */
export interface IRegistryStatus {
  configured: boolean;
  url: string | null;
  reachable: boolean;
  user: string | null;
  message: string;
}

/** A reference to a candidate (`c:3`) or a version (`v:1.2.0`) of a model, for compare. */
export interface IItemRef {
  model: string;
  ref: string;
  label: string;
}

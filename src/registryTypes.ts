/** The registry's data shapes (docs/api.md) and the group roles the panel checks. */

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

/** A page of a list endpoint. */
export interface IPage<T> {
  items: T[];
  next_cursor?: string | null;
}

export interface IModelMetadata {
  task?: string;
  framework?: string;
  license?: string;
  tags?: string[];
  intended_use?: string;
  limitations?: string;
  metric_goals?: { [key: string]: 'min' | 'max' };
  extra?: { [key: string]: unknown };
}

/** A model and its card. */
export interface IModel {
  group: string;
  name: string;
  full_name: string;
  description: string;
  metadata: IModelMetadata;
  latest_version: string | null;
  aliases: { [alias: string]: string };
  counts: { versions: number; candidates: number; deployments: number };
  created_by: string;
  created_at: string;
  updated_at: string;
  your_role?: Role | null;
}

export interface IMetricValue {
  value: number;
  step?: number;
  timestamp?: number;
}

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

export interface ICandidate {
  iid: number;
  model: string;
  name: string;
  experiment?: string | null;
  status: 'running' | 'finished' | 'failed' | string;
  params: { [key: string]: string };
  metrics: { [key: string]: IMetricValue };
  tags?: { [key: string]: string };
  provenance?: IProvenance;
  author: string;
  created_at: string;
  updated_at: string;
  version: string | null;
  locked: boolean;
  artifact_count: number;
  /** While running: when the registry ends it as failed unless its process sends a heartbeat. */
  lease_expires_at?: string | null;
  /** Why the registry ended it (its kernel, job or upload stopped sending heartbeats). */
  status_reason?: string | null;
}

/** A stored file: of a candidate or a version. */
export interface IArtifact {
  path: string;
  sha256: string;
  size: number;
}

export interface IVersion {
  version: string;
  model: string;
  candidate: number;
  notes: string;
  locked: boolean;
  yanked: boolean;
  yank_reason: string | null;
  prerelease: boolean;
  params: { [key: string]: string };
  metrics: { [key: string]: IMetricValue };
  provenance: IProvenance;
  files: IArtifact[];
  aliases: string[];
  created_by: string;
  created_at: string;
  /** GTO tag `<model name>@v<semver>` once tagged in git, and its commit. */
  git_tag?: string | null;
  git_commit?: string | null;
  manifest_digest?: string;
}

/** What `bump` gives for each part if the model were promoted now, decided by the server. */
export interface INextVersions {
  major: string;
  minor: string;
  /** Null before a first release, which is 0.1.0 or 1.0.0. */
  patch: string | null;
}

export type BumpPart = keyof INextVersions;

/** GET .../versions: every version, highest first, and the next versions `bump` would give. */
export interface IVersionList extends IPage<IVersion> {
  next_versions: INextVersions;
}

/** POST .../versions: exactly one of `version` and `bump`. */
export interface IPromoteRequest {
  candidate: number;
  version?: string;
  bump?: BumpPart;
  notes?: string;
}

export interface IAlias {
  alias: string;
  version: string;
  updated_by?: string;
  updated_at?: string;
}

export interface IDeployment {
  id: number;
  /** The deployed version, or null when a candidate is deployed (outside production). */
  version: string | null;
  candidate?: number | null;
  environment: string;
  url?: string | null;
  /** pending | active | degraded | retired */
  status: string;
  created_at?: string;
  created_by?: string;
  updated_at?: string;
}

/** One status change of a deployment. */
export interface IDeploymentStatusChange {
  status: string;
  previous: string | null;
  actor: string;
  reason: string;
  created_at: string;
}

/** GET .../deployments/{id}: the deployment with its history and live metrics. */
export interface IDeploymentDetail extends IDeployment {
  history: IDeploymentStatusChange[];
  metrics: { [key: string]: { value: number; timestamp: number }[] };
}

export interface IActivity {
  action: string;
  actor: string;
  created_at: string;
  details?: { [key: string]: unknown };
}

export interface IMetricPoint {
  step: number;
  value: number;
  timestamp: number;
}

/** The answer of GET .../compare?refs=... */
export interface ICompareResult {
  items: {
    ref: string;
    kind: 'candidate' | 'version';
    iid: number | null;
    version: string | null;
    name: string;
  }[];
  params: { key: string; values: (string | null)[]; differs: boolean }[];
  metrics: {
    key: string;
    values: (number | null)[];
    best: number | null;
    goal: 'max' | 'min';
    history: IMetricPoint[][];
  }[];
  files: {
    path: string;
    entries: ({ sha256: string; size: number } | null)[];
    status: 'same' | 'changed' | 'added' | 'removed';
  }[];
}

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

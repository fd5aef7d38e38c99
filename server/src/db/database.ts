import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';

/**
 * The registry's tables. Booleans are 0/1 integers and JSON is text so that SQLite and
 * PostgreSQL store the same shapes. Timestamps are ISO 8601 UTC strings, metric timestamps
 * are milliseconds since epoch (like MLflow).
 */
export interface Database {
  users: {
    id: Generated<number>;
    username: string;
    is_admin: number;
    created_at: string;
  };
  tokens: {
    id: Generated<number>;
    user_id: number;
    name: string;
    token_hash: string;
    created_at: string;
    /** ISO time after which the token is refused; null = never. */
    expires_at: string | null;
    /** Refreshed at most once a minute, so reads do not turn into writes. */
    last_used_at: string | null;
    /** Comma-separated: read, write, admin (each includes the ones before it). */
    scopes: Generated<string>;
  };
  /** A model name that had versions, never given to a new model (rename and delete retire it). */
  retired_model_names: {
    group_id: number;
    name_key: string;
    name: string;
    reason: string;
    retired_at: string;
  };
  /** The signed manifest of a promoted version: a DSSE envelope (JSON), see docs/signing.md. */
  version_signatures: {
    version_id: number;
    key_id: string;
    envelope: string;
    created_at: string;
  };
  groups: {
    id: Generated<number>;
    name: string;
    visibility: string;
    created_at: string;
    /** JSON array of card section keys a release version needs. */
    card_required_sections: Generated<string>;
  };
  memberships: {
    group_id: number;
    user_id: number;
    role: string;
    created_at: string;
  };
  /** A pending membership: the user joins when they accept it (nobody is added without consent). */
  group_invitations: {
    group_id: number;
    user_id: number;
    role: string;
    invited_by: string;
    created_at: string;
  };
  models: {
    id: Generated<number>;
    group_id: number;
    name: string;
    description: string;
    metadata: string;
    created_by: string;
    created_at: string;
    updated_at: string;
    /** Counters live on the row so numbering is decided by the database, not by a process. */
    last_candidate_iid: number;
    /** Candidates the model has now (kept with each create and delete; the card shows it). */
    candidate_count: number;
    last_mlflow_version: number;
    /** The card's latest revision number; 0 before the first save. */
    last_card_revision: Generated<number>;
    /** Healthy ranges of live metrics, JSON [{metric, min?, max?, environment?}] (issue 13). */
    deployment_thresholds: ColumnType<string, string | undefined, string>;
  };
  model_tags: { model_id: number; tag: string };
  /**
   * An experiment of the group (MLflow's experiment): a free-text name, unique in the group. Candidates of
   * any model of the group may belong to it; `model_id` is its home model, where runs created in it
   * through MLflow are filed until they are registered.
   */
  experiments: {
    id: Generated<number>;
    group_id: number;
    model_id: number;
    name: string;
    created_at: string;
  };
  candidates: {
    id: Generated<number>;
    model_id: number;
    iid: number;
    /** MLflow run id <-> candidate: a stable uuid hex. */
    run_id: string;
    name: string;
    experiment_id: number | null;
    status: string;
    provenance: string;
    author: string;
    /** Copied out of provenance so CI linkage searches use an index. */
    ci_pipeline_id: string | null;
    ci_merge_request: string | null;
    git_commit: string | null;
    locked: number;
    created_at: string;
    updated_at: string;
    /** Set by heartbeats; a running candidate past it ends failed (repos/candidate-lease.ts). */
    lease_expires_at: string | null;
    /** Why the candidate ended as it did, when the registry ended it (a lease that ran out). */
    status_reason: string | null;
  };
  params: { candidate_id: number; key: string; value: string };
  candidate_tags: { candidate_id: number; key: string; value: string };
  /** Datasets a candidate was trained or evaluated on (MLflow's log_input): its data lineage. */
  candidate_datasets: {
    candidate_id: number;
    name: string;
    digest: string;
    /** The input's `mlflow.data.context` tag (training, evaluation, ...); '' when none. */
    context: string;
    source_type: string;
    source: string;
    schema: string | null;
    profile: string | null;
    /** JSON list of the input's {key, value} tags, as logged. */
    tags: string;
    created_at: string;
  };
  metrics: {
    id: Generated<number>;
    candidate_id: number;
    key: string;
    /** 0 when is_nan: a NaN point (MLflow logs them; SQLite cannot store NaN). */
    value: number;
    step: number;
    timestamp: number;
    is_nan: Generated<number>;
  };
  /** Last value per (candidate, key): max step, then max timestamp. Drives search and compare. */
  latest_metrics: {
    candidate_id: number;
    key: string;
    value: number;
    step: number;
    timestamp: number;
    is_nan: Generated<number>;
  };
  /** created_at doubles as gc's lease on a bucket: uploads refresh it before they publish or dedup. */
  blobs: { sha256: string; size: number; created_at: string };
  /** Presigned uploads in progress; the bytes are staged in the bucket until verified (routes/uploads.ts). */
  uploads: {
    id: string;
    candidate_id: number;
    path: string;
    sha256: string;
    size: number;
    staging_key: string;
    multipart_id: string | null;
    part_size: number;
    created_at: string;
  };
  artifacts: {
    candidate_id: number;
    path: string;
    sha256: string;
    size: number;
    created_at: string;
  };
  versions: {
    id: Generated<number>;
    model_id: number;
    version: string;
    /** The version without build metadata: two versions of equal precedence cannot coexist. */
    version_key: string;
    prerelease: number;
    candidate_id: number;
    notes: string;
    yanked: number;
    yank_reason: string | null;
    mlflow_version: number;
    /** The card revision this version shipped with (null: no card saved then). */
    card_revision: number | null;
    created_by: string;
    created_at: string;
    /** GTO tag `<model name>@v<semver>` and the commit it points at, once tagged. */
    git_tag: string | null;
    git_commit: string | null;
  };
  aliases: {
    model_id: number;
    name: string;
    version_id: number;
    updated_by: string;
    updated_at: string;
  };
  deployments: {
    id: Generated<number>;
    model_id: number;
    /** A version, or (outside production) a candidate: exactly one is set. */
    version_id: number | null;
    candidate_id: number | null;
    environment: string;
    url: string | null;
    /** pending | active | degraded | retired */
    status: string;
    created_by: string;
    created_at: string;
    updated_at: string | null;
  };
  deployment_status_history: {
    id: Generated<number>;
    deployment_id: number;
    status: string;
    previous: string | null;
    actor: string;
    reason: string;
    created_at: string;
  };
  /** Live metrics of a deployment; timestamps in milliseconds since epoch. */
  deployment_metrics: {
    id: Generated<number>;
    deployment_id: number;
    key: string;
    value: number;
    timestamp: number;
  };
  /** Every alias move; version_id null: the alias was removed then. */
  alias_history: {
    id: Generated<number>;
    model_id: number;
    alias: string;
    version_id: number | null;
    actor: string;
    created_at: string;
  };
  webhooks: {
    id: Generated<number>;
    group_id: number;
    model_id: number | null;
    url: string;
    secret: string;
    /** JSON array of event types. */
    events: string;
    created_by: string;
    created_at: string;
  };
  /** The outbox: written in the transaction of the change it reports. */
  outbox_events: {
    id: Generated<number>;
    model_id: number | null;
    type: string;
    payload: string;
    created_at: string;
  };
  webhook_deliveries: {
    id: Generated<number>;
    /** X-Modelreg-Delivery: the same on every retry. */
    uuid: string;
    webhook_id: number;
    event_id: number;
    status: string;
    attempts: number;
    next_attempt_at: string;
    lease_owner: string | null;
    lease_until: string | null;
    last_status: number | null;
    last_error: string | null;
    created_at: string;
    delivered_at: string | null;
  };
  /** Every saved state of a model card; a version points at the one it shipped with. */
  card_revisions: {
    id: Generated<number>;
    model_id: number;
    revision: number;
    description: string;
    /** JSON object: section key -> markdown. */
    sections: string;
    message: string | null;
    created_by: string;
    created_at: string;
  };
  activity: {
    id: Generated<number>;
    model_id: number;
    action: string;
    actor: string;
    details: string;
    created_at: string;
  };
}

export type Db = Kysely<Database>;
export type UserRow = Selectable<Database['users']>;
export type GroupRow = Selectable<Database['groups']>;
export type ModelRow = Selectable<Database['models']>;
export type CandidateRow = Selectable<Database['candidates']>;
export type VersionRow = Selectable<Database['versions']>;

export function nowIso(): string {
  return new Date().toISOString();
}

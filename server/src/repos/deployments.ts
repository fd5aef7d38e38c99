import type { Db } from '../db/database';
import { assertWebUrl } from '../domain/web-url';
import { nowIso } from '../db/database';
import { ApiError, notFound } from '../errors';
import { emitEvent } from '../outbox/events';
import { recordActivity } from './activity';

/** pending -> active -> degraded -> retired; degraded may recover to active; retired is final. */
export const DEPLOYMENT_STATUSES = [
  'pending',
  'active',
  'degraded',
  'retired'
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

const NEXT: Record<DeploymentStatus, DeploymentStatus[]> = {
  pending: ['active', 'retired'],
  active: ['degraded', 'retired'],
  degraded: ['active', 'retired'],
  retired: []
};

/** A healthy range for one live metric: outside it the deployment becomes degraded. */
export interface Threshold {
  metric: string;
  min?: number;
  max?: number;
  /** Only deployments to this environment; all when absent. */
  environment?: string;
}

export interface DeploymentInput {
  environment: string;
  url?: string | null;
  status?: DeploymentStatus;
}

type Target =
  | { version: { id: number; version: string } }
  | { candidate: { id: number; iid: number } };

function selectDeployments(db: Db) {
  return db
    .selectFrom('deployments')
    .leftJoin('versions', 'versions.id', 'deployments.version_id')
    .leftJoin('candidates', 'candidates.id', 'deployments.candidate_id')
    .select([
      'deployments.id',
      'deployments.model_id',
      'versions.version',
      'candidates.iid as candidate',
      'deployments.environment',
      'deployments.url',
      'deployments.status',
      'deployments.created_by',
      'deployments.created_at',
      'deployments.updated_at'
    ]);
}

type DeploymentRow = Awaited<
  ReturnType<ReturnType<typeof selectDeployments>['executeTakeFirstOrThrow']>
>;

function view(r: DeploymentRow) {
  return {
    id: r.id,
    version: r.version ?? null,
    candidate: r.candidate ?? null,
    environment: r.environment,
    url: r.url,
    status: r.status,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at ?? r.created_at
  };
}
export type DeploymentView = ReturnType<typeof view>;

export async function recordDeployment(
  db: Db,
  modelId: number,
  target: Target,
  input: DeploymentInput,
  actor: string
): Promise<DeploymentView> {
  assertWebUrl(input.url, 'body/url');
  return db.transaction().execute(async trx => {
    const now = nowIso();
    const status = input.status ?? 'pending';
    const row = await trx
      .insertInto('deployments')
      .values({
        model_id: modelId,
        version_id: 'version' in target ? target.version.id : null,
        candidate_id: 'candidate' in target ? target.candidate.id : null,
        environment: input.environment,
        url: input.url ?? null,
        status,
        created_by: actor,
        created_at: now,
        updated_at: now
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('deployment_status_history')
      .values({
        deployment_id: row.id,
        status,
        previous: null,
        actor,
        reason: '',
        created_at: now
      })
      .execute();
    const deployment = view(
      await selectDeployments(trx)
        .where('deployments.id', '=', row.id)
        .executeTakeFirstOrThrow()
    );
    await recordActivity(trx, modelId, 'deployment.recorded', actor, {
      id: row.id,
      version: deployment.version,
      candidate: deployment.candidate,
      environment: input.environment,
      status
    });
    await emitEvent(trx, modelId, 'deployment.created', actor, deployment);
    return deployment;
  });
}

export async function listDeployments(
  db: Db,
  modelId: number,
  environment?: string
): Promise<DeploymentView[]> {
  let q = selectDeployments(db).where('deployments.model_id', '=', modelId);
  if (environment) {
    q = q.where('deployments.environment', '=', environment);
  }
  return (await q.orderBy('deployments.id', 'desc').execute()).map(view);
}

export async function findDeployment(
  db: Db,
  modelId: number,
  id: number
): Promise<DeploymentView> {
  const row = await selectDeployments(db)
    .where('deployments.model_id', '=', modelId)
    .where('deployments.id', '=', id)
    .executeTakeFirst();
  if (!row) {
    throw notFound(`deployment ${id}`);
  }
  return view(row);
}

/** The deployment with its status history (oldest first) and live metric series. */
export async function deploymentDetail(db: Db, modelId: number, id: number) {
  const deployment = await findDeployment(db, modelId, id);
  const [history, points] = await Promise.all([
    db
      .selectFrom('deployment_status_history')
      .select(['status', 'previous', 'actor', 'reason', 'created_at'])
      .where('deployment_id', '=', id)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('deployment_metrics')
      .select(['key', 'value', 'timestamp'])
      .where('deployment_id', '=', id)
      .orderBy('key')
      .orderBy('timestamp')
      .orderBy('id')
      .execute()
  ]);
  const metrics: Record<string, { value: number; timestamp: number }[]> = {};
  for (const p of points) {
    (metrics[p.key] ??= []).push({
      value: p.value,
      timestamp: Number(p.timestamp)
    });
  }
  return { ...deployment, history, metrics };
}

/**
 * Moves a deployment to `status` inside `trx` (the row is re-read there, so two concurrent
 * changes cannot both start from the same status). Returns null when it already has that status.
 */
async function transition(
  trx: Db,
  modelId: number,
  id: number,
  status: DeploymentStatus,
  actor: string,
  reason: string
): Promise<DeploymentView | null> {
  const current = await trx
    .selectFrom('deployments')
    .select('status')
    .where('model_id', '=', modelId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!current) {
    throw notFound(`deployment ${id}`);
  }
  const from = current.status as DeploymentStatus;
  if (from === status) {
    return null;
  }
  if (!NEXT[from]?.includes(status)) {
    const allowed = NEXT[from]?.length
      ? NEXT[from].join(' or ')
      : 'nothing (retired is final; record a new deployment)';
    throw new ApiError(
      'CONFLICT',
      `deployment ${id} is ${from}; it can become ${allowed}, not ${status}`
    );
  }
  const now = nowIso();
  const moved = await trx
    .updateTable('deployments')
    .set({ status, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) === 0) {
    throw new ApiError(
      'CONFLICT',
      `deployment ${id} changed meanwhile; read it again and retry`
    );
  }
  await trx
    .insertInto('deployment_status_history')
    .values({
      deployment_id: id,
      status,
      previous: from,
      actor,
      reason,
      created_at: now
    })
    .execute();
  const deployment = view(
    await selectDeployments(trx)
      .where('deployments.id', '=', id)
      .executeTakeFirstOrThrow()
  );
  await recordActivity(trx, modelId, 'deployment.recorded', actor, {
    id,
    environment: deployment.environment,
    from,
    status,
    reason
  });
  await emitEvent(trx, modelId, 'deployment.updated', actor, {
    ...deployment,
    previous_status: from,
    reason
  });
  return deployment;
}

export async function updateDeploymentStatus(
  db: Db,
  modelId: number,
  id: number,
  status: DeploymentStatus,
  actor: string,
  reason: string
): Promise<DeploymentView> {
  const moved = await db
    .transaction()
    .execute(trx => transition(trx, modelId, id, status, actor, reason));
  return moved ?? findDeployment(db, modelId, id);
}

export function parseThresholds(text: string): Threshold[] {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export async function readThresholds(
  db: Db,
  modelId: number
): Promise<Threshold[]> {
  const row = await db
    .selectFrom('models')
    .select('deployment_thresholds')
    .where('id', '=', modelId)
    .executeTakeFirstOrThrow();
  return parseThresholds(row.deployment_thresholds);
}

export async function writeThresholds(
  db: Db,
  modelId: number,
  thresholds: Threshold[],
  actor: string
): Promise<void> {
  await db.transaction().execute(async trx => {
    await trx
      .updateTable('models')
      .set({
        deployment_thresholds: JSON.stringify(thresholds),
        updated_at: nowIso()
      })
      .where('id', '=', modelId)
      .execute();
    await recordActivity(trx, modelId, 'card.edited', actor, {
      fields: ['deployment_thresholds']
    });
    await emitEvent(trx, modelId, 'card.updated', actor, {
      fields: ['deployment_thresholds'],
      deployment_thresholds: thresholds
    });
  });
}

function breach(t: Threshold, value: number): string | null {
  if (t.min !== undefined && value < t.min) {
    return `live ${t.metric} = ${value} is below its threshold ${t.min}`;
  }
  if (t.max !== undefined && value > t.max) {
    return `live ${t.metric} = ${value} is above its threshold ${t.max}`;
  }
  return null;
}

export interface LiveMetric {
  key: string;
  value: number;
  timestamp?: number;
}

/**
 * Records live metrics; when the newest value of a metric leaves its threshold, an active
 * deployment becomes degraded in the same transaction (and deployment.updated is raised).
 */
export async function recordLiveMetrics(
  db: Db,
  modelId: number,
  id: number,
  points: LiveMetric[],
  actor: string
) {
  return db.transaction().execute(async trx => {
    const deployment = await findDeployment(trx, modelId, id);
    const now = Date.now();
    if (points.length) {
      await trx
        .insertInto('deployment_metrics')
        .values(
          points.map(p => ({
            deployment_id: id,
            key: p.key,
            value: p.value,
            timestamp: p.timestamp ?? now
          }))
        )
        .execute();
    }
    const thresholds = (await readThresholds(trx, modelId)).filter(
      t => !t.environment || t.environment === deployment.environment
    );
    const keys = new Set(points.map(p => p.key));
    let reason: string | null = null;
    for (const t of thresholds) {
      if (!keys.has(t.metric) || reason) {
        continue;
      }
      const newest = await trx
        .selectFrom('deployment_metrics')
        .select('value')
        .where('deployment_id', '=', id)
        .where('key', '=', t.metric)
        .orderBy('timestamp', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      reason = breach(t, newest.value);
    }
    let status = deployment.status;
    // Thresholds apply to a deployment that is serving: pending is not yet, degraded already is, retired no longer.
    if (reason && status === 'active') {
      await transition(trx, modelId, id, 'degraded', actor, reason);
      status = 'degraded';
    }
    return { accepted: points.length, status, breach: reason };
  });
}

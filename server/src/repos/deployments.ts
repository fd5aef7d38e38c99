import type { Db } from '../db/database';
import { nowIso } from '../db/database';
import { recordActivity } from './activity';

export interface DeploymentInput {
  environment: string;
  url?: string | null;
  status: string;
}

export async function recordDeployment(
  db: Db,
  modelId: number,
  version: { id: number; version: string },
  input: DeploymentInput,
  actor: string
) {
  return db.transaction().execute(async trx => {
    const row = await trx
      .insertInto('deployments')
      .values({
        model_id: modelId,
        version_id: version.id,
        environment: input.environment,
        url: input.url ?? null,
        status: input.status,
        created_by: actor,
        created_at: nowIso()
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordActivity(trx, modelId, 'deployment.recorded', actor, {
      version: version.version,
      environment: input.environment,
      status: input.status
    });
    return row.id;
  });
}

export async function listDeployments(
  db: Db,
  modelId: number,
  environment?: string
) {
  let q = db
    .selectFrom('deployments')
    .innerJoin('versions', 'versions.id', 'deployments.version_id')
    .select([
      'deployments.id',
      'versions.version',
      'deployments.environment',
      'deployments.url',
      'deployments.status',
      'deployments.created_by',
      'deployments.created_at'
    ])
    .where('deployments.model_id', '=', modelId);
  if (environment) {
    q = q.where('deployments.environment', '=', environment);
  }
  return q.orderBy('deployments.id', 'desc').execute();
}

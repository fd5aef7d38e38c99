import type { Db, VersionRow } from '../db/database';
import { ApiError, badRequest } from '../errors';

/** GTO's tag for a version: `<model name>@v<semver>`. */
export function gitTagName(modelName: string, version: string): string {
  return `${modelName}@v${version}`;
}

/**
 * Records the git tag the client created for a version. Write-once like the version itself:
 * the same tag again is fine, another tag or commit is a conflict.
 */
export async function recordGitTag(
  db: Db,
  modelName: string,
  version: VersionRow,
  tag: string,
  commit: string
): Promise<void> {
  const expected = gitTagName(modelName, version.version);
  if (tag !== expected) {
    throw badRequest(
      `the tag of version ${version.version} is "${expected}" (GTO's <model name>@v<semver>), not "${tag}"`
    );
  }
  const candidate = await db
    .selectFrom('candidates')
    .select('git_commit')
    .where('id', '=', version.candidate_id)
    .executeTakeFirstOrThrow();
  const trained = candidate.git_commit;
  if (trained && !(commit.startsWith(trained) || trained.startsWith(commit))) {
    throw badRequest(
      `version ${version.version} was trained on commit ${trained}, not ${commit}; tag that commit`
    );
  }
  await db.transaction().execute(async trx => {
    const current = await trx
      .selectFrom('versions')
      .select(['git_tag', 'git_commit'])
      .where('id', '=', version.id)
      .executeTakeFirstOrThrow();
    if (current.git_tag) {
      if (current.git_tag === tag && current.git_commit === commit) {
        return;
      }
      throw new ApiError(
        'CONFLICT',
        `version ${version.version} is already tagged ${current.git_tag} on ${current.git_commit}; tags are never moved`
      );
    }
    await trx
      .updateTable('versions')
      .set({ git_tag: tag, git_commit: commit })
      .where('id', '=', version.id)
      .where('git_tag', 'is', null)
      .execute();
  });
}

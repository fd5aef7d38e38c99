import crypto from 'node:crypto';
import type { Db, VersionRow } from '../db/database';
import { candidateViews } from './candidates';
import { manifests } from './artifacts';
import { aliasesByVersion } from './versions';
import type { VersionView } from '../schemas/objects';

/** The API shape of versions: the frozen content comes from the locked candidate behind each. */
export async function versionViews(
  db: Db,
  rows: VersionRow[],
  modelFullName: string
): Promise<VersionView[]> {
  if (!rows.length) {
    return [];
  }
  const candidates = await db
    .selectFrom('candidates')
    .selectAll()
    .where(
      'id',
      'in',
      rows.map(r => r.candidate_id)
    )
    .execute();
  const [views, files, aliases] = await Promise.all([
    candidateViews(db, candidates, modelFullName),
    manifests(
      db,
      rows.map(r => r.candidate_id)
    ),
    aliasesByVersion(db, rows[0].model_id)
  ]);
  const viewById = new Map(candidates.map((c, i) => [c.id, views[i]]));
  return rows.map(r => {
    const c = viewById.get(r.candidate_id)!;
    const versionFiles = files
      .filter(f => f.candidate_id === r.candidate_id)
      .map(f => ({ path: f.path, sha256: f.sha256, size: Number(f.size) }))
      .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    return {
      version: r.version,
      model: modelFullName,
      candidate: c.iid,
      run_id: c.run_id,
      notes: r.notes,
      locked: true,
      yanked: r.yanked === 1,
      yank_reason: r.yank_reason,
      prerelease: r.prerelease === 1,
      params: c.params,
      metrics: c.metrics,
      provenance: c.provenance,
      files: versionFiles,
      manifest_digest: manifestDigest(versionFiles),
      git_tag: r.git_tag ?? null,
      git_commit: r.git_commit ?? null,
      aliases: aliases.get(r.id) ?? [],
      mlflow_version: r.mlflow_version,
      card_revision: r.card_revision,
      created_by: r.created_by,
      created_at: r.created_at
    };
  });
}

/**
 * One digest for a version's files: sha256 over "<sha256>  <path>\n" lines sorted by path
 * (sha256sum's format). It goes into git tag messages, so a tag names exact bytes.
 */
export function manifestDigest(
  files: { path: string; sha256: string }[]
): string {
  const lines = files.map(f => `${f.sha256}  ${f.path}\n`).join('');
  return 'sha256:' + crypto.createHash('sha256').update(lines).digest('hex');
}

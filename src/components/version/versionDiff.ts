/** What changed from one version to the next: params, final metrics, files by digest. */
import { IArtifact, IMetricValue } from '../../registryTypes';

export interface IVersionContent {
  params: { [key: string]: string };
  metrics: { [key: string]: IMetricValue };
  files: IArtifact[];
}

export interface IChange<T> {
  key: string;
  before: T | null;
  after: T | null;
}

export interface IVersionChanges {
  params: IChange<string>[];
  metrics: IChange<number>[];
  files: (IChange<string> & { status: 'added' | 'removed' | 'changed' })[];
  unchangedFiles: number;
}

function changed<T>(
  before: { [k: string]: T },
  after: { [k: string]: T },
  same: (a: T, b: T) => boolean
): IChange<T>[] {
  const keys = [
    ...new Set([...Object.keys(before), ...Object.keys(after)])
  ].sort();
  return keys
    .filter(k => !(k in before && k in after && same(before[k], after[k])))
    .map(k => ({
      key: k,
      before: k in before ? before[k] : null,
      after: k in after ? after[k] : null
    }));
}

/** Only what differs; files compare by sha256, so a renamed-but-same file shows as removed + added. */
export function versionChanges(
  previous: IVersionContent,
  current: IVersionContent
): IVersionChanges {
  const digests = (files: IArtifact[]) =>
    Object.fromEntries(files.map(f => [f.path, f.sha256]));
  const values = (m: IVersionContent['metrics']) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.value]));
  const fileChanges = changed(
    digests(previous.files),
    digests(current.files),
    (a, b) => a === b
  );
  return {
    params: changed(previous.params, current.params, (a, b) => a === b),
    metrics: changed(
      values(previous.metrics),
      values(current.metrics),
      (a, b) => a === b
    ),
    files: fileChanges.map(c => ({
      ...c,
      status:
        c.before === null ? 'added' : c.after === null ? 'removed' : 'changed'
    })),
    unchangedFiles:
      current.files.length - fileChanges.filter(c => c.after !== null).length
  };
}

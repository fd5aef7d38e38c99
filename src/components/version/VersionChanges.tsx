/** "What changed since the previous version": params, metrics and files by digest. */
import * as React from 'react';

import { formatMetric, shortDigest } from '../../format';
import { usePanel } from '../context';
import { IVersionChanges } from './versionDiff';

export interface IVersionChangesProps {
  previous: string;
  changes: IVersionChanges;
}

export function VersionChanges(props: IVersionChangesProps): JSX.Element {
  const { trans } = usePanel();
  const { params, metrics, files, unchangedFiles } = props.changes;
  const none = trans.__('(none)');
  const rows: { kind: string; key: string; before: string; after: string }[] = [
    ...params.map(c => ({
      kind: trans.__('param'),
      key: c.key,
      before: c.before ?? none,
      after: c.after ?? none
    })),
    ...metrics.map(c => ({
      kind: trans.__('metric'),
      key: c.key,
      before: c.before === null ? none : formatMetric(c.before),
      after: c.after === null ? none : formatMetric(c.after)
    })),
    ...files.map(c => ({
      kind:
        c.status === 'added'
          ? trans.__('file added')
          : c.status === 'removed'
            ? trans.__('file removed')
            : trans.__('file changed'),
      key: c.key,
      before: c.before ? shortDigest(c.before) : none,
      after: c.after ? shortDigest(c.after) : none
    }))
  ];
  return (
    <div data-testid="modelreg-version-changes">
      <p>{trans.__('Compared with version %1.', props.previous)}</p>
      {rows.length === 0 ? (
        <div className="jp-modelreg-muted">
          {trans.__('Nothing changed: same params, metrics and files.')}
        </div>
      ) : (
        <table className="jp-modelreg-table">
          <thead>
            <tr>
              <th>{trans.__('What')}</th>
              <th>{trans.__('Name')}</th>
              <th>{props.previous}</th>
              <th>{trans.__('This version')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(r => (
              <tr
                key={`${r.kind}:${r.key}`}
                data-testid="modelreg-version-change"
                data-key={r.key}
              >
                <td>{r.kind}</td>
                <td>{r.key}</td>
                <td>{r.before}</td>
                <td>{r.after}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {unchangedFiles > 0 && (
        <div className="jp-modelreg-muted">
          {trans._n('%1 file unchanged', '%1 files unchanged', unchangedFiles)}
        </div>
      )}
    </div>
  );
}

/** The frozen content of a version: params, final metrics with their history, provenance, files. */
import * as React from 'react';

import { registry } from '../../api';
import { formatBytes, formatMetric, shortDigest } from '../../format';
import { IVersionDetail } from '../../cardApi';
import { usePanel } from '../context';
import { MetricChart } from '../MetricChart';
import { useAsync } from '../useAsync';

export interface IVersionPartProps {
  fullName: string;
  version: IVersionDetail;
}

export function VersionParams(props: IVersionPartProps): JSX.Element {
  const { trans } = usePanel();
  const entries = Object.entries(props.version.params).sort(([a], [b]) =>
    a < b ? -1 : 1
  );
  if (!entries.length) {
    return (
      <div className="jp-modelreg-muted">{trans.__('No params recorded.')}</div>
    );
  }
  return (
    <table className="jp-modelreg-table" data-testid="modelreg-version-params">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function VersionMetrics(props: IVersionPartProps): JSX.Element {
  const { trans } = usePanel();
  const keys = Object.keys(props.version.metrics).sort();
  const histories = useAsync(
    () =>
      Promise.all(
        keys.map(k =>
          registry.metricHistory(props.fullName, props.version.candidate, k)
        )
      ),
    [props.fullName, props.version.version]
  );
  if (!keys.length) {
    return (
      <div className="jp-modelreg-muted">
        {trans.__('No metrics recorded.')}
      </div>
    );
  }
  return (
    <div data-testid="modelreg-version-metrics">
      <table className="jp-modelreg-table">
        <tbody>
          {keys.map(k => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{formatMetric(props.version.metrics[k].value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="jp-modelreg-charts">
        {(histories.value ?? [])
          .filter(h => h.history.length > 1)
          .map(h => (
            <MetricChart
              key={h.key}
              metric={h.key}
              series={[h.history]}
              labels={[props.version.version]}
            />
          ))}
      </div>
    </div>
  );
}

export function VersionProvenance(props: IVersionPartProps): JSX.Element {
  const { trans } = usePanel();
  const p = props.version.provenance ?? {};
  const rows: [string, React.ReactNode][] = [
    [trans.__('Notebook'), p.notebook?.path],
    [trans.__('Notebook snapshot'), p.notebook?.snapshot],
    [
      trans.__('Git commit'),
      p.git?.commit &&
        `${p.git.commit}${p.git.dirty ? ` (${trans.__('uncommitted changes')})` : ''}`
    ],
    [trans.__('Git branch'), p.git?.branch],
    [trans.__('Git remote'), p.git?.remote],
    [
      trans.__('CI job'),
      p.ci?.job_url ? (
        <a href={p.ci.job_url} target="_blank" rel="noopener noreferrer">
          {p.ci.job_id ?? p.ci.job_url}
        </a>
      ) : (
        p.ci?.job_id
      )
    ],
    [trans.__('Pipeline'), p.ci?.pipeline_id],
    [trans.__('Merge request'), p.ci?.merge_request],
    [trans.__('Python'), p.environment?.python],
    [trans.__('Platform'), p.environment?.platform]
  ];
  const shown = rows.filter(([, v]) => v);
  if (!shown.length) {
    return (
      <div className="jp-modelreg-muted">
        {trans.__('No provenance recorded.')}
      </div>
    );
  }
  return (
    <dl className="jp-modelreg-facts" data-testid="modelreg-version-provenance">
      {shown.map(([label, value]) => (
        <React.Fragment key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

export function VersionFiles(props: IVersionPartProps): JSX.Element {
  const { trans } = usePanel();
  if (!props.version.files.length) {
    return <div className="jp-modelreg-muted">{trans.__('No files.')}</div>;
  }
  return (
    <table className="jp-modelreg-table" data-testid="modelreg-version-files">
      <thead>
        <tr>
          <th>{trans.__('Path')}</th>
          <th>{trans.__('Size')}</th>
          <th>{trans.__('sha256')}</th>
        </tr>
      </thead>
      <tbody>
        {props.version.files.map(f => (
          <tr key={f.path}>
            <td>
              <a
                href={registry.downloadUrl(
                  props.fullName,
                  { version: props.version.version },
                  f.path
                )}
                download
              >
                {f.path}
              </a>
            </td>
            <td>{formatBytes(f.size)}</td>
            <td title={f.sha256}>
              <code>{shortDigest(f.sha256)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

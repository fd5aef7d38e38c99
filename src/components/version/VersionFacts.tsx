/**
 * The content of a version (frozen) or a candidate: params, final metrics with their history,
 * provenance, files. The version page and the candidate page show them alike.
 */
import * as React from 'react';

import { registry } from '../../api';
import { formatBytes, formatMetric, shortDigest } from '../../format';
import { IVersionDetail } from '../../cardApi';
import { IArtifact, IMetricValue, IProvenance } from '../../registryTypes';
import { usePanel } from '../context';
import { MetricChart } from '../MetricChart';
import { useAsync } from '../useAsync';

export interface IVersionPartProps {
  fullName: string;
  version: IVersionDetail;
}

export function VersionParams(props: IVersionPartProps): JSX.Element {
  return (
    <ParamsTable
      params={props.version.params}
      testId="modelreg-version-params"
    />
  );
}

export function ParamsTable(props: {
  params: Record<string, string>;
  testId: string;
}): JSX.Element {
  const { trans } = usePanel();
  const entries = Object.entries(props.params ?? {}).sort(([a], [b]) =>
    a < b ? -1 : 1
  );
  if (!entries.length) {
    return (
      <div className="jp-modelreg-muted">{trans.__('No params recorded.')}</div>
    );
  }
  return (
    <table className="jp-modelreg-table" data-testid={props.testId}>
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
  return (
    <MetricsWithHistory
      fullName={props.fullName}
      candidate={props.version.candidate}
      metrics={props.version.metrics}
      label={props.version.version}
      testId="modelreg-version-metrics"
    />
  );
}

export interface IMetricsWithHistoryProps {
  fullName: string;
  /** The candidate whose history is read (a version's is its candidate's). */
  candidate: number;
  metrics: Record<string, IMetricValue>;
  /** The chart legend's name for the line. */
  label: string;
  testId: string;
}

export function MetricsWithHistory(
  props: IMetricsWithHistoryProps
): JSX.Element {
  const { trans } = usePanel();
  const keys = Object.keys(props.metrics ?? {}).sort();
  const histories = useAsync(
    () =>
      Promise.all(
        keys.map(k =>
          registry.metricHistory(props.fullName, props.candidate, k)
        )
      ),
    [props.fullName, props.candidate, props.label]
  );
  if (!keys.length) {
    return (
      <div className="jp-modelreg-muted">
        {trans.__('No metrics recorded.')}
      </div>
    );
  }
  return (
    <div data-testid={props.testId}>
      <table className="jp-modelreg-table">
        <tbody>
          {keys.map(k => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{formatMetric(props.metrics[k].value)}</td>
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
              labels={[props.label]}
            />
          ))}
      </div>
    </div>
  );
}

export function VersionProvenance(props: IVersionPartProps): JSX.Element {
  return (
    <ProvenanceFacts
      provenance={props.version.provenance}
      testId="modelreg-version-provenance"
    />
  );
}

export function ProvenanceFacts(props: {
  provenance: IProvenance | undefined;
  testId: string;
}): JSX.Element {
  const { trans } = usePanel();
  const p = props.provenance ?? {};
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
  return <FactList facts={shown} testId={props.testId} />;
}

/** Labelled facts; those without a value are left out by the caller. */
export function FactList(props: {
  facts: [string, React.ReactNode][];
  testId?: string;
}): JSX.Element {
  return (
    <dl className="jp-modelreg-facts" data-testid={props.testId}>
      {props.facts.map(([label, value]) => (
        <React.Fragment key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

export function VersionFiles(props: IVersionPartProps): JSX.Element {
  return (
    <FilesTable
      fullName={props.fullName}
      owner={{ version: props.version.version }}
      files={props.version.files}
      testId="modelreg-version-files"
    />
  );
}

export function FilesTable(props: {
  fullName: string;
  owner: { candidate: number } | { version: string };
  files: IArtifact[];
  testId: string;
}): JSX.Element {
  const { trans } = usePanel();
  if (!props.files.length) {
    return <div className="jp-modelreg-muted">{trans.__('No files.')}</div>;
  }
  return (
    <table className="jp-modelreg-table" data-testid={props.testId}>
      <thead>
        <tr>
          <th>{trans.__('Path')}</th>
          <th>{trans.__('Size')}</th>
          <th>{trans.__('sha256')}</th>
        </tr>
      </thead>
      <tbody>
        {props.files.map(f => (
          <tr key={f.path}>
            <td>
              <a
                href={registry.downloadUrl(props.fullName, props.owner, f.path)}
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

/** Compare: params aligned (differences highlighted), metrics (best highlighted), sweep plots, charts, file diff. */
import * as React from 'react';

import { registry } from '../api';
import { formatBytes, formatMetric, shortDigest } from '../format';
import { ICompareResult } from '../registryTypes';
import { usePanel } from './context';
import { MetricChart } from './MetricChart';
import { Empty, ErrorMessage, Loading } from './States';
import { SweepPlots } from './sweep/SweepPlots';
import { useAsync } from './useAsync';

export interface ICompareViewProps {
  /** `group/name`. */
  model: string;
  /** `c:<iid>` / `v:<version>`. */
  refs: string[];
}

export function CompareView(props: ICompareViewProps): JSX.Element {
  const { trans } = usePanel();
  const result = useAsync(
    () => registry.compare(props.model, props.refs),
    [props.model, props.refs.join(',')]
  );
  if (result.loading) {
    return <Loading label={trans.__('Comparing…')} />;
  }
  if (result.error || !result.value) {
    return (
      <ErrorMessage
        error={result.error ?? new Error('no result')}
        onRetry={result.reload}
      />
    );
  }
  return <CompareTables model={props.model} result={result.value} />;
}

interface ICompareTablesProps {
  model: string;
  result: ICompareResult;
}

function CompareTables(props: ICompareTablesProps): JSX.Element {
  const { trans } = usePanel();
  const { items, params, metrics, files } = props.result;
  const labels = items.map(i =>
    i.kind === 'version' ? `v${i.version}` : `#${i.iid} ${i.name ?? ''}`.trim()
  );
  const head = <TableHead first={[trans.__('Key')]} labels={labels} />;
  const charts = metrics.filter(m => m.history?.some(h => h.length > 1));

  return (
    <div className="jp-modelreg-compare-view">
      <h2>{trans.__('Compare %1', props.model)}</h2>

      <h3>{trans.__('Params')}</h3>
      {params.length === 0 ? (
        <Empty>{trans.__('No params logged.')}</Empty>
      ) : (
        <table
          className="jp-modelreg-table"
          data-testid="modelreg-compare-params"
        >
          {head}
          <tbody>
            {params.map(p => (
              <tr
                key={p.key}
                className={p.differs ? 'jp-modelreg-differs' : ''}
                data-differs={p.differs}
              >
                <th scope="row">{p.key}</th>
                {p.values.map((v, i) => (
                  <td key={i}>{v ?? '–'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>{trans.__('Metrics')}</h3>
      {metrics.length === 0 ? (
        <Empty>{trans.__('No metrics logged.')}</Empty>
      ) : (
        <table
          className="jp-modelreg-table"
          data-testid="modelreg-compare-metrics"
        >
          {head}
          <tbody>
            {metrics.map(m => (
              <tr key={m.key}>
                <th
                  scope="row"
                  title={
                    m.goal === 'min'
                      ? trans.__('lower is better')
                      : trans.__('higher is better')
                  }
                >
                  {m.key} {m.goal === 'min' ? '↓' : '↑'}
                </th>
                {m.values.map((v, i) => (
                  <td
                    key={i}
                    className={m.best === i ? 'jp-modelreg-best' : ''}
                    data-best={m.best === i}
                    aria-label={
                      m.best === i
                        ? trans.__('%1 (best)', formatMetric(v))
                        : undefined
                    }
                  >
                    {formatMetric(v)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <SweepPlots result={props.result} labels={labels} />

      {charts.length > 0 && (
        <>
          <h3>{trans.__('Metric history')}</h3>
          <div className="jp-modelreg-charts">
            {charts.map(m => (
              <MetricChart
                key={m.key}
                metric={m.key}
                series={m.history}
                labels={labels}
              />
            ))}
          </div>
        </>
      )}

      <h3>{trans.__('Files')}</h3>
      {files.length === 0 ? (
        <Empty>{trans.__('No files attached.')}</Empty>
      ) : (
        <table
          className="jp-modelreg-table"
          data-testid="modelreg-compare-files"
        >
          <TableHead
            first={[trans.__('Path'), trans.__('Status')]}
            labels={labels}
          />
          <tbody>
            {files.map(f => (
              <tr
                key={f.path}
                className={`jp-modelreg-file-${f.status}`}
                data-status={f.status}
              >
                <th scope="row">{f.path}</th>
                <td>
                  <span
                    className={`jp-modelreg-chip jp-modelreg-diff-${f.status}`}
                  >
                    {statusLabel(f.status, trans.__.bind(trans))}
                  </span>
                </td>
                {f.entries.map((e, i) => (
                  <td key={i}>
                    {e ? (
                      <span title={`sha256:${e.sha256}`}>
                        {formatBytes(e.size)} ·{' '}
                        <code>{shortDigest(e.sha256)}</code>
                      </span>
                    ) : (
                      '–'
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Column headers: the fixed first columns, then one per compared item. */
function TableHead(props: { first: string[]; labels: string[] }): JSX.Element {
  return (
    <thead>
      <tr>
        {[...props.first, ...props.labels].map((label, i) => (
          <th scope="col" key={i}>
            {label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

function statusLabel(status: string, __: (s: string) => string): string {
  switch (status) {
    case 'same':
      return __('same');
    case 'changed':
      return __('changed');
    case 'added':
      return __('added');
    case 'removed':
      return __('removed');
    default:
      return status;
  }
}

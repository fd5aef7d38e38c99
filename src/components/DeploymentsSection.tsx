/** Deployments: each environment's version (or candidate), status, history and live metrics charts. */
import * as React from 'react';

import { registry } from '../api';
import { formatDate, formatMetric } from '../format';
import { ICard } from '../panelState';
import { IDeployment, IDeploymentDetail } from '../registryTypes';
import { MetricChart } from './MetricChart';
import { usePanel } from './context';
import { Empty } from './States';

export interface IDeploymentsSectionProps {
  card: ICard;
}

export function DeploymentsSection(
  props: IDeploymentsSectionProps
): JSX.Element {
  const { trans } = usePanel();
  const { deployments } = props.card;
  if (deployments.length === 0) {
    return (
      <Empty>
        {trans.__(
          'No deployments recorded. Record one with `modelreg deploy record` or from a CI job (docs/ci.md).'
        )}
      </Empty>
    );
  }
  return (
    <ul
      className="jp-modelreg-items"
      aria-label={trans.__('Deployments')}
      data-testid="modelreg-deployment-list"
    >
      {deployments.map(d => (
        <DeploymentItem key={d.id} card={props.card} deployment={d} />
      ))}
    </ul>
  );
}

interface IDeploymentItemProps {
  card: ICard;
  deployment: IDeployment;
}

/** One deployment; its history and live metrics are loaded when opened. */
function DeploymentItem(props: IDeploymentItemProps): JSX.Element {
  const { trans } = usePanel();
  const { deployment: d, card } = props;
  const [open, setOpen] = React.useState(false);
  const [detail, setDetail] = React.useState<IDeploymentDetail | null>(null);
  const [error, setError] = React.useState<string | null>(null);

  async function toggle(): Promise<void> {
    const next = !open;
    setOpen(next);
    if (next) {
      try {
        setDetail(await registry.getDeployment(card.model.full_name, d.id));
        setError(null);
      } catch (e) {
        setError(String((e as Error).message ?? e));
      }
    }
  }

  const what = d.version
    ? d.version
    : trans.__('candidate #%1', d.candidate ?? '?');
  const version = d.version
    ? card.versions.find(v => v.version === d.version)
    : undefined;
  return (
    <li
      className="jp-modelreg-item"
      data-testid="modelreg-deployment"
      data-environment={d.environment}
      data-status={d.status}
    >
      <div className="jp-modelreg-item-head">
        <strong>{d.environment}</strong> {what}
        <span
          className={`jp-modelreg-chip${d.status === 'degraded' ? ' jp-modelreg-chip-warn' : ''}`}
          data-testid="modelreg-deployment-status"
        >
          {d.status}
        </span>
        {d.url && (
          <a href={d.url} target="_blank" rel="noopener noreferrer">
            {d.url}
          </a>
        )}
      </div>
      <div className="jp-modelreg-row-end">
        <button
          className="jp-mod-styled jp-modelreg-small"
          data-testid="modelreg-deployment-toggle"
          aria-expanded={open}
          onClick={() => void toggle()}
        >
          {open ? trans.__('Hide details') : trans.__('Live metrics')}
        </button>
      </div>
      {open && error && <div className="jp-modelreg-invalid">{error}</div>}
      {open && detail && (
        <div data-testid="modelreg-deployment-detail">
          {Object.keys(detail.metrics).length === 0 ? (
            <Empty>
              {trans.__(
                'No live metrics yet: send them with `modelreg monitor log`.'
              )}
            </Empty>
          ) : (
            Object.entries(detail.metrics).map(([key, points]) => (
              <div key={key} data-testid="modelreg-live-metric" data-key={key}>
                <MetricChart
                  metric={key}
                  series={[
                    points.map((p, i) => ({
                      step: i,
                      value: p.value,
                      timestamp: p.timestamp
                    }))
                  ]}
                  labels={[trans.__('%1 (live)', d.environment)]}
                  width={240}
                />
                <div className="jp-modelreg-muted">
                  {trans.__(
                    'latest %1 · %2 values',
                    formatMetric(points[points.length - 1].value),
                    points.length
                  )}
                </div>
              </div>
            ))
          )}
          {version && Object.keys(version.metrics).length > 0 && (
            <div className="jp-modelreg-muted">
              {trans.__(
                'Training metrics of %1: %2',
                version.version,
                Object.entries(version.metrics)
                  .map(([k, m]) => `${k} ${formatMetric(m.value)}`)
                  .join(', ')
              )}
            </div>
          )}
          <ol
            className="jp-modelreg-simple-list"
            aria-label={trans.__('Status history')}
          >
            {detail.history.map((h, i) => (
              <li key={i} data-testid="modelreg-deployment-change">
                {h.previous ? `${h.previous} → ${h.status}` : h.status} ·{' '}
                {h.actor} · {formatDate(h.created_at)}
                {h.reason ? ` · ${h.reason}` : ''}
              </li>
            ))}
          </ol>
        </div>
      )}
    </li>
  );
}

/**
 * Deployments: each environment's version (or candidate), status and its history, live metrics
 * charted next to the training metrics, the actions (record, change status) and the card's
 * monitoring thresholds.
 */
import * as React from 'react';

import { registry } from '../api';
import { formatDate } from '../format';
import { ICard } from '../panelState';
import { IDeployment, IDeploymentDetail } from '../registryTypes';
import { usePanel } from './context';
import { DeploymentStatusButton } from './deployments/DeploymentStatusButton';
import { LiveMetrics } from './deployments/LiveMetrics';
import { RecordDeploymentButton } from './deployments/RecordDeploymentButton';
import { Thresholds } from './deployments/Thresholds';
import { Empty } from './States';

export interface IDeploymentsSectionProps {
  card: ICard;
}

export function DeploymentsSection(
  props: IDeploymentsSectionProps
): JSX.Element {
  const { trans } = usePanel();
  const { deployments, model } = props.card;
  return (
    <div data-testid="modelreg-deployments-section">
      <div className="jp-modelreg-row-end">
        <RecordDeploymentButton
          fullName={model.full_name}
          role={model.your_role}
          testId="modelreg-deployments-record"
        />
      </div>
      {deployments.length === 0 ? (
        <Empty>
          {trans.__(
            'No deployments recorded. Record one here, with `modelreg deploy record` or from a CI job (docs/ci.md).'
          )}
        </Empty>
      ) : (
        <ul
          className="jp-modelreg-items"
          aria-label={trans.__('Deployments')}
          data-testid="modelreg-deployment-list"
        >
          {deployments.map(d => (
            <DeploymentItem key={d.id} card={props.card} deployment={d} />
          ))}
        </ul>
      )}
      <Thresholds fullName={model.full_name} role={model.your_role} />
    </div>
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

  async function load(): Promise<void> {
    try {
      setDetail(await registry.getDeployment(card.model.full_name, d.id));
      setError(null);
    } catch (e) {
      setError(String((e as Error).message ?? e));
    }
  }

  // Reloaded when the card is (a status change, new live metrics) while open.
  React.useEffect(() => {
    if (open) {
      void load();
    }
  }, [open, d.status, d.updated_at]);

  const what = d.version
    ? d.version
    : trans.__('candidate #%1', d.candidate ?? '?');
  const version = d.version
    ? card.versions.find(v => v.version === d.version)
    : undefined;
  const trainedBy = version?.candidate ?? d.candidate ?? null;
  const trainingKeys = version
    ? Object.keys(version.metrics)
    : Object.keys(
        card.candidates.find(c => c.iid === d.candidate)?.metrics ?? {}
      );
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
        <DeploymentStatusButton
          fullName={card.model.full_name}
          role={card.model.your_role}
          deployment={d}
        />
        <button
          className="jp-mod-styled jp-modelreg-small"
          data-testid="modelreg-deployment-toggle"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? trans.__('Hide details') : trans.__('Live metrics')}
        </button>
      </div>
      {open && error && <div className="jp-modelreg-invalid">{error}</div>}
      {open && detail && (
        <div data-testid="modelreg-deployment-detail">
          <LiveMetrics
            fullName={card.model.full_name}
            detail={detail}
            trainedBy={trainedBy}
            trainingKeys={trainingKeys}
          />
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

/**
 * A deployment's live metrics, each charted next to the training metric it watches (same key, or
 * the key without a `live_` prefix: live_accuracy ↔ accuracy), from the version's frozen history.
 */
import * as React from 'react';

import { registry } from '../../api';
import { formatMetric } from '../../format';
import { IDeploymentDetail, IMetricPoint } from '../../registryTypes';
import { usePanel } from '../context';
import { MetricChart } from '../MetricChart';
import { Empty } from '../States';
import { useAsync } from '../useAsync';

export interface ILiveMetricsProps {
  fullName: string;
  detail: IDeploymentDetail;
  /** The candidate whose training metrics the deployment serves (a version's, or the deployed one). */
  trainedBy: number | null;
  /** Its final metrics' keys. */
  trainingKeys: string[];
}

/** The training metric a live metric is compared with, or null. */
export function trainingKeyFor(live: string, keys: string[]): string | null {
  const bare = live.replace(/^live[_.-]/i, '');
  return keys.find(k => k === live) ?? keys.find(k => k === bare) ?? null;
}

export function LiveMetrics(props: ILiveMetricsProps): JSX.Element {
  const { trans } = usePanel();
  const { detail, trainedBy } = props;
  const live = Object.entries(detail.metrics);
  const paired = live
    .map(([key]) => trainingKeyFor(key, props.trainingKeys))
    .filter((k): k is string => !!k);
  const training = useAsync(
    async () =>
      trainedBy === null
        ? {}
        : Object.fromEntries(
            await Promise.all(
              [...new Set(paired)].map(async k => [
                k,
                (await registry.metricHistory(props.fullName, trainedBy, k))
                  .history
              ])
            )
          ),
    [props.fullName, trainedBy, paired.join('\n')]
  );
  if (!live.length) {
    return (
      <Empty>
        {trans.__(
          'No live metrics yet: send them with `modelreg monitor log`.'
        )}
      </Empty>
    );
  }
  return (
    <div className="jp-modelreg-charts">
      {live.map(([key, points]) => {
        const trainingKey = trainingKeyFor(key, props.trainingKeys);
        const history: IMetricPoint[] | undefined = trainingKey
          ? (training.value as Record<string, IMetricPoint[]> | null)?.[
              trainingKey
            ]
          : undefined;
        return (
          <div
            key={key}
            className="jp-modelreg-live-pair"
            data-testid="modelreg-live-metric"
            data-key={key}
          >
            <MetricChart
              metric={key}
              series={[
                points.map((p, i) => ({
                  step: i,
                  value: p.value,
                  timestamp: p.timestamp
                }))
              ]}
              labels={[trans.__('%1 (live)', detail.environment)]}
              width={240}
            />
            {history && history.length > 0 && (
              <div
                data-testid="modelreg-training-metric"
                data-key={trainingKey}
              >
                <MetricChart
                  metric={trainingKey!}
                  series={[history]}
                  labels={[trans.__('training')]}
                  width={240}
                />
              </div>
            )}
            <div className="jp-modelreg-muted">
              {trans.__(
                'latest %1 · %2 values',
                formatMetric(points[points.length - 1].value),
                points.length
              )}
              {history && history.length > 0
                ? ` · ${trans.__(
                    'trained %1 = %2',
                    trainingKey!,
                    formatMetric(history[history.length - 1].value)
                  )}`
                : ''}
            </div>
          </div>
        );
      })}
    </div>
  );
}

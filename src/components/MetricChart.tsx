/** A small line chart of metric histories, one line per compared item, as inline SVG. */
import * as React from 'react';

import { formatMetric } from '../format';
import { IMetricPoint } from '../registryTypes';

export interface IMetricChartProps {
  metric: string;
  /** One series per compared item (may be empty). */
  series: IMetricPoint[][];
  /** Legend labels, same order as `series`. */
  labels: string[];
  width?: number;
  height?: number;
}

const PAD = { left: 44, right: 8, top: 8, bottom: 20 };

/** Maps the series into the chart's pixel space; exported for tests. */
export function chartPaths(
  series: IMetricPoint[][],
  width: number,
  height: number
): { paths: string[]; min: number; max: number; maxStep: number } {
  const points = series.flat();
  if (points.length === 0) {
    return { paths: series.map(() => ''), min: 0, max: 0, maxStep: 0 };
  }
  const steps = points.map((p, i) => p.step ?? i);
  const values = points.map(p => p.value);
  const minStep = Math.min(...steps);
  const maxStep = Math.max(...steps);
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const x = (step: number) =>
    PAD.left +
    (maxStep === minStep
      ? w / 2
      : ((step - minStep) / (maxStep - minStep)) * w);
  const y = (value: number) => PAD.top + h - ((value - min) / (max - min)) * h;
  const paths = series.map(s =>
    [...s]
      .sort((a, b) => (a.step ?? 0) - (b.step ?? 0))
      .map(
        (p, i) =>
          `${i === 0 ? 'M' : 'L'}${x(p.step ?? i).toFixed(1)},${y(p.value).toFixed(1)}`
      )
      .join(' ')
  );
  return { paths, min, max, maxStep };
}

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const width = props.width ?? 320;
  const height = props.height ?? 140;
  const { paths, min, max } = chartPaths(props.series, width, height);
  return (
    <figure
      className="jp-modelreg-chart"
      data-testid="modelreg-metric-chart"
      data-metric={props.metric}
    >
      <figcaption>{props.metric}</figcaption>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={`${props.metric} history`}
      >
        <line
          className="jp-modelreg-chart-axis"
          x1={PAD.left}
          y1={height - PAD.bottom}
          x2={width - PAD.right}
          y2={height - PAD.bottom}
        />
        <line
          className="jp-modelreg-chart-axis"
          x1={PAD.left}
          y1={PAD.top}
          x2={PAD.left}
          y2={height - PAD.bottom}
        />
        <text
          className="jp-modelreg-chart-label"
          x={PAD.left - 4}
          y={PAD.top + 8}
          textAnchor="end"
        >
          {formatMetric(max)}
        </text>
        <text
          className="jp-modelreg-chart-label"
          x={PAD.left - 4}
          y={height - PAD.bottom}
          textAnchor="end"
        >
          {formatMetric(min)}
        </text>
        {paths.map((d, i) =>
          d ? (
            <path
              key={i}
              d={d}
              className={`jp-modelreg-series jp-modelreg-series-${i % 6}`}
              fill="none"
            />
          ) : null
        )}
      </svg>
      <div className="jp-modelreg-legend">
        {props.labels.map((label, i) => (
          <span
            key={i}
            className={`jp-modelreg-legend-item jp-modelreg-series-${i % 6}`}
          >
            {label}
          </span>
        ))}
      </div>
    </figure>
  );
}

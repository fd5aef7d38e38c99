/** A small line chart of metric histories over steps, one line per compared item, as inline SVG. */
import * as React from 'react';

import { formatMetric } from '../format';
import { IMetricPoint } from '../registryTypes';
import {
  historyLines,
  IHistoryLine,
  nearestStep,
  stepTicks,
  valuesAtStep
} from './metricHistory';

export interface IMetricChartProps {
  metric: string;
  /** One series per compared item (may be empty). */
  series: IMetricPoint[][];
  /** Legend labels, same order as `series`. */
  labels: string[];
  width?: number;
  height?: number;
}

const PAD = { left: 44, right: 10, top: 8, bottom: 30 };

/** The chart's frame: where steps and values land in pixels. */
export interface IChartFrame {
  minStep: number;
  maxStep: number;
  min: number;
  max: number;
  x: (step: number) => number;
  y: (value: number) => number;
  /** The step under pixel column `px`. */
  stepAt: (px: number) => number;
}

/** Maps the lines into the chart's pixel space; exported for tests. */
export function chartFrame(
  lines: IHistoryLine[],
  width: number,
  height: number
): IChartFrame {
  const points = lines.flatMap(l => l.points);
  const steps = points.map(p => p.step);
  const values = points.map(p => p.value);
  const minStep = steps.length ? Math.min(...steps) : 0;
  const maxStep = steps.length ? Math.max(...steps) : 0;
  let min = values.length ? Math.min(...values) : 0;
  let max = values.length ? Math.max(...values) : 0;
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const span = maxStep - minStep;
  return {
    minStep,
    maxStep,
    min,
    max,
    x: step => PAD.left + (span === 0 ? w / 2 : ((step - minStep) / span) * w),
    y: value => PAD.top + h - ((value - min) / (max - min)) * h,
    stepAt: px =>
      span === 0 ? minStep : minStep + ((px - PAD.left) / w) * span
  };
}

/** The SVG path of one line. */
export function linePath(line: IHistoryLine, frame: IChartFrame): string {
  return line.points
    .map(
      (p, i) =>
        `${i === 0 ? 'M' : 'L'}${frame.x(p.step).toFixed(1)},${frame.y(p.value).toFixed(1)}`
    )
    .join(' ');
}

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const width = props.width ?? 320;
  const height = props.height ?? 150;
  const lines = historyLines(props.series, props.labels);
  const frame = chartFrame(lines, width, height);
  const [hoverStep, setHoverStep] = React.useState<number | null>(null);
  const bottom = height - PAD.bottom;

  function onMove(event: React.MouseEvent<SVGSVGElement>): void {
    const box = event.currentTarget.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * width;
    setHoverStep(nearestStep(lines, frame.stepAt(px)));
  }

  const readout = hoverStep === null ? [] : valuesAtStep(lines, hoverStep);
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
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${props.metric} history`}
        onMouseMove={onMove}
        onMouseLeave={() => setHoverStep(null)}
      >
        <line
          className="jp-modelreg-chart-axis"
          x1={PAD.left}
          y1={bottom}
          x2={width - PAD.right}
          y2={bottom}
        />
        <line
          className="jp-modelreg-chart-axis"
          x1={PAD.left}
          y1={PAD.top}
          x2={PAD.left}
          y2={bottom}
        />
        <text
          className="jp-modelreg-chart-label"
          x={PAD.left - 4}
          y={PAD.top + 8}
          textAnchor="end"
        >
          {formatMetric(frame.max)}
        </text>
        <text
          className="jp-modelreg-chart-label"
          x={PAD.left - 4}
          y={bottom}
          textAnchor="end"
        >
          {formatMetric(frame.min)}
        </text>
        {lines.length > 0 &&
          stepTicks(frame.minStep, frame.maxStep).map(step => (
            <text
              key={step}
              className="jp-modelreg-chart-label jp-modelreg-chart-step"
              x={frame.x(step)}
              y={bottom + 12}
              textAnchor="middle"
            >
              {step}
            </text>
          ))}
        <text
          className="jp-modelreg-chart-label"
          x={width - PAD.right}
          y={height - 2}
          textAnchor="end"
        >
          step
        </text>
        {lines.map(line =>
          line.points.length === 1 ? (
            <circle
              key={line.item}
              cx={frame.x(line.points[0].step)}
              cy={frame.y(line.points[0].value)}
              r={3}
              className={`jp-modelreg-series jp-modelreg-series-${line.item % 6}`}
            />
          ) : (
            <path
              key={line.item}
              d={linePath(line, frame)}
              className={`jp-modelreg-series jp-modelreg-series-${line.item % 6}`}
              fill="none"
            />
          )
        )}
        {hoverStep !== null && (
          <line
            className="jp-modelreg-chart-cursor"
            x1={frame.x(hoverStep)}
            y1={PAD.top}
            x2={frame.x(hoverStep)}
            y2={bottom}
          />
        )}
      </svg>
      <div className="jp-modelreg-chart-readout" aria-live="polite">
        {hoverStep !== null && (
          <>
            <span>step {hoverStep}</span>
            {readout.map(r => (
              <span
                key={r.item}
                className={`jp-modelreg-legend-item jp-modelreg-series-${r.item % 6}`}
              >
                {r.label}: {formatMetric(r.value)}
              </span>
            ))}
          </>
        )}
      </div>
      <div className="jp-modelreg-legend">
        {lines.map(line => (
          <span
            key={line.item}
            className={`jp-modelreg-legend-item jp-modelreg-series-${line.item % 6}`}
          >
            {line.label}
          </span>
        ))}
      </div>
    </figure>
  );
}

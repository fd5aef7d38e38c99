/** Parallel coordinates: one vertical axis per varied param and per metric, one line per compared item. */
import * as React from 'react';

import { usePanel } from '../context';
import { itemRuns, ISweepAxis } from './sweepAxes';

export interface IParallelCoordinatesProps {
  axes: ISweepAxis[];
  labels: string[];
}

// Room at the sides for the first and last axis names, centred on their axes.
const PAD = { left: 48, right: 48, top: 28, bottom: 24 };
const AXIS_GAP = 110;
const HEIGHT = 220;

export function ParallelCoordinates(
  props: IParallelCoordinatesProps
): JSX.Element {
  const { trans } = usePanel();
  const [hovered, setHovered] = React.useState<number | null>(null);
  const { axes, labels } = props;
  const width = PAD.left + PAD.right + Math.max(1, axes.length - 1) * AXIS_GAP;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const x = (a: number) => PAD.left + a * AXIS_GAP;
  const y = (place: number) => PAD.top + h - place * h;

  return (
    <figure
      className="jp-modelreg-chart jp-modelreg-parallel"
      data-testid="modelreg-parallel-coordinates"
    >
      <figcaption>
        {hovered === null
          ? trans.__('Parallel coordinates: hover a line to name it')
          : labels[hovered]}
      </figcaption>
      <svg
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={trans.__('Parallel coordinates of the compared items')}
      >
        {axes.map((axis, a) => (
          <g key={`${axis.kind}:${axis.key}`} data-axis={axis.key}>
            <line
              className="jp-modelreg-chart-axis"
              x1={x(a)}
              y1={PAD.top}
              x2={x(a)}
              y2={PAD.top + h}
            />
            <text
              className="jp-modelreg-chart-label jp-modelreg-axis-name"
              x={x(a)}
              y={PAD.top - 14}
              textAnchor="middle"
            >
              <title>{axis.key}</title>
              {axisName(axis)}
            </text>
          </g>
        ))}
        {labels.map((label, item) =>
          itemRuns(axes, item).map((run, r) => (
            <polyline
              key={`${item}-${r}`}
              data-item={item}
              className={`jp-modelreg-series jp-modelreg-series-${item % 6}${
                hovered === item ? ' jp-mod-hovered' : ''
              }`}
              points={run.map(([a, place]) => `${x(a)},${y(place)}`).join(' ')}
              fill="none"
              onMouseEnter={() => setHovered(item)}
              onMouseLeave={() => setHovered(null)}
            >
              <title>{label}</title>
            </polyline>
          ))
        )}
        {/* Drawn after the lines, with a halo, so a line that ends at a tick does not hide it. */}
        {axes.map((axis, a) =>
          axis.ticks.map(([place, text]) => (
            <text
              key={`${axis.kind}:${axis.key}:${text}`}
              className="jp-modelreg-chart-label jp-modelreg-tick"
              x={x(a) + 4}
              y={y(place) + 3}
            >
              {text.length > 12 ? `${text.slice(0, 11)}…` : text}
            </text>
          ))
        )}
      </svg>
    </figure>
  );
}

/** The axis title: its key, an arrow for metrics saying which way is better. */
function axisName(axis: ISweepAxis): string {
  const name = axis.key.length > 16 ? `${axis.key.slice(0, 15)}…` : axis.key;
  if (axis.kind !== 'metric') {
    return name;
  }
  return `${name} ${axis.goal === 'min' ? '↓' : '↑'}`;
}

/** Param-vs-metric scatter: the user picks a param for x and a metric for y; one dot per item. */
import * as React from 'react';

import { usePanel } from '../context';
import { ISweepAxis, scatterPoints } from './sweepAxes';

export interface IParamScatterProps {
  params: ISweepAxis[];
  metrics: ISweepAxis[];
  labels: string[];
}

const WIDTH = 340;
const HEIGHT = 220;
const PAD = { left: 48, right: 16, top: 12, bottom: 36 };

export function ParamScatter(props: IParamScatterProps): JSX.Element {
  const { trans } = usePanel();
  const [xKey, setXKey] = React.useState(props.params[0]?.key ?? '');
  const [yKey, setYKey] = React.useState(props.metrics[0]?.key ?? '');
  const [hovered, setHovered] = React.useState<number | null>(null);
  const xAxis = props.params.find(p => p.key === xKey) ?? props.params[0];
  const yAxis = props.metrics.find(m => m.key === yKey) ?? props.metrics[0];
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  // A small inset, so dots at the ends of a range are not cut by the frame.
  const px = (place: number) => PAD.left + (0.05 + place * 0.9) * w;
  const py = (place: number) => PAD.top + h - (0.05 + place * 0.9) * h;
  const points = scatterPoints(xAxis, yAxis);

  return (
    <figure
      className="jp-modelreg-chart jp-modelreg-scatter"
      data-testid="modelreg-param-scatter"
    >
      <figcaption className="jp-modelreg-row">
        <label>
          {trans.__('x')}{' '}
          <select
            value={xAxis.key}
            data-testid="modelreg-scatter-x"
            onChange={e => setXKey(e.target.value)}
          >
            {props.params.map(p => (
              <option key={p.key} value={p.key}>
                {p.key}
              </option>
            ))}
          </select>
        </label>
        <label>
          {trans.__('y')}{' '}
          <select
            value={yAxis.key}
            data-testid="modelreg-scatter-y"
            onChange={e => setYKey(e.target.value)}
          >
            {props.metrics.map(m => (
              <option key={m.key} value={m.key}>
                {m.key}
              </option>
            ))}
          </select>
        </label>
      </figcaption>
      <svg
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label={trans.__('%1 against %2', yAxis.key, xAxis.key)}
      >
        <line
          className="jp-modelreg-chart-axis"
          x1={PAD.left}
          y1={PAD.top + h}
          x2={PAD.left + w}
          y2={PAD.top + h}
        />
        <line
          className="jp-modelreg-chart-axis"
          x1={PAD.left}
          y1={PAD.top}
          x2={PAD.left}
          y2={PAD.top + h}
        />
        {xAxis.ticks.map(([place, text]) => (
          <text
            key={`x${text}`}
            className="jp-modelreg-chart-label"
            x={px(place)}
            y={PAD.top + h + 12}
            textAnchor="middle"
          >
            {text.length > 10 ? `${text.slice(0, 9)}…` : text}
          </text>
        ))}
        {yAxis.ticks.map(([place, text]) => (
          <text
            key={`y${text}`}
            className="jp-modelreg-chart-label"
            x={PAD.left - 4}
            y={py(place) + 3}
            textAnchor="end"
          >
            {text}
          </text>
        ))}
        {points.map(p => (
          <circle
            key={p.item}
            data-item={p.item}
            cx={px(p.x)}
            cy={py(p.y)}
            r={hovered === p.item ? 6 : 4}
            className={`jp-modelreg-series jp-modelreg-series-${p.item % 6}`}
            onMouseEnter={() => setHovered(p.item)}
            onMouseLeave={() => setHovered(null)}
          >
            <title>
              {`${props.labels[p.item]}: ${xAxis.key}=${p.xValue}, ${yAxis.key}=${p.yValue}`}
            </title>
          </circle>
        ))}
      </svg>
      <div className="jp-modelreg-chart-readout">
        {hovered !== null &&
          `${props.labels[hovered]}: ${xAxis.key} = ${xAxis.values[hovered]}, ${yAxis.key} = ${yAxis.values[hovered]}`}
      </div>
    </figure>
  );
}

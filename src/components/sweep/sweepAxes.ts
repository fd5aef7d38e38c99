/**
 * The axes of the sweep plots: one per param that differs and one per metric, each mapping the
 * compared items' values to 0..1. Numbers get a linear scale; anything else is spread by category.
 */
import { ICompareResult } from '../../registryTypes';

export type SweepValue = string | number | null;

export interface ISweepAxis {
  key: string;
  kind: 'param' | 'metric';
  /** One value per compared item; null where the item lacks it. */
  values: SweepValue[];
  /** 'min' when lower is better (metrics only). */
  goal?: 'min' | 'max';
  /** The values' places, 0 (bottom/left) to 1 (top/right); null where missing. */
  positions: (number | null)[];
  /** Tick labels along the axis: [position, text]. */
  ticks: [number, string][];
}

function asNumber(value: SweepValue): number | null {
  if (value === null || value === '') {
    return null;
  }
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function shortText(value: number): string {
  return Number.isInteger(value)
    ? String(value)
    : String(Number(value.toPrecision(3)));
}

/** Places the values on an axis: linear when every present value is a number, else by category. */
export function placeValues(
  values: SweepValue[]
): Pick<ISweepAxis, 'positions' | 'ticks'> {
  const present = values.filter(v => v !== null && v !== '');
  const numbers = present.map(asNumber);
  if (present.length > 0 && numbers.every(n => n !== null)) {
    const ns = numbers as number[];
    const min = Math.min(...ns);
    const max = Math.max(...ns);
    const at = (n: number) => (max === min ? 0.5 : (n - min) / (max - min));
    return {
      positions: values.map(v => {
        const n = asNumber(v);
        return n === null ? null : at(n);
      }),
      ticks:
        max === min
          ? [[0.5, shortText(min)]]
          : [
              [0, shortText(min)],
              [1, shortText(max)]
            ]
    };
  }
  const categories = [...new Set(present.map(String))].sort();
  const at = (c: string) =>
    categories.length === 1
      ? 0.5
      : categories.indexOf(c) / (categories.length - 1);
  return {
    positions: values.map(v => (v === null || v === '' ? null : at(String(v)))),
    ticks: categories.map(c => [at(c), c])
  };
}

/** The params that differ between the items (the ones a sweep varied), then every metric. */
export function sweepAxes(result: ICompareResult): ISweepAxis[] {
  const params: ISweepAxis[] = result.params
    .filter(p => p.differs)
    .map(p => ({
      key: p.key,
      kind: 'param',
      values: p.values,
      ...placeValues(p.values)
    }));
  const metrics: ISweepAxis[] = result.metrics.map(m => ({
    key: m.key,
    kind: 'metric',
    goal: m.goal,
    values: m.values,
    ...placeValues(m.values)
  }));
  return [...params, ...metrics];
}

/** A point of the param-vs-metric scatter: the item, and its places on both axes. */
export interface IScatterPoint {
  item: number;
  x: number;
  y: number;
  xValue: SweepValue;
  yValue: SweepValue;
}

/** The items that have both the param and the metric, placed on the two axes. */
export function scatterPoints(
  xAxis: ISweepAxis,
  yAxis: ISweepAxis
): IScatterPoint[] {
  return xAxis.positions.flatMap((x, item) => {
    const y = yAxis.positions[item];
    return x === null || y === null || y === undefined
      ? []
      : [
          {
            item,
            x,
            y,
            xValue: xAxis.values[item],
            yValue: yAxis.values[item]
          }
        ];
  });
}

/**
 * The polyline segments of one item across the axes: runs of consecutive axes where it has a
 * value, so a missing value breaks the line instead of dropping it to the bottom.
 */
export function itemRuns(
  axes: ISweepAxis[],
  item: number
): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  axes.forEach((axis, a) => {
    const place = axis.positions[item];
    if (place === null || place === undefined) {
      if (run.length) {
        runs.push(run);
      }
      run = [];
    } else {
      run.push([a, place]);
    }
  });
  if (run.length) {
    runs.push(run);
  }
  return runs;
}

import {
  historyLines,
  nearestStep,
  stepTicks,
  valuesAtStep
} from '../components/metricHistory';
import {
  itemRuns,
  placeValues,
  scatterPoints,
  sweepAxes
} from '../components/sweep/sweepAxes';
import { ICompareResult } from '../registryTypes';

const point = (step: number, value: number, timestamp: number) => ({
  step,
  value,
  timestamp
});

describe('historyLines', () => {
  it('leaves out items without points, so the legend lists only series with data', () => {
    const lines = historyLines(
      [[], [point(1, 0.5, 1), point(2, 0.6, 2)], []],
      ['#1 a', '#2 b', '#3 c']
    );
    expect(lines.map(l => l.label)).toEqual(['#2 b']);
    expect(lines[0].item).toBe(1); // keeps the item's colour
  });

  it('drops a final value logged without a step instead of spiking at step 0', () => {
    const [line] = historyLines(
      [[point(0, 0.99, 50), point(1, 0.4, 10), point(2, 0.3, 20)]],
      ['a']
    );
    expect(line.points).toEqual([
      { step: 1, value: 0.4 },
      { step: 2, value: 0.3 }
    ]);
  });

  it('keeps a real step 0 logged before the later steps', () => {
    const [line] = historyLines(
      [[point(0, 1, 5), point(1, 0.5, 10), point(2, 0.25, 20)]],
      ['a']
    );
    expect(line.points.map(p => p.step)).toEqual([0, 1, 2]);
  });

  it('draws a history logged entirely without steps in logging order', () => {
    const [line] = historyLines(
      [[point(0, 3, 30), point(0, 1, 10), point(0, 2, 20)]],
      ['a']
    );
    expect(line.points).toEqual([
      { step: 0, value: 1 },
      { step: 1, value: 2 },
      { step: 2, value: 3 }
    ]);
  });
});

describe('hover values', () => {
  const lines = historyLines(
    [
      [point(1, 0.1, 1), point(5, 0.5, 2)],
      [point(2, 0.2, 1), point(5, 0.55, 2)]
    ],
    ['a', 'b']
  );

  it('snaps to the nearest logged step', () => {
    expect(nearestStep(lines, 4.2)).toBe(5);
    expect(nearestStep(lines, 1.4)).toBe(1);
    expect(nearestStep([], 3)).toBeNull();
  });

  it('reads every line that has a point at the step', () => {
    expect(valuesAtStep(lines, 5)).toEqual([
      { item: 0, label: 'a', value: 0.5 },
      { item: 1, label: 'b', value: 0.55 }
    ]);
    expect(valuesAtStep(lines, 2)).toEqual([
      { item: 1, label: 'b', value: 0.2 }
    ]);
  });
});

describe('stepTicks', () => {
  it('labels the first and last step and round steps between', () => {
    expect(stepTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(stepTicks(1, 10)).toEqual([1, 4, 6, 8, 10]);
    expect(stepTicks(3, 3)).toEqual([3]);
  });
});

describe('sweep axes', () => {
  const result = {
    items: [],
    files: [],
    params: [
      { key: 'max_depth', values: ['3', '6', null], differs: true },
      { key: 'booster', values: ['gbtree', 'dart', 'gbtree'], differs: true },
      { key: 'seed', values: ['1', '1', '1'], differs: false }
    ],
    metrics: [
      {
        key: 'val_loss',
        values: [0.5, 0.3, 0.4],
        best: 1,
        goal: 'min',
        history: [[], [], []]
      }
    ]
  } as unknown as ICompareResult;

  it('has one axis per varied param and per metric', () => {
    expect(sweepAxes(result).map(a => `${a.kind}:${a.key}`)).toEqual([
      'param:max_depth',
      'param:booster',
      'metric:val_loss'
    ]);
  });

  it('scales numbers linearly and spreads text by category', () => {
    expect(placeValues(['3', '6', null]).positions).toEqual([0, 1, null]);
    expect(placeValues(['gbtree', 'dart', 'gbtree']).positions).toEqual([
      1, 0, 1
    ]);
    expect(placeValues([0.5, 0.3, 0.4]).positions[2]).toBeCloseTo(0.5);
  });

  it('breaks an item’s line where it lacks a value', () => {
    const axes = sweepAxes(result);
    expect(itemRuns(axes, 0)).toHaveLength(1);
    const [run, ...rest] = itemRuns(axes, 2);
    expect(rest).toEqual([]);
    expect(run.map(([axis]) => axis)).toEqual([1, 2]); // no max_depth
    expect(run[1][1]).toBeCloseTo(0.5);
  });

  it('puts on the scatter only the items with both values', () => {
    const [depth, , loss] = sweepAxes(result);
    expect(scatterPoints(depth, loss).map(p => p.item)).toEqual([0, 1]);
  });
});

/**
 * The lines a metric history chart draws: which compared items have a history, on which steps, and
 * what each line reads at a step. Kept apart from the SVG so the rules can be tested on their own.
 */
import { IMetricPoint } from '../registryTypes';

/** One line of the chart: the compared item it belongs to (its colour) and its points by step. */
export interface IHistoryLine {
  /** Index of the item among the compared ones; picks the colour, as in the tables. */
  item: number;
  label: string;
  points: { step: number; value: number }[];
}

/**
 * A value logged without a step is stored at step 0. When it was logged after later steps, it is the
 * run's final value, not the start of its curve: drawing it at step 0 would make a spike there.
 */
function isFinalWithoutStep(point: IMetricPoint, all: IMetricPoint[]): boolean {
  return (
    point.step === 0 &&
    all.some(p => p.step > 0 && p.timestamp < point.timestamp)
  );
}

/**
 * The lines to draw, one per item that has points; items without any are left out (and so is their
 * legend entry). A history logged entirely without steps is drawn in logging order.
 */
export function historyLines(
  series: IMetricPoint[][],
  labels: string[]
): IHistoryLine[] {
  const lines: IHistoryLine[] = [];
  series.forEach((history, item) => {
    const allStepless = history.every(p => p.step === 0);
    const ordered = [...history].sort(
      (a, b) => a.step - b.step || a.timestamp - b.timestamp
    );
    const points = allStepless
      ? [...history]
          .sort((a, b) => a.timestamp - b.timestamp)
          .map((p, i) => ({ step: i, value: p.value }))
      : ordered
          .filter(p => !isFinalWithoutStep(p, history))
          .map(p => ({ step: p.step, value: p.value }));
    const finite = points.filter(p => Number.isFinite(p.value));
    if (finite.length > 0) {
      lines.push({ item, label: labels[item] ?? String(item), points: finite });
    }
  });
  return lines;
}

/** The step nearest to `step` that some line has a point on, or null for no lines. */
export function nearestStep(
  lines: IHistoryLine[],
  step: number
): number | null {
  let best: number | null = null;
  for (const line of lines) {
    for (const p of line.points) {
      if (best === null || Math.abs(p.step - step) < Math.abs(best - step)) {
        best = p.step;
      }
    }
  }
  return best;
}

/** What each line reads at `step` (its last value logged at that step), for the hover readout. */
export function valuesAtStep(
  lines: IHistoryLine[],
  step: number
): { item: number; label: string; value: number }[] {
  return lines.flatMap(line => {
    const at = line.points.filter(p => p.step === step);
    return at.length
      ? [{ item: line.item, label: line.label, value: at[at.length - 1].value }]
      : [];
  });
}

/** Round step numbers for the axis: the first, the last, and up to four between. */
export function stepTicks(minStep: number, maxStep: number): number[] {
  if (maxStep <= minStep) {
    return [minStep];
  }
  const span = maxStep - minStep;
  const rough = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const unit =
    [1, 2, 5, 10].map(m => m * magnitude).find(u => u >= rough) ??
    10 * magnitude;
  const step = Math.max(1, unit);
  const ticks = [minStep];
  for (let t = Math.ceil((minStep + 1) / step) * step; t < maxStep; t += step) {
    if (t - minStep > step / 2 && maxStep - t > step / 2) {
      ticks.push(t);
    }
  }
  ticks.push(maxStep);
  return ticks;
}

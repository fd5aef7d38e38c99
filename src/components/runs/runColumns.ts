/** Which columns the runs table can show and offers first, and how its rows group by experiment. */
import { ICandidate } from '../../registryTypes';

/** A column: a candidate attribute, or the value of one metric or param. */
export type RunColumn = `metrics.${string}` | `params.${string}`;

/** Attribute columns, always shown; the server sorts by each of them. */
export const ATTRIBUTE_COLUMNS = [
  'iid',
  'name',
  'status',
  'experiment',
  'created_at'
] as const;
export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number];

/** How many metric columns to start with when nothing says which ones matter. */
export const FIRST_METRICS = 4;

/** Every metric and param column the loaded candidates have values for, metrics first. */
export function availableColumns(candidates: ICandidate[]): RunColumn[] {
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const c of candidates) {
    Object.keys(c.metrics ?? {}).forEach(k => metrics.add(k));
    Object.keys(c.params ?? {}).forEach(k => params.add(k));
  }
  return [
    ...[...metrics].sort().map(k => `metrics.${k}` as RunColumn),
    ...[...params].sort().map(k => `params.${k}` as RunColumn)
  ];
}

/** The metric and param keys an expression or an `order_by` names, e.g. `metrics.auc > 0.9`. */
export function columnsNamedIn(text: string | undefined): RunColumn[] {
  const found: RunColumn[] = [];
  const pattern = /\b(metrics?|params?)\.(`[^`]+`|"[^"]+"|[\w.-]*\w)/g;
  for (const m of (text ?? '').matchAll(pattern)) {
    const key = m[2].replace(/^[`"]|[`"]$/g, '');
    const column =
      `${m[1].startsWith('metric') ? 'metrics' : 'params'}.${key}` as RunColumn;
    if (!found.includes(column)) {
      found.push(column);
    }
  }
  return found;
}

export interface IDefaultColumnsInput {
  available: RunColumn[];
  /** The current sort and filter: the metrics the user is looking at. */
  order?: string;
  filter?: string;
  /** The card's evaluation section (markdown), whose metric names the model's owners chose. */
  evaluation?: string;
  /** Metrics with a declared goal on the model. */
  goals?: string[];
}

/**
 * The metric columns to show when the user has not chosen: those sorted or filtered by; else those
 * the card's evaluation names or that have a goal; else the first few metrics.
 */
export function defaultColumns(input: IDefaultColumnsInput): RunColumn[] {
  const used = [
    ...columnsNamedIn(input.order),
    ...columnsNamedIn(input.filter)
  ];
  if (used.length) {
    return [...new Set(used)];
  }
  const metrics = input.available.filter(c => c.startsWith('metrics.'));
  const evaluation = (input.evaluation ?? '').toLowerCase();
  const chosen = metrics.filter(c => {
    const key = c.slice('metrics.'.length);
    return (
      input.goals?.includes(key) ||
      (evaluation && wordIn(evaluation, key.toLowerCase()))
    );
  });
  return chosen.length ? chosen : metrics.slice(0, FIRST_METRICS);
}

function wordIn(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w])${escaped}($|[^\\w])`).test(text);
}

/** The value a candidate has in a metric or param column (undefined: none). */
export function cellValue(
  c: ICandidate,
  column: RunColumn
): number | string | undefined {
  if (column.startsWith('metrics.')) {
    return c.metrics?.[column.slice('metrics.'.length)]?.value;
  }
  return c.params?.[column.slice('params.'.length)];
}

/** A line of the table body: an experiment's header or one of its candidates. */
export type RunLine =
  | {
      kind: 'group';
      experiment: string | null;
      count: number;
      collapsed: boolean;
    }
  | { kind: 'run'; candidate: ICandidate };

/**
 * The candidates grouped by experiment, groups in the order their first candidate comes in the
 * server's sort, so the sort holds within each group. Collapsed groups keep only their header.
 */
export function groupByExperiment(
  candidates: ICandidate[],
  collapsed: ReadonlySet<string>
): RunLine[] {
  const groups = new Map<string | null, ICandidate[]>();
  for (const c of candidates) {
    const key = c.experiment ?? null;
    if (!groups.has(key)) {
      groups.set(key, []);
    }
    groups.get(key)!.push(c);
  }
  const lines: RunLine[] = [];
  for (const [experiment, runs] of groups) {
    const isCollapsed = collapsed.has(groupKey(experiment));
    lines.push({
      kind: 'group',
      experiment,
      count: runs.length,
      collapsed: isCollapsed
    });
    if (!isCollapsed) {
      lines.push(
        ...runs.map(candidate => ({ kind: 'run' as const, candidate }))
      );
    }
  }
  return lines;
}

/** The key of an experiment's group in the collapsed set ('' for candidates without one). */
export function groupKey(experiment: string | null): string {
  return experiment ?? '';
}

/** The server's `order_by` for a column and direction. */
export function orderBy(
  column: AttributeColumn | RunColumn,
  dir: 'asc' | 'desc'
): string {
  const [kind, ...rest] = column.split('.');
  const key = rest.join('.');
  // Keys with characters outside a bare word are quoted, as the server's parser expects.
  const quoted = rest.length && !/^[\w.-]+$/.test(key) ? `\`${key}\`` : key;
  return `${rest.length ? `${kind}.${quoted}` : column} ${dir.toUpperCase()}`;
}

/** The column and direction an `order_by` sorts by (default: newest candidate first). */
export function parseOrder(order: string | undefined): {
  column: string;
  dir: 'asc' | 'desc';
} {
  const m = /^\s*(\S+(?:\s+\S+)*?)\s+(asc|desc)\s*$/i.exec(order ?? '');
  if (!m) {
    return { column: 'iid', dir: 'desc' };
  }
  return {
    column: m[1].replace(/`/g, ''),
    dir: m[2].toLowerCase() as 'asc' | 'desc'
  };
}

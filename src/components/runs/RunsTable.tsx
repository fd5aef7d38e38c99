/**
 * A model's candidates as a table: the server filters, sorts (any column) and pages by cursor;
 * the body draws only the rows in view, so a sweep of 100,000 candidates scrolls like ten.
 */
import * as React from 'react';

import { cardApi } from '../../cardApi';
import { ICandidate, IModel, IPage } from '../../registryTypes';
import { CandidateFilter } from '../candidate/CandidateFilter';
import { usePanel } from '../context';
import { Empty } from '../States';
import { useAsync } from '../useAsync';
import { ColumnPicker } from './ColumnPicker';
import {
  AttributeColumn,
  availableColumns,
  defaultColumns,
  groupByExperiment,
  groupKey,
  orderBy,
  parseOrder,
  RunColumn
} from './runColumns';
import { GroupRow, RunRow } from './RunRow';
import { useRuns } from './useRuns';

/** Row height in px; style/runs.css gives every body row exactly this height. */
export const ROW_HEIGHT = 30;
/** Rows drawn beyond each edge of the view, so fast scrolling shows no gap. */
const OVERSCAN = 20;
/** Assumed view height before the browser has laid the table out (and in tests). */
const FALLBACK_HEIGHT = 600;

export interface IRunsTableProps {
  fullName: string;
  info: IModel;
  /** The first page, asked for by whoever opened the table (`firstRunsPage`). */
  firstPage?: Promise<IPage<ICandidate>>;
}

export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { trans, model } = usePanel();
  const runs = useRuns(props.fullName, {
    generation: model.generation,
    firstPage: props.firstPage
  });
  const evaluation = useAsync(
    () =>
      cardApi
        .getCard(props.fullName)
        .then(card => card.sections?.evaluation ?? '')
        .catch(() => ''),
    [props.fullName]
  );
  const [, remembered] = React.useReducer((n: number) => n + 1, 0);
  React.useEffect(() => {
    model.runColumns.changed.connect(remembered);
    return () => {
      model.runColumns.changed.disconnect(remembered);
    };
  }, [model]);

  const goals = props.info.metadata?.metric_goals ?? {};
  const available = React.useMemo(
    () => availableColumns(runs.items),
    [runs.items]
  );
  const columns =
    model.runColumns.get(props.fullName) ??
    defaultColumns({
      available,
      order: runs.order,
      filter: runs.query.filter,
      evaluation: evaluation.value ?? '',
      goals: Object.keys(goals)
    });

  const [collapsed, setCollapsed] = React.useState<ReadonlySet<string>>(
    new Set()
  );
  const lines = React.useMemo(
    () => groupByExperiment(runs.items, collapsed),
    [runs.items, collapsed]
  );
  const toggleGroup = (key: string) =>
    setCollapsed(old => {
      const next = new Set(old);
      if (!next.delete(key)) {
        next.add(key);
      }
      return next;
    });

  const scroller = React.useRef<HTMLDivElement>(null);
  const [view, setView] = React.useState({ top: 0, height: FALLBACK_HEIGHT });
  const onScroll = () => {
    const node = scroller.current;
    if (node) {
      setView({
        top: node.scrollTop,
        height: node.clientHeight || FALLBACK_HEIGHT
      });
    }
  };
  const start = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const end = Math.min(
    lines.length,
    Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN
  );
  // The next page is fetched before the user reaches the last loaded row.
  React.useEffect(() => {
    if (runs.hasMore && !runs.loading && end >= lines.length - OVERSCAN) {
      runs.more();
    }
  }, [end, lines.length, runs.hasMore, runs.loading]);

  const sorted = parseOrder(runs.order);
  const sortBy = (column: AttributeColumn | RunColumn) => {
    const again = sorted.column === column;
    const metricGoal = column.startsWith('metrics.')
      ? goals[column.slice('metrics.'.length)]
      : undefined;
    // Text columns and metrics to minimise start ascending; the rest start best/newest first.
    const first =
      metricGoal === 'min' ||
      column.startsWith('params.') ||
      ['name', 'status', 'experiment'].includes(column)
        ? 'asc'
        : 'desc';
    const dir = again ? (sorted.dir === 'asc' ? 'desc' : 'asc') : first;
    runs.setOrder(orderBy(column, dir));
  };
  const header = (column: AttributeColumn | RunColumn, label: string) => {
    const active = sorted.column === column;
    // A metric's or param's header shows its key; the tooltip names the column in full.
    const full = column.includes('.') ? column : label;
    return (
      <th
        key={column}
        scope="col"
        aria-sort={
          active ? (sorted.dir === 'asc' ? 'ascending' : 'descending') : 'none'
        }
        data-column={column}
      >
        <button
          className="jp-modelreg-link"
          title={trans.__('Sort by %1', full)}
          onClick={() => sortBy(column)}
        >
          {label}
          {active && (sorted.dir === 'asc' ? ' ▲' : ' ▼')}
        </button>
      </th>
    );
  };

  const span = 5 + columns.length;
  const comparable = model.selected === props.fullName;
  return (
    <div className="jp-modelreg-runs" data-testid="modelreg-runs-table">
      <div className="jp-modelreg-runs-tools">
        <CandidateFilter
          query={runs.query}
          error={runs.error?.message ?? null}
          onApply={runs.setQuery}
        />
        <ColumnPicker
          available={available}
          shown={columns}
          onChange={chosen => model.runColumns.set(props.fullName, chosen)}
          onReset={() => model.runColumns.reset(props.fullName)}
        />
      </div>
      <div
        className="jp-modelreg-runs-scroll"
        ref={scroller}
        onScroll={onScroll}
        data-testid="modelreg-runs-scroll"
      >
        <table
          className="jp-modelreg-table jp-modelreg-runs-grid"
          aria-rowcount={lines.length}
        >
          <thead>
            <tr>
              {header('iid', trans.__('#'))}
              {header('name', trans.__('Name'))}
              {header('status', trans.__('Status'))}
              {header('experiment', trans.__('Experiment'))}
              {header('created_at', trans.__('Created'))}
              {columns.map(column => header(column, columnLabel(column)))}
            </tr>
          </thead>
          <tbody>
            {start > 0 && (
              <tr aria-hidden style={{ height: start * ROW_HEIGHT }} />
            )}
            {lines
              .slice(start, end)
              .map(line =>
                line.kind === 'group' ? (
                  <GroupRow
                    key={`g:${groupKey(line.experiment)}`}
                    line={line}
                    span={span}
                    onToggle={() => toggleGroup(groupKey(line.experiment))}
                  />
                ) : (
                  <RunRow
                    key={line.candidate.iid}
                    fullName={props.fullName}
                    candidate={line.candidate}
                    columns={columns}
                    comparable={comparable}
                  />
                )
              )}
            {end < lines.length && (
              <tr
                aria-hidden
                style={{ height: (lines.length - end) * ROW_HEIGHT }}
              />
            )}
          </tbody>
        </table>
        {!runs.loading && !runs.items.length && (
          <Empty>
            {Object.values(runs.query).some(Boolean)
              ? trans.__('No candidate matches this filter.')
              : trans.__('No candidates yet.')}
          </Empty>
        )}
      </div>
      <div className="jp-modelreg-runs-foot jp-modelreg-muted" role="status">
        {runs.hasMore
          ? trans.__('%1 candidates loaded; scroll for more', runs.items.length)
          : trans._n('%1 candidate', '%1 candidates', runs.items.length)}
        {runs.hasMore && (
          <button
            className="jp-mod-styled jp-modelreg-small"
            disabled={runs.loading}
            onClick={runs.more}
          >
            {trans.__('Load more')}
          </button>
        )}
      </div>
    </div>
  );
}

/** `metrics.roc_auc` → `roc_auc`: the "metrics."/"params." prefix took half the width of a column
 * whose values are four digits wide, pushing the last columns out of view. */
function columnLabel(column: RunColumn): string {
  return column.slice(column.indexOf('.') + 1);
}

/**
 * The card's monitoring thresholds, in a structured form: a healthy range per live metric (and
 * optionally per environment). A serving deployment whose newest value leaves it becomes degraded.
 */
import * as React from 'react';

import { toModelregError } from '../../api';
import { cardApi, IThreshold } from '../../cardApi';
import { Role } from '../../registryTypes';
import { GatedButton } from '../actions/GatedButton';
import { usePanel } from '../context';
import { Empty, ErrorMessage, Loading } from '../States';
import { useAsync } from '../useAsync';

export interface IThresholdsProps {
  fullName: string;
  role: Role | null | undefined;
}

/** One row as typed: numbers stay text until saved. */
interface IRow {
  metric: string;
  min: string;
  max: string;
  environment: string;
}

const toRow = (t: IThreshold): IRow => ({
  metric: t.metric,
  min: t.min === undefined ? '' : String(t.min),
  max: t.max === undefined ? '' : String(t.max),
  environment: t.environment ?? ''
});

/** The rows as the server takes them; empty rows are dropped, a bad number names its row. */
export function toThresholds(rows: IRow[]): IThreshold[] | string {
  const items: IThreshold[] = [];
  for (const row of rows) {
    if (!row.metric.trim() && !row.min.trim() && !row.max.trim()) {
      continue;
    }
    const item: IThreshold = { metric: row.metric.trim() };
    for (const bound of ['min', 'max'] as const) {
      const text = row[bound].trim();
      if (text) {
        const value = Number(text);
        if (!Number.isFinite(value)) {
          return `${item.metric || '?'}: ${bound} "${text}"`;
        }
        item[bound] = value;
      }
    }
    if (row.environment.trim()) {
      item.environment = row.environment.trim();
    }
    items.push(item);
  }
  return items;
}

export function Thresholds(props: IThresholdsProps): JSX.Element {
  const { trans } = usePanel();
  const stored = useAsync(
    () => cardApi.thresholds(props.fullName),
    [props.fullName]
  );
  const [rows, setRows] = React.useState<IRow[] | null>(null);
  const [problem, setProblem] = React.useState<string | null>(null);

  function change(index: number, field: keyof IRow, value: string): void {
    setRows(rs =>
      rs!.map((r, i) => (i === index ? { ...r, [field]: value } : r))
    );
  }

  async function save(): Promise<void> {
    const items = toThresholds(rows!);
    if (typeof items === 'string') {
      setProblem(trans.__('Not a number: %1', items));
      return;
    }
    try {
      await cardApi.setThresholds(props.fullName, items);
      setRows(null);
      setProblem(null);
      stored.reload();
    } catch (e) {
      const error = toModelregError(e);
      setProblem(`${error.message} (${error.code})`);
    }
  }

  const header = (
    <div className="jp-modelreg-row-between">
      <h3>{trans.__('Monitoring thresholds')}</h3>
      {rows === null && (
        <GatedButton
          role={props.role}
          needs="maintainer"
          testId="modelreg-thresholds-edit"
          disabledReason={stored.value ? undefined : trans.__('Loading…')}
          onClick={() => setRows(stored.value!.items.map(toRow))}
        >
          {trans.__('Edit thresholds')}
        </GatedButton>
      )}
    </div>
  );
  if (stored.error) {
    return (
      <>
        {header}
        <ErrorMessage error={stored.error} onRetry={stored.reload} />
      </>
    );
  }
  if (!stored.value) {
    return (
      <>
        {header}
        <Loading label={trans.__('Loading the thresholds…')} />
      </>
    );
  }
  if (rows === null) {
    const items = stored.value.items;
    return (
      <section data-testid="modelreg-thresholds">
        {header}
        {items.length === 0 ? (
          <Empty>
            {trans.__(
              'No thresholds: a deployment is never marked degraded by its live metrics.'
            )}
          </Empty>
        ) : (
          <ul className="jp-modelreg-simple-list">
            {items.map((t, i) => (
              <li
                key={i}
                data-testid="modelreg-threshold"
                data-metric={t.metric}
              >
                <code>{t.metric}</code>{' '}
                {t.min !== undefined && t.max !== undefined
                  ? trans.__('between %1 and %2', t.min, t.max)
                  : t.min !== undefined
                    ? trans.__('at least %1', t.min)
                    : trans.__('at most %1', t.max)}
                {t.environment
                  ? ` · ${trans.__('in %1', t.environment)}`
                  : ` · ${trans.__('every environment')}`}
              </li>
            ))}
          </ul>
        )}
      </section>
    );
  }
  const fields: [keyof IRow, string, string][] = [
    ['metric', trans.__('Live metric'), 'live_accuracy'],
    ['min', trans.__('Min'), ''],
    ['max', trans.__('Max'), ''],
    ['environment', trans.__('Environment (all when empty)'), 'production']
  ];
  return (
    <section data-testid="modelreg-thresholds">
      {header}
      <form
        className="jp-modelreg-form"
        data-testid="modelreg-thresholds-form"
        onSubmit={e => {
          e.preventDefault();
          void save();
        }}
      >
        <table className="jp-modelreg-table">
          <thead>
            <tr>
              {fields.map(([key, label]) => (
                <th key={key}>{label}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                {fields.map(([key, label, placeholder]) => (
                  <td key={key}>
                    <input
                      className="jp-mod-styled"
                      aria-label={`${label} ${i + 1}`}
                      data-testid={`modelreg-threshold-${key}`}
                      inputMode={
                        key === 'min' || key === 'max' ? 'decimal' : undefined
                      }
                      placeholder={placeholder}
                      value={row[key]}
                      onChange={e => change(i, key, e.target.value)}
                    />
                  </td>
                ))}
                <td>
                  <button
                    type="button"
                    className="jp-mod-styled jp-modelreg-small"
                    aria-label={trans.__('Remove threshold %1', i + 1)}
                    onClick={() => setRows(rows.filter((_, j) => j !== i))}
                  >
                    ×
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {problem && (
          <div className="jp-modelreg-invalid" role="alert">
            {problem}
          </div>
        )}
        <div className="jp-modelreg-row">
          <button
            type="button"
            className="jp-mod-styled jp-modelreg-small"
            data-testid="modelreg-threshold-add"
            onClick={() =>
              setRows([
                ...rows,
                { metric: '', min: '', max: '', environment: '' }
              ])
            }
          >
            {trans.__('Add threshold')}
          </button>
          <button
            type="submit"
            className="jp-mod-styled jp-mod-accept jp-modelreg-small"
            data-testid="modelreg-thresholds-save"
          >
            {trans.__('Save thresholds')}
          </button>
          <button
            type="button"
            className="jp-mod-styled jp-modelreg-small"
            onClick={() => {
              setRows(null);
              setProblem(null);
            }}
          >
            {trans.__('Cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

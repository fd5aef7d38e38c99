/** Chooses the metric and param columns of the runs table; the choice is remembered per model. */
import * as React from 'react';

import { usePanel } from '../context';
import { RunColumn } from './runColumns';

export interface IColumnPickerProps {
  available: RunColumn[];
  shown: RunColumn[];
  onChange: (columns: RunColumn[]) => void;
  onReset: () => void;
}

export function ColumnPicker(props: IColumnPickerProps): JSX.Element {
  const { trans } = usePanel();
  const [search, setSearch] = React.useState('');
  // Chosen columns the loaded rows do not have stay offered, so they can be unticked.
  const all = [
    ...props.available,
    ...props.shown.filter(c => !props.available.includes(c))
  ];
  const needle = search.trim().toLowerCase();
  const offered = needle
    ? all.filter(c => c.toLowerCase().includes(needle))
    : all;
  const toggle = (column: RunColumn) =>
    props.onChange(
      props.shown.includes(column)
        ? props.shown.filter(c => c !== column)
        : [...props.shown, column]
    );
  return (
    <details
      className="jp-modelreg-column-picker"
      data-testid="modelreg-column-picker"
    >
      <summary className="jp-mod-styled">
        {trans.__('Columns (%1)', props.shown.length)}
      </summary>
      <div
        className="jp-modelreg-column-picker-body"
        role="group"
        aria-label={trans.__('Metric and param columns')}
      >
        <input
          className="jp-mod-styled"
          type="search"
          aria-label={trans.__('Find a column')}
          placeholder={trans.__('Find a metric or param')}
          value={search}
          onChange={event => setSearch(event.target.value)}
        />
        <ul>
          {offered.map(column => (
            <li key={column}>
              <label>
                <input
                  type="checkbox"
                  checked={props.shown.includes(column)}
                  onChange={() => toggle(column)}
                />
                {column}
              </label>
            </li>
          ))}
        </ul>
        {!offered.length && (
          <div className="jp-modelreg-muted">
            {trans.__('No metric or param matches.')}
          </div>
        )}
        <button
          type="button"
          className="jp-mod-styled jp-modelreg-small"
          onClick={props.onReset}
        >
          {trans.__('Back to the suggested columns')}
        </button>
      </div>
    </details>
  );
}

/**
 * "cells 1, 2, 5, 3 ran; cell 3 edited since": what ran in the kernel that logged a candidate,
 * from its `provenance.cells`, with each execution's source on demand.
 */
import * as React from 'react';
import { TranslationBundle } from '@jupyterlab/translation';

import { IExecutedCells } from '../registryTypes';

function numbers(list: number[]): string {
  return list.join(', ');
}

/** The one-line summary, in the user's language. */
export function cellsSummary(
  cells: IExecutedCells,
  trans: TranslationBundle
): string {
  const parts: string[] = [];
  if (cells.order.length > 0) {
    parts.push(
      trans._n(
        'cell %2 ran',
        'cells %2 ran',
        cells.order.length,
        numbers(cells.order)
      ) + (cells.out_of_order ? ` ${trans.__('(out of order)')}` : '')
    );
  } else {
    parts.push(
      trans._n(
        '%1 execution ran (notebook not saved)',
        '%1 executions ran (notebook not saved)',
        cells.executed.length
      )
    );
  }
  const edited = cells.edited_since_run ?? [];
  if (edited.length > 0) {
    parts.push(
      trans._n(
        'cell %2 edited since',
        'cells %2 edited since',
        edited.length,
        numbers(edited)
      )
    );
  }
  const notRun = cells.not_run ?? [];
  if (notRun.length > 0) {
    parts.push(
      trans._n(
        'cell %2 never ran',
        'cells %2 never ran',
        notRun.length,
        numbers(notRun)
      )
    );
  }
  const missing = cells.not_in_notebook ?? [];
  if (missing.length > 0) {
    parts.push(
      trans._n(
        '%1 execution no longer in the notebook',
        '%1 executions no longer in the notebook',
        missing.length
      )
    );
  }
  return parts.join('; ');
}

export interface IExecutedCellsProps {
  cells: IExecutedCells;
  trans: TranslationBundle;
}

export function ExecutedCells(props: IExecutedCellsProps): JSX.Element | null {
  const { cells, trans } = props;
  if (!cells.executed?.length) {
    return null;
  }
  const warn = cells.out_of_order || cells.notebook_differs;
  return (
    <details
      className="jp-modelreg-cells"
      data-testid="modelreg-candidate-cells"
    >
      <summary className={warn ? 'jp-modelreg-invalid' : undefined}>
        {cellsSummary(cells, trans)}
      </summary>
      <ol className="jp-modelreg-cell-list">
        {cells.executed.map(run => (
          <li key={run.execution_count}>
            <span className="jp-modelreg-muted">
              [{run.execution_count}]{' '}
              {run.cell === null
                ? trans.__('not in the notebook')
                : trans.__('cell %1', run.cell)}
              {run.edited_since ? ` · ${trans.__('edited since')}` : ''}
            </span>
            <pre
              className="jp-modelreg-cell-source"
              title={`sha256 ${run.sha256}`}
            >
              {run.source}
            </pre>
          </li>
        ))}
      </ol>
    </details>
  );
}

/** One line of the runs table: an experiment's header, or a candidate with its chosen columns. */
import * as React from 'react';

import { formatMetric, formatShortDate } from '../../format';
import { ICandidate } from '../../registryTypes';
import { OpenCandidateButton } from '../candidate/CandidateButtons';
import { CompareCheckbox } from '../CompareCheckbox';
import { usePanel } from '../context';
import { cellValue, RunColumn, RunLine } from './runColumns';

export interface IRunRowProps {
  fullName: string;
  candidate: ICandidate;
  columns: RunColumn[];
  /** Offer the compare tick (the sidebar's open model is this one). */
  comparable: boolean;
}

export function RunRow(props: IRunRowProps): JSX.Element {
  const { trans } = usePanel();
  const c = props.candidate;
  return (
    <tr data-testid="modelreg-run" data-iid={c.iid}>
      <td className="jp-modelreg-run-iid">
        {props.comparable && (
          <CompareCheckbox
            compareRef={`c:${c.iid}`}
            label={trans.__('Select candidate #%1 to compare', c.iid)}
          />
        )}
        #{c.iid}
      </td>
      <td className="jp-modelreg-run-name" title={c.name}>
        <OpenCandidateButton
          fullName={props.fullName}
          candidate={c}
          testId="modelreg-run-open"
        >
          {c.name}
        </OpenCandidateButton>
      </td>
      <td>
        <span
          className={`jp-modelreg-chip jp-modelreg-status-${c.status}`}
          title={c.status_reason ?? undefined}
        >
          {c.status}
        </span>
      </td>
      <td title={c.experiment ?? undefined}>{c.experiment ?? ''}</td>
      <td title={c.created_at}>{formatShortDate(c.created_at)}</td>
      {props.columns.map(column => {
        const value = cellValue(c, column);
        return (
          <td
            key={column}
            className={
              typeof value === 'number' ? 'jp-modelreg-run-number' : undefined
            }
            data-column={column}
            title={value === undefined ? undefined : String(value)}
          >
            {typeof value === 'number' ? formatMetric(value) : (value ?? '')}
          </td>
        );
      })}
    </tr>
  );
}

export interface IGroupRowProps {
  line: Extract<RunLine, { kind: 'group' }>;
  span: number;
  onToggle: () => void;
}

export function GroupRow(props: IGroupRowProps): JSX.Element {
  const { trans } = usePanel();
  const { line } = props;
  const name = line.experiment ?? trans.__('No experiment');
  return (
    <tr className="jp-modelreg-run-group" data-testid="modelreg-run-group">
      <th colSpan={props.span} scope="rowgroup">
        <button
          className="jp-modelreg-link"
          aria-expanded={!line.collapsed}
          onClick={props.onToggle}
        >
          {line.collapsed ? '▸' : '▾'} {name}{' '}
          <span className="jp-modelreg-muted">
            {trans._n(
              '%1 candidate loaded',
              '%1 candidates loaded',
              line.count
            )}
          </span>
        </button>
      </th>
    </tr>
  );
}

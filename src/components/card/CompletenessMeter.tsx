/** How much of the card is written, and which required sections still block a release. */
import * as React from 'react';

import { ICardCompleteness } from '../../cardApi';
import { usePanel } from '../context';
import { sectionList } from './sectionTitles';

export interface ICompletenessMeterProps {
  completeness: ICardCompleteness;
}

export function CompletenessMeter(props: ICompletenessMeterProps): JSX.Element {
  const { trans } = usePanel();
  const { filled, total, required_missing } = props.completeness;
  const percent = total ? Math.round((filled / total) * 100) : 0;
  const label = trans.__('%1 of %2 sections written', filled, total);
  return (
    <div
      className="jp-modelreg-completeness"
      data-testid="modelreg-completeness"
    >
      <div
        className="jp-modelreg-meter"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={filled}
        aria-label={label}
        title={label}
      >
        <div
          className={`jp-modelreg-meter-fill${required_missing.length ? ' jp-modelreg-meter-warn' : ''}`}
          style={{ width: `${percent}%` }}
        />
      </div>
      <span data-testid="modelreg-completeness-label">{label}</span>
      {required_missing.length > 0 && (
        <div
          className="jp-modelreg-warning"
          role="note"
          data-testid="modelreg-required-missing"
        >
          {trans.__(
            'Required before a release version: %1',
            sectionList(trans, required_missing)
          )}
        </div>
      )}
    </div>
  );
}

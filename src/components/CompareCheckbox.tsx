/** The tick that adds a candidate or version to the compare selection. */
import * as React from 'react';

import { usePanel } from './context';

export interface ICompareCheckboxProps {
  /** `c:<iid>` or `v:<version>`. */
  compareRef: string;
  /** Accessible name, e.g. "Select version 1.0.0 to compare". */
  label: string;
}

export function CompareCheckbox(props: ICompareCheckboxProps): JSX.Element {
  const { model } = usePanel();
  return (
    <input
      type="checkbox"
      aria-label={props.label}
      checked={model.compareSelection.includes(props.compareRef)}
      onChange={() => model.toggleCompare(props.compareRef)}
    />
  );
}

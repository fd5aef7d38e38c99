/** The datasets a candidate was trained or evaluated on, when the registry records them. */
import * as React from 'react';

import { ICandidate } from '../../registryTypes';
import { usePanel } from '../context';
import { PagePart } from '../PagePart';

type Dataset = Record<string, unknown>;

/** The candidate's `datasets`, if its answer has them (older registries do not). */
function datasetsOf(candidate: ICandidate): Dataset[] {
  const value = (candidate as { datasets?: unknown }).datasets;
  return Array.isArray(value)
    ? value.filter((d): d is Dataset => !!d && typeof d === 'object')
    : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function CandidateDatasets(props: {
  candidate: ICandidate;
}): JSX.Element | null {
  const { trans } = usePanel();
  const datasets = datasetsOf(props.candidate);
  if (!datasets.length) {
    return null;
  }
  const keys = [...new Set(datasets.flatMap(d => Object.keys(d)))];
  return (
    <PagePart
      title={trans.__('Datasets')}
      testId="modelreg-candidate-page-datasets"
    >
      <table className="jp-modelreg-table">
        <thead>
          <tr>
            {keys.map(k => (
              <th key={k}>{k}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {datasets.map((d, i) => (
            <tr key={i}>
              {keys.map(k => (
                <td key={k}>{d[k] === undefined ? '' : text(d[k])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </PagePart>
  );
}

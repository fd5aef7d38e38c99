/** Narrows the candidates list by what the server can search: an expression, status, CI and git linkage. */
import * as React from 'react';

import { ICandidateQuery } from '../../registryTypes';
import { usePanel } from '../context';

type FilterField = keyof ICandidateQuery;

const FIELDS: FilterField[] = [
  'filter',
  'status',
  'experiment',
  'pipeline',
  'commit',
  'merge_request'
];

export interface ICandidateFilterProps {
  query: ICandidateQuery;
  error: string | null;
  /** Applies the query; the sidebar's candidates list by default. */
  onApply?: (query: ICandidateQuery) => void;
}

export function CandidateFilter(props: ICandidateFilterProps): JSX.Element {
  const { model, trans } = usePanel();
  const active = FIELDS.find(f => props.query[f]) ?? 'filter';
  const [field, setField] = React.useState<FilterField>(active);
  const [text, setText] = React.useState(props.query[active] ?? '');
  const labels: Record<FilterField, string> = {
    filter: trans.__('Expression'),
    status: trans.__('Status'),
    experiment: trans.__('Experiment'),
    pipeline: trans.__('CI pipeline'),
    commit: trans.__('Git commit'),
    merge_request: trans.__('Merge request')
  };
  const placeholders: Record<FilterField, string> = {
    filter: 'metrics.auc > 0.9',
    status: 'running | finished | failed',
    experiment: trans.__('experiment name'),
    pipeline: trans.__('pipeline id'),
    commit: trans.__('commit sha'),
    merge_request: trans.__('merge request number')
  };
  const run =
    props.onApply ??
    ((query: ICandidateQuery) => void model.filterCandidates(query));
  const apply = (value: string) => {
    const trimmed = value.trim();
    run(trimmed ? ({ [field]: trimmed } as ICandidateQuery) : {});
  };
  return (
    <form
      className="jp-modelreg-candidate-filter"
      role="search"
      aria-label={trans.__('Filter candidates')}
      onSubmit={event => {
        event.preventDefault();
        apply(text);
      }}
    >
      <select
        className="jp-mod-styled"
        aria-label={trans.__('Filter by')}
        value={field}
        onChange={event => setField(event.target.value as FilterField)}
      >
        {FIELDS.map(f => (
          <option key={f} value={f}>
            {labels[f]}
          </option>
        ))}
      </select>
      <input
        className="jp-mod-styled"
        aria-label={trans.__('Filter value')}
        data-testid="modelreg-candidate-filter"
        placeholder={placeholders[field]}
        value={text}
        onChange={event => setText(event.target.value)}
      />
      <button type="submit" className="jp-mod-styled">
        {trans.__('Filter')}
      </button>
      {FIELDS.some(f => props.query[f]) && (
        <button
          type="button"
          className="jp-mod-styled"
          onClick={() => {
            setText('');
            run({});
          }}
        >
          {trans.__('Clear')}
        </button>
      )}
      {props.error && (
        <div className="jp-modelreg-invalid" role="alert">
          {props.error}
        </div>
      )}
    </form>
  );
}

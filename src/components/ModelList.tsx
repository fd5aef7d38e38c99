/** The model list: search, one row per model, paging. */
import * as React from 'react';

import { isOutage } from '../errors';
import { formatDate } from '../format';
import { CommandIDs } from '../commandIds';
import { IModel } from '../registryTypes';
import { usePanel } from './context';
import { Empty, ErrorMessage, Loading, Stale } from './States';

const SEARCH_DELAY_MS = 300;

export function ModelList(): JSX.Element {
  const { model, trans, commands } = usePanel();
  const [query, setQuery] = React.useState(model.query);
  const { value: models, loading, error } = model.models;

  // Search as the user types, once they pause.
  React.useEffect(() => {
    if (query === model.query) {
      return;
    }
    const timer = setTimeout(() => void model.search(query), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query]);

  function onSearchKey(event: React.KeyboardEvent<HTMLInputElement>): void {
    if (event.key === 'Enter') {
      void model.search(query);
    }
  }

  const stale = !!error && isOutage(error) && models.length > 0;
  let body: JSX.Element;
  if (error && !stale) {
    body = (
      <ErrorMessage error={error} onRetry={() => void model.search(query)} />
    );
  } else if (loading && models.length === 0) {
    body = <Loading label={trans.__('Loading models…')} />;
  } else if (models.length === 0) {
    body = (
      <Empty>
        {model.query
          ? trans.__('No model matches "%1".', model.query)
          : trans.__(
              'No models yet. Log a notebook as a candidate to create one.'
            )}
      </Empty>
    );
  } else {
    body = (
      <ul className="jp-modelreg-model-list" aria-label={trans.__('Models')}>
        {models.map(m => (
          <ModelRow key={m.full_name} item={m} />
        ))}
      </ul>
    );
  }

  return (
    <div className="jp-modelreg-models" data-testid="modelreg-models">
      <input
        className="jp-modelreg-search jp-mod-styled"
        type="search"
        placeholder={trans.__('Search models')}
        aria-label={trans.__('Search models')}
        value={query}
        onChange={e => setQuery(e.target.value)}
        onKeyDown={onSearchKey}
      />
      <div className="jp-modelreg-row-end">
        <button
          className="jp-mod-styled jp-modelreg-small"
          data-testid="modelreg-create-model"
          title={trans.__(
            'Create an empty model in one of your groups (developer+)'
          )}
          onClick={() => void commands.execute(CommandIDs.createModel)}
        >
          {trans.__('New model…')}
        </button>
      </div>
      {stale && (
        <Stale>
          {trans.__(
            'The registry is not answering: this list is as it was at %1 and may be out of date.',
            model.modelsLoadedAt?.toLocaleTimeString() ?? ''
          )}
        </Stale>
      )}
      {body}
      {(model.hasPreviousPage || model.hasNextPage) && (
        <div
          className="jp-modelreg-pager"
          role="navigation"
          aria-label={trans.__('Pages')}
        >
          <button
            className="jp-mod-styled"
            disabled={!model.hasPreviousPage || loading}
            onClick={() => void model.previousPage()}
          >
            {trans.__('Previous')}
          </button>
          <span>{trans.__('Page %1', model.page)}</span>
          <button
            className="jp-mod-styled"
            disabled={!model.hasNextPage || loading}
            onClick={() => void model.nextPage()}
          >
            {trans.__('Next')}
          </button>
        </div>
      )}
    </div>
  );
}

interface IModelRowProps {
  item: IModel;
}

function ModelRow(props: IModelRowProps): JSX.Element {
  const { model, trans } = usePanel();
  const item = props.item;
  return (
    <li>
      <button
        className="jp-modelreg-model-row"
        data-testid="modelreg-model-row"
        data-model={item.full_name}
        onClick={() => void model.openModel(item.full_name)}
      >
        <span className="jp-modelreg-model-name" title={item.full_name}>
          {item.full_name}
        </span>
        <span className="jp-modelreg-model-facts">
          <span className="jp-modelreg-chip" title={trans.__('Latest version')}>
            {item.latest_version
              ? `v${item.latest_version}`
              : trans.__('no version')}
          </span>
          <span title={trans.__('Candidates')}>
            {trans._n(
              '%1 candidate',
              '%1 candidates',
              item.counts?.candidates ?? 0
            )}
          </span>
          <span className="jp-modelreg-muted" title={trans.__('Last update')}>
            {formatDate(item.updated_at)}
          </span>
        </span>
      </button>
    </li>
  );
}

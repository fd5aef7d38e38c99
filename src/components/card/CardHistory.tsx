/** The card's saved revisions; pick two to see what changed. */
import * as React from 'react';

import { cardApi, ICardRevision, ICardView } from '../../cardApi';
import { formatDate } from '../../format';
import { usePanel } from '../context';
import { ErrorMessage, Loading } from '../States';
import { useAsync } from '../useAsync';
import { CardDiff } from './CardDiff';

export interface ICardHistoryProps {
  fullName: string;
  /** The current revision: the history reloads when it changes. */
  revision: number;
}

export function CardHistory(props: ICardHistoryProps): JSX.Element {
  const { trans } = usePanel();
  const list = useAsync(
    () => cardApi.revisions(props.fullName, { limit: 50 }),
    [props.fullName, props.revision]
  );
  const items: ICardRevision[] = list.value?.items ?? [];
  const [pair, setPair] = React.useState<[number, number] | null>(null);
  const diff = useAsync<[ICardView, ICardView] | null>(
    async () =>
      pair
        ? await Promise.all([
            cardApi.revision(props.fullName, pair[0]),
            cardApi.revision(props.fullName, pair[1])
          ])
        : null,
    [props.fullName, pair?.[0], pair?.[1]]
  );

  function compareWithPrevious(revision: number): void {
    setPair([revision - 1, revision]);
  }

  if (list.loading && !list.value) {
    return <Loading label={trans.__('Loading the card history…')} />;
  }
  return (
    <div
      className="jp-modelreg-card-history"
      data-testid="modelreg-card-history"
    >
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {items.length === 0 && (
        <div className="jp-modelreg-muted">{trans.__('Not saved yet.')}</div>
      )}
      <ul className="jp-modelreg-simple-list">
        {items.map(r => (
          <li
            key={r.revision}
            data-testid="modelreg-card-revision"
            data-revision={r.revision}
          >
            <strong>{trans.__('Revision %1', r.revision)}</strong> ·{' '}
            {r.updated_by} ·{' '}
            <span className="jp-modelreg-muted">
              {formatDate(r.updated_at)}
            </span>{' '}
            · {trans.__('%1 sections', r.filled)}
            {r.message && <div className="jp-modelreg-muted">{r.message}</div>}
            {r.revision > 1 && (
              <button
                className="jp-mod-styled jp-modelreg-small"
                data-testid="modelreg-card-diff-button"
                aria-pressed={pair?.[1] === r.revision}
                onClick={() => compareWithPrevious(r.revision)}
              >
                {trans.__('Changes from revision %1', r.revision - 1)}
              </button>
            )}
          </li>
        ))}
      </ul>
      {diff.error && <ErrorMessage error={diff.error} />}
      {diff.value && <CardDiff before={diff.value[0]} after={diff.value[1]} />}
    </div>
  );
}

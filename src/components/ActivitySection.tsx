/** Activity: who did what to the model, newest first, paged. */
import * as React from 'react';

import { registry, toModelregError } from '../api';
import { formatDate } from '../format';
import { ICard } from '../panelState';
import { ModelregError } from '../errors';
import { IActivity } from '../registryTypes';
import { usePanel } from './context';
import { Empty, ErrorMessage, Loading } from './States';

export interface IActivitySectionProps {
  card: ICard;
}

function describe(details: IActivity['details']): string {
  if (!details) {
    return '';
  }
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${v}`)
    .join(' · ');
}

export function ActivitySection(props: IActivitySectionProps): JSX.Element {
  const { trans, model } = usePanel();
  const fullName = props.card.model.full_name;
  const [items, setItems] = React.useState<IActivity[]>([]);
  const [cursor, setCursor] = React.useState<string | null>(null);
  const [loading, setLoading] = React.useState(true);
  const [error, setError] = React.useState<ModelregError | null>(null);

  async function load(from: string | null): Promise<void> {
    setLoading(true);
    setError(null);
    try {
      const page = await registry.activity(fullName, {
        cursor: from,
        limit: model.settings.pageSize
      });
      setItems(previous => (from ? [...previous, ...page.items] : page.items));
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(toModelregError(e));
    }
    setLoading(false);
  }

  React.useEffect(() => {
    void load(null);
  }, [fullName, model.generation]);

  return (
    <div className="jp-modelreg-activity" data-testid="modelreg-activity">
      {error && <ErrorMessage error={error} onRetry={() => void load(null)} />}
      {!error && !loading && items.length === 0 && (
        <Empty>{trans.__('No activity yet.')}</Empty>
      )}
      <ul className="jp-modelreg-simple-list">
        {items.map((a, i) => (
          <li key={i}>
            <strong>{a.action}</strong> · {a.actor} ·{' '}
            <span className="jp-modelreg-muted">
              {formatDate(a.created_at)}
            </span>
            <div className="jp-modelreg-muted">{describe(a.details)}</div>
          </li>
        ))}
      </ul>
      {loading && <Loading label={trans.__('Loading activity…')} />}
      {!loading && cursor && (
        <button
          className="jp-mod-styled jp-modelreg-more"
          onClick={() => void load(cursor)}
        >
          {trans.__('Load more')}
        </button>
      )}
    </div>
  );
}

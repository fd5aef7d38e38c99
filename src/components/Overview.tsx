/** Overview: the card's markdown and metadata, latest version, aliases and deployments. */
import * as React from 'react';

import { ICard } from '../model';
import { CommandIDs, hasRole } from '../tokens';
import { formatDate } from '../format';
import { CardEditor } from './CardEditor';
import { usePanel } from './context';
import { Markdown } from './Markdown';
import { Empty } from './States';

export interface IOverviewProps {
  card: ICard;
}

export function Overview(props: IOverviewProps): JSX.Element {
  const { trans, commands } = usePanel();
  const { model, aliases, deployments } = props.card;
  const [editing, setEditing] = React.useState(false);
  const canEdit = hasRole(model.your_role, 'developer');
  const meta = model.metadata ?? {};

  if (editing) {
    return <CardEditor model={model} onDone={() => setEditing(false)} />;
  }

  const facts: [string, React.ReactNode][] = [
    [trans.__('Task'), meta.task],
    [trans.__('Framework'), meta.framework],
    [trans.__('License'), meta.license],
    [trans.__('Tags'), (meta.tags ?? []).join(', ')],
    [trans.__('Intended use'), meta.intended_use],
    [trans.__('Limitations'), meta.limitations],
    [
      trans.__('Created'),
      `${formatDate(model.created_at)} · ${model.created_by}`
    ],
    [trans.__('Updated'), formatDate(model.updated_at)]
  ];

  return (
    <div className="jp-modelreg-overview" data-testid="modelreg-overview">
      <div className="jp-modelreg-row-between">
        <span>
          {trans.__('Latest version')}:{' '}
          <strong data-testid="modelreg-latest-version">
            {model.latest_version ?? trans.__('none yet')}
          </strong>
        </span>
        {canEdit && (
          <button
            className="jp-mod-styled"
            data-testid="modelreg-edit-card"
            onClick={() => setEditing(true)}
          >
            {trans.__('Edit card')}
          </button>
        )}
      </div>
      {model.description ? (
        <Markdown source={model.description} />
      ) : (
        <Empty>{trans.__('This model has no card text yet.')}</Empty>
      )}
      <dl className="jp-modelreg-facts">
        {facts
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <React.Fragment key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </React.Fragment>
          ))}
      </dl>
      <h3>{trans.__('Aliases')}</h3>
      {aliases.length === 0 ? (
        <Empty>{trans.__('No aliases.')}</Empty>
      ) : (
        <ul className="jp-modelreg-simple-list" data-testid="modelreg-aliases">
          {aliases.map(a => (
            <li key={a.alias}>
              <span className="jp-modelreg-chip">{a.alias}</span> → {a.version}
              <button
                className="jp-mod-styled jp-modelreg-small"
                onClick={() =>
                  void commands.execute(CommandIDs.pull, {
                    model: model.full_name,
                    ref: a.alias
                  })
                }
              >
                {trans.__('Pull into notebook')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3>{trans.__('Deployments')}</h3>
      {deployments.length === 0 ? (
        <Empty>{trans.__('No deployments recorded.')}</Empty>
      ) : (
        <ul
          className="jp-modelreg-simple-list"
          data-testid="modelreg-deployments"
        >
          {deployments.map((d, i) => (
            <li key={i}>
              <strong>{d.environment}</strong> {d.version} · {d.status}
              {d.url && (
                <>
                  {' · '}
                  <a href={d.url} target="_blank" rel="noopener noreferrer">
                    {d.url}
                  </a>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

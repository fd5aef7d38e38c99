/** Overview: the card (sections, completeness, history), metadata, aliases and deployments, with their actions. */
import * as React from 'react';
import { ICard } from '../panelState';
import { CommandIDs } from '../commandIds';
import { IAlias, IDeployment, Role } from '../registryTypes';
import { formatDate } from '../format';
import { webUrl } from '../links';
import { AliasActions } from './actions/AliasActions';
import { GatedButton } from './actions/GatedButton';
import { DeploymentStatusButton } from './deployments/DeploymentStatusButton';
import { RecordDeploymentButton } from './deployments/RecordDeploymentButton';
import { ModelCardSections } from './card/ModelCardSections';
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
        <span className="jp-modelreg-row">
          <GatedButton
            role={model.your_role}
            needs="developer"
            testId="modelreg-edit-card"
            title={trans.__(
              'Edit the description, task, framework, license and tags'
            )}
            onClick={() => setEditing(true)}
          >
            {trans.__('Edit details')}
          </GatedButton>
          <GatedButton
            role={model.your_role}
            needs="owner"
            testId="modelreg-manage-members"
            onClick={() =>
              void commands.execute(CommandIDs.manageMembers, {
                group: model.group
              })
            }
          >
            {trans.__('Members…')}
          </GatedButton>
        </span>
      </div>
      {model.description ? (
        <Markdown source={model.description} />
      ) : (
        <Empty>{trans.__('This model has no description yet.')}</Empty>
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
      <h3>{trans.__('Model card')}</h3>
      <ModelCardSections fullName={model.full_name} role={model.your_role} />
      <AliasList
        fullName={model.full_name}
        role={model.your_role}
        aliases={aliases}
      />
      <DeploymentList
        fullName={model.full_name}
        role={model.your_role}
        deployments={deployments}
      />
    </div>
  );
}

interface IAliasListProps {
  fullName: string;
  role: Role | null | undefined;
  aliases: IAlias[];
}

/** Aliases with pull, move and delete. */
function AliasList(props: IAliasListProps): JSX.Element {
  const { trans, commands } = usePanel();
  const run = (id: string, args: Record<string, string>) =>
    void commands.execute(id, { model: props.fullName, ...args });
  return (
    <>
      <h3>{trans.__('Aliases')}</h3>
      {props.aliases.length === 0 ? (
        <Empty>{trans.__('No aliases.')}</Empty>
      ) : (
        <ul className="jp-modelreg-simple-list" data-testid="modelreg-aliases">
          {props.aliases.map(a => (
            <li key={a.alias} data-alias={a.alias}>
              <span className="jp-modelreg-chip">{a.alias}</span> → {a.version}
              <button
                className="jp-mod-styled jp-modelreg-small"
                onClick={() => run(CommandIDs.pull, { ref: a.alias })}
              >
                {trans.__('Pull into notebook')}
              </button>
              <AliasActions
                fullName={props.fullName}
                alias={a.alias}
                role={props.role}
                testId="modelreg-alias"
              />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

interface IDeploymentListProps {
  fullName: string;
  role: Role | null | undefined;
  deployments: IDeployment[];
}

function DeploymentList(props: IDeploymentListProps): JSX.Element {
  const { trans } = usePanel();
  return (
    <>
      <div className="jp-modelreg-row-between">
        <h3>{trans.__('Deployments')}</h3>
        <RecordDeploymentButton
          fullName={props.fullName}
          role={props.role}
          testId="modelreg-record-deployment"
        />
      </div>
      {props.deployments.length === 0 ? (
        <Empty>{trans.__('No deployments recorded.')}</Empty>
      ) : (
        <ul
          className="jp-modelreg-simple-list"
          data-testid="modelreg-deployments"
        >
          {props.deployments.map((d, i) => (
            <li key={i}>
              <strong>{d.environment}</strong>{' '}
              {d.version ?? trans.__('candidate #%1', d.candidate ?? '?')} ·{' '}
              {d.status}
              <DeploymentStatusButton
                fullName={props.fullName}
                role={props.role}
                deployment={d}
              />
              {d.url && (
                <>
                  {' · '}
                  {webUrl(d.url) ? (
                    <a href={d.url} target="_blank" rel="noopener noreferrer">
                      {d.url}
                    </a>
                  ) : (
                    <span>{d.url}</span>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** A version's page in the main area: everything it is made of, frozen, and what changed since the one before. */
import * as React from 'react';

import { registry } from '../../api';
import { cardApi, IVersionDetail } from '../../cardApi';
import { formatDate } from '../../format';
import { CommandIDs } from '../../commandIds';
import { AliasActions } from '../actions/AliasActions';
import { GatedButton } from '../actions/GatedButton';
import { CardSectionsView } from '../card/CardSectionsView';
import { DeploymentStatusButton } from '../deployments/DeploymentStatusButton';
import { RecordDeploymentButton } from '../deployments/RecordDeploymentButton';
import { usePanel } from '../context';
import { PagePart as Part } from '../PagePart';
import { ErrorMessage, Loading } from '../States';
import { useAsync } from '../useAsync';
import { VersionChanges } from './VersionChanges';
import { versionChanges } from './versionDiff';
import {
  VersionFiles,
  VersionMetrics,
  VersionParams,
  VersionProvenance
} from './VersionFacts';

export interface IVersionPageProps {
  fullName: string;
  version: string;
}

async function loadPage(fullName: string, version: string) {
  const [model, current, versions, deployments] = await Promise.all([
    registry.getModel(fullName),
    cardApi.getVersion(fullName, version),
    registry.listVersions(fullName),
    registry.listDeployments(fullName)
  ]);
  // Versions come highest first: the previous one is the next in the list.
  const index = versions.items.findIndex(v => v.version === current.version);
  const previous = index >= 0 ? (versions.items[index + 1] ?? null) : null;
  const card = current.card_revision
    ? await cardApi.revision(fullName, current.card_revision)
    : null;
  return {
    model,
    current,
    previous,
    card,
    deployments: deployments.items.filter(d => d.version === current.version)
  };
}

export function VersionPage(props: IVersionPageProps): JSX.Element {
  const { trans, commands, model } = usePanel();
  const page = useAsync(
    () => loadPage(props.fullName, props.version),
    [props.fullName, props.version, model.generation]
  );
  if (!page.value) {
    return page.error ? (
      <ErrorMessage error={page.error} onRetry={page.reload} />
    ) : (
      <Loading label={trans.__('Loading version %1…', props.version)} />
    );
  }
  const { current, previous, card, deployments } = page.value;
  const role = page.value.model.your_role;
  const v: IVersionDetail = current;
  const run = (id: string, args: Record<string, string>) =>
    void commands.execute(id, args).then(page.reload);
  return (
    <div
      className="jp-modelreg-version-page"
      data-testid="modelreg-version-page"
      data-version={v.version}
    >
      <header className="jp-modelreg-row-between">
        <h2>
          {props.fullName} {v.version}
          {v.prerelease && (
            <span className="jp-modelreg-chip">{trans.__('pre-release')}</span>
          )}
          {v.yanked && (
            <span className="jp-modelreg-chip jp-modelreg-chip-warn">
              {trans.__('yanked')}
            </span>
          )}
          {v.git_tag && (
            <span
              className="jp-modelreg-chip"
              data-testid="modelreg-version-git-tag"
              title={trans.__('Git tag on commit %1', v.git_commit ?? '')}
            >
              {trans.__('tag %1', v.git_tag)}
            </span>
          )}
        </h2>
        <span className="jp-modelreg-row">
          <GatedButton
            role={role}
            needs="maintainer"
            testId="modelreg-version-set-alias"
            onClick={() =>
              run(CommandIDs.moveAlias, {
                model: props.fullName,
                version: v.version
              })
            }
          >
            {trans.__('Set alias…')}
          </GatedButton>
          <RecordDeploymentButton
            fullName={props.fullName}
            role={role}
            version={v.version}
            testId="modelreg-version-deploy"
            onDone={page.reload}
          />
          <GatedButton
            role={role}
            needs="maintainer"
            testId="modelreg-version-yank"
            disabledReason={v.yanked ? trans.__('Already yanked.') : undefined}
            onClick={() =>
              run(CommandIDs.yank, {
                model: props.fullName,
                version: v.version
              })
            }
          >
            {trans.__('Yank…')}
          </GatedButton>
          <a
            className="jp-mod-styled jp-modelreg-small jp-modelreg-link-button"
            href={cardApi.cardMarkdownUrl(props.fullName, v.version)}
            download="README.md"
          >
            {trans.__('README.md')}
          </a>
        </span>
      </header>
      <div className="jp-modelreg-muted">
        {trans.__(
          'From candidate #%1 · %2 · %3',
          v.candidate,
          v.created_by,
          formatDate(v.created_at)
        )}
      </div>
      {v.yanked && v.yank_reason && (
        <div className="jp-modelreg-warning">
          {trans.__('Yanked: %1', v.yank_reason)}
        </div>
      )}
      <Part
        title={trans.__('What changed')}
        testId="modelreg-version-part-changes"
      >
        {previous ? (
          <VersionChanges
            previous={previous.version}
            changes={versionChanges(previous, v)}
          />
        ) : (
          <div className="jp-modelreg-muted">
            {trans.__('The first version: nothing to compare with.')}
          </div>
        )}
      </Part>
      <Part title={trans.__('Aliases')}>
        {v.aliases.length ? (
          <ul
            className="jp-modelreg-simple-list"
            data-testid="modelreg-version-aliases"
          >
            {v.aliases.map(a => (
              <li key={a} className="jp-modelreg-alias-row">
                <span className="jp-modelreg-chip">{a}</span>
                <AliasActions
                  fullName={props.fullName}
                  alias={a}
                  role={role}
                  testId="modelreg-version-alias"
                  onDone={page.reload}
                />
              </li>
            ))}
          </ul>
        ) : (
          <div className="jp-modelreg-muted">
            {trans.__('No alias points here.')}
          </div>
        )}
      </Part>
      <Part title={trans.__('Deployments')}>
        {deployments.length ? (
          <ul
            className="jp-modelreg-simple-list"
            data-testid="modelreg-version-deployments"
          >
            {deployments.map((d, i) => (
              <li key={i}>
                <strong>{d.environment}</strong> · {d.status} ·{' '}
                {formatDate(d.created_at)}
                <DeploymentStatusButton
                  fullName={props.fullName}
                  role={role}
                  deployment={d}
                />
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
        ) : (
          <div className="jp-modelreg-muted">
            {trans.__('Not deployed anywhere yet.')}
          </div>
        )}
      </Part>
      <Part title={trans.__('Metrics')}>
        <VersionMetrics fullName={props.fullName} version={v} />
      </Part>
      <Part title={trans.__('Params')}>
        <VersionParams fullName={props.fullName} version={v} />
      </Part>
      <Part title={trans.__('Provenance')}>
        <VersionProvenance fullName={props.fullName} version={v} />
      </Part>
      <Part title={trans.__('Files')}>
        <VersionFiles fullName={props.fullName} version={v} />
      </Part>
      <Part
        title={
          card
            ? trans.__('Card (revision %1, as released)', card.revision)
            : trans.__('Card')
        }
        testId="modelreg-version-card"
      >
        {card ? (
          <CardSectionsView card={card} hideEmpty />
        ) : (
          <div className="jp-modelreg-muted">
            {trans.__('No card was saved when this version was released.')}
          </div>
        )}
      </Part>
    </div>
  );
}

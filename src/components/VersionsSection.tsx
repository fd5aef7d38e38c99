/** Versions: semver, lock badge, notes, yanked state; pull one into the notebook or compare. */
import * as React from 'react';

import { formatDate } from '../format';
import { ICard } from '../panelState';
import { lockIcon } from '../icons';
import { CommandIDs } from '../commandIds';
import { hasRole } from '../registryTypes';
import { GatedButton } from './actions/GatedButton';
import { CompareCheckbox } from './CompareCheckbox';
import { usePanel } from './context';
import { Empty } from './States';
import { VersionNotes } from './VersionNotes';

export interface IVersionsSectionProps {
  card: ICard;
}

export function VersionsSection(props: IVersionsSectionProps): JSX.Element {
  const { trans, commands } = usePanel();
  const { versions, model: info } = props.card;
  const canEditNotes = hasRole(info.your_role, 'maintainer');
  if (versions.length === 0) {
    return (
      <Empty>
        {trans.__(
          'No versions yet. Promote a candidate to create a locked version.'
        )}
      </Empty>
    );
  }
  return (
    <ul
      className="jp-modelreg-items"
      aria-label={trans.__('Versions')}
      data-testid="modelreg-versions"
    >
      {versions.map(v => {
        return (
          <li
            key={v.version}
            className={`jp-modelreg-item${v.yanked ? ' jp-modelreg-yanked' : ''}`}
            data-testid="modelreg-version"
            data-version={v.version}
          >
            <div className="jp-modelreg-item-head">
              <CompareCheckbox
                compareRef={`v:${v.version}`}
                label={trans.__('Select version %1 to compare', v.version)}
              />
              <strong className="jp-modelreg-version-label">{v.version}</strong>
              {v.locked && (
                <span
                  className="jp-modelreg-lock"
                  data-testid="modelreg-lock"
                  title={trans.__(
                    'Locked: the files and metadata of this version cannot change'
                  )}
                  aria-label={trans.__('Locked')}
                >
                  <lockIcon.react
                    tag="span"
                    className="jp-modelreg-inline-icon"
                  />
                  {trans.__('locked')}
                </span>
              )}
              {v.prerelease && (
                <span className="jp-modelreg-chip">
                  {trans.__('pre-release')}
                </span>
              )}
              {v.yanked && (
                <span
                  className="jp-modelreg-chip jp-modelreg-chip-warn"
                  title={v.yank_reason ?? ''}
                >
                  {trans.__('yanked')}
                </span>
              )}
              {v.aliases.map(a => (
                <span key={a} className="jp-modelreg-chip">
                  {a}
                </span>
              ))}
              {v.git_tag && (
                <span
                  className="jp-modelreg-chip"
                  data-testid="modelreg-git-tag"
                  title={trans.__('Git tag on commit %1', v.git_commit ?? '')}
                >
                  {trans.__('tag %1', v.git_tag)}
                </span>
              )}
            </div>
            {v.yanked && v.yank_reason && (
              <div className="jp-modelreg-muted">
                {trans.__('Yanked: %1', v.yank_reason)}
              </div>
            )}
            <VersionNotes version={v} canEdit={canEditNotes} />
            <div className="jp-modelreg-muted">
              {trans.__(
                'From candidate #%1 · %2 · %3',
                v.candidate,
                v.created_by,
                formatDate(v.created_at)
              )}
            </div>
            <div className="jp-modelreg-row-end">
              <button
                className="jp-mod-styled jp-modelreg-small"
                data-testid="modelreg-open-version"
                onClick={() =>
                  void commands.execute(CommandIDs.openVersion, {
                    model: info.full_name,
                    version: v.version
                  })
                }
              >
                {trans.__('Open page')}
              </button>
              <GatedButton
                role={info.your_role}
                needs="maintainer"
                testId="modelreg-set-alias"
                onClick={() =>
                  void commands.execute(CommandIDs.moveAlias, {
                    model: info.full_name,
                    version: v.version
                  })
                }
              >
                {trans.__('Set alias…')}
              </GatedButton>
              <GatedButton
                role={info.your_role}
                needs="maintainer"
                testId="modelreg-yank"
                disabledReason={
                  v.yanked ? trans.__('Already yanked.') : undefined
                }
                onClick={() =>
                  void commands.execute(CommandIDs.yank, {
                    model: info.full_name,
                    version: v.version
                  })
                }
              >
                {trans.__('Yank…')}
              </GatedButton>
              <button
                className="jp-mod-styled jp-modelreg-small"
                data-testid="modelreg-pull"
                onClick={() =>
                  void commands.execute(CommandIDs.pull, {
                    model: info.full_name,
                    ref: v.version
                  })
                }
              >
                {trans.__('Pull into notebook')}
              </button>
            </div>
          </li>
        );
      })}
    </ul>
  );
}

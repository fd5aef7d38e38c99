/** The sidebar panel's content: toolbar, registry status, then the model list or a model card. */
import { lockIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CommandIDs } from '../commandIds';
import { InvitationsBanner } from './account/InvitationsBanner';
import { usePanel } from './context';
import { ModelCard } from './ModelCard';
import { ModelList } from './ModelList';
import { StatusBanner } from './StatusBanner';
import { UploadsSection } from './UploadsSection';

export function RegistryView(): JSX.Element {
  const { model, trans, commands } = usePanel();
  // During an outage what was loaded stays in view, marked stale, rather than vanishing.
  const usable =
    !!model.status.value?.reachable ||
    model.models.value.length > 0 ||
    !!model.card.value;
  return (
    <div className="jp-modelreg-view">
      <div className="jp-modelreg-toolbar">
        <h1 className="jp-modelreg-title">{trans.__('Model registry')}</h1>
        <button
          className="jp-mod-styled jp-mod-accept jp-modelreg-log-button"
          data-testid="modelreg-log-candidate"
          title={trans.__('Log the active notebook as a candidate')}
          onClick={() => void commands.execute(CommandIDs.logCandidate)}
        >
          {trans.__('Log as candidate')}
        </button>
        <button
          className="jp-modelreg-icon-button"
          data-testid="modelreg-refresh"
          aria-label={trans.__('Refresh')}
          title={trans.__('Refresh')}
          onClick={() => void model.refresh()}
        >
          ⟳
        </button>
        <button
          className="jp-modelreg-icon-button"
          data-testid="modelreg-manage-tokens"
          aria-label={trans.__('API tokens')}
          title={
            model.status.value?.user
              ? trans.__('API tokens of %1', model.status.value.user)
              : trans.__('API tokens')
          }
          onClick={() => void commands.execute(CommandIDs.manageTokens)}
        >
          {/* JupyterLab's icon, not an emoji: Chromium on Linux often has no emoji font (a box). */}
          <lockIcon.react tag="span" elementSize="normal" />
        </button>
      </div>
      <StatusBanner />
      <InvitationsBanner />
      <UploadsSection />
      {usable && (model.selected ? <ModelCard /> : <ModelList />)}
    </div>
  );
}

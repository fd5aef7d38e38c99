/** The sidebar panel's content: toolbar, registry status, then the model list or a model card. */
import {
  lockIcon,
  refreshIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { CommandIDs } from '../commandIds';
import { logCandidateIcon } from '../icons';
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
  function logCandidate(): void {
    void commands.execute(CommandIDs.logCandidate);
  }
  function refresh(): void {
    void model.refresh();
  }
  function manageTokens(): void {
    void commands.execute(CommandIDs.manageTokens);
  }
  return (
    <div className="jp-modelreg-view">
      {/* Two rows, as JupyterLab's own sidebars have them: the title alone on its row, so the
          buttons never squeeze it to "M.", then a toolbar of compact buttons with tooltips. */}
      <h1 className="jp-modelreg-title" title={trans.__('Model registry')}>
        {trans.__('Model registry')}
      </h1>
      <div
        className="jp-modelreg-toolbar"
        role="toolbar"
        aria-label={trans.__('Model registry actions')}
      >
        <ToolbarButtonComponent
          className="jp-modelreg-log-button"
          dataset={{ testid: 'modelreg-log-candidate' }}
          icon={logCandidateIcon}
          label={trans.__('Log as candidate')}
          tooltip={trans.__('Log the active notebook as a candidate')}
          onClick={logCandidate}
        />
        <span className="jp-modelreg-toolbar-spacer" />
        <ToolbarButtonComponent
          dataset={{ testid: 'modelreg-refresh' }}
          icon={refreshIcon}
          tooltip={trans.__('Refresh')}
          onClick={refresh}
        />
        <ToolbarButtonComponent
          dataset={{ testid: 'modelreg-manage-tokens' }}
          icon={lockIcon}
          tooltip={
            model.status.value?.user
              ? trans.__('API tokens of %1', model.status.value.user)
              : trans.__('API tokens')
          }
          onClick={manageTokens}
        />
      </div>
      <StatusBanner />
      <InvitationsBanner />
      <UploadsSection />
      {usable && (model.selected ? <ModelCard /> : <ModelList />)}
    </div>
  );
}

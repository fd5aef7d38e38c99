/** Wires the modelreg plugin into JupyterLab; behaviour lives in model.ts, commands/ and components/. */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { setServerSettings } from './api';
import { addCommands } from './commands';
import { PanelState } from './panelState';
import { ModelregPanel } from './panel';
import { BackgroundUploads } from './backgroundUploads';
import { followNotebookUploads } from './notebookUploads';
import { CommandIDs } from './commandIds';
import { IModelregSettings } from './settings';
import {
  compareTabs,
  pageTabs,
  restoreCompareTabs,
  restorePageTabs,
  restorePanelPlace
} from './restore';

const PLUGIN_ID = 'jupyterlab-modelreg:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Model registry panel: log notebooks as candidates, read model cards, compare, promote, pull.',
  autoStart: true,
  optional: [
    ISettingRegistry,
    ICommandPalette,
    INotebookTracker,
    IRenderMimeRegistry,
    ITranslator,
    IFileBrowserFactory,
    IDocumentManager,
    ILayoutRestorer,
    IStateDB
  ],
  activate: activateModelreg
};

function activateModelreg(
  app: JupyterFrontEnd,
  settingRegistry: ISettingRegistry | null,
  palette: ICommandPalette | null,
  notebooks: INotebookTracker | null,
  rendermime: IRenderMimeRegistry | null,
  translator: ITranslator | null,
  fileBrowsers: IFileBrowserFactory | null,
  docManager: IDocumentManager | null,
  restorer: ILayoutRestorer | null,
  state: IStateDB | null
): void {
  const trans = (translator ?? nullTranslator).load('jupyterlab_modelreg');
  setServerSettings(app.serviceManager.serverSettings);

  const model = new PanelState({}, new BackgroundUploads(trans));
  if (state) {
    void model.runColumns.connect(state);
  }
  if (notebooks) {
    followNotebookUploads(notebooks, model.uploads);
  }
  const panel = new ModelregPanel(model, app.commands, trans, rendermime);
  app.shell.add(panel, 'left', { rank: 900 });
  restorer?.add(panel, 'jupyterlab-modelreg-panel');
  const tabs = compareTabs();
  const pages = pageTabs();
  if (restorer) {
    restoreCompareTabs(restorer, tabs);
    restorePageTabs(restorer, pages);
  }
  if (state) {
    void restorePanelPlace(state, model, app.restored);
  }

  addCommands({
    app,
    model,
    panel,
    trans,
    notebooks,
    docManager,
    fileBrowsers,
    rendermime,
    state,
    compareTabs: tabs,
    pageTabs: pages
  });

  if (palette) {
    const category = trans.__('Model Registry');
    for (const command of [
      CommandIDs.openPanel,
      CommandIDs.refresh,
      CommandIDs.logCandidate,
      CommandIDs.createModel,
      CommandIDs.openRuns,
      CommandIDs.recordDeployment,
      CommandIDs.rollbackAlias,
      CommandIDs.manageMembers,
      CommandIDs.manageTokens
    ]) {
      palette.addItem({ command, category });
    }
  }

  if (settingRegistry) {
    void settingRegistry.load(PLUGIN_ID).then(
      settings => {
        const apply = () =>
          model.updateSettings(
            settings.composite as unknown as Partial<IModelregSettings>
          );
        apply();
        settings.changed.connect(apply);
      },
      reason => console.error('modelreg: could not load settings', reason)
    );
  }
}

export default plugin;

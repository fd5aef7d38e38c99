/** What the command modules share: the app, the panel's state and the optional JupyterLab services. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';

import { PanelState } from '../panelState';
import { ModelregPanel } from '../panel';

export interface ICommandDeps {
  app: JupyterFrontEnd;
  model: PanelState;
  panel: ModelregPanel;
  trans: TranslationBundle;
  notebooks: INotebookTracker | null;
  docManager: IDocumentManager | null;
  fileBrowsers: IFileBrowserFactory | null;
  rendermime: IRenderMimeRegistry | null;
}

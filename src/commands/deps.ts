/** What the command modules share: the app, the panel's state and the optional JupyterLab services. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IStateDB } from '@jupyterlab/statedb';
import { TranslationBundle } from '@jupyterlab/translation';

import { PanelState } from '../panelState';
import { ModelregPanel } from '../panel';
import { CompareTabs, IPageTabs } from '../restore';

export interface ICommandDeps {
  app: JupyterFrontEnd;
  model: PanelState;
  panel: ModelregPanel;
  trans: TranslationBundle;
  notebooks: INotebookTracker | null;
  docManager: IDocumentManager | null;
  fileBrowsers: IFileBrowserFactory | null;
  rendermime: IRenderMimeRegistry | null;
  /** Where per-notebook choices are remembered; without it nothing is. */
  state?: IStateDB | null;
  /** The compare tabs the layout restorer reopens after a reload. */
  compareTabs?: CompareTabs | null;
  /** The candidate pages and runs tables the layout restorer reopens. */
  pageTabs?: IPageTabs | null;
}

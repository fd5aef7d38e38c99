/** The pull and compare commands, with a real notebook widget and the real registry behind them. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { NBTestUtils } from '@jupyterlab/notebook/lib/testutils';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { addCompareCommand } from '../commands/compare';
import { ICommandDeps } from '../commands/deps';
import { addPullCommand } from '../commands/pull';
import { PanelState } from '../panelState';
import { ModelregPanel } from '../panel';
import { CommandIDs } from '../commandIds';
import { TOAST_MAX_LENGTH } from '../toast';
import { testServers, useTestServer } from './servers';

/** Just enough of JupyterFrontEnd for the commands: a command registry and a recording shell. */
function fakeApp(): { app: JupyterFrontEnd; added: Widget[] } {
  const added: Widget[] = [];
  const app = {
    commands: new CommandRegistry(),
    shell: {
      add: (widget: Widget) => void added.push(widget),
      activateById: () => undefined
    }
  } as unknown as JupyterFrontEnd;
  return { app, added };
}

describe('commands', () => {
  const servers = testServers();
  let notebook: NotebookPanel;
  let deps: ICommandDeps;
  let added: Widget[];

  beforeEach(async () => {
    useTestServer();
    const context = await NBTestUtils.createMockContext(false);
    notebook = NBTestUtils.createNotebookPanel(context);
    NBTestUtils.populateNotebook(notebook.content);
    notebook.content.activeCellIndex = 1;
    const fake = fakeApp();
    added = fake.added;
    const model = new PanelState();
    const trans = nullTranslator.load('jupyterlab_modelreg');
    deps = {
      app: fake.app,
      model,
      panel: new ModelregPanel(model, fake.app.commands, trans, null),
      trans,
      notebooks: { currentWidget: notebook } as unknown as INotebookTracker,
      docManager: null,
      fileBrowsers: null,
      rendermime: null
    };
    addPullCommand(deps);
    addCompareCommand(deps);
  });

  afterEach(() => {
    notebook.dispose();
    deps.panel.dispose();
  });

  it('pulls a version into a new code cell below the active cell, pinned, with the framework loader', async () => {
    const before = notebook.content.widgets.length;
    await deps.app.commands.execute(CommandIDs.pull, {
      model: servers.model,
      ref: 'production'
    });
    expect(notebook.content.widgets.length).toBe(before + 1);
    expect(notebook.content.activeCellIndex).toBe(2);
    const cell = notebook.content.activeCell!;
    expect(cell.model.type).toBe('code');
    expect(cell.model.sharedModel.getSource()).toBe(
      [
        'import modelreg',
        'from pathlib import Path',
        'import joblib',
        '',
        // Pinned to the version the alias resolves to (globalSetup: production -> 1.0.0).
        `path = modelreg.pull("${servers.model}@1.0.0")  # ${servers.model}@production`,
        'model = joblib.load(Path(path) / "model.pkl")'
      ].join('\n')
    );
  });

  it('pulls from the cache with the registry down, and its toast is whole, not cut', async () => {
    useTestServer(servers.downJupyterUrl);
    // JupyterLab shows 140 characters of a toast: with a long name the cut fell on what to expect.
    const model = `${servers.group}/gradient-boosted-churn-classifier-with-calibrated-probabilities`;
    const before = notebook.content.widgets.length;
    await deps.app.commands.execute(CommandIDs.pull, {
      model,
      ref: 'production'
    });
    expect(notebook.content.widgets.length).toBe(before + 1);
    const toast = Notification.manager.notifications.find(n =>
      n.message.startsWith('The registry is not answering')
    )!;
    expect(toast.type).toBe('warning');
    expect(toast.message.length).toBeLessThanOrEqual(TOAST_MAX_LENGTH);
    expect(toast.options.actions?.map(a => a.label)).toEqual(['Show details']);
  });

  it('opens a compare tab in the main area', async () => {
    const [first, second] = servers.candidates;
    await deps.app.commands.execute(CommandIDs.compare, {
      model: servers.model,
      refs: [`c:${first}`, `c:${second}`]
    });
    expect(added).toHaveLength(1);
    const tab = added[0] as MainAreaWidget;
    expect(tab.title.label).toBe(`Compare ${servers.model}`);
    expect(tab.content.node.getAttribute('data-testid')).toBe(
      'modelreg-compare'
    );
  });
});

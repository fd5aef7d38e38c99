/** "Pull into notebook": insert a cell that fetches a version (and loads it), optionally run it. */
import { showErrorMessage } from '@jupyterlab/apputils';
import { NotebookActions } from '@jupyterlab/notebook';

import { registry, toModelregError } from '../api';
import { pullSnippet } from '../pullCode';
import { CommandIDs } from '../commandIds';
import { ICommandDeps } from './deps';

export function addPullCommand(deps: ICommandDeps): void {
  const { app, trans, notebooks } = deps;
  app.commands.addCommand(CommandIDs.pull, {
    label: trans.__('Pull Model Version into Notebook'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          model: { type: 'string', description: 'group/name' },
          ref: { type: 'string', description: 'version, alias or "latest"' }
        },
        required: ['model', 'ref']
      }
    },
    isEnabled: () => !!notebooks?.currentWidget,
    execute: async args => {
      const model = String(args.model ?? '');
      const ref = String(args.ref ?? 'latest');
      const panel = notebooks?.currentWidget;
      if (!panel) {
        await showErrorMessage(
          trans.__('No notebook'),
          trans.__(
            'Open the notebook to pull %1@%2 into, then try again.',
            model,
            ref
          )
        );
        return;
      }
      try {
        const [info, version] = await Promise.all([
          registry.getModel(model),
          registry.getVersion(model, ref)
        ]);
        const code = pullSnippet({
          model,
          ref,
          framework: info.metadata?.framework,
          files: version.files.map(f => f.path),
          version: version.version
        });
        const notebook = panel.content;
        NotebookActions.insertBelow(notebook);
        const cell = notebook.activeCell;
        if (cell) {
          NotebookActions.changeCellType(notebook, 'code');
          notebook.activeCell?.model.sharedModel.setSource(code);
        }
        app.shell.activateById(panel.id);
        if (deps.model.settings.pullRunsCell) {
          await NotebookActions.run(notebook, panel.sessionContext);
        }
      } catch (e) {
        const error = toModelregError(e);
        await showErrorMessage(
          trans.__('Pull failed'),
          `${error.message} (${error.code})`
        );
      }
    }
  });
}

/** "Pull into notebook": insert a cell that fetches a version (and loads it), optionally run it. */
import { showErrorMessage } from '@jupyterlab/apputils';
import { NotebookActions } from '@jupyterlab/notebook';

import { registry, toModelregError } from '../api';
import { isOutage } from '../errors';
import { IPullRequest, pullSnippet } from '../pullCode';
import { CommandIDs } from '../commandIds';
import { notify } from '../toast';
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
      const failed = (e: unknown) => {
        const error = toModelregError(e);
        return showErrorMessage(
          trans.__('Pull failed'),
          `${error.message} (${error.code})`
        );
      };
      let request: IPullRequest;
      try {
        request = await askRegistry(model, ref);
      } catch (e) {
        if (!isOutage(toModelregError(e))) {
          await failed(e);
          return;
        }
        // modelreg.pull serves a version already in the kernel's cache without the registry.
        request = lastKnown(deps, model, ref);
        notify(
          'warning',
          trans.__(
            'The registry is not answering: the cell pulls %1@%2 from the kernel’s cache, where it works if it was pulled before.',
            model,
            ref
          ),
          trans,
          { autoClose: 10000 }
        );
      }
      try {
        const code = pullSnippet(request);
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
        await failed(e);
      }
    }
  });
}

/** The framework and files of `ref`, from the registry. */
async function askRegistry(model: string, ref: string): Promise<IPullRequest> {
  const [info, version] = await Promise.all([
    registry.getModel(model),
    registry.getVersion(model, ref)
  ]);
  return {
    model,
    ref,
    framework: info.metadata?.framework,
    files: version.files.map(f => f.path),
    version: version.version
  };
}

/** What the panel last loaded about `ref` (its open card), when the registry cannot be asked. */
function lastKnown(
  deps: ICommandDeps,
  model: string,
  ref: string
): IPullRequest {
  const card = deps.model.card.value;
  if (card?.model.full_name !== model) {
    return { model, ref };
  }
  const number =
    ref === 'latest'
      ? card.versions[0]?.version
      : (card.aliases.find(a => a.alias === ref)?.version ?? ref);
  const version = card.versions.find(v => v.version === number);
  return {
    model,
    ref,
    framework: card.model.metadata?.framework,
    files: version?.files.map(f => f.path),
    version: version?.version
  };
}

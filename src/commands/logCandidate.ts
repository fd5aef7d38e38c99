/**
 * "Log as candidate": save the notebook, ask what to log, run the kernel hook, report progress,
 * and end with a notification that opens the new candidate in the panel.
 */
import {
  Dialog,
  Notification,
  showDialog,
  ToolbarButton
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { NotebookPanel, INotebookModel } from '@jupyterlab/notebook';
import { Contents } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';

import { registry, toModelregError } from '../api';
import {
  ILogCandidateValue,
  LogCandidateBody,
  logFormProblem
} from '../components/LogCandidateForm';
import { IFolderEntry } from '../components/candidate/FilePicker';
import { logCandidateIcon } from '../icons';
import { defaultSelection } from '../components/FoundInKernel';
import {
  ILogNotebookArgs,
  inspectKernel,
  startBackgroundLog
} from '../kernelHook';
import { IBackgroundUpload } from '../backgroundUploads';
import { ModelregError } from '../errors';
import { CommandIDs } from '../commandIds';
import { IKernelInspection } from '../kernelEvents';
import { ICandidate } from '../registryTypes';
import { formatBytes } from '../format';
import { fullMessage } from '../toast';
import { ICommandDeps } from './deps';
import { nextName, recallChoice, rememberChoice } from '../notebookChoices';
import type { ExtensionErrorCode } from '../errors';

/** Errors about the kernel itself get a dialog: the user must act before retrying. */
const KERNEL_SETUP_ERRORS: readonly string[] = [
  'NO_KERNEL',
  'UNSUPPORTED_KERNEL',
  'MODELREG_NOT_INSTALLED',
  'KERNEL_HOOK_NO_RESULT'
] satisfies ExtensionErrorCode[];

/** What the kernel holds, or why it could not say. Setup errors are shown and end the command. */
interface IKernelState {
  found: IKernelInspection | null;
  note: string | null;
}

/** What the registry says before the dialog opens. */
interface IRegistryFacts {
  knownModels: string[];
  /** Groups the user can log to; null when the registry could not say. */
  writableGroups: string[] | null;
  /** Set when the registry is not answering: the dialog says so at once. */
  problem: string | null;
}

const WRITER_ROLES = ['developer', 'maintainer', 'owner'];

export function addLogCandidateCommand(deps: ICommandDeps): void {
  const { app, notebooks, trans } = deps;
  app.commands.addCommand(CommandIDs.logCandidate, {
    label: trans.__('Log as candidate'),
    caption: trans.__(
      'Log the active notebook, its files, params and metrics as a registry candidate'
    ),
    icon: logCandidateIcon,
    isEnabled: () => !!notebooks?.currentWidget,
    execute: () => logActiveNotebook(deps)
  });
  app.docRegistry.addWidgetExtension('Notebook', new LogCandidateButton(deps));
}

/** The notebook toolbar button. */
class LogCandidateButton implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  constructor(private _deps: ICommandDeps) {}

  createNew(panel: NotebookPanel): IDisposable {
    const { app, trans } = this._deps;
    const button = new ToolbarButton({
      className: 'jp-modelreg-log-toolbar-button',
      icon: logCandidateIcon,
      label: trans.__('Log as candidate'),
      tooltip: trans.__('Log this notebook as a model candidate'),
      onClick: () => {
        app.shell.activateById(panel.id);
        void app.commands.execute(CommandIDs.logCandidate);
      }
    });
    panel.toolbar.insertItem(10, 'modelreg-log-candidate', button);
    return button;
  }
}

/** How long Log waits for a starting notebook's kernel before it judges without one. */
const SESSION_WAIT_MS = 15000;

async function logActiveNotebook(
  deps: ICommandDeps
): Promise<ICandidate | null> {
  const { trans, notebooks } = deps;
  const panel = notebooks?.currentWidget;
  if (!panel) {
    await showDialog({
      title: trans.__('No notebook'),
      body: trans.__(
        'Open the notebook that trained your model, then log it as a candidate.'
      ),
      buttons: [Dialog.okButton({ label: trans.__('OK') })]
    });
    return null;
  }
  await panel.context.ready;
  await panel.context.save();
  const notebookPath = panel.context.path;
  // A notebook made a moment ago is still starting its kernel: "no running kernel" would be wrong then.
  // Bounded, since `ready` also waits for a kernel choice the user may not have made yet.
  await Promise.race([
    panel.sessionContext.ready,
    new Promise(resolve => setTimeout(resolve, SESSION_WAIT_MS))
  ]);
  const kernel = panel.sessionContext.session?.kernel;
  // Asked while the kernel is inspected, so an outage is said when the dialog opens.
  const facts = askRegistry(deps);
  const state = await askKernel(deps, kernel);
  if (!state) {
    return null;
  }
  const choice = await askWhatToLog(deps, notebookPath, state, await facts);
  if (!choice) {
    return null;
  }
  // Without an inspection the kernel takes everything it finds itself.
  const pick = (names: string[]) => (state.found ? names : 'auto');
  const args: ILogNotebookArgs = {
    model: choice.model,
    name: choice.name,
    notebook_path: notebookPath,
    files: choice.files,
    attach_notebook: choice.attachNotebook,
    attach_environment: choice.attachEnvironment,
    experiment: choice.experiment || null,
    models: pick(choice.models),
    metrics: pick(choice.metrics),
    figures: pick(choice.figures)
  };
  return startLog(deps, kernel, args);
}

/**
 * Opens the candidate in the kernel and leaves its files uploading in a kernel thread, so cells run
 * meanwhile; the panel's Uploads section shows the bytes, Cancel and Retry.
 */
async function startLog(
  deps: ICommandDeps,
  kernel: Parameters<typeof inspectKernel>[0],
  args: ILogNotebookArgs
): Promise<ICandidate | null> {
  const { trans } = deps;
  const toast = Notification.emit(
    trans.__(
      'Logging %1 to %2…',
      PathExt.basename(args.notebook_path),
      args.model
    ),
    'in-progress',
    { autoClose: false }
  );
  try {
    const upload = await startBackgroundLog(
      kernel,
      args,
      deps.model.uploads,
      {
        model: args.model,
        retry: () => void startLog(deps, kernel, args),
        onEnd: ended => reportEnded(deps, toast, ended)
      },
      trans
    );
    if (upload.state === 'uploading') {
      Notification.update({
        id: toast,
        ...fullMessage(
          trans.__('Uploading'),
          trans.__(
            'Candidate #%1 of %2 is open; its files (%3) upload in the background. Follow them under Uploads in the modelreg panel.',
            upload.candidate.iid,
            args.model,
            formatBytes(upload.total)
          ),
          trans
        ),
        progress: undefined
      });
      void deps.app.commands.execute(CommandIDs.openPanel);
      if (deps.model.selected === args.model) {
        void deps.model.refresh(); // the new candidate shows as running
      }
    }
    return upload.candidate;
  } catch (e) {
    reportFailed(deps, toast, toModelregError(e));
    return null;
  }
}

function reportEnded(
  deps: ICommandDeps,
  toast: string,
  upload: IBackgroundUpload
): void {
  if (upload.state === 'finished') {
    reportLogged(deps, toast, upload.model, upload.candidate);
  } else if (upload.error) {
    void reportFailed(
      deps,
      toast,
      new ModelregError(upload.error.code, upload.error.message)
    );
    if (deps.model.selected === upload.model) {
      void deps.model.refresh();
    }
  }
}

async function reportFailed(
  deps: ICommandDeps,
  toast: string,
  error: ModelregError
): Promise<void> {
  const { trans } = deps;
  Notification.update({
    id: toast,
    type: 'error',
    ...fullMessage(
      trans.__('Logging failed'),
      trans.__('Logging failed: %1', error.message),
      trans
    ),
    autoClose: false
  });
  if (KERNEL_SETUP_ERRORS.includes(error.code)) {
    await showDialog({
      title: trans.__('Cannot log this notebook'),
      body: error.message,
      buttons: [Dialog.okButton({ label: trans.__('OK') })]
    });
  }
}

function reportLogged(
  deps: ICommandDeps,
  toast: string,
  model: string,
  candidate: ICandidate
): void {
  const { app, trans } = deps;
  const open = () =>
    void app.commands.execute(CommandIDs.openModel, {
      model,
      section: 'candidates',
      candidate: candidate.iid
    });
  const logged = fullMessage(
    trans.__('Logged'),
    trans.__(
      'Logged candidate #%1 "%2" of %3.',
      candidate.iid,
      candidate.name,
      model
    ),
    trans
  );
  Notification.update({
    id: toast,
    type: 'success',
    message: logged.message,
    autoClose: 15000,
    actions: [
      { label: trans.__('Show in panel'), callback: open, displayType: 'link' },
      ...logged.actions
    ]
  });
  if (deps.model.selected === model) {
    void deps.model.openModel(model, {
      section: 'candidates',
      candidate: candidate.iid
    });
  } else if (!deps.model.selected) {
    void deps.model.refresh();
  }
}

/**
 * Asks the kernel what it holds. A kernel that cannot log at all (none, not Python, no modelreg)
 * gets a dialog saying so and how to fix it, and resolves null; a busy kernel resolves with a note.
 */
async function askKernel(
  deps: ICommandDeps,
  kernel: Parameters<typeof inspectKernel>[0]
): Promise<IKernelState | null> {
  const { trans } = deps;
  try {
    return { found: await inspectKernel(kernel, trans), note: null };
  } catch (e) {
    const error = toModelregError(e);
    if (!KERNEL_SETUP_ERRORS.includes(error.code)) {
      return { found: null, note: error.message };
    }
    await showDialog({
      title: trans.__('Cannot log this notebook'),
      body: error.message,
      buttons: [Dialog.okButton({ label: trans.__('OK') })]
    });
    return null;
  }
}

/** The models to offer, the groups the user can log to, and whether the registry answers at all. */
async function askRegistry(deps: ICommandDeps): Promise<IRegistryFacts> {
  const [status, models, groups] = await Promise.allSettled([
    registry.status(),
    registry.listModels({
      limit: 200,
      group: deps.model.settings.defaultGroup
    }),
    registry.groups()
  ]);
  const answered = status.status === 'fulfilled' ? status.value : null;
  const problem =
    answered && !answered.reachable
      ? answered.message
      : status.status === 'rejected'
        ? toModelregError(status.reason).message
        : null;
  return {
    knownModels:
      models.status === 'fulfilled'
        ? models.value.items.map(m => m.full_name)
        : [],
    writableGroups:
      groups.status === 'fulfilled'
        ? groups.value.items
            .filter(g => WRITER_ROLES.includes(g.role))
            .map(g => g.name)
        : null,
    problem
  };
}

/** Shows the dialog; resolves with a valid choice, or null when cancelled. */
async function askWhatToLog(
  deps: ICommandDeps,
  notebookPath: string,
  state: IKernelState,
  facts: IRegistryFacts
): Promise<ILogCandidateValue | null> {
  const { trans, model } = deps;
  const notebookDir = PathExt.dirname(notebookPath);
  const known = facts.knownModels;
  // Groups created from the dialog join the list, for the check after it closes.
  const groups = facts.writableGroups;
  // Never some other model of the registry: what this notebook logged last, else the open one.
  const last = await recallChoice(deps.state, notebookPath);
  const defaultModel =
    last?.model ??
    model.selected ??
    (model.settings.defaultGroup ? `${model.settings.defaultGroup}/` : '');
  let initial: ILogCandidateValue = {
    model: defaultModel,
    name: last?.name
      ? nextName(last.name)
      : PathExt.basename(notebookPath, '.ipynb'),
    experiment: last?.experiment ?? '',
    files: [],
    attachNotebook: true,
    attachEnvironment: true,
    ...defaultSelection(state.found)
  };
  for (;;) {
    const body = new LogCandidateBody({
      trans,
      initial,
      knownModels: known,
      found: state.found,
      kernelNote: state.note,
      writableGroups: groups ? [...groups] : null,
      createGroup: groups
        ? async name => {
            await registry.createGroup(name);
            groups.push(name);
          }
        : undefined,
      registryProblem: facts.problem,
      listFolder: deps.docManager
        ? folder => listFolder(deps.docManager!, notebookDir, folder)
        : undefined,
      browserSelection: browserSelection(deps, notebookPath)
    });
    const result = await showDialog({
      title: trans.__('Log as candidate'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Log as candidate') })
      ],
      focusNodeSelector: 'input[name="model"]'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    const value = result.value;
    const problem = logFormProblem(value, groups, trans.__.bind(trans));
    if (!problem) {
      await rememberChoice(deps.state, notebookPath, value);
      return value;
    }
    await showDialog({
      title: trans.__('Check the form'),
      body: problem,
      buttons: [Dialog.okButton({ label: trans.__('Back to the form') })]
    });
    initial = value;
  }
}

/** The folder `folder` (relative to the notebook's) for the picker: folders first, no hidden files. */
async function listFolder(
  docManager: IDocumentManager,
  notebookDir: string,
  folder: string
): Promise<IFolderEntry[]> {
  const listing = await docManager.services.contents.get(
    PathExt.join(notebookDir, folder),
    { content: true }
  );
  const items = (listing.content ?? []) as Contents.IModel[];
  return items
    .filter(item => !item.name.startsWith('.'))
    .map(item => {
      const directory = item.type === 'directory';
      const path = PathExt.relative(notebookDir, item.path);
      return {
        name: item.name,
        path: directory ? `${path}/` : path,
        directory
      };
    })
    .sort(
      (a, b) =>
        Number(b.directory) - Number(a.directory) ||
        a.name.localeCompare(b.name)
    );
}

/**
 * What the user selected in the file browser, when they can see it: a hidden browser's selection
 * is a leftover (often the notebook itself, which the snapshot attaches anyway).
 */
function browserSelection(deps: ICommandDeps, notebookPath: string): string[] {
  const browser = deps.fileBrowsers?.tracker.currentWidget;
  if (!browser || !browser.isVisible) {
    return [];
  }
  const notebookDir = PathExt.dirname(notebookPath);
  return [...browser.selectedItems()]
    .filter(item => item.path !== notebookPath)
    .map(item => {
      const path = PathExt.relative(notebookDir, item.path);
      return item.type === 'directory' ? `${path}/` : path;
    });
}

/** How a registry action becomes a command: arguments described, the open model as default, failures shown. */
import { showErrorMessage } from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { toModelregError } from '../api';
import { notify } from '../toast';
import { ICommandDeps } from './deps';

export const modelArg = { type: 'string', description: 'group/name' };

/** Runs an action; on failure shows the server's message and code, and resolves to null. */
export async function attempt<T>(
  title: string,
  action: () => Promise<T | null>
): Promise<T | null> {
  try {
    return await action();
  } catch (e) {
    const error = toModelregError(e);
    await showErrorMessage(title, `${error.message} (${error.code})`);
    return null;
  }
}

export interface IAction {
  id: string;
  label: string;
  /** JSON schema properties of the command's arguments. */
  args: Record<string, { type: string; description?: string }>;
  required: string[];
  /** Title of the error dialog when the registry refuses. */
  failure: string;
  /**
   * The action is about one model: without a `model` argument (e.g. from the palette) it acts on
   * the model open in the panel, and is disabled while none is.
   */
  onOpenModel?: boolean;
  run: (args: ReadonlyPartialJSONObject) => Promise<unknown>;
}

/** Registers one action as a command whose failures show the server's message. */
export function addAction(deps: ICommandDeps, action: IAction): void {
  const withModel = (args: ReadonlyPartialJSONObject) =>
    action.onOpenModel && !args.model && deps.model.selected
      ? { ...args, model: deps.model.selected }
      : args;
  deps.app.commands.addCommand(action.id, {
    label: action.label,
    describedBy: {
      args: {
        type: 'object',
        properties: action.args,
        required: action.onOpenModel
          ? action.required.filter(r => r !== 'model')
          : action.required
      }
    },
    isEnabled: args =>
      !action.onOpenModel || !!args.model || !!deps.model.selected,
    execute: args => attempt(action.failure, () => action.run(withModel(args)))
  });
}

/** Reloads the panel when it shows `fullName`. */
export async function refreshIfOpen(
  deps: ICommandDeps,
  fullName: string
): Promise<void> {
  if (deps.model.selected === fullName) {
    await deps.model.refresh();
  }
}

/** The argument as a string ('' when absent). */
export const str = (v: unknown): string =>
  v === undefined || v === null ? '' : String(v);

/** After an action: says what changed (a toast), reloads the panel if it shows the model, returns `result`. */
export async function announce<T>(
  deps: ICommandDeps,
  fullName: string,
  message: string,
  result: T
): Promise<T> {
  notify('success', message, deps.trans, { autoClose: 5000 });
  await refreshIfOpen(deps, fullName);
  return result;
}

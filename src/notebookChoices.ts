/**
 * What the Log dialog remembers per notebook: the model, name and experiment last logged from it, so
 * the next candidate starts from those and not from some other model of the registry.
 */
import { IStateDB } from '@jupyterlab/statedb';

export interface INotebookChoice {
  model: string;
  name: string;
  experiment: string;
}

const KEY_PREFIX = 'jupyterlab-modelreg:notebook:';

export async function recallChoice(
  state: IStateDB | null | undefined,
  notebookPath: string
): Promise<INotebookChoice | null> {
  if (!state) {
    return null;
  }
  const saved = (await state
    .fetch(KEY_PREFIX + notebookPath)
    .catch(() => undefined)) as Partial<INotebookChoice> | undefined;
  return saved?.model
    ? {
        model: saved.model,
        name: saved.name ?? '',
        experiment: saved.experiment ?? ''
      }
    : null;
}

export async function rememberChoice(
  state: IStateDB | null | undefined,
  notebookPath: string,
  choice: INotebookChoice
): Promise<void> {
  await state
    ?.save(KEY_PREFIX + notebookPath, {
      model: choice.model,
      name: choice.name,
      experiment: choice.experiment
    })
    .catch(() => undefined);
}

/**
 * The name to suggest after `last`, following its pattern: a trailing number counts up
 * (`xgb-3` → `xgb-4`, `run_09` → `run_10`); a name without one gets `-2`.
 */
export function nextName(last: string): string {
  const match = /^(.*?)(\d+)$/.exec(last);
  if (!match) {
    return last ? `${last}-2` : '';
  }
  const [, stem, digits] = match;
  const next = String(Number(digits) + 1).padStart(digits.length, '0');
  return `${stem}${next}`;
}

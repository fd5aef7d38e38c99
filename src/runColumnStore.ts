/**
 * The metric and param columns the user chose for each model's runs table, remembered in
 * JupyterLab's state database so they survive a reload (in memory only when there is none).
 */
import { IStateDB } from '@jupyterlab/statedb';
import { ReadonlyJSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import type { RunColumn } from './components/runs/runColumns';

const STATE_KEY = 'jupyterlab-modelreg:run-columns';

export class RunColumnStore {
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The columns chosen for `model`, or null when the user has not chosen. */
  get(model: string): RunColumn[] | null {
    return this._chosen[model] ?? null;
  }

  set(model: string, columns: RunColumn[]): void {
    this._chosen = { ...this._chosen, [model]: columns };
    this._changed.emit();
    void this._state?.save(STATE_KEY, this._chosen as ReadonlyJSONObject);
  }

  /** Forgets the choice: the table suggests columns again. */
  reset(model: string): void {
    const { [model]: _forgotten, ...rest } = this._chosen;
    this._chosen = rest;
    this._changed.emit();
    void this._state?.save(STATE_KEY, this._chosen as ReadonlyJSONObject);
  }

  /** Reads the remembered choices and saves every later one. */
  async connect(state: IStateDB): Promise<void> {
    this._state = state;
    const saved = (await state.fetch(STATE_KEY)) as Record<
      string,
      RunColumn[]
    > | null;
    if (saved && typeof saved === 'object') {
      // A choice made before the database answered wins over the saved one.
      this._chosen = { ...saved, ...this._chosen };
      this._changed.emit();
    }
  }

  private _chosen: Record<string, RunColumn[]> = {};
  private _state: IStateDB | null = null;
  private _changed = new Signal<this, void>(this);
}

/** The left sidebar widget: renders RegistryView from the model, refreshing it while visible. */
import * as React from 'react';
import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';

import { PanelContext } from './components/context';
import { RegistryView } from './components/RegistryView';
import { registryIcon } from './icons';
import { PanelState } from './panelState';

export class ModelregPanel extends ReactWidget {
  constructor(
    readonly model: PanelState,
    private _commands: CommandRegistry,
    private _trans: TranslationBundle,
    private _rendermime: IRenderMimeRegistry | null
  ) {
    super();
    this.id = 'jp-modelreg-panel';
    this.addClass('jp-modelreg-panel');
    this.title.icon = registryIcon;
    this.title.caption = _trans.__('Model registry');
    this.node.setAttribute('data-testid', 'modelreg-panel');
    this.node.setAttribute('aria-label', _trans.__('Model registry'));
    model.changed.connect(this._restartTimer, this);
  }

  dispose(): void {
    this._stopTimer();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (!this._loadedOnce) {
      this._loadedOnce = true;
      void this.model.refresh();
    }
    this._restartTimer();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._stopTimer();
  }

  /** Auto-refresh only while visible, at the interval of the settings (0 = off). */
  private _restartTimer(): void {
    const seconds = this.model.settings.autoRefreshInterval;
    if (
      seconds === this._timerSeconds &&
      (this._timer !== null) === this.isVisible
    ) {
      return;
    }
    this._stopTimer();
    if (seconds > 0 && this.isVisible) {
      this._timerSeconds = seconds;
      this._timer = window.setInterval(
        () => void this.model.refresh(),
        seconds * 1000
      );
    }
  }

  private _stopTimer(): void {
    if (this._timer !== null) {
      window.clearInterval(this._timer);
      this._timer = null;
    }
    this._timerSeconds = -1;
  }

  render(): JSX.Element {
    return (
      <PanelContext.Provider
        value={{
          model: this.model,
          commands: this._commands,
          trans: this._trans,
          rendermime: this._rendermime
        }}
      >
        <UseSignal signal={this.model.changed}>
          {() => <RegistryView />}
        </UseSignal>
      </PanelContext.Provider>
    );
  }

  private _loadedOnce = false;
  private _timer: number | null = null;
  private _timerSeconds = -1;
}

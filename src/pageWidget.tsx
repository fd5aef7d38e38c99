/** A main-area tab that renders one of the panel's pages (a candidate's, a model's runs table). */
import * as React from 'react';
import { ReactWidget, UseSignal } from '@jupyterlab/apputils';

import { IPanelContext, PanelContext } from './components/context';

export class PageWidget extends ReactWidget {
  constructor(
    private _page: () => JSX.Element,
    private _context: IPanelContext,
    testId: string,
    /** The command and args that reopen this tab after a reload (the layout restorer's). */
    readonly reopen?: {
      command: string;
      args: { [key: string]: string | number };
    }
  ) {
    super();
    this.addClass('jp-modelreg-version');
    this.node.setAttribute('data-testid', testId);
  }

  render(): JSX.Element {
    return (
      <PanelContext.Provider value={this._context}>
        {/* Re-rendered when the panel reloads, so actions taken elsewhere show here too. */}
        <UseSignal signal={this._context.model.changed}>
          {() => this._page()}
        </UseSignal>
      </PanelContext.Provider>
    );
  }
}

/** The main-area tab of a version's page. */
import * as React from 'react';
import { ReactWidget, UseSignal } from '@jupyterlab/apputils';

import { IPanelContext, PanelContext } from './components/context';
import { VersionPage } from './components/version/VersionPage';

export class VersionWidget extends ReactWidget {
  constructor(
    readonly model: string,
    readonly version: string,
    private _context: IPanelContext
  ) {
    super();
    this.addClass('jp-modelreg-version');
    this.node.setAttribute('data-testid', 'modelreg-version-tab');
  }

  render(): JSX.Element {
    return (
      <PanelContext.Provider value={this._context}>
        {/* Re-rendered when the panel reloads, so actions taken elsewhere show here too. */}
        <UseSignal signal={this._context.model.changed}>
          {() => <VersionPage fullName={this.model} version={this.version} />}
        </UseSignal>
      </PanelContext.Provider>
    );
  }
}

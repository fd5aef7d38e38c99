/** The main-area tab of "Compare". */
import * as React from 'react';
import { ReactWidget } from '@jupyterlab/apputils';

import { IPanelContext, PanelContext } from './components/context';
import { CompareView } from './components/CompareView';

export class CompareWidget extends ReactWidget {
  constructor(
    readonly model: string,
    readonly refs: string[],
    private _context: IPanelContext
  ) {
    super();
    this.addClass('jp-modelreg-compare');
    this.node.setAttribute('data-testid', 'modelreg-compare');
  }

  render(): JSX.Element {
    return (
      <PanelContext.Provider value={this._context}>
        <CompareView model={this.model} refs={this.refs} />
      </PanelContext.Provider>
    );
  }
}

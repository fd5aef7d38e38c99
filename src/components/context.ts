/** What every view of the panel needs: the state, the commands to act, the translator, rendermime. */
import * as React from 'react';
import { CommandRegistry } from '@lumino/commands';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { PanelState } from '../panelState';

export interface IPanelContext {
  model: PanelState;
  commands: CommandRegistry;
  trans: TranslationBundle;
  rendermime: IRenderMimeRegistry | null;
}

export const PanelContext = React.createContext<IPanelContext>({
  model: new PanelState(),
  commands: new CommandRegistry(),
  trans: nullTranslator.load('jupyterlab_modelreg'),
  rendermime: null
});

export function usePanel(): IPanelContext {
  return React.useContext(PanelContext);
}

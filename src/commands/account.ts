/** "Manage API tokens": the account page as a main-area tab (one, reused). */
import * as React from 'react';
import { MainAreaWidget } from '@jupyterlab/apputils';

import { CommandIDs } from '../commandIds';
import { TokensPage } from '../components/account/TokensPage';
import { PageWidget } from '../pageWidget';
import { ICommandDeps } from './deps';

export function addAccountCommands(deps: ICommandDeps): void {
  const { app, trans } = deps;
  let widget: MainAreaWidget<PageWidget> | null = null;
  app.commands.addCommand(CommandIDs.manageTokens, {
    label: trans.__('Manage API Tokens'),
    caption: trans.__('List, create and revoke your registry API tokens'),
    execute: () => {
      if (!widget || widget.isDisposed) {
        const content = new PageWidget(
          () => React.createElement(TokensPage),
          {
            model: deps.model,
            commands: app.commands,
            trans,
            rendermime: deps.rendermime
          },
          'modelreg-tokens-tab'
        );
        widget = new MainAreaWidget({ content });
        widget.id = 'jp-modelreg-tokens';
        widget.title.label = trans.__('API tokens');
        widget.title.caption = trans.__('Your registry API tokens');
        widget.title.closable = true;
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
      return widget;
    }
  });
}

/** "Open version page": a version's page as a main-area tab (one tab per version, reused). */
import { MainAreaWidget } from '@jupyterlab/apputils';

import { CommandIDs } from '../commandIds';
import { VersionWidget } from '../versionWidget';
import { ICommandDeps } from './deps';

export function addVersionCommands(deps: ICommandDeps): void {
  const { app, trans } = deps;
  const open = new Map<string, MainAreaWidget<VersionWidget>>();
  app.commands.addCommand(CommandIDs.openVersion, {
    label: args =>
      args.version
        ? trans.__('Open Version %1', String(args.version))
        : trans.__('Open Version Page'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          model: { type: 'string', description: 'group/name' },
          version: {
            type: 'string',
            description: 'a version, alias or "latest"'
          }
        },
        required: ['model', 'version']
      }
    },
    execute: args => {
      const model = String(args.model ?? '');
      const version = String(args.version ?? '');
      const key = `${model}@${version}`;
      let widget = open.get(key);
      if (!widget || widget.isDisposed) {
        const content = new VersionWidget(model, version, {
          model: deps.model,
          commands: app.commands,
          trans,
          rendermime: deps.rendermime
        });
        widget = new MainAreaWidget({ content });
        widget.id = `jp-modelreg-version-${open.size}-${Date.now()}`;
        widget.title.label = trans.__('%1 %2', model, version);
        widget.title.caption = trans.__('Version %1 of %2', version, model);
        widget.title.closable = true;
        widget.addClass('jp-modelreg-version-tab');
        open.set(key, widget);
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
      return widget;
    }
  });
}

/** "Compare": open a main-area tab comparing ticked candidates and versions of one model. */
import { MainAreaWidget } from '@jupyterlab/apputils';

import { CompareWidget } from '../compareWidget';
import { CommandIDs } from '../commandIds';
import { ICommandDeps } from './deps';

export function addCompareCommand(deps: ICommandDeps): void {
  const { app, trans } = deps;
  app.commands.addCommand(CommandIDs.compare, {
    label: trans.__('Compare Candidates and Versions'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          model: { type: 'string', description: 'group/name' },
          refs: {
            type: 'array',
            items: { type: 'string' },
            description: 'c:<iid> or v:<version>'
          }
        },
        required: ['model', 'refs']
      }
    },
    execute: args => {
      const model = String(args.model ?? '');
      const refs = ((args.refs as string[] | undefined) ?? []).map(String);
      const content = new CompareWidget(model, refs, {
        model: deps.model,
        commands: app.commands,
        trans,
        rendermime: deps.rendermime
      });
      const widget = new MainAreaWidget({ content });
      widget.id = `jp-modelreg-compare-${Date.now()}`;
      widget.title.label = trans.__('Compare %1', model);
      widget.title.caption = `${model}: ${refs.join(', ')}`;
      widget.title.closable = true;
      widget.addClass('jp-modelreg-compare-tab');
      void deps.compareTabs?.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    }
  });
}

/** Commands that drive the sidebar panel: open it, refresh it, open a model card. */
import { CardSection } from '../panelState';
import { registryIcon } from '../icons';
import { CommandIDs } from '../commandIds';
import { ICommandDeps } from './deps';

export function addPanelCommands(deps: ICommandDeps): void {
  const { app, model, panel, trans } = deps;

  app.commands.addCommand(CommandIDs.openPanel, {
    label: trans.__('Open the Model Registry Panel'),
    icon: registryIcon,
    execute: () => app.shell.activateById(panel.id)
  });

  app.commands.addCommand(CommandIDs.refresh, {
    label: trans.__('Refresh the Model Registry'),
    execute: () => model.refresh()
  });

  app.commands.addCommand(CommandIDs.openModel, {
    label: args =>
      args.model
        ? trans.__('Open Model %1', String(args.model))
        : trans.__('Open Model'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          model: { type: 'string', description: 'group/name' },
          section: {
            type: 'string',
            enum: ['overview', 'versions', 'candidates', 'files', 'activity']
          },
          candidate: {
            type: 'number',
            description: 'candidate iid to highlight'
          }
        }
      }
    },
    execute: async args => {
      app.shell.activateById(panel.id);
      const fullName = String(args.model ?? '');
      if (fullName) {
        await model.openModel(fullName, {
          section: (args.section as CardSection | undefined) ?? undefined,
          candidate:
            args.candidate !== undefined ? Number(args.candidate) : undefined
        });
      }
    }
  });
}

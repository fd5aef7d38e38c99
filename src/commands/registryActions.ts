/**
 * The registry's actions as commands (palette, buttons, keyboard): move or delete an alias, yank,
 * delete a candidate, create a model, manage members (deployments: deploymentActions.ts). Each asks first, names
 * exactly what will change, and shows the server's message when it refuses.
 */
import { showErrorMessage } from '@jupyterlab/apputils';

import { registry } from '../api';
import { cardApi } from '../cardApi';
import { askForm, confirmAction } from '../components/actions/FormDialog';
import { CommandIDs } from '../commandIds';
import { ROLES, Role } from '../registryTypes';
import { notify } from '../toast';
import { addAction, announce, modelArg, refreshIfOpen, str } from './action';
import { ICommandDeps } from './deps';

export function addRegistryActionCommands(deps: ICommandDeps): void {
  const { app, trans } = deps;

  addAction(deps, {
    id: CommandIDs.moveAlias,
    label: trans.__('Move an Alias to a Version…'),
    args: {
      model: modelArg,
      version: { type: 'string' },
      alias: { type: 'string' }
    },
    required: ['model', 'version'],
    failure: trans.__('Moving the alias failed'),
    run: async args => {
      const fullName = str(args.model);
      const version = str(args.version);
      const aliases = (await registry.listAliases(fullName)).items;
      const values = await askForm(trans, {
        title: trans.__('Point an alias at %1', version),
        fields: [
          {
            name: 'alias',
            label: trans.__('Alias'),
            value: str(args.alias),
            options: aliases.map(a => a.alias),
            placeholder: 'production',
            required: true
          }
        ],
        okLabel: trans.__('Continue')
      });
      if (!values) {
        return null;
      }
      const alias = values.alias.trim();
      const current = aliases.find(a => a.alias === alias);
      if (current?.version === version) {
        notify(
          'info',
          trans.__('%1 already points at %2.', alias, version),
          trans,
          { autoClose: 5000 }
        );
        return null;
      }
      const ok = await confirmAction(
        trans,
        trans.__('Move %1?', alias),
        current
          ? trans.__(
              '%1 of %2 moves from version %3 to version %4. Everything that pulls %1 gets %4.',
              alias,
              fullName,
              current.version,
              version
            )
          : trans.__(
              '%1 of %2 is new and will point at version %3.',
              alias,
              fullName,
              version
            ),
        current
          ? trans.__('Move from %1 to %2', current.version, version)
          : trans.__('Create %1', alias)
      );
      if (!ok) {
        return null;
      }
      const moved = await cardApi.moveAlias(fullName, alias, version);
      return announce(
        deps,
        fullName,
        trans.__('%1 now points at %2.', alias, version),
        moved
      );
    }
  });

  addAction(deps, {
    id: CommandIDs.deleteAlias,
    label: trans.__('Delete an Alias…'),
    args: { model: modelArg, alias: { type: 'string' } },
    required: ['model', 'alias'],
    failure: trans.__('Deleting the alias failed'),
    run: async args => {
      const fullName = str(args.model);
      const alias = str(args.alias);
      const current = (await registry.listAliases(fullName)).items.find(
        a => a.alias === alias
      );
      const ok = await confirmAction(
        trans,
        trans.__('Delete %1?', alias),
        trans.__(
          '%1 of %2 points at version %3. After deleting it, pulls of %1 fail; the version stays.',
          alias,
          fullName,
          current?.version ?? '?'
        ),
        trans.__('Delete %1', alias)
      );
      if (!ok) {
        return null;
      }
      await cardApi.deleteAlias(fullName, alias);
      await refreshIfOpen(deps, fullName);
      return true;
    }
  });

  addAction(deps, {
    id: CommandIDs.yank,
    label: trans.__('Yank a Version…'),
    args: { model: modelArg, version: { type: 'string' } },
    required: ['model', 'version'],
    failure: trans.__('Yanking failed'),
    run: async args => {
      const fullName = str(args.model);
      const version = str(args.version);
      const values = await askForm(trans, {
        title: trans.__('Yank %1 %2', fullName, version),
        intro: trans.__(
          'A yanked version is hidden from "latest" and pulls of it warn with your reason. It stays downloadable and its number is never reused.'
        ),
        fields: [
          {
            name: 'reason',
            label: trans.__('Reason (shown to everyone who pulls it)'),
            required: true,
            multiline: true
          }
        ],
        okLabel: trans.__('Yank %1', version),
        warn: true
      });
      if (!values) {
        return null;
      }
      const yanked = await cardApi.yank(
        fullName,
        version,
        values.reason.trim()
      );
      notify('warning', trans.__('%1 is yanked.', version), trans, {
        autoClose: 5000
      });
      await refreshIfOpen(deps, fullName);
      return yanked;
    }
  });

  addAction(deps, {
    id: CommandIDs.deleteCandidate,
    label: trans.__('Delete a Candidate…'),
    args: { model: modelArg, candidate: { type: 'number' } },
    required: ['model', 'candidate'],
    failure: trans.__('Deleting the candidate failed'),
    run: async args => {
      const fullName = str(args.model);
      const iid = Number(args.candidate);
      const ok = await confirmAction(
        trans,
        trans.__('Delete candidate #%1?', iid),
        trans.__(
          'Candidate #%1 of %2 and its params, metrics and files are deleted. This cannot be undone.',
          iid,
          fullName
        ),
        trans.__('Delete #%1', iid)
      );
      if (!ok) {
        return null;
      }
      await cardApi.deleteCandidate(fullName, iid);
      await refreshIfOpen(deps, fullName);
      return true;
    }
  });

  addAction(deps, {
    id: CommandIDs.createModel,
    label: trans.__('Create a Model…'),
    args: { group: { type: 'string' } },
    required: [],
    failure: trans.__('Creating the model failed'),
    run: async args => {
      const groups = (await registry.groups()).items.filter(g =>
        ['developer', 'maintainer', 'owner'].includes(g.role)
      );
      if (!groups.length) {
        await showErrorMessage(
          trans.__('No group to create it in'),
          trans.__(
            'Creating a model needs the developer role in a group. Ask a maintainer of a group to add you.'
          )
        );
        return null;
      }
      const values = await askForm(trans, {
        title: trans.__('Create a model'),
        fields: [
          {
            name: 'group',
            label: trans.__('Group'),
            value: str(args.group) || groups[0].name,
            options: groups.map(g => g.name),
            strict: true
          },
          {
            name: 'name',
            label: trans.__('Name'),
            placeholder: 'churn',
            required: true
          },
          {
            name: 'description',
            label: trans.__('Description (optional)'),
            multiline: true
          }
        ],
        okLabel: trans.__('Create')
      });
      if (!values) {
        return null;
      }
      const created = await cardApi.createModel(values.group, {
        name: values.name.trim(),
        ...(values.description.trim()
          ? { description: values.description.trim() }
          : {})
      });
      await app.commands.execute(CommandIDs.openModel, {
        model: created.full_name
      });
      return created;
    }
  });

  addAction(deps, {
    id: CommandIDs.manageMembers,
    label: trans.__('Manage Group Members…'),
    args: { group: { type: 'string' } },
    required: [],
    failure: trans.__('Changing the members failed'),
    run: async args => {
      // From the palette: the group of the model open in the panel.
      const group =
        str(args.group) || (deps.model.selected ?? '').split('/')[0];
      if (!group) {
        await showErrorMessage(
          trans.__('Which group?'),
          trans.__('Open a model of the group in the modelreg panel first.')
        );
        return null;
      }
      const members = (await cardApi.members(group)).items;
      const remove = trans.__('(remove from the group)');
      const values = await askForm(trans, {
        title: trans.__('Members of %1', group),
        intro: members.map(m => `${m.username}: ${m.role}`).join(' · '),
        fields: [
          {
            name: 'username',
            label: trans.__('User'),
            options: members.map(m => m.username),
            required: true
          },
          {
            name: 'role',
            label: trans.__('Role'),
            value: 'reporter',
            options: [...ROLES, remove],
            strict: true
          }
        ],
        okLabel: trans.__('Apply')
      });
      if (!values) {
        return null;
      }
      const username = values.username.trim();
      if (values.role === remove) {
        const ok = await confirmAction(
          trans,
          trans.__('Remove %1?', username),
          trans.__('%1 loses access to %2.', username, group),
          trans.__('Remove')
        );
        if (!ok) {
          return null;
        }
        await cardApi.removeMember(group, username);
      } else {
        const answer = await cardApi.setMember(
          group,
          username,
          values.role as Role
        );
        if (answer.status === 'invited') {
          // Nobody joins without consent; the answer is the same whether the username exists.
          notify(
            'info',
            trans.__(
              '%1 is invited to %2 as %3 (if that user exists) and joins on accepting the invitation.',
              username,
              group,
              values.role
            ),
            trans,
            { autoClose: 8000 }
          );
          return true;
        }
      }
      notify('success', trans.__('Members of %1 updated.', group), trans, {
        autoClose: 5000
      });
      return true;
    }
  });
}

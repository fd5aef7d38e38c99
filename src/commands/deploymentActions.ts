/**
 * Deployments and alias rollback as commands: record a deployment of a version (or, outside
 * production, a candidate), change its status with a reason, and move an alias back to the version
 * it pointed at before. Each names exactly what will change before it acts.
 */
import { showErrorMessage } from '@jupyterlab/apputils';

import { registry } from '../api';
import { cardApi } from '../cardApi';
import { askForm, confirmAction } from '../components/actions/FormDialog';
import { CommandIDs } from '../commandIds';
import { addAction, announce, modelArg, str } from './action';
import { ICommandDeps } from './deps';

/** The statuses of the server's lifecycle, in order (docs/ci.md); the server decides which moves are allowed. */
export const DEPLOYMENT_STATUSES = ['pending', 'active', 'degraded', 'retired'];

/** "1.2.0", an alias or "latest" is a version; "#12" is candidate 12. */
export function deploymentTarget(
  text: string
): { version: string } | { candidate: number } {
  const candidate = /^#\s*(\d+)$/.exec(text.trim());
  return candidate
    ? { candidate: Number(candidate[1]) }
    : { version: text.trim() };
}

/** The version an alias pointed at before its current one, from its history (newest first). */
export function previousTarget(
  history: { version: string | null }[]
): string | null {
  const current = history[0]?.version;
  return (
    history.slice(1).find(h => h.version && h.version !== current)?.version ??
    null
  );
}

export function addDeploymentCommands(deps: ICommandDeps): void {
  const { trans } = deps;

  addAction(deps, {
    id: CommandIDs.recordDeployment,
    label: trans.__('Record a Deployment…'),
    args: {
      model: modelArg,
      version: { type: 'string' },
      candidate: { type: 'number' },
      environment: { type: 'string' }
    },
    required: ['model'],
    failure: trans.__('Recording the deployment failed'),
    onOpenModel: true,
    run: async args => {
      const fullName = str(args.model);
      const [versions, deployments] = await Promise.all([
        registry.listVersions(fullName),
        registry.listDeployments(fullName)
      ]);
      const values = await askForm(trans, {
        title: trans.__('Record a deployment of %1', fullName),
        intro: trans.__(
          'A version (or alias), or #N for candidate N outside production. Each record is a new deployment; change the status of an existing one from its row.'
        ),
        fields: [
          {
            name: 'target',
            label: trans.__('Version, or #candidate'),
            value: args.candidate
              ? `#${str(args.candidate)}`
              : str(args.version) || versions.items[0]?.version,
            options: versions.items.map(v => v.version),
            required: true
          },
          {
            name: 'environment',
            label: trans.__('Environment'),
            value: str(args.environment),
            options: [
              ...new Set([
                ...deployments.items.map(d => d.environment),
                'production',
                'staging'
              ])
            ],
            placeholder: 'production',
            required: true
          },
          {
            name: 'status',
            label: trans.__('Status'),
            value: 'active',
            options: DEPLOYMENT_STATUSES.slice(0, 2),
            strict: true
          },
          {
            name: 'url',
            label: trans.__('URL (optional)'),
            placeholder: 'https://'
          }
        ],
        okLabel: trans.__('Record')
      });
      if (!values) {
        return null;
      }
      const recorded = await cardApi.recordDeployment(fullName, {
        ...deploymentTarget(values.target),
        environment: values.environment.trim(),
        status: values.status,
        url: values.url.trim() || null
      });
      return announce(
        deps,
        fullName,
        trans.__(
          '%1 %2 recorded in %3 (%4).',
          fullName,
          recorded.version ?? trans.__('candidate #%1', recorded.candidate),
          recorded.environment,
          recorded.status
        ),
        recorded
      );
    }
  });

  addAction(deps, {
    id: CommandIDs.updateDeployment,
    label: trans.__('Change a Deployment’s Status…'),
    args: { model: modelArg, id: { type: 'number' } },
    required: ['model', 'id'],
    failure: trans.__('Changing the deployment failed'),
    run: async args => {
      const fullName = str(args.model);
      const current = await registry.getDeployment(fullName, Number(args.id));
      const what =
        current.version ?? trans.__('candidate #%1', current.candidate);
      const values = await askForm(trans, {
        title: trans.__(
          '%1 in %2 is %3',
          what,
          current.environment,
          current.status
        ),
        intro: trans.__(
          'pending → active → degraded → retired; degraded may return to active, retired is final. The change is kept with your name and reason.'
        ),
        fields: [
          {
            name: 'status',
            label: trans.__('New status'),
            options: DEPLOYMENT_STATUSES.filter(s => s !== current.status),
            value: current.status === 'pending' ? 'active' : 'retired',
            strict: true
          },
          {
            name: 'reason',
            label: trans.__('Reason (optional)'),
            multiline: true
          }
        ],
        okLabel: trans.__('Change status')
      });
      if (!values) {
        return null;
      }
      const updated = await cardApi.updateDeployment(fullName, current.id, {
        status: values.status,
        ...(values.reason.trim() ? { reason: values.reason.trim() } : {})
      });
      return announce(
        deps,
        fullName,
        trans.__(
          '%1 in %2: %3 → %4.',
          what,
          updated.environment,
          current.status,
          updated.status
        ),
        updated
      );
    }
  });

  addAction(deps, {
    id: CommandIDs.rollbackAlias,
    label: trans.__('Roll Back an Alias…'),
    args: { model: modelArg, alias: { type: 'string' } },
    required: ['model'],
    failure: trans.__('Rollback failed'),
    onOpenModel: true,
    run: async args => {
      const fullName = str(args.model);
      let alias = str(args.alias);
      if (!alias) {
        const aliases = (await registry.listAliases(fullName)).items;
        const picked = await askForm(trans, {
          title: trans.__('Roll back an alias of %1', fullName),
          fields: [
            {
              name: 'alias',
              label: trans.__('Alias'),
              options: aliases.map(a => a.alias),
              value: aliases.find(a => a.alias === 'production')
                ? 'production'
                : aliases[0]?.alias,
              strict: true
            }
          ],
          okLabel: trans.__('Continue')
        });
        if (!picked?.alias) {
          return null;
        }
        alias = picked.alias;
      }
      const history = (await registry.aliasHistory(fullName, alias)).items;
      const current = history[0]?.version ?? null;
      const previous = previousTarget(history);
      if (!current || !previous) {
        await showErrorMessage(
          trans.__('Nothing to roll back to'),
          trans.__('%1 never pointed at another version.', alias)
        );
        return null;
      }
      const ok = await confirmAction(
        trans,
        trans.__('Roll back %1?', alias),
        trans.__(
          '%1 of %2 moves back from version %3 to version %4, the version it pointed at before. Everything that pulls %1 gets %4.',
          alias,
          fullName,
          current,
          previous
        ),
        trans.__('Roll back from %1 to %2', current, previous)
      );
      if (!ok) {
        return null;
      }
      const moved = await cardApi.moveAlias(fullName, alias, previous);
      return announce(
        deps,
        fullName,
        trans.__('%1 now points at %2.', alias, previous),
        moved
      );
    }
  });
}

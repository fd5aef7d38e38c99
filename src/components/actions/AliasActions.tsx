/** An alias's actions, maintainer+: roll back to the version before, delete. */
import * as React from 'react';

import { CommandIDs } from '../../commandIds';
import { Role } from '../../registryTypes';
import { usePanel } from '../context';
import { GatedButton } from './GatedButton';

export interface IAliasActionsProps {
  fullName: string;
  alias: string;
  role: Role | null | undefined;
  /** Prefix of the buttons' test ids, e.g. "modelreg-alias". */
  testId: string;
  /** Called after a command ran (e.g. to reload a page). */
  onDone?: () => void;
}

export function AliasActions(props: IAliasActionsProps): JSX.Element {
  const { trans, commands } = usePanel();
  const actions: [string, string, string, string][] = [
    [
      CommandIDs.rollbackAlias,
      'rollback',
      trans.__('Roll back'),
      trans.__('Move %1 back to the version it pointed at before', props.alias)
    ],
    [CommandIDs.deleteAlias, 'delete', trans.__('Delete'), '']
  ];
  return (
    <>
      {actions.map(([id, name, label, title]) => (
        <GatedButton
          key={name}
          role={props.role}
          needs="maintainer"
          testId={`${props.testId}-${name}`}
          title={title}
          onClick={() =>
            void commands
              .execute(id, { model: props.fullName, alias: props.alias })
              .then(props.onDone)
          }
        >
          {label}
        </GatedButton>
      ))}
    </>
  );
}

/** "Status…" on a deployment: maintainer+, and not once it is retired (final in the server's lifecycle). */
import * as React from 'react';

import { CommandIDs } from '../../commandIds';
import { IDeployment, Role } from '../../registryTypes';
import { GatedButton } from '../actions/GatedButton';
import { usePanel } from '../context';

export interface IDeploymentStatusButtonProps {
  fullName: string;
  role: Role | null | undefined;
  deployment: IDeployment;
}

export function DeploymentStatusButton(
  props: IDeploymentStatusButtonProps
): JSX.Element {
  const { trans, commands } = usePanel();
  const d = props.deployment;
  return (
    <GatedButton
      role={props.role}
      needs="maintainer"
      testId="modelreg-deployment-update"
      disabledReason={
        d.status === 'retired'
          ? trans.__('Retired is final: record a new deployment instead.')
          : undefined
      }
      title={trans.__('Change the status of %1', d.environment)}
      onClick={() =>
        void commands.execute(CommandIDs.updateDeployment, {
          model: props.fullName,
          id: d.id
        })
      }
    >
      {trans.__('Status…')}
    </GatedButton>
  );
}

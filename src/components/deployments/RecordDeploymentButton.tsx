/** "Record deployment…" (maintainer+), of a given version or asking which. */
import * as React from 'react';

import { CommandIDs } from '../../commandIds';
import { Role } from '../../registryTypes';
import { GatedButton } from '../actions/GatedButton';
import { usePanel } from '../context';

export interface IRecordDeploymentButtonProps {
  fullName: string;
  role: Role | null | undefined;
  /** Preselected in the dialog. */
  version?: string;
  testId: string;
  /** Called after the command ran (e.g. to reload a page). */
  onDone?: () => void;
}

export function RecordDeploymentButton(
  props: IRecordDeploymentButtonProps
): JSX.Element {
  const { trans, commands } = usePanel();
  return (
    <GatedButton
      role={props.role}
      needs="maintainer"
      testId={props.testId}
      onClick={() =>
        void commands
          .execute(CommandIDs.recordDeployment, {
            model: props.fullName,
            ...(props.version ? { version: props.version } : {})
          })
          .then(props.onDone)
      }
    >
      {trans.__('Record deployment…')}
    </GatedButton>
  );
}

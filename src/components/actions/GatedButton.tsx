/** A button for an action that needs a role: disabled, with the reason, when the user lacks it. */
import * as React from 'react';

import { hasRole, Role } from '../../registryTypes';
import { usePanel } from '../context';

export interface IGatedButtonProps {
  /** The user's role in the model's group (null: not a member). */
  role: Role | null | undefined;
  /** The weakest role that may act. */
  needs: Role;
  onClick: () => void;
  children: React.ReactNode;
  testId?: string;
  className?: string;
  /** Other reasons the action is unavailable right now (e.g. "already yanked"). */
  disabledReason?: string;
  title?: string;
}

export function GatedButton(props: IGatedButtonProps): JSX.Element {
  const { trans } = usePanel();
  const allowed = hasRole(props.role, props.needs);
  const reason = !allowed
    ? props.role
      ? trans.__(
          'Needs the %1 role or higher; your role is %2.',
          props.needs,
          props.role
        )
      : trans.__(
          'Needs the %1 role or higher; you are not a member of this group.',
          props.needs
        )
    : props.disabledReason;
  return (
    <button
      type="button"
      className={`jp-mod-styled jp-modelreg-small ${props.className ?? ''}`}
      data-testid={props.testId}
      disabled={!!reason}
      aria-disabled={!!reason}
      title={reason ?? props.title ?? ''}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}

/** The groups that invited you, in the panel, each with Accept and Decline; accepting shows their models. */
import * as React from 'react';

import { account, IInvitation } from '../../accountApi';
import { toModelregError } from '../../api';
import { ModelregError } from '../../errors';
import { usePanel } from '../context';
import { ErrorMessage } from '../States';
import { useAsync } from '../useAsync';

export function InvitationsBanner(): JSX.Element | null {
  const { model, trans } = usePanel();
  const username = model.status.value?.user ?? null;
  const invitations = useAsync(
    () =>
      username
        ? account.invitations(username)
        : Promise.resolve({ items: [] as IInvitation[], next_cursor: null }),
    [username]
  );
  const [failure, setFailure] = React.useState<ModelregError | null>(null);

  async function answer(
    invitation: IInvitation,
    reply: 'accept' | 'decline'
  ): Promise<void> {
    setFailure(null);
    try {
      await account.answerInvitation(invitation.group, reply);
      invitations.reload();
      if (reply === 'accept') {
        await model.refresh(); // the group's models are now visible
      }
    } catch (error) {
      setFailure(toModelregError(error));
    }
  }

  const pending = invitations.value?.items ?? [];
  if (pending.length === 0 && !failure) {
    return null; // an error loading invitations must not hide the panel: it stays quiet
  }
  return (
    <div
      className="jp-modelreg-invitations"
      data-testid="modelreg-invitations"
      role="region"
      aria-label={trans.__('Group invitations')}
    >
      {pending.map(invitation => (
        <div
          key={invitation.group}
          className="jp-modelreg-invitation"
          data-testid="modelreg-invitation"
          data-group={invitation.group}
        >
          <span>
            {trans.__(
              '%1 invited you to group %2 as %3.',
              invitation.invited_by,
              invitation.group,
              invitation.role
            )}
          </span>
          <button
            className="jp-mod-styled jp-mod-accept"
            data-testid="modelreg-accept-invitation"
            onClick={() => void answer(invitation, 'accept')}
          >
            {trans.__('Accept')}
          </button>
          <button
            className="jp-mod-styled"
            data-testid="modelreg-decline-invitation"
            onClick={() => void answer(invitation, 'decline')}
          >
            {trans.__('Decline')}
          </button>
        </div>
      ))}
      {failure && <ErrorMessage error={failure} />}
    </div>
  );
}

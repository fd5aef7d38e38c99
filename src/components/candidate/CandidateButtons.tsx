/** The actions on one candidate that the sidebar list, the runs table and the candidate page share. */
import * as React from 'react';

import { CommandIDs } from '../../commandIds';
import { hasRole, ICandidate, IModel } from '../../registryTypes';
import { usePanel } from '../context';

/** The candidate's name, opening its page in the main area. */
export function OpenCandidateButton(props: {
  fullName: string;
  candidate: ICandidate;
  testId: string;
  children: React.ReactNode;
}): JSX.Element {
  const { trans, commands } = usePanel();
  const c = props.candidate;
  return (
    <button
      className="jp-modelreg-link jp-modelreg-candidate-name"
      data-testid={props.testId}
      title={trans.__('Open candidate #%1 %2', c.iid, c.name)}
      onClick={() =>
        void commands.execute(CommandIDs.openCandidate, {
          model: props.fullName,
          candidate: c.iid
        })
      }
    >
      {props.children}
    </button>
  );
}

/** "Promote to version", offered to maintainers for a candidate not yet promoted nor failed. */
export function PromoteCandidateButton(props: {
  info: IModel;
  candidate: ICandidate;
  onDone?: () => void;
}): JSX.Element | null {
  const { trans, commands, model } = usePanel();
  const c = props.candidate;
  // A promotion would lock a half-logged candidate.
  if (
    !hasRole(props.info.your_role, 'maintainer') ||
    c.version ||
    c.status === 'failed' ||
    model.uploads.lacksFiles(props.info.full_name, c.iid)
  ) {
    return null;
  }
  return (
    <button
      className="jp-mod-styled jp-modelreg-small"
      data-testid="modelreg-promote"
      onClick={() =>
        void commands
          .execute(CommandIDs.promote, {
            model: props.info.full_name,
            candidate: c.iid
          })
          .then(props.onDone)
      }
    >
      {trans.__('Promote to version')}
    </button>
  );
}

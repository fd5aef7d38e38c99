/**
 * Said in the Log dialog when the model's group is not one the user can log to: the groups they can
 * log to, one click each, and creating the typed group. Nothing typed in the dialog is lost.
 */
import * as React from 'react';
import { TranslationBundle } from '@jupyterlab/translation';

import { toModelregError } from '../../api';

export interface IGroupChoiceProps {
  trans: TranslationBundle;
  /** The group typed. */
  group: string;
  /** Why it cannot be used. */
  message: string;
  /** The groups the user can log to. */
  groups: string[];
  onUse: (group: string) => void;
  /** Creates `group`; absent: creating is not offered. */
  onCreate?: (group: string) => Promise<void>;
}

export function GroupChoice(props: IGroupChoiceProps): JSX.Element {
  const { trans, group } = props;
  const [creating, setCreating] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  async function create(): Promise<void> {
    setCreating(true);
    setError(null);
    try {
      await props.onCreate!(group);
    } catch (e) {
      setError(toModelregError(e).message);
    } finally {
      setCreating(false);
    }
  }

  return (
    <div
      className="jp-modelreg-warning"
      role="alert"
      data-testid="modelreg-unknown-group"
    >
      <p>{props.message}</p>
      {props.groups.length > 0 && (
        <div
          className="jp-modelreg-row"
          role="group"
          aria-label={trans.__('Groups you can log to')}
        >
          {props.groups.map(g => (
            <button
              key={g}
              type="button"
              className="jp-mod-styled jp-modelreg-small"
              onClick={() => props.onUse(g)}
            >
              {trans.__('Use %1', g)}
            </button>
          ))}
        </div>
      )}
      {props.onCreate && (
        <button
          type="button"
          className="jp-mod-styled jp-modelreg-small"
          data-testid="modelreg-create-group"
          disabled={creating}
          onClick={() => void create()}
        >
          {creating
            ? trans.__('Creating %1…', group)
            : trans.__('Create the group %1', group)}
        </button>
      )}
      {error && <div className="jp-modelreg-invalid">{error}</div>}
    </div>
  );
}

/** A version's release notes; maintainers+ can edit them (the rest of a version is locked). */
import * as React from 'react';

import { toModelregError } from '../api';
import { ModelregError } from '../errors';
import { IVersion } from '../registryTypes';
import { usePanel } from './context';
import { ErrorMessage } from './States';

export interface IVersionNotesProps {
  version: IVersion;
  canEdit: boolean;
}

export function VersionNotes(props: IVersionNotesProps): JSX.Element | null {
  const { model, trans } = usePanel();
  const [draft, setDraft] = React.useState<string | null>(null);
  const [error, setError] = React.useState<ModelregError | null>(null);
  const { version } = props;

  async function onSave(): Promise<void> {
    try {
      await model.saveVersionNotes(version.version, draft ?? '');
      setDraft(null);
      setError(null);
    } catch (e) {
      setError(toModelregError(e));
    }
  }

  if (draft === null) {
    return (
      <>
        {version.notes && (
          <div className="jp-modelreg-notes">{version.notes}</div>
        )}
        {props.canEdit && (
          <button
            className="jp-modelreg-link jp-modelreg-small"
            data-testid="modelreg-edit-notes"
            onClick={() => setDraft(version.notes ?? '')}
          >
            {version.notes ? trans.__('Edit notes') : trans.__('Add notes')}
          </button>
        )}
      </>
    );
  }
  return (
    <div className="jp-modelreg-form" data-testid="modelreg-notes-editor">
      <textarea
        className="jp-mod-styled"
        rows={4}
        aria-label={trans.__('Release notes of %1', version.version)}
        value={draft}
        onChange={e => setDraft(e.target.value)}
      />
      {error && <ErrorMessage error={error} />}
      <div className="jp-modelreg-row-end">
        <button className="jp-mod-styled" onClick={() => setDraft(null)}>
          {trans.__('Cancel')}
        </button>
        <button
          className="jp-mod-styled jp-mod-accept"
          onClick={() => void onSave()}
        >
          {trans.__('Save notes')}
        </button>
      </div>
    </div>
  );
}

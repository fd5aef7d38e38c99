/** Edits the card in place (developer+): markdown text and the main metadata fields. */
import * as React from 'react';

import { toModelregError } from '../api';
import { ModelregError } from '../errors';
import { IModel } from '../registryTypes';
import { usePanel } from './context';
import { ErrorMessage } from './States';

export interface ICardEditorProps {
  model: IModel;
  /** Called after saving or cancelling. */
  onDone: () => void;
}

type MetaField =
  'task' | 'framework' | 'license' | 'intended_use' | 'limitations';

export function CardEditor(props: ICardEditorProps): JSX.Element {
  const { model, trans } = usePanel();
  const meta = props.model.metadata ?? {};
  const [description, setDescription] = React.useState(
    props.model.description ?? ''
  );
  const [fields, setFields] = React.useState<Record<MetaField, string>>({
    task: meta.task ?? '',
    framework: meta.framework ?? '',
    license: meta.license ?? '',
    intended_use: meta.intended_use ?? '',
    limitations: meta.limitations ?? ''
  });
  const [tags, setTags] = React.useState((meta.tags ?? []).join(', '));
  const [saving, setSaving] = React.useState(false);
  const [error, setError] = React.useState<ModelregError | null>(null);

  const labels: Record<MetaField, string> = {
    task: trans.__('Task'),
    framework: trans.__('Framework'),
    license: trans.__('License'),
    intended_use: trans.__('Intended use'),
    limitations: trans.__('Limitations')
  };

  async function onSave(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await model.saveCard({
        description,
        metadata: {
          ...meta,
          ...fields,
          tags: tags
            .split(',')
            .map(t => t.trim())
            .filter(Boolean)
        }
      });
      props.onDone();
    } catch (e) {
      setError(toModelregError(e));
      setSaving(false);
    }
  }

  return (
    <form
      className="jp-modelreg-card-editor"
      data-testid="modelreg-card-editor"
      onSubmit={onSave}
    >
      <label>
        {trans.__('Card (markdown)')}
        <textarea
          className="jp-mod-styled"
          rows={12}
          value={description}
          onChange={e => setDescription(e.target.value)}
        />
      </label>
      {(Object.keys(labels) as MetaField[]).map(key => (
        <label key={key}>
          {labels[key]}
          <input
            className="jp-mod-styled"
            value={fields[key]}
            onChange={e => setFields({ ...fields, [key]: e.target.value })}
          />
        </label>
      ))}
      <label>
        {trans.__('Tags (comma separated)')}
        <input
          className="jp-mod-styled"
          value={tags}
          onChange={e => setTags(e.target.value)}
        />
      </label>
      {error && <ErrorMessage error={error} />}
      <div className="jp-modelreg-row-end">
        <button
          type="button"
          className="jp-mod-styled jp-mod-reject"
          onClick={props.onDone}
        >
          {trans.__('Cancel')}
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={saving}
        >
          {saving ? trans.__('Saving…') : trans.__('Save card')}
        </button>
      </div>
    </form>
  );
}

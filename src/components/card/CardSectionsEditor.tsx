/** Edits the card's description and sections (developer+); saving writes a new revision. */
import * as React from 'react';

import { cardApi, ICardSections, ICardView, sectionKeys } from '../../cardApi';
import { toModelregError } from '../../api';
import { ModelregError } from '../../errors';
import { usePanel } from '../context';
import { ErrorMessage } from '../States';
import { sectionHint, sectionTitle } from './sectionTitles';

export interface ICardSectionsEditorProps {
  fullName: string;
  card: ICardView;
  /** Called with the saved card, or null when cancelled. */
  onDone: (saved: ICardView | null) => void;
}

export function CardSectionsEditor(
  props: ICardSectionsEditorProps
): JSX.Element {
  const { trans } = usePanel();
  const [description, setDescription] = React.useState(props.card.description);
  const [sections, setSections] = React.useState<ICardSections>({
    ...props.card.sections
  });
  const [message, setMessage] = React.useState('');
  const [saving, setSaving] = React.useState(false);
  const [error, setError] = React.useState<ModelregError | null>(null);

  async function onSave(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const saved = await cardApi.saveCard(props.fullName, {
        sections,
        description,
        ...(message.trim() ? { message: message.trim() } : {}),
        // A save from a stale copy is refused instead of silently undoing someone else's edit.
        base_revision: props.card.revision
      });
      props.onDone(saved);
    } catch (e) {
      setError(toModelregError(e));
      setSaving(false);
    }
  }

  const required = props.card.completeness.required;
  return (
    <form
      className="jp-modelreg-card-editor"
      data-testid="modelreg-card-sections-editor"
      onSubmit={onSave}
    >
      {props.card.draft && (
        <p className="jp-modelreg-hint" role="note">
          {trans.__(
            'This is a draft made from the first candidate. Review it, then save to keep it.'
          )}
        </p>
      )}
      <label>
        {trans.__('Description (markdown)')}
        <textarea
          className="jp-mod-styled"
          rows={5}
          name="description"
          value={description}
          onChange={e => setDescription(e.target.value)}
        />
      </label>
      {sectionKeys(props.card).map(key => (
        <label key={key}>
          {sectionTitle(trans, key)}
          {required.includes(key) ? ` (${trans.__('required')})` : ''}
          <textarea
            className="jp-mod-styled"
            rows={3}
            name={key}
            data-testid={`modelreg-card-input-${key}`}
            placeholder={sectionHint(trans, key)}
            value={sections[key]}
            onChange={e => setSections({ ...sections, [key]: e.target.value })}
          />
        </label>
      ))}
      <label>
        {trans.__('What changed (optional)')}
        <input
          className="jp-mod-styled"
          name="message"
          value={message}
          onChange={e => setMessage(e.target.value)}
        />
      </label>
      {error && <ErrorMessage error={error} />}
      <div className="jp-modelreg-row-end">
        <button
          type="button"
          className="jp-mod-styled jp-mod-reject"
          onClick={() => props.onDone(null)}
        >
          {trans.__('Cancel')}
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          data-testid="modelreg-card-save"
          disabled={saving}
        >
          {saving ? trans.__('Saving…') : trans.__('Save card')}
        </button>
      </div>
    </form>
  );
}

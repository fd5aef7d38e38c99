/** The card in the Overview: completeness, sections, edit, history and the Hugging Face README. */
import * as React from 'react';

import { cardApi, ICardView } from '../../cardApi';
import { formatDate } from '../../format';
import { Role } from '../../registryTypes';
import { GatedButton } from '../actions/GatedButton';
import { usePanel } from '../context';
import { ErrorMessage, Loading } from '../States';
import { useAsync } from '../useAsync';
import { CardHistory } from './CardHistory';
import { CardSectionsEditor } from './CardSectionsEditor';
import { CardSectionsView } from './CardSectionsView';
import { CompletenessMeter } from './CompletenessMeter';

export interface IModelCardSectionsProps {
  fullName: string;
  role: Role | null | undefined;
}

export function ModelCardSections(props: IModelCardSectionsProps): JSX.Element {
  const { trans, model } = usePanel();
  const loaded = useAsync(
    () => cardApi.getCard(props.fullName),
    [props.fullName, model.generation]
  );
  const [saved, setSaved] = React.useState<ICardView | null>(null);
  const [editing, setEditing] = React.useState(false);
  const [history, setHistory] = React.useState(false);
  const card =
    saved && saved.revision >= (loaded.value?.revision ?? 0)
      ? saved
      : loaded.value;

  if (!card) {
    return loaded.error ? (
      <ErrorMessage error={loaded.error} onRetry={loaded.reload} />
    ) : (
      <Loading label={trans.__('Loading the card…')} />
    );
  }
  if (editing) {
    return (
      <CardSectionsEditor
        fullName={props.fullName}
        card={card}
        onDone={result => {
          setEditing(false);
          if (result) {
            setSaved(result);
            void model.refresh();
          }
        }}
      />
    );
  }
  return (
    <div
      className="jp-modelreg-model-card"
      data-testid="modelreg-model-card"
      data-revision={card.revision}
    >
      <div className="jp-modelreg-row-between">
        <span
          className="jp-modelreg-muted"
          data-testid="modelreg-card-revision-label"
        >
          {card.draft
            ? trans.__('Draft from the first candidate, not saved yet')
            : trans.__(
                'Revision %1 · %2 · %3',
                card.revision,
                card.updated_by ?? '',
                formatDate(card.updated_at ?? '')
              )}
        </span>
        <span className="jp-modelreg-row">
          <GatedButton
            role={props.role}
            needs="developer"
            testId="modelreg-edit-card-sections"
            onClick={() => setEditing(true)}
          >
            {trans.__('Edit card')}
          </GatedButton>
          <button
            type="button"
            className="jp-mod-styled jp-modelreg-small"
            data-testid="modelreg-card-history-toggle"
            aria-expanded={history}
            onClick={() => setHistory(!history)}
          >
            {history ? trans.__('Hide history') : trans.__('History')}
          </button>
          <a
            className="jp-mod-styled jp-modelreg-small jp-modelreg-link-button"
            href={cardApi.cardMarkdownUrl(props.fullName)}
            download="README.md"
            data-testid="modelreg-card-export"
            title={trans.__('The card as a Hugging Face README.md')}
          >
            {trans.__('README.md')}
          </a>
        </span>
      </div>
      <CompletenessMeter completeness={card.completeness} />
      {history && (
        <CardHistory fullName={props.fullName} revision={card.revision} />
      )}
      {/* The saved description shows above the card; a drafted one only here. */}
      <CardSectionsView card={card} showDescription={card.draft} />
    </div>
  );
}

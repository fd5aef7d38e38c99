/** What changed between two revisions of the card, section by section. */
import * as React from 'react';

import { ICardView, sectionKeys } from '../../cardApi';
import { usePanel } from '../context';
import { lineDiff } from './lineDiff';
import { sectionTitle } from './sectionTitles';

export interface ICardDiffProps {
  before: ICardView;
  after: ICardView;
}

function DiffBlock(props: {
  title: string;
  before: string;
  after: string;
}): JSX.Element {
  return (
    <div className="jp-modelreg-diff-block">
      <h4>{props.title}</h4>
      <pre className="jp-modelreg-diff">
        {lineDiff(props.before, props.after).map((line, i) => (
          <div
            key={i}
            className={`jp-modelreg-diff-${line.kind}`}
            data-kind={line.kind}
          >
            {line.kind === 'added'
              ? '+ '
              : line.kind === 'removed'
                ? '- '
                : '  '}
            {line.text}
          </div>
        ))}
      </pre>
    </div>
  );
}

export function CardDiff(props: ICardDiffProps): JSX.Element {
  const { trans } = usePanel();
  const { before, after } = props;
  const changed = sectionKeys(after).filter(
    k => before.sections[k] !== after.sections[k]
  );
  const descriptionChanged = before.description !== after.description;
  return (
    <div className="jp-modelreg-card-diff" data-testid="modelreg-card-diff">
      <p>
        {trans.__('Revision %1 → revision %2', before.revision, after.revision)}
      </p>
      {!changed.length && !descriptionChanged && (
        <div className="jp-modelreg-muted">{trans.__('No differences.')}</div>
      )}
      {descriptionChanged && (
        <DiffBlock
          title={trans.__('Description')}
          before={before.description}
          after={after.description}
        />
      )}
      {changed.map(key => (
        <DiffBlock
          key={key}
          title={sectionTitle(trans, key)}
          before={before.sections[key]}
          after={after.sections[key]}
        />
      ))}
    </div>
  );
}

/** The card's sections as headings with their markdown; empty ones say so. */
import * as React from 'react';

import { ICardView, sectionKeys } from '../../cardApi';
import { usePanel } from '../context';
import { Markdown } from '../Markdown';
import { sectionTitle } from './sectionTitles';

export interface ICardSectionsViewProps {
  card: Pick<ICardView, 'description' | 'sections' | 'completeness'>;
  /** Hide empty sections (the frozen card of a version), instead of listing them as to do. */
  hideEmpty?: boolean;
  /** Also render the description (default true). */
  showDescription?: boolean;
}

export function CardSectionsView(props: ICardSectionsViewProps): JSX.Element {
  const { trans } = usePanel();
  const { sections, description, completeness } = props.card;
  return (
    <div
      className="jp-modelreg-card-sections"
      data-testid="modelreg-card-sections"
    >
      {props.showDescription !== false && description.trim() && (
        <Markdown
          source={description}
          testId="modelreg-card-description-markdown"
        />
      )}
      {sectionKeys(props.card)
        .filter(k => !props.hideEmpty || sections[k].trim())
        .map(key => {
          const text = sections[key].trim();
          const required = completeness.required.includes(key);
          return (
            <section
              key={key}
              data-section={key}
              data-testid={`modelreg-card-section-${key}`}
            >
              <h4>
                {sectionTitle(trans, key)}
                {required && (
                  <span
                    className="jp-modelreg-chip"
                    title={trans.__(
                      'Required by the group for release versions'
                    )}
                  >
                    {trans.__('required')}
                  </span>
                )}
              </h4>
              {text ? (
                <Markdown
                  source={text}
                  testId="modelreg-card-section-markdown"
                />
              ) : (
                <div className="jp-modelreg-muted">
                  {trans.__('Not written yet.')}
                </div>
              )}
            </section>
          );
        })}
    </div>
  );
}

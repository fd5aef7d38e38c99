/** The model card: header, section tabs, and the compare bar. */
import {
  folderIcon,
  infoIcon,
  LabIcon,
  launchIcon,
  listIcon,
  tableRowsIcon,
  tagIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { isOutage } from '../errors';
import { CardSection } from '../panelState';
import { CommandIDs } from '../commandIds';
import { ActivitySection } from './ActivitySection';
import { CandidatesSection } from './CandidatesSection';
import { DeploymentsSection } from './DeploymentsSection';
import { usePanel } from './context';
import { FilesSection } from './FilesSection';
import { Overview } from './Overview';
import { ErrorMessage, Loading, Stale } from './States';
import { VersionsSection } from './VersionsSection';

export function ModelCard(): JSX.Element {
  const { model, trans, commands } = usePanel();
  const { value: card, loading, error } = model.card;
  // Each tab has an icon: in a narrow sidebar the inactive tabs show only it (label as tooltip and
  // accessible name), so six whole labels never shrink to "Ov…" or wrap to a second row.
  const sections: { id: CardSection; label: string; icon: LabIcon }[] = [
    { id: 'overview', label: trans.__('Overview'), icon: infoIcon },
    { id: 'versions', label: trans.__('Versions'), icon: tagIcon },
    { id: 'candidates', label: trans.__('Candidates'), icon: tableRowsIcon },
    { id: 'files', label: trans.__('Files'), icon: folderIcon },
    { id: 'deployments', label: trans.__('Deployments'), icon: launchIcon },
    { id: 'activity', label: trans.__('Activity'), icon: listIcon }
  ];

  function onTabKey(event: React.KeyboardEvent, index: number): void {
    const step =
      event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step) {
      const next = sections[(index + step + sections.length) % sections.length];
      model.showSection(next.id);
      const tab = document.getElementById(`jp-modelreg-tab-${next.id}`);
      tab?.focus();
    }
  }

  const compare = model.compareSelection;
  // Only these sections have the checkboxes that fill the selection.
  const comparable =
    model.section === 'versions' || model.section === 'candidates';
  return (
    <div
      className="jp-modelreg-card"
      data-testid="modelreg-card"
      data-model={model.selected ?? ''}
    >
      <div className="jp-modelreg-card-header">
        <button
          className="jp-modelreg-icon-button"
          aria-label={trans.__('Back to models')}
          title={trans.__('Back to models')}
          onClick={() => model.closeModel()}
        >
          ‹
        </button>
        <h2
          className="jp-modelreg-card-title"
          title={model.selected ?? undefined}
        >
          {model.selected}
        </h2>
        {card?.model.your_role && (
          <span className="jp-modelreg-chip" title={trans.__('Your role')}>
            {card.model.your_role}
          </span>
        )}
      </div>
      <div
        className="jp-modelreg-tabs"
        role="tablist"
        aria-label={trans.__('Model card sections')}
      >
        {sections.map((s, i) => (
          <button
            key={s.id}
            id={`jp-modelreg-tab-${s.id}`}
            role="tab"
            aria-selected={model.section === s.id}
            aria-controls="jp-modelreg-section"
            tabIndex={model.section === s.id ? 0 : -1}
            className={`jp-modelreg-tab${model.section === s.id ? ' jp-mod-active' : ''}`}
            data-testid={`modelreg-tab-${s.id}`}
            title={s.label}
            aria-label={s.label}
            onClick={() => model.showSection(s.id)}
            onKeyDown={e => onTabKey(e, i)}
          >
            <s.icon.react
              tag="span"
              className="jp-modelreg-tab-icon"
              elementSize="normal"
            />
            <span className="jp-modelreg-tab-label">{s.label}</span>
          </button>
        ))}
      </div>
      {comparable && compare.length > 0 && (
        <div
          className="jp-modelreg-compare-bar"
          data-testid="modelreg-compare-bar"
        >
          <span>{trans._n('%1 selected', '%1 selected', compare.length)}</span>
          <button
            className="jp-mod-styled jp-mod-accept"
            data-testid="modelreg-compare-button"
            disabled={compare.length < 2}
            title={
              compare.length < 2 ? trans.__('Tick at least two to compare') : ''
            }
            onClick={() =>
              void commands.execute(CommandIDs.compare, {
                model: model.selected ?? '',
                refs: [...compare]
              })
            }
          >
            {trans.__('Compare')}
          </button>
          <button
            className="jp-mod-styled"
            onClick={() => model.clearCompare()}
          >
            {trans.__('Clear')}
          </button>
        </div>
      )}
      <div
        id="jp-modelreg-section"
        role="tabpanel"
        className="jp-modelreg-section"
      >
        {error && card && isOutage(error) ? (
          <Stale>
            {trans.__(
              'The registry is not answering: this card is as it was last loaded and may be out of date.'
            )}
          </Stale>
        ) : (
          error && (
            <ErrorMessage error={error} onRetry={() => void model.refresh()} />
          )
        )}
        {!card && loading && (
          <Loading label={trans.__('Loading the model card…')} />
        )}
        {card && model.section === 'overview' && <Overview card={card} />}
        {card && model.section === 'versions' && (
          <VersionsSection card={card} />
        )}
        {card && model.section === 'candidates' && (
          <CandidatesSection card={card} />
        )}
        {card && model.section === 'files' && <FilesSection card={card} />}
        {card && model.section === 'deployments' && (
          <DeploymentsSection card={card} />
        )}
        {card && model.section === 'activity' && (
          <ActivitySection card={card} />
        )}
      </div>
    </div>
  );
}

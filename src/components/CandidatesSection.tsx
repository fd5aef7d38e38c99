/** Candidates: status, key metrics, where each came from; promote one or tick some to compare. */
import * as React from 'react';

import { PageConfig } from '@jupyterlab/coreutils';
import { notebookIcon } from '@jupyterlab/ui-components';

import { formatDate, formatMetric, openableNotebookPath } from '../format';
import { lockIcon } from '../icons';
import { webUrl } from '../links';
import { ICard } from '../panelState';
import { CommandIDs } from '../commandIds';
import { ICandidate, IModel } from '../registryTypes';
import { GatedButton } from './actions/GatedButton';
import {
  OpenCandidateButton,
  PromoteCandidateButton
} from './candidate/CandidateButtons';
import { CandidateFilter } from './candidate/CandidateFilter';
import { CompareCheckbox } from './CompareCheckbox';
import { ExecutedCells } from './ExecutedCells';
import { usePanel } from './context';
import { RunsTable } from './runs/RunsTable';
import { useWide } from './runs/useWide';
import { Empty } from './States';

const KEY_METRICS = 3;

export interface ICandidatesSectionProps {
  card: ICard;
}

export function CandidatesSection(props: ICandidatesSectionProps): JSX.Element {
  const { model, trans, commands } = usePanel();
  const { candidates, candidatesCursor, candidateQuery, candidatesError } =
    props.card;
  const filtered = Object.values(candidateQuery).some(Boolean);
  const highlighted = React.useRef<HTMLLIElement>(null);

  React.useEffect(() => {
    highlighted.current?.scrollIntoView?.({ block: 'nearest' });
  }, [model.highlight]);

  const [wide, measured] = useWide();

  const filter = (
    <CandidateFilter
      query={candidateQuery}
      error={candidatesError?.message ?? null}
    />
  );
  const openTable = (
    <button
      className="jp-mod-styled jp-modelreg-small"
      data-testid="modelreg-open-runs"
      onClick={() =>
        void commands.execute(CommandIDs.openRuns, {
          model: props.card.model.full_name
        })
      }
    >
      {trans.__('Open runs table')}
    </button>
  );
  // A wide sidebar has room for the table; a narrow one keeps the compact list.
  if (wide && candidates.length > 0) {
    return (
      <div ref={measured}>
        <RunsTable
          fullName={props.card.model.full_name}
          info={props.card.model}
        />
      </div>
    );
  }
  if (candidates.length === 0 && !filtered && !candidatesError) {
    return (
      <Empty>
        {trans.__(
          'No candidates yet. Use "Log as candidate" on a notebook that trained this model.'
        )}
      </Empty>
    );
  }
  return (
    <div ref={measured}>
      <div className="jp-modelreg-row">{openTable}</div>
      {filter}
      {candidates.length === 0 && (
        <Empty>{trans.__('No candidate matches this filter.')}</Empty>
      )}
      <ul
        className="jp-modelreg-items"
        aria-label={trans.__('Candidates')}
        data-testid="modelreg-candidates"
      >
        {candidates.map(c => (
          <CandidateItem
            key={c.iid}
            candidate={c}
            info={props.card.model}
            highlightRef={model.highlight === c.iid ? highlighted : undefined}
          />
        ))}
      </ul>
      {candidatesCursor && (
        <button
          className="jp-mod-styled jp-modelreg-more"
          onClick={() => void model.moreCandidates()}
        >
          {trans.__('Load more candidates')}
        </button>
      )}
    </div>
  );
}

interface ICandidateItemProps {
  candidate: ICandidate;
  info: IModel;
  highlightRef?: React.Ref<HTMLLIElement>;
}

/** The metrics to show first: those with a declared goal, then the rest, alphabetically. */
function keyMetrics(candidate: ICandidate, info: IModel): string[] {
  const goals = Object.keys(info.metadata?.metric_goals ?? {});
  const keys = Object.keys(candidate.metrics ?? {}).sort(
    (a, b) =>
      Number(goals.includes(b)) - Number(goals.includes(a)) ||
      a.localeCompare(b)
  );
  return keys.slice(0, KEY_METRICS);
}

function CandidateItem(props: ICandidateItemProps): JSX.Element {
  const { trans, commands } = usePanel();
  const { candidate: c, info } = props;
  const notebook = c.provenance?.notebook?.path;
  const openable = notebook
    ? openableNotebookPath(notebook, PageConfig.getOption('serverRoot'))
    : null;
  const ci = c.provenance?.ci;
  const ciUrl = webUrl(ci?.job_url) ?? webUrl(ci?.project_url);
  const commit = c.provenance?.git?.commit || ci?.commit;

  return (
    <li
      ref={props.highlightRef}
      className={`jp-modelreg-item${props.highlightRef ? ' jp-modelreg-highlight' : ''}`}
      data-testid="modelreg-candidate"
      data-iid={c.iid}
    >
      <div className="jp-modelreg-item-head">
        <CompareCheckbox
          compareRef={`c:${c.iid}`}
          label={trans.__('Select candidate #%1 to compare', c.iid)}
        />
        <OpenCandidateButton
          fullName={info.full_name}
          candidate={c}
          testId="modelreg-candidate-open"
        >
          <strong>
            #{c.iid} {c.name}
          </strong>
        </OpenCandidateButton>
        <span
          className={`jp-modelreg-chip jp-modelreg-status-${c.status}`}
          title={c.status_reason ?? undefined}
        >
          {c.status}
        </span>
        {c.version && (
          <span
            className="jp-modelreg-lock"
            title={trans.__('Promoted and locked')}
          >
            <lockIcon.react tag="span" className="jp-modelreg-inline-icon" />v
            {c.version}
          </span>
        )}
      </div>
      {c.status === 'failed' && c.status_reason && (
        <div
          className="jp-modelreg-hint jp-modelreg-invalid"
          data-testid="modelreg-status-reason"
        >
          {c.status_reason}
        </div>
      )}
      <div
        className="jp-modelreg-metrics"
        data-testid="modelreg-candidate-metrics"
      >
        {keyMetrics(c, info).map(key => (
          <span key={key} className="jp-modelreg-metric">
            {key} <strong>{formatMetric(c.metrics[key].value)}</strong>
          </span>
        ))}
      </div>
      {Object.keys(c.params ?? {}).length > 0 && (
        <div
          className="jp-modelreg-params"
          data-testid="modelreg-candidate-params"
          aria-label={trans._n(
            '%1 param',
            '%1 params',
            Object.keys(c.params).length
          )}
        >
          {Object.entries(c.params).map(([key, value]) => (
            <code key={key} className="jp-modelreg-param">
              {key}={value}
            </code>
          ))}
        </div>
      )}
      {c.provenance?.cells && (
        <ExecutedCells cells={c.provenance.cells} trans={trans} />
      )}
      <div className="jp-modelreg-source">
        {openable && (
          <button
            className="jp-modelreg-link"
            data-testid="modelreg-notebook-link"
            title={trans.__('Open %1', openable)}
            onClick={() =>
              void commands.execute('docmanager:open', { path: openable })
            }
          >
            <notebookIcon.react
              tag="span"
              className="jp-modelreg-inline-icon"
            />
            {openable}
          </button>
        )}
        {notebook && !openable && (
          <span
            className="jp-modelreg-muted"
            data-testid="modelreg-notebook-path"
            title={trans.__(
              'Logged from %1, outside this Jupyter server',
              notebook
            )}
          >
            <notebookIcon.react
              tag="span"
              className="jp-modelreg-inline-icon"
            />
            {notebook}
          </span>
        )}
        {ciUrl && (
          <a href={ciUrl} target="_blank" rel="noopener noreferrer">
            {trans.__(
              'CI %1',
              ci?.job_id || ci?.pipeline_id || ci?.provider || ''
            )}
          </a>
        )}
        {ci?.merge_request && (
          <span
            className="jp-modelreg-chip"
            data-testid="modelreg-merge-request"
            title={trans.__('Logged by CI for this merge request')}
          >
            {ci.provider === 'github'
              ? trans.__('PR #%1', ci.merge_request)
              : trans.__('MR !%1', ci.merge_request)}
          </span>
        )}
        {commit && (
          <code className="jp-modelreg-commit" title={commit}>
            {commit.slice(0, 8)}
          </code>
        )}
        <span className="jp-modelreg-muted">
          {c.author} · {formatDate(c.created_at)}
        </span>
      </div>
      <div className="jp-modelreg-row-end">
        <PromoteCandidateButton info={info} candidate={c} />
        <GatedButton
          role={info.your_role}
          needs="developer"
          testId="modelreg-delete-candidate"
          disabledReason={
            c.locked
              ? trans.__(
                  "Promoted to %1: a version's candidate is kept forever.",
                  c.version ?? ''
                )
              : undefined
          }
          onClick={() =>
            void commands.execute(CommandIDs.deleteCandidate, {
              model: info.full_name,
              candidate: c.iid
            })
          }
        >
          {trans.__('Delete')}
        </GatedButton>
      </div>
    </li>
  );
}

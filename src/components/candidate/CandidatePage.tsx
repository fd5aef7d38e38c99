/** A candidate's page in the main area: everything recorded about one run, and its notebook. */
import * as React from 'react';

import { registry } from '../../api';
import { CommandIDs } from '../../commandIds';
import { formatDate } from '../../format';
import { usePanel } from '../context';
import { ExecutedCells } from '../ExecutedCells';
import { PagePart } from '../PagePart';
import { ErrorMessage, Loading } from '../States';
import { useAsync } from '../useAsync';
import {
  FilesTable,
  MetricsWithHistory,
  ParamsTable,
  ProvenanceFacts
} from '../version/VersionFacts';
import { PromoteCandidateButton } from './CandidateButtons';
import { CandidateDatasets } from './CandidateDatasets';
import { CandidateEnvironment } from './CandidateEnvironment';

export interface ICandidatePageProps {
  fullName: string;
  iid: number;
}

async function loadPage(fullName: string, iid: number) {
  const [model, candidate, files] = await Promise.all([
    registry.getModel(fullName),
    registry.getCandidate(fullName, iid),
    registry.candidateFiles(fullName, iid)
  ]);
  return { model, candidate, files };
}

export function CandidatePage(props: ICandidatePageProps): JSX.Element {
  const { trans, commands, model } = usePanel();
  const page = useAsync(
    () => loadPage(props.fullName, props.iid),
    [props.fullName, props.iid, model.generation]
  );
  if (!page.value) {
    return page.error ? (
      <ErrorMessage error={page.error} onRetry={page.reload} />
    ) : (
      <Loading label={trans.__('Loading candidate #%1…', props.iid)} />
    );
  }
  const { candidate: c, files } = page.value;
  const info = page.value.model;
  const snapshot = c.provenance?.notebook?.snapshot;
  const hasSnapshot = !!snapshot && files.some(f => f.path === snapshot);
  return (
    <div
      className="jp-modelreg-version-page"
      data-testid="modelreg-candidate-page"
      data-iid={c.iid}
    >
      <header className="jp-modelreg-row-between">
        <h2>
          {props.fullName} #{c.iid} {c.name}{' '}
          <span
            className={`jp-modelreg-chip jp-modelreg-status-${c.status}`}
            title={c.status_reason ?? undefined}
          >
            {c.status}
          </span>
          {c.version && (
            <span className="jp-modelreg-chip">
              {trans.__('version %1', c.version)}
            </span>
          )}
        </h2>
        <span className="jp-modelreg-row">
          {hasSnapshot && (
            <button
              className="jp-mod-styled jp-modelreg-small"
              data-testid="modelreg-open-snapshot"
              onClick={() =>
                void commands.execute(CommandIDs.openSnapshot, {
                  model: props.fullName,
                  candidate: c.iid
                })
              }
            >
              {trans.__('Open the notebook snapshot in JupyterLab')}
            </button>
          )}
          <PromoteCandidateButton
            info={info}
            candidate={c}
            onDone={page.reload}
          />
        </span>
      </header>
      <div className="jp-modelreg-muted">
        {c.experiment
          ? trans.__(
              'Experiment %1 · %2 · %3',
              c.experiment,
              c.author,
              formatDate(c.created_at)
            )
          : trans.__(
              'No experiment · %1 · %2',
              c.author,
              formatDate(c.created_at)
            )}
      </div>
      {c.status_reason && (
        <div className="jp-modelreg-warning">{c.status_reason}</div>
      )}
      <PagePart title={trans.__('Metrics')}>
        <MetricsWithHistory
          fullName={props.fullName}
          candidate={c.iid}
          metrics={c.metrics}
          label={`#${c.iid}`}
          testId="modelreg-candidate-page-metrics"
        />
      </PagePart>
      <PagePart title={trans.__('Params')}>
        <ParamsTable
          params={c.params}
          testId="modelreg-candidate-page-params"
        />
      </PagePart>
      <PagePart title={trans.__('Provenance')}>
        <ProvenanceFacts
          provenance={c.provenance}
          testId="modelreg-candidate-page-provenance"
        />
      </PagePart>
      <PagePart
        title={trans.__('Environment')}
        testId="modelreg-candidate-page-environment"
      >
        <CandidateEnvironment provenance={c.provenance} />
      </PagePart>
      {c.provenance?.cells && (
        <PagePart title={trans.__('Executed cells')}>
          <ExecutedCells cells={c.provenance.cells} trans={trans} />
        </PagePart>
      )}
      <CandidateDatasets candidate={c} />
      <PagePart title={trans.__('Files')}>
        <FilesTable
          fullName={props.fullName}
          owner={{ candidate: c.iid }}
          files={files}
          testId="modelreg-candidate-page-files"
        />
      </PagePart>
    </div>
  );
}

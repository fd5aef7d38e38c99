/**
 * The candidate page against the real registry: metrics with history, params, provenance, the
 * environment and packages, executed cells, files, and the snapshot button only when the
 * snapshot was stored.
 */
import * as React from 'react';
import { screen, waitFor } from '@testing-library/react';

import { CandidatePage } from '../components/candidate/CandidatePage';
import { CommandIDs } from '../commandIds';
import { renderInPanel, recordingCommands } from './render';
import { freshModel, registryCall, useTestServer } from './servers';

describe('CandidatePage', () => {
  beforeEach(() => useTestServer());

  it('shows everything recorded about a run and opens its snapshot', async () => {
    const fullName = await freshModel('page');
    const logged = await registryCall('POST', `models/${fullName}/candidates`, {
      name: 'deep-trees',
      experiment: 'sweep-1',
      params: { depth: '8' },
      metrics: [
        { key: 'val_auc', value: 0.9, step: 1 },
        { key: 'val_auc', value: 0.95, step: 2 }
      ],
      provenance: {
        kernel: { name: 'python3', language: 'python' },
        environment: {
          python: '3.11.9',
          platform: 'Linux',
          packages: [{ name: 'xgboost', version: '2.1.0' }]
        },
        git: { commit: 'abc123def' },
        notebook: { path: 'train.ipynb', snapshot: 'notebook/train.ipynb' }
      }
    });
    const { commands, calls } = recordingCommands([CommandIDs.openSnapshot]);
    const first = renderInPanel(
      <CandidatePage fullName={fullName} iid={logged.iid} />,
      { commands }
    );
    const page = await screen.findByTestId('modelreg-candidate-page');
    expect(page.textContent).toContain('Experiment sweep-1');
    expect(
      screen.getByTestId('modelreg-candidate-page-metrics').textContent
    ).toContain('val_auc');
    expect(
      screen.getByTestId('modelreg-candidate-page-params').textContent
    ).toContain('8');
    expect(
      screen.getByTestId('modelreg-candidate-page-provenance').textContent
    ).toContain('abc123def');
    expect(
      screen.getByTestId('modelreg-candidate-packages').textContent
    ).toContain('xgboost2.1.0');
    expect(
      screen.getByTestId('modelreg-candidate-page-environment').textContent
    ).toContain('3.11.9');
    // The history has two steps: a chart.
    await waitFor(() =>
      expect(screen.getAllByTestId('modelreg-metric-chart')).toHaveLength(1)
    );
    // No snapshot stored yet: no button.
    expect(screen.queryByTestId('modelreg-open-snapshot')).toBeNull();
    first.unmount();

    // The snapshot as the client stores it.
    await registryCall(
      'PUT',
      `models/${fullName}/candidates/${logged.iid}/artifacts/notebook/train.ipynb`,
      { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }
    );
    renderInPanel(<CandidatePage fullName={fullName} iid={logged.iid} />, {
      commands
    });
    const open = await screen.findByTestId('modelreg-open-snapshot');
    expect(
      screen.getByTestId('modelreg-candidate-page-files').textContent
    ).toContain('notebook/train.ipynb');
    open.click();
    expect(calls).toEqual([
      [CommandIDs.openSnapshot, { model: fullName, candidate: logged.iid }]
    ]);
  });
});

describe('CandidatePage datasets', () => {
  beforeEach(() => useTestServer());

  it("shows the data lineage MLflow's log_input recorded", async () => {
    const fullName = await freshModel('lineage');
    const group = fullName.split('/')[0];
    const logged = await registryCall('POST', `models/${fullName}/candidates`, {
      name: 'with-data'
    });
    // MLflow's log_input is the only writer of datasets: the registry's MLflow route, beside /api/v1.
    await registryCall(
      'POST',
      `../../mlflow/${group}/api/2.0/mlflow/runs/log-inputs`,
      {
        run_id: logged.run_id,
        datasets: [
          {
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
            dataset: {
              name: 'churn-2026-11',
              digest: 'a1b2c3d4',
              source_type: 'local',
              source: '{"uri": "/data/churn.parquet"}',
              schema: '{"mlflow_colspec": [{"name": "tenure", "type": "long"}]}'
            }
          }
        ]
      }
    );
    renderInPanel(<CandidatePage fullName={fullName} iid={logged.iid} />);
    const part = await screen.findByTestId('modelreg-candidate-page-datasets');
    for (const shown of [
      'churn-2026-11',
      'a1b2c3d4',
      'training',
      '/data/churn.parquet',
      'tenure'
    ]) {
      expect(part.textContent).toContain(shown);
    }
  });
});

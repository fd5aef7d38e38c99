/**
 * The candidates filter in the panel, against the real registry: by merge request, pipeline, commit and
 * metric expression, paged with the filter kept, and a malformed expression refused without losing the list.
 */
import * as React from 'react';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';

import { CandidatesSection } from '../components/CandidatesSection';
import { PanelState } from '../panelState';
import { renderInPanel } from './render';
import { freshModel, registryCall, useTestServer } from './servers';

/** Four candidates: two from merge request 7 (pipeline 70, 71), one from 8, one from a notebook. */
async function modelFromMergeRequests(): Promise<string> {
  const fullName = await freshModel('mr');
  const logged = [
    { mr: '7', pipeline: '70', commit: 'aaa111', auc: 0.81 },
    { mr: '7', pipeline: '71', commit: 'bbb222', auc: 0.93 },
    { mr: '8', pipeline: '80', commit: 'ccc333', auc: 0.95 },
    { mr: null, pipeline: null, commit: null, auc: 0.7 }
  ];
  for (const c of logged) {
    await registryCall('POST', `models/${fullName}/candidates`, {
      metrics: [{ key: 'auc', value: c.auc }],
      provenance: c.mr
        ? {
            ci: { merge_request: c.mr, pipeline_id: c.pipeline },
            git: { commit: c.commit }
          }
        : {}
    });
  }
  return fullName;
}

const iids = (model: PanelState) =>
  model.card.value!.candidates.map(c => c.iid).sort();

describe('Candidates filter', () => {
  beforeEach(() => useTestServer());

  it('narrows by merge request, pipeline, commit and expression, and pages with it', async () => {
    const fullName = await modelFromMergeRequests();
    const model = new PanelState({ pageSize: 1 });
    await model.openModel(fullName);
    expect(model.card.value!.candidates).toHaveLength(1);

    await model.filterCandidates({ merge_request: '7' });
    expect(model.card.value!.candidateQuery).toEqual({ merge_request: '7' });
    await model.moreCandidates();
    await model.moreCandidates();
    expect(iids(model)).toEqual([1, 2]);
    expect(model.card.value!.candidatesCursor).toBeNull();

    await model.filterCandidates({ pipeline: '80' });
    expect(iids(model)).toEqual([3]);
    await model.filterCandidates({ commit: 'bbb222' });
    expect(iids(model)).toEqual([2]);

    const all = new PanelState({ pageSize: 10 });
    await all.openModel(fullName);
    await all.filterCandidates({ filter: 'metrics.auc > 0.9' });
    expect(iids(all)).toEqual([2, 3]);
    // A refresh of the card keeps the filter.
    await all.openModel(fullName);
    expect(iids(all)).toEqual([2, 3]);
    await all.filterCandidates({});
    expect(iids(all)).toEqual([1, 2, 3, 4]);
  });

  it('says why an expression is refused and keeps the list', async () => {
    const fullName = await modelFromMergeRequests();
    const model = new PanelState({ pageSize: 10 });
    await model.openModel(fullName);
    renderInPanel(<CandidatesSection card={model.card.value!} />, { model });

    fireEvent.change(screen.getByTestId('modelreg-candidate-filter'), {
      target: { value: 'metrics.auc >' }
    });
    await act(async () => {
      fireEvent.submit(screen.getByRole('search'));
    });
    await waitFor(() =>
      expect(model.card.value!.candidatesError).not.toBeNull()
    );
    expect(model.card.value!.candidatesError!.code).toBe('VALIDATION_ERROR');
    expect(iids(model)).toEqual([1, 2, 3, 4]);
  });
});

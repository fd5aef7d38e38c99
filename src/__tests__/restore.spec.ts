/** What a reload brings back (panel place, per-notebook Log choices), with JupyterLab's own StateDB. */
import { StateDB } from '@jupyterlab/statedb';

import { nextName, recallChoice, rememberChoice } from '../notebookChoices';
import { PanelState } from '../panelState';
import { restorePanelPlace } from '../restore';
import { testServers, useTestServer } from './servers';

describe('restorePanelPlace', () => {
  const servers = testServers();
  beforeEach(() => useTestServer());

  it('reopens the model and section the last session had open', async () => {
    const state = new StateDB();
    const before = new PanelState();
    await restorePanelPlace(state, before, Promise.resolve());
    await before.openModel(servers.model, { section: 'candidates' });
    before.showSection('versions');

    // A reload: a new panel state, the same state database.
    const after = new PanelState();
    await restorePanelPlace(state, after, Promise.resolve());
    expect(after.selected).toBe(servers.model);
    expect(after.section).toBe('versions');
    expect(after.card.value?.model.full_name).toBe(servers.model);

    after.closeModel();
    const third = new PanelState();
    await restorePanelPlace(state, third, Promise.resolve());
    expect(third.selected).toBeNull();
  });
});

describe('notebook choices', () => {
  it('remembers the model, name and experiment per notebook path', async () => {
    const state = new StateDB();
    expect(await recallChoice(state, 'a.ipynb')).toBeNull();
    await rememberChoice(state, 'a.ipynb', {
      model: 'team/churn',
      name: 'xgb-3',
      experiment: 'depth sweep'
    });
    expect(await recallChoice(state, 'a.ipynb')).toEqual({
      model: 'team/churn',
      name: 'xgb-3',
      experiment: 'depth sweep'
    });
    expect(await recallChoice(state, 'b.ipynb')).toBeNull();
    expect(await recallChoice(null, 'a.ipynb')).toBeNull();
  });

  it('suggests the next name in the pattern last used', () => {
    expect(nextName('xgb-3')).toBe('xgb-4');
    expect(nextName('run_09')).toBe('run_10');
    expect(nextName('baseline')).toBe('baseline-2');
    expect(nextName('')).toBe('');
  });
});

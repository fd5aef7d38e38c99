/** The card's sections, completeness and history, and the version page, against the real registry. */
import * as React from 'react';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within
} from '@testing-library/react';

import { ModelCardSections } from '../components/card/ModelCardSections';
import { VersionPage } from '../components/version/VersionPage';
import { PanelState } from '../panelState';
import { CommandIDs } from '../commandIds';
import { recordingCommands, renderInPanel } from './render';
import { freshModel, registryCall, useTestServer } from './servers';

describe('ModelCardSections', () => {
  beforeEach(() => useTestServer());

  it('shows completeness, saves a section as a new revision, and diffs two revisions', async () => {
    const fullName = await freshModel('card');
    renderInPanel(<ModelCardSections fullName={fullName} role="owner" />, {
      model: new PanelState()
    });
    await waitFor(() =>
      expect(
        screen.getByTestId('modelreg-completeness-label').textContent
      ).toBe('0 of 11 sections written')
    );
    expect(
      screen.getByTestId('modelreg-card-revision-label').textContent
    ).toContain('Draft');

    fireEvent.click(screen.getByTestId('modelreg-edit-card-sections'));
    fireEvent.change(screen.getByTestId('modelreg-card-input-intended_use'), {
      target: { value: 'Scores churn risk.' }
    });
    fireEvent.change(screen.getByTestId('modelreg-card-input-risks'), {
      target: { value: 'Drifts in Q4.\nOld data.' }
    });
    await act(async () => {
      fireEvent.click(screen.getByTestId('modelreg-card-save'));
    });
    await waitFor(() =>
      expect(
        screen.getByTestId('modelreg-completeness-label').textContent
      ).toBe('2 of 11 sections written')
    );
    expect(
      screen.getByTestId('modelreg-card-section-intended_use').textContent
    ).toContain('Scores churn risk.');
    // What the panel saved is what the registry has.
    const stored = await registryCall('GET', `models/${fullName}/card`);
    expect(stored).toMatchObject({
      revision: 1,
      sections: { intended_use: 'Scores churn risk.' }
    });

    await registryCall('PUT', `models/${fullName}/card`, {
      sections: { ...stored.sections, risks: 'Drifts in Q4.\nNew data.' }
    });
    fireEvent.click(screen.getByTestId('modelreg-card-history-toggle'));
    const history = await screen.findByTestId('modelreg-card-history');
    await waitFor(() =>
      expect(
        within(history)
          .getAllByTestId('modelreg-card-revision')
          .map(r => r.dataset.revision)
      ).toEqual(['2', '1'])
    );
    fireEvent.click(within(history).getByTestId('modelreg-card-diff-button'));
    const diff = await screen.findByTestId('modelreg-card-diff');
    const lines = [...diff.querySelectorAll('[data-kind]')].map(
      l => `${l.getAttribute('data-kind')}:${l.textContent}`
    );
    expect(lines).toEqual([
      'same:  Drifts in Q4.',
      'removed:- Old data.',
      'added:+ New data.'
    ]);
  });

  it('disables editing for a reporter and says why', async () => {
    const fullName = await freshModel('card');
    renderInPanel(<ModelCardSections fullName={fullName} role="reporter" />, {
      model: new PanelState()
    });
    const edit = (await screen.findByTestId(
      'modelreg-edit-card-sections'
    )) as HTMLButtonElement;
    expect(edit.disabled).toBe(true);
    expect(edit.title).toBe(
      'Needs the developer role or higher; your role is reporter.'
    );
  });
});

describe('VersionPage', () => {
  beforeEach(() => useTestServer());

  it('shows what changed since the previous version and the card as released', async () => {
    const fullName = await freshModel('card');
    const base = `models/${fullName}`;
    await registryCall('POST', `${base}/candidates`, {
      params: { depth: '4', eta: '0.1' },
      metrics: [{ key: 'auc', value: 0.8 }]
    });
    await registryCall('POST', `${base}/candidates`, {
      params: { depth: '6', eta: '0.1' },
      metrics: [
        { key: 'auc', value: 0.85, step: 0 },
        { key: 'auc', value: 0.91, step: 1 }
      ]
    });
    await registryCall('POST', `${base}/versions`, {
      version: '1.0.0',
      candidate: 1
    });
    await registryCall('PUT', `${base}/card`, {
      sections: { evaluation: 'AUC 0.91.' }
    });
    await registryCall('POST', `${base}/versions`, {
      version: '1.1.0',
      candidate: 2
    });
    await registryCall('PUT', `${base}/card`, {
      sections: { evaluation: 'Later text.' }
    });

    const recorder = recordingCommands([
      CommandIDs.yank,
      CommandIDs.moveAlias,
      CommandIDs.recordDeployment
    ]);
    renderInPanel(<VersionPage fullName={fullName} version="1.1.0" />, {
      model: new PanelState(),
      commands: recorder.commands
    });
    const changes = await screen.findByTestId('modelreg-version-changes');
    expect(changes.textContent).toContain('Compared with version 1.0.0.');
    const rows = within(changes)
      .getAllByTestId('modelreg-version-change')
      .map(r => [...r.querySelectorAll('td')].map(td => td.textContent));
    expect(rows).toEqual([
      ['param', 'depth', '4', '6'],
      ['metric', 'auc', '0.8', '0.91']
    ]);
    const card = screen.getByTestId('modelreg-version-card');
    expect(card.textContent).toContain('revision 1');
    await waitFor(() => expect(card.textContent).toContain('AUC 0.91.'));
    expect(card.textContent).not.toContain('Later text.');

    fireEvent.click(screen.getByTestId('modelreg-version-yank'));
    expect(recorder.calls).toEqual([
      [CommandIDs.yank, { model: fullName, version: '1.1.0' }]
    ]);
  });
});

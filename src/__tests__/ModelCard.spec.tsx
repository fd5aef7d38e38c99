/** The model card and its sections, rendered from the real registry's data. */
import * as React from 'react';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import { UseSignal } from '@jupyterlab/apputils';

import { ModelCard } from '../components/ModelCard';
import { PanelState } from '../panelState';
import { CommandIDs } from '../commandIds';
import { recordingCommands, renderInPanel } from './render';
import { registryCall, testServers, useTestServer } from './servers';

function Live(props: { model: PanelState }): JSX.Element {
  return (
    <UseSignal signal={props.model.changed}>{() => <ModelCard />}</UseSignal>
  );
}

async function openCard(
  section?: 'overview' | 'versions' | 'candidates' | 'files' | 'activity'
) {
  const servers = testServers();
  const model = new PanelState();
  const recorder = recordingCommands([
    CommandIDs.promote,
    CommandIDs.pull,
    CommandIDs.compare,
    'docmanager:open'
  ]);
  const view = renderInPanel(<Live model={model} />, {
    model,
    commands: recorder.commands
  });
  await act(() => model.openModel(servers.model, { section }));
  return { model, view, ...recorder };
}

describe('ModelCard', () => {
  const servers = testServers();
  beforeEach(() => useTestServer());

  it('renders the markdown card sanitized, with metadata and aliases', async () => {
    await openCard('overview');
    const markdown = await screen.findByTestId('modelreg-card-markdown');
    await waitFor(() =>
      expect(markdown.querySelector('h1')?.textContent).toContain('Churn model')
    );
    expect(markdown.querySelector('strong')?.textContent).toBe('churn');
    expect(markdown.querySelector('script')).toBeNull();
    expect((window as any).__pwned).toBeUndefined();
    expect(screen.getByText('classification')).toBeTruthy();
    expect(screen.getByTestId('modelreg-latest-version').textContent).toBe(
      '1.0.0'
    );
    expect(
      within(screen.getByTestId('modelreg-aliases')).getByText('production')
    ).toBeTruthy();
  });

  it('lets the owner edit the card in place', async () => {
    await registryCall('POST', `models/${servers.group}`, {
      name: 'editable',
      description: 'old'
    });
    const model = new PanelState();
    renderInPanel(<Live model={model} />, { model });
    await act(() => model.openModel(`${servers.group}/editable`));
    fireEvent.click(await screen.findByTestId('modelreg-edit-card'));
    const editor = screen.getByTestId('modelreg-card-editor');
    fireEvent.change(within(editor).getByLabelText('Card (markdown)'), {
      target: { value: '# New text' }
    });
    fireEvent.change(within(editor).getByLabelText('Framework'), {
      target: { value: 'onnx' }
    });
    await act(async () => {
      fireEvent.click(
        within(editor).getByRole('button', { name: 'Save card' })
      );
    });
    await waitFor(() =>
      expect(screen.queryByTestId('modelreg-card-editor')).toBeNull()
    );
    const stored = await registryCall(
      'GET',
      `models/${servers.group}/editable`
    );
    expect(stored.description).toBe('# New text');
    expect(stored.metadata.framework).toBe('onnx');
  });

  it('shows versions with the lock badge and pulls one into the notebook', async () => {
    const { calls } = await openCard('versions');
    const version = await screen.findByTestId('modelreg-version');
    expect(version.getAttribute('data-version')).toBe('1.0.0');
    expect(within(version).getByTestId('modelreg-lock')).toBeTruthy();
    expect(version.textContent).toContain('First release');
    expect(version.textContent).toContain('production');
    fireEvent.click(within(version).getByTestId('modelreg-pull'));
    expect(calls).toEqual([
      [CommandIDs.pull, { model: servers.model, ref: '1.0.0' }]
    ]);
  });

  it('lets a maintainer edit only the release notes of a locked version', async () => {
    await openCard('versions');
    fireEvent.click(await screen.findByTestId('modelreg-edit-notes'));
    const editor = screen.getByTestId('modelreg-notes-editor');
    fireEvent.change(within(editor).getByLabelText('Release notes of 1.0.0'), {
      target: { value: 'First release, better notes' }
    });
    await act(async () => {
      fireEvent.click(
        within(editor).getByRole('button', { name: 'Save notes' })
      );
    });
    await waitFor(() =>
      expect(screen.queryByTestId('modelreg-notes-editor')).toBeNull()
    );
    expect(screen.getByTestId('modelreg-version').textContent).toContain(
      'First release, better notes'
    );
    const stored = await registryCall(
      'GET',
      `models/${servers.model}/versions/1.0.0`
    );
    expect(stored.notes).toBe('First release, better notes');
    expect(stored.locked).toBe(true);
  });

  it('shows candidates with status, key metrics and source, and offers promotion', async () => {
    const { calls } = await openCard('candidates');
    const items = await screen.findAllByTestId('modelreg-candidate');
    const second = items.find(
      i => i.getAttribute('data-iid') === String(servers.candidates[1])
    )!;
    expect(second.textContent).toContain('xgb-depth6');
    expect(second.textContent).toContain('finished');
    expect(second.textContent).toMatch(/auc\s*0\.9/);
    expect(second.textContent).toContain('abcdef12');
    fireEvent.click(within(second).getByTestId('modelreg-notebook-link'));
    expect(calls[0]).toEqual(['docmanager:open', { path: 'work/train.ipynb' }]);
    fireEvent.click(within(second).getByTestId('modelreg-promote'));
    expect(calls[1]).toEqual([
      CommandIDs.promote,
      { model: servers.model, candidate: servers.candidates[1] }
    ]);

    // The promoted candidate shows its version and cannot be promoted again.
    const first = items.find(
      i => i.getAttribute('data-iid') === String(servers.candidates[0])
    )!;
    expect(first.textContent).toContain('v1.0.0');
    expect(within(first).queryByTestId('modelreg-promote')).toBeNull();
  });

  it('compares ticked candidates and versions', async () => {
    const { calls } = await openCard('candidates');
    const [a] = await screen.findAllByTestId('modelreg-candidate');
    fireEvent.click(within(a).getByRole('checkbox'));
    expect(screen.getByTestId('modelreg-compare-button')).toHaveProperty(
      'disabled',
      true
    );
    fireEvent.click(screen.getByTestId('modelreg-tab-versions'));
    const version = await screen.findByTestId('modelreg-version');
    fireEvent.click(within(version).getByRole('checkbox'));
    fireEvent.click(screen.getByTestId('modelreg-compare-button'));
    expect(calls).toEqual([
      [
        CommandIDs.compare,
        {
          model: servers.model,
          refs: [`c:${a.getAttribute('data-iid')}`, 'v:1.0.0']
        }
      ]
    ]);
  });

  it('shows the files of a version and a candidate as a tree with sizes, digests and download links', async () => {
    await openCard('files');
    const files = await screen.findAllByTestId('modelreg-file');
    expect(files.map(f => f.getAttribute('data-path')).sort()).toEqual([
      'model.pkl',
      'plots/roc.txt'
    ]);
    const pkl = files.find(f => f.getAttribute('data-path') === 'model.pkl')!;
    expect(pkl.textContent).toContain('9 B');
    expect(pkl.querySelector('code')!.textContent).toMatch(/^[0-9a-f]{12}$/);
    const link = pkl.querySelector('a')!;
    expect(link.getAttribute('href')).toBe(
      `${servers.jupyterUrl}modelreg/api/v1/models/${servers.model}/versions/1.0.0/artifacts/model.pkl`
    );
    // Downloading through the proxy gives the stored bytes.
    const response = await fetch(link.href, {
      headers: { Authorization: `token ${servers.jupyterToken}` }
    });
    expect(await response.text()).toBe('weights-A');

    fireEvent.change(screen.getByLabelText('Show the files of'), {
      target: { value: `c:${servers.candidates[1]}` }
    });
    await waitFor(() =>
      expect(screen.getAllByTestId('modelreg-file')).toHaveLength(3)
    );
  });

  it('lists activity', async () => {
    await openCard('activity');
    const activity = await screen.findByTestId('modelreg-activity');
    await waitFor(() =>
      expect(activity.querySelectorAll('li').length).toBeGreaterThan(0)
    );
  });

  it('moves between sections with the arrow keys', async () => {
    const { model } = await openCard('overview');
    const tab = screen.getByTestId('modelreg-tab-overview');
    fireEvent.keyDown(tab, { key: 'ArrowRight' });
    expect(model.section).toBe('versions');
    fireEvent.keyDown(screen.getByTestId('modelreg-tab-versions'), {
      key: 'ArrowLeft'
    });
    expect(model.section).toBe('overview');
  });
});

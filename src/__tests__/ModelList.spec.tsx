import * as React from 'react';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { UseSignal } from '@jupyterlab/apputils';

import { ModelList } from '../components/ModelList';
import { PanelState } from '../panelState';
import { renderInPanel } from './render';
import { testServers, useTestServer } from './servers';

function Live(props: { model: PanelState }): JSX.Element {
  return (
    <UseSignal signal={props.model.changed}>{() => <ModelList />}</UseSignal>
  );
}

describe('ModelList', () => {
  const servers = testServers();
  beforeEach(() => useTestServer());

  it('shows models with latest version, candidate count, and opens one on click', async () => {
    const model = new PanelState({ defaultGroup: servers.group });
    renderInPanel(<Live model={model} />, { model });
    await act(() => model.search('churn'));
    const row = await screen.findByText(servers.model);
    const button = row.closest('button')!;
    expect(button.textContent).toContain('v1.0.0');
    expect(button.textContent).toMatch(/\d+ candidates/);
    await act(async () => {
      fireEvent.click(button);
    });
    await waitFor(() => expect(model.selected).toBe(servers.model));
  });

  it('searches as the user types and shows the empty state', async () => {
    const model = new PanelState({ defaultGroup: servers.group });
    renderInPanel(<Live model={model} />, { model });
    await act(() => model.search(''));
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search models' }), {
      target: { value: 'zzz-no-such-model' }
    });
    const empty = await screen.findByTestId(
      'modelreg-empty',
      {},
      { timeout: 5000 }
    );
    expect(empty.textContent).toBe('No model matches "zzz-no-such-model".');
  });

  it('shows the server error with a retry button when the registry is down', async () => {
    useTestServer(servers.downJupyterUrl);
    const model = new PanelState();
    renderInPanel(<Live model={model} />, { model });
    await act(() => model.search(''));
    const alert = await screen.findByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('REGISTRY_UNREACHABLE');
    expect(alert.textContent).toContain('is not answering');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});

import * as React from 'react';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { UseSignal } from '@jupyterlab/apputils';

import { RegistryView } from '../components/RegistryView';
import { PanelState } from '../panelState';
import { CommandIDs } from '../commandIds';
import { recordingCommands, renderInPanel } from './render';
import { testServers, useTestServer } from './servers';

function Live(props: { model: PanelState }): JSX.Element {
  return (
    <UseSignal signal={props.model.changed}>{() => <RegistryView />}</UseSignal>
  );
}

describe('RegistryView', () => {
  const servers = testServers();

  it('shows who is connected, the model list, and logs a candidate from the panel button', async () => {
    useTestServer();
    const model = new PanelState({ defaultGroup: servers.group });
    const { commands, calls } = recordingCommands([CommandIDs.logCandidate]);
    renderInPanel(<Live model={model} />, { model, commands });
    await act(() => model.refresh());
    const status = screen.getByTestId('modelreg-status');
    expect(status.getAttribute('data-state')).toBe('connected');
    expect(status.textContent).toContain(servers.registryUrl);
    expect(status.textContent).not.toContain(servers.adminToken);
    await waitFor(() =>
      expect(
        screen.getAllByTestId('modelreg-model-row').length
      ).toBeGreaterThan(0)
    );
    fireEvent.click(screen.getByTestId('modelreg-log-candidate'));
    expect(calls).toEqual([[CommandIDs.logCandidate, {}]]);
  });

  it('explains an unreachable registry and how to fix it, instead of an empty list', async () => {
    useTestServer(servers.downJupyterUrl);
    const model = new PanelState();
    renderInPanel(<Live model={model} />, { model });
    await act(() => model.refresh());
    const status = screen.getByTestId('modelreg-status');
    expect(status.getAttribute('data-state')).toBe('unreachable');
    expect(status.textContent).toContain('The model registry is not answering');
    expect(status.textContent).toContain('MODELREG_URL');
    expect(screen.queryByTestId('modelreg-models')).toBeNull();
  });
});

describe('RegistryView without the server extension', () => {
  it('says how to install and enable it', async () => {
    const servers = testServers();
    // A base URL under which nothing of the extension is served behaves like a server without it.
    useTestServer(`${servers.jupyterUrl}no-extension-here/`);
    const model = new PanelState();
    renderInPanel(<Live model={model} />, { model });
    await act(() => model.refresh());
    const alert = screen.getByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('SERVER_EXTENSION_MISSING');
    expect(alert.textContent).toContain(
      'jupyter server extension enable jupyterlab_modelreg'
    );
  });

  it('keeps the last-known model list during an outage, marked stale, with one message', async () => {
    const servers = testServers();
    useTestServer();
    const model = new PanelState({ defaultGroup: servers.group });
    renderInPanel(<Live model={model} />, { model });
    await act(() => model.refresh());
    const before = screen.getAllByTestId('modelreg-model-row').length;
    expect(before).toBeGreaterThan(0);
    expect(screen.queryByTestId('modelreg-stale')).toBeNull();

    useTestServer(servers.downJupyterUrl);
    await act(() => model.refresh());
    expect(
      screen.getByTestId('modelreg-status').getAttribute('data-state')
    ).toBe('unreachable');
    expect(screen.getAllByTestId('modelreg-model-row').length).toBe(before);
    expect(screen.getByTestId('modelreg-stale').textContent).toContain(
      'not answering'
    );
    // The banner says what is wrong; the list does not say it a second time.
    expect(screen.queryByTestId('modelreg-error')).toBeNull();
    expect(screen.getAllByRole('alert')).toHaveLength(1);
  });
});

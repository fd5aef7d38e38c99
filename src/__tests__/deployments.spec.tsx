/**
 * Deployments, monitoring thresholds and alias rollback in the panel, against the real registry:
 * the commands' dialogs are answered as a user would, then the registry is asked what changed.
 */
import * as React from 'react';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import { JupyterFrontEnd } from '@jupyterlab/application';
import { acceptDialog, waitForDialog } from '@jupyterlab/testing';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';

import { addDeploymentCommands } from '../commands/deploymentActions';
import { ICommandDeps } from '../commands/deps';
import { DeploymentsSection } from '../components/DeploymentsSection';
import { Thresholds } from '../components/deployments/Thresholds';
import { PanelState } from '../panelState';
import { ModelregPanel } from '../panel';
import { CommandIDs } from '../commandIds';
import { renderInPanel } from './render';
import { freshModel, registryCall, useTestServer } from './servers';

/** A model with 1.0.0 (candidate 1) and 1.1.0 (candidate 2, accuracy history), production moved 1.0.0 → 1.1.0. */
async function releasedModel(): Promise<string> {
  const fullName = await freshModel('dep');
  const base = `models/${fullName}`;
  await registryCall('POST', `${base}/candidates`, {
    metrics: [{ key: 'accuracy', value: 0.8 }]
  });
  await registryCall('POST', `${base}/candidates`, {
    metrics: [0.7, 0.85, 0.9].map((value, step) => ({
      key: 'accuracy',
      value,
      step
    }))
  });
  await registryCall('POST', `${base}/versions`, {
    version: '1.0.0',
    candidate: 1
  });
  await registryCall('POST', `${base}/versions`, {
    version: '1.1.0',
    candidate: 2
  });
  await registryCall('PUT', `${base}/aliases/production`, { version: '1.0.0' });
  await registryCall('PUT', `${base}/aliases/production`, { version: '1.1.0' });
  return fullName;
}

function commandDeps(): ICommandDeps {
  const commands = new CommandRegistry();
  const app = {
    commands,
    shell: { add: () => undefined, activateById: () => undefined }
  } as unknown as JupyterFrontEnd;
  const model = new PanelState();
  const trans = nullTranslator.load('jupyterlab_modelreg');
  return {
    app,
    model,
    panel: new ModelregPanel(model, commands, trans, null),
    trans,
    notebooks: null,
    docManager: null,
    fileBrowsers: null,
    rendermime: null
  };
}

/** Waits until the open dialog says `text`. */
async function dialogSays(text: string): Promise<void> {
  await waitForDialog();
  await waitFor(() =>
    expect(document.querySelector('.jp-Dialog')!.textContent).toContain(text)
  );
}

/** A field of the open dialog, once its body has rendered. */
async function dialogField(name: string): Promise<HTMLInputElement> {
  const selector = `.jp-Dialog [name="${name}"]`;
  await waitFor(() => expect(document.querySelector(selector)).not.toBeNull());
  return document.querySelector<HTMLInputElement>(selector)!;
}

describe('deployment and alias commands', () => {
  let deps: ICommandDeps;
  beforeEach(() => {
    useTestServer();
    deps = commandDeps();
    addDeploymentCommands(deps);
  });
  afterEach(() => deps.panel.dispose());

  it('rolls production back to the version before, after a confirmation naming both', async () => {
    const fullName = await releasedModel();
    const done = deps.app.commands.execute(CommandIDs.rollbackAlias, {
      model: fullName,
      alias: 'production'
    });
    await dialogSays(
      `production of ${fullName} moves back from version 1.1.0 to version 1.0.0`
    );
    await acceptDialog();
    await done;
    const alias = await registryCall(
      'GET',
      `models/${fullName}/aliases/production`
    );
    expect(alias.version).toBe('1.0.0');
    const history = await registryCall(
      'GET',
      `models/${fullName}/aliases/production/history`
    );
    expect(history.items.map((h: any) => h.version)).toEqual([
      '1.0.0',
      '1.1.0',
      '1.0.0'
    ]);
  });

  it('from the palette, acts on the model open in the panel and is disabled without one', async () => {
    const fullName = await releasedModel();
    expect(deps.app.commands.isEnabled(CommandIDs.rollbackAlias, {})).toBe(
      false
    );
    await deps.model.openModel(fullName);
    expect(deps.app.commands.isEnabled(CommandIDs.rollbackAlias, {})).toBe(
      true
    );
    const done = deps.app.commands.execute(CommandIDs.rollbackAlias, {});
    await waitForDialog();
    expect((await dialogField('alias')).value).toBe('production');
    await acceptDialog(); // the alias
    await dialogSays('from version 1.1.0 to version 1.0.0');
    await acceptDialog(); // the confirmation
    await done;
    expect(
      (await registryCall('GET', `models/${fullName}/aliases/production`))
        .version
    ).toBe('1.0.0');
  });

  it('records a candidate in staging, then changes its status with a reason kept in the history', async () => {
    const fullName = await releasedModel();
    const recorded = deps.app.commands.execute(CommandIDs.recordDeployment, {
      model: fullName,
      candidate: 2,
      environment: 'staging'
    });
    await waitForDialog();
    expect((await dialogField('target')).value).toBe('#2');
    fireEvent.change(await dialogField('url'), {
      target: { value: 'https://staging.example.com' }
    });
    await acceptDialog();
    const deployment = (await recorded) as any;
    expect(deployment).toMatchObject({
      candidate: 2,
      version: null,
      environment: 'staging',
      status: 'active',
      url: 'https://staging.example.com'
    });

    const updated = deps.app.commands.execute(CommandIDs.updateDeployment, {
      model: fullName,
      id: deployment.id
    });
    await dialogSays('candidate #2 in staging is active');
    fireEvent.change(await dialogField('status'), {
      target: { value: 'degraded' }
    });
    fireEvent.change(await dialogField('reason'), {
      target: { value: 'p99 latency doubled' }
    });
    await acceptDialog();
    await updated;
    const detail = await registryCall(
      'GET',
      `models/${fullName}/deployments/${deployment.id}`
    );
    expect(detail.status).toBe('degraded');
    expect(
      detail.history.map((h: any) => [h.previous, h.status, h.reason])
    ).toEqual([
      [null, 'active', ''],
      ['active', 'degraded', 'p99 latency doubled']
    ]);
  });
});

describe('DeploymentsSection', () => {
  beforeEach(() => useTestServer());

  it('charts a live metric next to the training metric it watches; a reporter cannot change status and is told why', async () => {
    const fullName = await releasedModel();
    const base = `models/${fullName}`;
    const deployment = await registryCall('POST', `${base}/deployments`, {
      version: '1.1.0',
      environment: 'production',
      status: 'active'
    });
    await registryCall('POST', `${base}/deployments/${deployment.id}/metrics`, [
      { key: 'live_accuracy', value: 0.88, timestamp: Date.now() - 60000 },
      { key: 'live_accuracy', value: 0.86, timestamp: Date.now() }
    ]);
    const model = new PanelState();
    await model.openModel(fullName);
    const card = {
      ...model.card.value!,
      model: { ...model.card.value!.model, your_role: 'reporter' as const }
    };
    renderInPanel(<DeploymentsSection card={card} />, { model });

    const item = screen.getByTestId('modelreg-deployment');
    const status = within(item).getByTestId(
      'modelreg-deployment-update'
    ) as HTMLButtonElement;
    expect(status.disabled).toBe(true);
    expect(status.title).toBe(
      'Needs the maintainer role or higher; your role is reporter.'
    );
    fireEvent.click(within(item).getByTestId('modelreg-deployment-toggle'));
    const live = await within(item).findByTestId('modelreg-live-metric');
    expect(live.dataset.key).toBe('live_accuracy');
    const training = await within(live).findByTestId(
      'modelreg-training-metric'
    );
    expect(training.dataset.key).toBe('accuracy');
    expect(live.textContent).toContain('latest 0.86 · 2 values');
    expect(live.textContent).toContain('trained accuracy = 0.9');
  });
});

describe('Thresholds', () => {
  beforeEach(() => useTestServer());

  it('saves a threshold that then marks a production deployment degraded', async () => {
    const fullName = await releasedModel();
    const base = `models/${fullName}`;
    renderInPanel(<Thresholds fullName={fullName} role="maintainer" />);
    await screen.findByText(
      'No thresholds: a deployment is never marked degraded by its live metrics.'
    );
    fireEvent.click(screen.getByTestId('modelreg-thresholds-edit'));
    fireEvent.click(await screen.findByTestId('modelreg-threshold-add'));
    const form = screen.getByTestId('modelreg-thresholds-form');
    const field = (key: string) =>
      within(form).getByTestId(`modelreg-threshold-${key}`);
    fireEvent.change(field('metric'), { target: { value: 'live_accuracy' } });
    fireEvent.change(field('min'), { target: { value: '0.85' } });
    fireEvent.change(field('environment'), {
      target: { value: 'production' }
    });
    await act(async () => {
      fireEvent.click(screen.getByTestId('modelreg-thresholds-save'));
    });
    const shown = await screen.findByTestId('modelreg-threshold');
    expect(shown.textContent).toBe(
      'live_accuracy at least 0.85 · in production'
    );
    expect(
      (await registryCall('GET', `${base}/deployment-thresholds`)).items
    ).toEqual([
      { metric: 'live_accuracy', min: 0.85, environment: 'production' }
    ]);

    const deployment = await registryCall('POST', `${base}/deployments`, {
      version: '1.1.0',
      environment: 'production',
      status: 'active'
    });
    await registryCall('POST', `${base}/deployments/${deployment.id}/metrics`, [
      { key: 'live_accuracy', value: 0.81 }
    ]);
    const detail = await registryCall(
      'GET',
      `${base}/deployments/${deployment.id}`
    );
    expect(detail.status).toBe('degraded');
  });

  it('says which number is wrong, and a reporter sees the thresholds without editing them', async () => {
    const fullName = await releasedModel();
    await registryCall('PUT', `models/${fullName}/deployment-thresholds`, {
      items: [{ metric: 'p99_ms', max: 250 }]
    });
    const view = renderInPanel(
      <Thresholds fullName={fullName} role="reporter" />
    );
    const shown = await screen.findByTestId('modelreg-threshold');
    expect(shown.textContent).toBe('p99_ms at most 250 · every environment');
    const edit = screen.getByTestId(
      'modelreg-thresholds-edit'
    ) as HTMLButtonElement;
    expect(edit.disabled).toBe(true);
    expect(edit.title).toBe(
      'Needs the maintainer role or higher; your role is reporter.'
    );
    view.unmount();

    renderInPanel(<Thresholds fullName={fullName} role="owner" />);
    await screen.findByTestId('modelreg-threshold');
    fireEvent.click(screen.getByTestId('modelreg-thresholds-edit'));
    fireEvent.change(screen.getByTestId('modelreg-threshold-max'), {
      target: { value: 'fast' }
    });
    fireEvent.click(screen.getByTestId('modelreg-thresholds-save'));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Not a number: p99_ms: max "fast"'
    );
    expect(
      (await registryCall('GET', `models/${fullName}/deployment-thresholds`))
        .items
    ).toEqual([{ metric: 'p99_ms', max: 250 }]);
  });
});

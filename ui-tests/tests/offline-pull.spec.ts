/**
 * Offline (issue 19, bug 6): with the registry stopped, "Pull into notebook" of a version the kernel
 * pulled before still works from the client's cache, the model list stays in view marked stale under
 * the outage banner, and the Log dialog says the registry is unreachable as soon as it opens.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import {
  ensureGroup,
  registryClient,
  registryInfo,
  withRegistryStopped
} from './registry';

const GROUP = 'offline';

test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-modelreg:plugin': {
      pullRunsCell: true,
      defaultGroup: GROUP,
      autoRefreshInterval: 0
    }
  }
});

test('a cached version pulls and loads with the registry stopped', async ({
  page
}) => {
  test.setTimeout(180000);
  const model = `${GROUP}/cached`;
  const api = await registryClient();
  await ensureGroup(api, GROUP);
  const candidate = await api.post(
    `/api/v1/models/${model}/candidates?create_model=true`,
    { data: { name: 'cached' } }
  );
  expect(candidate.status()).toBe(201);
  const { iid } = await candidate.json();
  const weights = `weights ${Date.now()}`;
  expect(
    (
      await api.put(
        `/api/v1/models/${model}/candidates/${iid}/artifacts/weights.txt`,
        {
          data: Buffer.from(weights),
          headers: { 'Content-Type': 'application/octet-stream' }
        }
      )
    ).status()
  ).toBe(201);
  const version = `0.${iid}.0`;
  expect(
    (
      await api.post(`/api/v1/models/${model}/versions`, {
        data: { version, candidate: iid }
      })
    ).status()
  ).toBe(201);
  await api.dispose();

  await page.notebook.createNew('offline.ipynb');
  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-refresh"]').first().click();
  await panel
    .locator('[data-testid="modelreg-model-row"]')
    .filter({ hasText: model })
    .click();
  await panel.locator('[data-testid="modelreg-tab-versions"]').click();
  const pull = panel
    .locator('[data-testid="modelreg-version"]')
    .filter({ hasText: version })
    .locator('[data-testid="modelreg-pull"]');

  // Online: the pulled cell runs and fills the kernel's cache.
  await pull.click();
  await page.notebook.activate('offline.ipynb');
  await expect.poll(async () => page.notebook.getCellCount()).toBe(2);
  await page.notebook.addCell(
    'code',
    'from pathlib import Path\nprint("online", Path(path, "weights.txt").read_text())'
  );
  await page.notebook.runCell(2, true);
  await expect
    .poll(async () => (await page.notebook.getCellTextOutput(2))?.join(''))
    .toContain(`online ${weights}`);

  await withRegistryStopped(async () => {
    // Offline: the same button inserts a cell that pulls from the cache and runs it.
    await page.sidebar.openTab('jp-modelreg-panel');
    await pull.click();
    await page.notebook.activate('offline.ipynb');
    await expect.poll(async () => page.notebook.getCellCount()).toBe(4);
    expect(await page.notebook.getCellTextInput(3)).toContain(
      `modelreg.pull("${model}@${version}")`
    );
    // `path` is rebound only if the offline pull succeeded (the kernel deletes it first).
    await page.notebook.setCell(2, 'code', 'del path');
    await page.notebook.runCell(2, true);
    await page.notebook.runCell(3, true);
    await page.notebook.addCell(
      'code',
      'print("offline", Path(path, "weights.txt").read_text())'
    );
    await page.notebook.runCell(4, true);
    await expect
      .poll(async () => (await page.notebook.getCellTextOutput(4))?.join(''), {
        timeout: 60000
      })
      .toContain(`offline ${weights}`);

    // The model list stays, marked stale, under the outage banner.
    await page.sidebar.openTab('jp-modelreg-panel');
    await panel.getByRole('button', { name: 'Back to models' }).click();
    await panel.locator('[data-testid="modelreg-refresh"]').first().click();
    await expect(
      panel.locator('[data-testid="modelreg-status"]')
    ).toHaveAttribute('data-state', 'unreachable');
    await expect(
      panel
        .locator('[data-testid="modelreg-model-row"]')
        .filter({ hasText: model })
    ).toBeVisible();
    await expect(panel.locator('[data-testid="modelreg-stale"]')).toBeVisible();

    // The Log dialog says so on opening, before anything is typed.
    await page.notebook.activate('offline.ipynb');
    await page.locator('.jp-modelreg-log-toolbar-button').first().click();
    const problem = page.locator(
      '[data-testid="modelreg-log-registry-problem"]'
    );
    await expect(problem).toBeVisible({ timeout: 30000 });
    await expect(problem).toContainText(new URL(registryInfo().url).host);
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Cancel' })
      .click();
  });
});

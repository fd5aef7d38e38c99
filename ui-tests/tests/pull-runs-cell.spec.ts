/** With the pullRunsCell setting on, "Pull into notebook" runs the cell it inserts. */
import { expect, galata, test } from '@jupyterlab/galata';
import { ensureGroup, registryClient } from './registry';

test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-modelreg:plugin': {
      pullRunsCell: true,
      defaultGroup: 'pulls',
      autoRefreshInterval: 0
    }
  }
});

test('the pulled cell runs by itself', async ({ page }) => {
  const api = await registryClient();
  await ensureGroup(api, 'pulls');
  const candidate = await api.post(
    '/api/v1/models/pulls/tiny/candidates?create_model=true',
    {
      data: { name: 'tiny' }
    }
  );
  expect(candidate.status()).toBe(201);
  const { iid } = await candidate.json();
  const put = await api.put(
    `/api/v1/models/pulls/tiny/candidates/${iid}/artifacts/weights.txt`,
    {
      data: Buffer.from('hello from the registry'),
      headers: { 'Content-Type': 'application/octet-stream' }
    }
  );
  expect(put.status()).toBe(201);
  expect(
    (
      await api.post('/api/v1/models/pulls/tiny/versions', {
        data: { version: '0.1.0', candidate: iid }
      })
    ).status()
  ).toBe(201);
  await api.dispose();

  await page.notebook.createNew('pull.ipynb');
  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel
    .locator('[data-testid="modelreg-model-row"]')
    .filter({ hasText: 'pulls/tiny' })
    .click();
  await panel.locator('[data-testid="modelreg-tab-versions"]').click();
  await panel
    .locator('[data-testid="modelreg-version"]')
    .filter({ hasText: '0.1.0' })
    .locator('[data-testid="modelreg-pull"]')
    .click();

  await page.notebook.activate('pull.ipynb');
  await expect.poll(async () => page.notebook.getCellCount()).toBe(2);
  expect(await page.notebook.getCellTextInput(1)).toContain(
    'modelreg.pull("pulls/tiny@0.1.0")'
  );
  // `path` exists in the kernel only if the inserted cell ran without our asking.
  await page.notebook.addCell(
    'code',
    'from pathlib import Path\nprint(Path(path, "weights.txt").read_text())'
  );
  await page.notebook.runCell(2, true);
  await expect
    .poll(async () => (await page.notebook.getCellTextOutput(2))?.join(''))
    .toContain('hello from the registry');
});

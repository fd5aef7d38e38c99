/** The extension's settings apply: page size pages the model list, the default group filters it. */
import { expect, galata, test } from '@jupyterlab/galata';
import { ensureGroup, registryClient } from './registry';

const PLUGIN = 'jupyterlab-modelreg:plugin';

// Galata serves the user's settings to the page from this object (its usual way to set settings).
test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    [PLUGIN]: { pageSize: 2, defaultGroup: 'paged', autoRefreshInterval: 0 }
  }
});

test.beforeAll(async () => {
  const api = await registryClient();
  await ensureGroup(api, 'paged');
  for (const name of ['alpha', 'beta', 'gamma']) {
    const r = await api.post('/api/v1/models/paged', { data: { name } });
    expect([201, 409]).toContain(r.status());
  }
  await api.dispose();
});

test('page size and default group shape the model list', async ({ page }) => {
  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  const rows = panel.locator('[data-testid="modelreg-model-row"]');
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) {
    await expect(row).toContainText('paged/');
  }
  await panel
    .getByRole('navigation', { name: 'Pages' })
    .getByRole('button', { name: 'Next' })
    .click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('paged/');
});

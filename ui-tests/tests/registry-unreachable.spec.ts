/**
 * When the registry goes away the panel says so and how to fix it; when it is back, the panel recovers.
 * e2e-registry.ts supervises the registry: while .e2e/registry/paused exists it is not restarted.
 */
import { expect, test } from '@jupyterlab/galata';
import { registryInfo, snapshot, withRegistryStopped } from './registry';

test('the panel explains an unreachable registry and recovers', async ({
  page
}) => {
  await withRegistryStopped(async () => {
    await page.sidebar.openTab('jp-modelreg-panel');
    const panel = page.locator('[data-testid="modelreg-panel"]');
    await panel.locator('[data-testid="modelreg-refresh"]').first().click();
    const status = panel.locator('[data-testid="modelreg-status"]');
    await expect(status).toHaveAttribute('data-state', 'unreachable');
    await expect(status).toContainText('is not answering');
    await expect(status).toContainText(new URL(registryInfo().url).host);
    await snapshot(page, 'registry-unreachable');
  });
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-refresh"]').first().click();
  await expect(
    panel.locator('[data-testid="modelreg-status"]')
  ).toHaveAttribute('data-state', 'connected');
});

/**
 * When the registry goes away the panel says so and how to fix it; when it is back, the panel recovers.
 * e2e-registry.ts supervises the registry: while .e2e/registry/paused exists it is not restarted.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import { REGISTRY_STATE, registryInfo, snapshot } from './registry';

async function healthy(): Promise<boolean> {
  try {
    return (await fetch(`${registryInfo().url}/api/v1/health`)).ok;
  } catch {
    return false;
  }
}

test('the panel explains an unreachable registry and recovers', async ({
  page
}) => {
  const paused = path.join(REGISTRY_STATE, 'paused');
  fs.writeFileSync(paused, '');
  try {
    process.kill(
      Number(fs.readFileSync(path.join(REGISTRY_STATE, 'pid'), 'utf-8')),
      'SIGTERM'
    );
    await expect.poll(healthy, { timeout: 20000 }).toBe(false);

    await page.sidebar.openTab('jp-modelreg-panel');
    const panel = page.locator('[data-testid="modelreg-panel"]');
    await panel.locator('[data-testid="modelreg-refresh"]').first().click();
    const status = panel.locator('[data-testid="modelreg-status"]');
    await expect(status).toHaveAttribute('data-state', 'unreachable');
    await expect(status).toContainText('is not answering');
    await expect(status).toContainText(new URL(registryInfo().url).host);
    await snapshot(page, 'registry-unreachable');
  } finally {
    fs.rmSync(paused, { force: true });
  }
  await expect.poll(healthy, { timeout: 60000 }).toBe(true);
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-refresh"]').first().click();
  await expect(
    panel.locator('[data-testid="modelreg-status"]')
  ).toHaveAttribute('data-state', 'connected');
});

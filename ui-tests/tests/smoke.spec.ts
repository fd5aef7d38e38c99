import { expect, test } from '@jupyterlab/galata';

test('JupyterLab opens in Chromium', async ({ page }) => {
  await expect(page.locator('#jp-main-dock-panel')).toBeVisible();
});

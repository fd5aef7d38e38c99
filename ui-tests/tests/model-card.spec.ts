/** The model card renders its markdown through JupyterLab's sanitizing renderer. */
import { expect, test } from '@jupyterlab/galata';
import { ensureGroup, registryClient, snapshot } from './registry';

test('the card renders markdown, sanitized, with its metadata', async ({
  page
}) => {
  const api = await registryClient();
  await ensureGroup(api, 'cards');
  const description = [
    '# Churn predictor',
    '',
    'Predicts **churn** from usage.',
    '',
    '| metric | value |',
    '| --- | --- |',
    '| auc | 0.91 |',
    '',
    '<script>window.__modelregInjected = true</script>',
    '<img src="x" onerror="window.__modelregInjected = true">'
  ].join('\n');
  const created = await api.post('/api/v1/models/cards', {
    data: {
      name: 'churn',
      description,
      metadata: { task: 'classification', framework: 'sklearn', license: 'MIT' }
    }
  });
  expect(created.status()).toBe(201);

  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel
    .locator('[data-testid="modelreg-model-row"]')
    .filter({ hasText: 'cards/churn' })
    .click();
  const markdown = panel.locator('[data-testid="modelreg-card-markdown"]');
  await expect(markdown.locator('h1')).toHaveText(/Churn predictor/);
  await expect(markdown.locator('strong')).toHaveText('churn');
  await expect(markdown.locator('table td').first()).toHaveText('auc');
  await expect(markdown.locator('script')).toHaveCount(0);
  await expect(
    panel.locator('[data-testid="modelreg-overview"]')
  ).toContainText('classification');
  expect(
    await page.evaluate(() => (window as any).__modelregInjected)
  ).toBeUndefined();
  await snapshot(page, 'model-card');
  await api.dispose();
});

/**
 * A reload gives back the candidate page and the runs table open in the main area (issue 19), as
 * it gives back the compare tab: the layout restorer reruns the commands that opened them.
 */
import { expect, test } from '@jupyterlab/galata';
import { ensureGroup, registryClient } from './registry';

const GROUP = 'e2e-restore';

test.use({ autoGoto: true });

test('a reload gives back the open candidate page and runs table', async ({
  page
}) => {
  const api = await registryClient();
  await ensureGroup(api, GROUP);
  const model = `${GROUP}/pages-${Date.now().toString(36)}`;
  const created = await api.post(`/api/v1/models/${GROUP}`, {
    data: { name: model.split('/')[1] }
  });
  expect(created.status(), await created.text()).toBe(201);
  const candidate = await api.post(`/api/v1/models/${model}/candidates`, {
    data: { name: 'restored', status: 'finished' }
  });
  const { iid } = await candidate.json();

  await page.evaluate(
    async ({ model, iid }) => {
      await window.jupyterapp.commands.execute('modelreg:open-runs-table', {
        model
      });
      await window.jupyterapp.commands.execute('modelreg:open-candidate', {
        model,
        candidate: iid
      });
    },
    { model, iid }
  );
  const candidateTab = page.locator('[data-testid="modelreg-candidate-tab"]');
  await expect(candidateTab).toBeVisible();
  // The restorer saves the layout shortly after it changes.
  await page.waitForTimeout(1500);

  await page.reload({ waitForIsReady: false });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  await expect(candidateTab).toBeVisible({ timeout: 60000 });
  await expect(candidateTab).toContainText('restored');
  await expect(
    page.locator('.lm-TabBar-tab').filter({ hasText: `${model} runs` })
  ).toHaveCount(1);
});

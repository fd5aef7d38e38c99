/**
 * The Log dialog (issue 19, bugs 1, 2 and 4): "Choose files…" picks files inside the dialog and they are
 * attached; a hidden file browser's selection is not offered; and after the candidate the notebook's
 * code opened was promoted in the panel, "Log as candidate" starts a new candidate instead of failing;
 * Enter in "type a path" adds the path.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import {
  artifactPaths,
  ensureGroup,
  registryClient,
  snapshot,
  submitLogDialog
} from './registry';

const GROUP = 'logdialog';

test.use({
  autoGoto: true,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-modelreg:plugin': {
      defaultGroup: GROUP,
      autoRefreshInterval: 0
    }
  }
});

async function openLogDialog(page: any) {
  await page.locator('.jp-modelreg-log-toolbar-button').first().click();
  const form = page.locator('.jp-Dialog [data-testid="modelreg-log-form"]');
  await expect(form).toBeVisible({ timeout: 30000 });
  return form;
}

test('"Choose files…" picks files inside the Log dialog and attaches them', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(240000);
  const model = `${GROUP}/files`;
  const api = await registryClient();
  await ensureGroup(api, GROUP);
  // Next to the notebook, which Galata creates in the test's own folder.
  await page.contents.uploadContent('weights', 'text', `${tmpPath}/model.pkl`);
  await page.contents.uploadContent('roc', 'text', `${tmpPath}/plots/roc.txt`);
  await page.contents.uploadContent('pr', 'text', `${tmpPath}/plots/pr.txt`);

  await page.notebook.createNew('files.ipynb');
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0, true);

  const form = await openLogDialog(page);
  await form.locator('input[name="model"]').fill(model);
  // The file browser shows the notebook selected: it is attached as the snapshot, not offered again.
  await expect(
    form.locator('[data-testid="modelreg-add-browser-selection"]')
  ).toHaveCount(0);
  await form.locator('[data-testid="modelreg-browse-files"]').click();
  const picker = form.locator('[data-testid="modelreg-file-picker"]');
  await expect(picker).toBeVisible();
  await expect(page.locator('.jp-Dialog')).toHaveCount(1); // no second dialog behind this one
  await picker.getByLabel('Attach model.pkl').check({ timeout: 15000 });
  await picker.getByRole('button', { name: 'plots/' }).click();
  await picker.getByLabel('Attach plots/roc.txt').check();
  await snapshot(page, 'log-dialog-file-picker');
  await picker.locator('[data-testid="modelreg-file-picker-add"]').click();
  const chosen = form.locator('[data-testid="modelreg-chosen-files"]');
  await expect(chosen).toContainText('model.pkl');
  await expect(chosen).toContainText('plots/roc.txt');
  await expect(chosen).not.toContainText('plots/pr.txt');
  await submitLogDialog(page, 'Logged candidate #1');

  const files = await artifactPaths(api, model, 1);
  expect(files).toEqual(
    expect.arrayContaining([
      'model.pkl',
      'plots/roc.txt',
      'notebook/files.ipynb'
    ])
  );
  expect(files).not.toContain('plots/pr.txt');
  await api.dispose();
});

test('after the candidate opened from code is promoted, Log as candidate starts a new one', async ({
  page
}) => {
  test.setTimeout(240000);
  const model = `${GROUP}/promoted`;
  const api = await registryClient();
  await ensureGroup(api, GROUP);

  await page.notebook.createNew('fromcode.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    `import modelreg\nrun = modelreg.start_candidate("${model}", name="from-code")\nmodelreg.log_metric("auc", 0.9)\nrun.flush()\nprint("opened", run.iid)`
  );
  await page.notebook.runCell(0, true);
  expect((await page.notebook.getCellTextOutput(0))?.join('')).toContain(
    'opened 1'
  );
  // What the panel's "Promote to version" does.
  const promoted = await api.post(`/api/v1/models/${model}/versions`, {
    data: { candidate: 1, version: '1.0.0' }
  });
  expect(promoted.status()).toBe(201);

  const form = await openLogDialog(page);
  await form.locator('input[name="model"]').fill(model);
  await submitLogDialog(page, 'Logged candidate #2');
  await expect(
    page.locator('.Toastify__toast').filter({ hasText: 'locked' })
  ).toHaveCount(0);
  const second = await (
    await api.get(`/api/v1/models/${model}/candidates/2`)
  ).json();
  expect(second.status).toBe('finished');
  await api.dispose();
});

test('Enter in "type a path" adds the path and keeps the dialog open', async ({
  page
}) => {
  await page.notebook.createNew('enter.ipynb');
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0, true);
  const form = await openLogDialog(page);
  await form.locator('input[name="model"]').fill(`${GROUP}/enter`);
  await form.locator('input[name="file"]').fill('model.pkl');
  await form.locator('input[name="file"]').press('Enter');
  await expect(
    form.locator('[data-testid="modelreg-chosen-files"]')
  ).toContainText('model.pkl');
  await expect(form.locator('input[name="file"]')).toHaveValue('');
  await expect(form).toBeVisible();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Cancel' })
    .click();
});

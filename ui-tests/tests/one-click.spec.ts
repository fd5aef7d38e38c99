/**
 * One click logs the run (issue 11): a notebook with no modelreg code trains a model; Log as candidate
 * shows what the kernel holds, logs it; the panel shows params, metrics and the cells that ran;
 * promote; Pull into notebook inserts `modelreg.load(...)`, which runs and predicts as `clf` does.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import {
  artifactPaths,
  ensureGroup,
  registryClient,
  snapshot
} from './registry';

const MODEL = 'oneclick/iris';

test.use({
  autoGoto: true,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-modelreg:plugin': {
      pullRunsCell: false,
      defaultGroup: 'oneclick',
      autoRefreshInterval: 0
    }
  }
});

// One statement per line: the notebook editor auto-indents typed code. No modelreg anywhere.
const DATA = `from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)`;
const TRAIN = `from sklearn.ensemble import RandomForestClassifier
clf = RandomForestClassifier(n_estimators=30, max_depth=3, random_state=0).fit(X_train, y_train)
accuracy = clf.score(X_test, y_test)
print("trained", round(accuracy, 3))`;

test('a notebook with no modelreg code: one click logs clf and accuracy, and the pulled model predicts', async ({
  page
}) => {
  // Two kernels' worth of scikit-learn imports and a promote on a shared 2-core machine.
  test.setTimeout(360000);
  const api = await registryClient();
  await ensureGroup(api, 'oneclick');

  await page.notebook.createNew('plain.ipynb');
  await page.notebook.setCell(0, 'code', DATA);
  await page.notebook.runCell(0, true);
  await page.notebook.addCell('code', TRAIN);
  await page.notebook.runCell(1, true);
  expect((await page.notebook.getCellTextOutput(1))?.join('')).toContain(
    'trained'
  );

  // The dialog shows what the kernel holds, ticked.
  await page.locator('.jp-modelreg-log-toolbar-button').first().click();
  const form = page.locator('[data-testid="modelreg-log-form"]');
  const found = form.locator('[data-testid="modelreg-found-model"]');
  await expect(found.first()).toContainText('clf');
  await expect(found.first()).toContainText('RandomForestClassifier');
  await expect(found.first().locator('input[type="checkbox"]')).toBeChecked();
  const metrics = form.locator('[data-testid="modelreg-found-metrics"]');
  await expect(metrics).toContainText('accuracy');
  await expect(metrics.locator('input[name="metric:accuracy"]')).toBeChecked();
  await form.locator('input[name="model"]').fill(MODEL);
  await snapshot(page, 'one-click-dialog');
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Log as candidate' })
    .click();
  await expect(
    page
      .locator('.Toastify__toast')
      .filter({ hasText: 'Logged candidate' })
      .first()
  ).toBeVisible({ timeout: 90000 });

  // The registry has the model in its own format, params, the metric and what ran.
  const candidate = await (
    await api.get(`/api/v1/models/${MODEL}/candidates/1`)
  ).json();
  expect(candidate.params).toMatchObject({
    n_estimators: '30',
    max_depth: '3'
  });
  expect(candidate.metrics.accuracy.value).toBeGreaterThan(0.8);
  expect(candidate.provenance.cells.order).toEqual([1, 2]);
  const files = await artifactPaths(api, MODEL, 1);
  expect(files).toEqual(
    expect.arrayContaining([
      'models/clf/modelreg.json',
      'models/clf/model.skops',
      'environment/requirements.txt'
    ])
  );

  // The panel shows params, metrics and the cells that ran.
  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  const card = panel.locator(
    `[data-testid="modelreg-card"][data-model="${MODEL}"]`
  );
  if (!(await card.isVisible())) {
    await panel.locator('[data-testid="modelreg-refresh"]').first().click();
    await panel
      .locator('[data-testid="modelreg-model-row"]')
      .filter({ hasText: MODEL })
      .first()
      .click();
  }
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  const row = panel.locator('[data-testid="modelreg-candidate"][data-iid="1"]');
  await expect(
    row.locator('[data-testid="modelreg-candidate-params"]')
  ).toContainText('n_estimators=30');
  await expect(
    row.locator('[data-testid="modelreg-candidate-metrics"]')
  ).toContainText('accuracy');
  await expect(
    row.locator('[data-testid="modelreg-candidate-cells"]')
  ).toContainText('cells 1, 2 ran');
  await snapshot(page, 'one-click-candidate');

  // Promote to 0.1.0.
  await row.locator('[data-testid="modelreg-promote"]').click();
  const promoteForm = page.locator('[data-testid="modelreg-promote-form"]');
  await promoteForm.locator('input[name="version"]').fill('0.1.0');
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Continue' })
    .click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Promote and lock' })
    .click();
  await panel.locator('[data-testid="modelreg-tab-versions"]').click();
  const version = panel
    .locator('[data-testid="modelreg-version"]')
    .filter({ hasText: '0.1.0' });
  await expect(version.locator('[data-testid="modelreg-lock"]')).toBeVisible();

  // Pull into notebook: the inserted cell loads the model object; it predicts as clf does.
  await page.notebook.activate('plain.ipynb');
  await page.notebook.selectCells(1);
  await page.sidebar.openTab('jp-modelreg-panel');
  await version.locator('[data-testid="modelreg-pull"]').click();
  await page.notebook.activate('plain.ipynb');
  await expect.poll(async () => page.notebook.getCellCount()).toBe(3);
  expect(await page.notebook.getCellTextInput(2)).toContain(
    `model = modelreg.load("${MODEL}@0.1.0")`
  );
  await page.notebook.runCell(2, true);
  await page.notebook.addCell(
    'code',
    'print("same", (model.predict(X_test) == clf.predict(X_test)).all(), type(model).__name__)'
  );
  await page.notebook.runCell(3, true);
  expect((await page.notebook.getCellTextOutput(3))?.join('')).toContain(
    'same True RandomForestClassifier'
  );
  await snapshot(page, 'one-click-pulled');
  await api.dispose();
});

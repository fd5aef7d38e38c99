/**
 * The whole user story in a real JupyterLab: train in a notebook, log two candidates from the toolbar,
 * compare them, promote one to a locked 1.0.0, pull it back into the notebook and predict with it.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import {
  ensureGroup,
  registryClient,
  snapshot,
  submitLogDialog
} from './registry';

const MODEL = 'e2e/iris';

test.use({ autoGoto: true });
test.describe.configure({ mode: 'serial' });

// One statement per line: the notebook editor auto-indents typed code.
const TRAIN = (C: number) => `import pathlib, pickle, modelreg
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
modelreg.start_candidate("${MODEL}", name="logreg-C${C}")
clf = LogisticRegression(C=${C}, max_iter=300).fit(X, y)
modelreg.log_params({"C": ${C}, "max_iter": 300})
_ = [modelreg.log_metric("accuracy", acc, step=step) for step, acc in enumerate([0.5, 0.8, clf.score(X, y)])]
_ = pathlib.Path("model.pkl").write_bytes(pickle.dumps(clf))
print("trained", round(clf.score(X, y), 3))`;

async function runCell(
  page: IJupyterLabPageFixture,
  index: number,
  source: string
): Promise<string> {
  await page.notebook.setCell(index, 'code', source);
  await page.notebook.runCell(index, true);
  return (await page.notebook.getCellTextOutput(index))?.join('\n') ?? '';
}

async function logCandidateFromToolbar(
  page: IJupyterLabPageFixture,
  name: string,
  file: string
): Promise<void> {
  await page.locator('.jp-modelreg-log-toolbar-button').first().click();
  const form = page.locator('[data-testid="modelreg-log-form"]');
  await expect(form).toBeVisible();
  await form.locator('input[name="model"]').fill(MODEL);
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="file"]').fill(file);
  await form.locator('[data-testid="modelreg-add-file"]').click();
  await expect(
    form.locator('[data-testid="modelreg-chosen-files"]')
  ).toContainText(file);
  await snapshot(page, 'log-dialog');
  await submitLogDialog(page, 'Logged candidate', 60000);
}

async function openModelCard(page: IJupyterLabPageFixture): Promise<void> {
  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-refresh"]').first().click();
  const card = panel.locator(
    `[data-testid="modelreg-card"][data-model="${MODEL}"]`
  );
  if (!(await card.isVisible())) {
    await panel
      .locator('[data-testid="modelreg-model-row"]')
      .filter({ hasText: MODEL })
      .first()
      .click();
  }
  await expect(card).toBeVisible();
}

test('train, log, compare, promote, pull, predict', async ({
  page,
  tmpPath
}) => {
  const api = await registryClient();
  await ensureGroup(api, 'e2e');

  await page.notebook.createNew('train.ipynb');
  expect(await runCell(page, 0, TRAIN(1))).toContain('trained');
  await snapshot(page, 'notebook-trained');
  await logCandidateFromToolbar(page, 'logreg-C1', 'model.pkl');

  // The candidate is in the registry with what the kernel logged, the file and the notebook.
  const first = await (
    await api.get(`/api/v1/models/${MODEL}/candidates/1`)
  ).json();
  expect(first.params).toMatchObject({ C: '1', max_iter: '300' });
  expect(first.metrics.accuracy.step).toBe(2);
  expect(first.provenance.notebook.path).toContain('train.ipynb');
  const manifest = (
    await (
      await api.get(`/api/v1/models/${MODEL}/candidates/1/artifacts`)
    ).json()
  ).items;
  expect(manifest.map((f: { path: string }) => f.path)).toEqual(
    expect.arrayContaining([
      'model.pkl',
      expect.stringMatching(/^notebook\/.*train\.ipynb$/)
    ])
  );

  // ...and in the panel: params, metrics and the notebook it came from.
  await openModelCard(page);
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  const row1 = panel.locator(
    '[data-testid="modelreg-candidate"][data-iid="1"]'
  );
  await expect(row1).toContainText('logreg-C1');
  await expect(
    row1.locator('[data-testid="modelreg-candidate-metrics"]')
  ).toContainText('accuracy');
  await expect(
    row1.locator('[data-testid="modelreg-candidate-params"]')
  ).toContainText('C');
  await expect(
    row1.locator('[data-testid="modelreg-notebook-link"]')
  ).toContainText('train.ipynb');
  await snapshot(page, 'panel-candidate');

  // A second candidate, trained differently.
  await page.notebook.activate('train.ipynb');
  expect(await runCell(page, 0, TRAIN(0.05))).toContain('trained');
  await logCandidateFromToolbar(page, 'logreg-C0.05', 'model.pkl');

  // Compare the two: the differing param is highlighted, the metric chart is drawn.
  await openModelCard(page);
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  for (const iid of [1, 2]) {
    await panel
      .locator(
        `[data-testid="modelreg-candidate"][data-iid="${iid}"] input[type="checkbox"]`
      )
      .check();
  }
  await panel.locator('[data-testid="modelreg-compare-button"]').click();
  const compare = page.locator('[data-testid="modelreg-compare"]');
  await expect(
    compare.locator('[data-testid="modelreg-compare-params"]')
  ).toContainText('C');
  await expect(
    compare.locator(
      '[data-testid="modelreg-compare-params"] .jp-modelreg-differs'
    )
  ).not.toHaveCount(0);
  await expect(
    compare.locator('[data-testid="modelreg-metric-chart"]').first()
  ).toBeVisible();
  await expect(
    compare.locator('[data-testid="modelreg-compare-files"]')
  ).toContainText('model.pkl');
  await snapshot(page, 'compare');

  // Promote candidate 1 to 1.0.0, confirming the lock.
  await page.sidebar.openTab('jp-modelreg-panel');
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  await panel
    .locator(
      '[data-testid="modelreg-candidate"][data-iid="1"] [data-testid="modelreg-promote"]'
    )
    .click();
  const promoteForm = page.locator('[data-testid="modelreg-promote-form"]');
  await promoteForm.locator('input[name="version"]').fill('1.0.0');
  await promoteForm
    .locator('textarea[name="notes"]')
    .fill('first release from the e2e test');
  await snapshot(page, 'promote-dialog');
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Continue' })
    .click();
  await expect(page.locator('.jp-Dialog')).toContainText('locked');
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Promote and lock' })
    .click();

  await panel.locator('[data-testid="modelreg-tab-versions"]').click();
  const version = panel
    .locator('[data-testid="modelreg-version"]')
    .filter({ hasText: '1.0.0' });
  await expect(version.locator('[data-testid="modelreg-lock"]')).toBeVisible();
  await snapshot(page, 'version-locked');

  // The locked version's files cannot be edited: the UI offers no such action, the registry refuses.
  await panel.locator('[data-testid="modelreg-tab-files"]').click();
  await expect(panel.locator('[data-testid="modelreg-files"]')).toContainText(
    'model.pkl'
  );
  await expect(
    panel.locator('[data-testid="modelreg-files"] button', {
      hasText: /delete|upload|edit/i
    })
  ).toHaveCount(0);
  for (const target of ['versions/1.0.0', 'candidates/1']) {
    const put = await api.put(
      `/api/v1/models/${MODEL}/${target}/artifacts/model.pkl`,
      {
        data: Buffer.from('tampered'),
        headers: { 'Content-Type': 'application/octet-stream' }
      }
    );
    expect(put.status()).toBe(409);
    expect((await put.json()).error.code).toBe('VERSION_LOCKED');
  }

  // Pull into notebook: a cell that fetches the locked version; then predict with it.
  await page.notebook.activate('train.ipynb');
  await page.notebook.selectCells(0);
  await page.sidebar.openTab('jp-modelreg-panel');
  await panel.locator('[data-testid="modelreg-tab-versions"]').click();
  await version.locator('[data-testid="modelreg-pull"]').click();
  await page.notebook.activate('train.ipynb');
  await expect.poll(async () => page.notebook.getCellCount()).toBe(2);
  const pulled = (await page.notebook.getCellTextInput(1)) ?? '';
  // The click saved `clf` with its descriptor, so the inserted cell loads the model object itself.
  expect(pulled).toContain(`model = modelreg.load("${MODEL}@1.0.0")`);
  await page.notebook.runCell(1, true);
  await page.notebook.addCell(
    'code',
    'print("prediction", model.predict(X[:3]).tolist())'
  );
  await page.notebook.runCell(2, true);
  expect((await page.notebook.getCellTextOutput(2))?.join('\n')).toContain(
    'prediction [0, 0, 0]'
  );
  await snapshot(page, 'pulled-and-predicted');
  await api.dispose();
});

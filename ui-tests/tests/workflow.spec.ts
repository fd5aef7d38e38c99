/**
 * The registry in the team's workflow (issue 13): promote with "Tag in git" checked (the kernel
 * tags the trained commit in the notebook's repository) and see the tag on the version; record a
 * deployment with live metrics and see them charted on the Deployments tab.
 */
import { expect, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ensureGroup, registryClient, snapshot } from './registry';

const GROUP = 'e2ewf';
const MODEL = `${GROUP}/churn`;
const REPO = path.join(__dirname, '..', '.e2e', 'notebooks', 'churn-repo');

test.use({ autoGoto: true });
test.describe.configure({ mode: 'serial' });

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: REPO, encoding: 'utf-8' }).trim();
}

test('promote with "Tag in git", then a deployment with live metrics', async ({
  page
}) => {
  // A real repository next to the notebooks, with the commit the candidate was trained on.
  fs.mkdirSync(REPO, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ds@example.com');
  git('config', 'user.name', 'Data Scientist');
  fs.writeFileSync(path.join(REPO, 'train.py'), 'print("train")\n');
  git('add', 'train.py');
  git('commit', '-q', '-m', 'train');
  const commit = git('rev-parse', 'HEAD');

  const api = await registryClient();
  await ensureGroup(api, GROUP);
  const created = await api.post(
    `/api/v1/models/${MODEL}/candidates?create_model=true`,
    {
      data: {
        name: 'xgb',
        status: 'finished',
        metrics: [{ key: 'accuracy', value: 0.91 }],
        provenance: { git: { commit, branch: 'main', dirty: false } }
      }
    }
  );
  expect(created.status()).toBe(201);
  const iid = (await created.json()).iid;

  // A notebook in that repository, with a running kernel: the tag is made from there.
  await page.filebrowser.openDirectory('churn-repo');
  await page.notebook.createNew('tagging.ipynb');
  await page.notebook.setCell(0, 'code', 'print("kernel ready")');
  await page.notebook.runCell(0, true);

  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-refresh"]').first().click();
  await panel
    .locator('[data-testid="modelreg-model-row"]')
    .filter({ hasText: MODEL })
    .first()
    .click();
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  await panel
    .locator(
      `[data-testid="modelreg-candidate"][data-iid="${iid}"] [data-testid="modelreg-promote"]`
    )
    .click();
  const form = page.locator('[data-testid="modelreg-promote-form"]');
  await form.locator('input[name="version"]').fill('1.0.0');
  const tagBox = form.locator('[data-testid="modelreg-promote-git-tag"]');
  await expect(form).toContainText(commit.slice(0, 12));
  await tagBox.check();
  await snapshot(page, 'promote-git-tag');
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
    .filter({ hasText: '1.0.0' });
  await expect(version.locator('[data-testid="modelreg-git-tag"]')).toHaveText(
    'tag churn@v1.0.0',
    { timeout: 60000 }
  );
  await snapshot(page, 'version-git-tag');
  // ...and on the version page.
  await version.locator('[data-testid="modelreg-open-version"]').click();
  await expect(
    page.locator(
      '[data-testid="modelreg-version-page"][data-version="1.0.0"] [data-testid="modelreg-version-git-tag"]'
    )
  ).toHaveText('tag churn@v1.0.0');
  await page.sidebar.openTab('jp-modelreg-panel');
  expect(git('rev-list', '-n', '1', 'churn@v1.0.0')).toBe(commit);
  expect(git('cat-file', '-t', 'churn@v1.0.0')).toBe('tag');

  // A deployment of that version, and live metrics reported by monitoring.
  const deployment = await api.post(`/api/v1/models/${MODEL}/deployments`, {
    data: {
      version: '1.0.0',
      environment: 'production',
      url: 'https://churn.example.com',
      status: 'active'
    }
  });
  expect(deployment.status()).toBe(201);
  const id = (await deployment.json()).id;
  const now = Date.now();
  const metrics = await api.post(
    `/api/v1/models/${MODEL}/deployments/${id}/metrics`,
    {
      data: [0.93, 0.92, 0.9, 0.88].map((value, i) => ({
        key: 'live_accuracy',
        value,
        timestamp: now - (4 - i) * 60000
      }))
    }
  );
  expect(metrics.status()).toBe(201);

  await panel.locator('[data-testid="modelreg-refresh"]').first().click();
  await panel.locator('[data-testid="modelreg-tab-deployments"]').click();
  const item = panel.locator(
    '[data-testid="modelreg-deployment"][data-environment="production"]'
  );
  await expect(
    item.locator('[data-testid="modelreg-deployment-status"]')
  ).toHaveText('active');
  await item.locator('[data-testid="modelreg-deployment-toggle"]').click();
  const live = item.locator(
    '[data-testid="modelreg-live-metric"][data-key="live_accuracy"]'
  );
  // The live chart, next to the training chart of the same metric.
  await expect(
    live.locator(
      '[data-testid="modelreg-metric-chart"][data-metric="live_accuracy"]'
    )
  ).toBeVisible();
  await expect(
    live.locator(
      '[data-testid="modelreg-training-metric"] [data-metric="accuracy"]'
    )
  ).toBeVisible();
  await expect(live).toContainText('4 values');
  await expect(
    item.locator('[data-testid="modelreg-deployment-change"]')
  ).toHaveCount(1);
  await snapshot(page, 'deployment-live-metrics');
});

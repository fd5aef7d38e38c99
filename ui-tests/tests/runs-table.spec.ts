/**
 * The runs table with 1,000 candidates seeded through the REST API: sort by a metric on the server,
 * filter with an expression, choose a param column; then a candidate's page with its environment
 * and its notebook snapshot opened as a notebook. Screenshots of the table, light and dark.
 */
import { expect, test } from '@jupyterlab/galata';
import { ensureGroup, registryClient, snapshot } from './registry';

const GROUP = 'sweeps';
const MODEL = `${GROUP}/thousand`;
const COUNT = 1000;

test.setTimeout(600000);

test('runs table: 1,000 candidates sorted, filtered, columns chosen; the candidate page', async ({
  page
}) => {
  const api = await registryClient();
  await ensureGroup(api, GROUP);
  const created = await api.post(`/api/v1/models/${GROUP}`, {
    data: { name: 'thousand' }
  });
  expect([201, 409]).toContain(created.status());
  const existing = await (
    await api.get(`/api/v1/models/${MODEL}/candidates?limit=1`)
  ).json();
  if (!existing.items.length) {
    // Ten at a time: the registry is shared with the rest of the machine.
    for (let start = 1; start <= COUNT; start += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, k) => start + k).map(i =>
          api.post(`/api/v1/models/${MODEL}/candidates`, {
            data: {
              name: `run-${i}`,
              experiment: i % 2 ? 'sweep-odd' : 'sweep-even',
              metrics: [
                { key: 'roc_auc', value: i / COUNT },
                { key: 'loss', value: 1 - i / COUNT }
              ],
              params: { depth: String(i % 7), lr: '0.01' },
              provenance: {
                kernel: { name: 'python3', language: 'python' },
                environment: {
                  python: '3.11.9',
                  platform: 'Linux-x86_64',
                  packages: [
                    { name: 'scikit-learn', version: '1.5.0' },
                    { name: 'numpy', version: '2.0.1' }
                  ]
                },
                notebook: {
                  path: 'train.ipynb',
                  snapshot: 'notebook/train.ipynb'
                }
              }
            }
          })
        )
      );
    }
  }
  // The notebook snapshot, opened later as a notebook.
  const notebook = {
    cells: [
      {
        cell_type: 'markdown',
        metadata: {},
        source: ['# Snapshot of the sweep']
      }
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5
  };
  // Stored for the candidates the filter below keeps.
  for (let i = 951; i <= COUNT; i++) {
    const put = await api.put(
      `/api/v1/models/${MODEL}/candidates/${i}/artifacts/notebook/train.ipynb`,
      { data: Buffer.from(JSON.stringify(notebook)) }
    );
    expect(put.ok()).toBeTruthy();
  }

  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  // The model search finds the model by one of its candidates' names.
  await panel.locator('.jp-modelreg-search').fill('run-999');
  await panel.locator('.jp-modelreg-search').press('Enter');
  await panel
    .locator('[data-testid="modelreg-model-row"]')
    .filter({ hasText: MODEL })
    .click();
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  await panel.locator('[data-testid="modelreg-open-runs"]').click();

  const table = page.locator(
    '[data-testid="modelreg-runs-tab"] [data-testid="modelreg-runs-table"]'
  );
  const rows = table.locator('[data-testid="modelreg-run"]');
  await expect(rows.first()).toBeVisible({ timeout: 60000 });
  // Only the rows in view are drawn, not the 200 loaded.
  expect(await rows.count()).toBeLessThan(120);

  // Sort by roc_auc, best first: the server answers with candidate 1000 on top.
  const aucHeader = table.locator('thead th[data-column="metrics.roc_auc"]');
  await aucHeader.getByRole('button').click();
  await expect(aucHeader).toHaveAttribute('aria-sort', 'descending');
  await expect(rows.first()).toHaveAttribute('data-iid', String(COUNT));
  await aucHeader.getByRole('button').click();
  await expect(aucHeader).toHaveAttribute('aria-sort', 'ascending');
  await expect(rows.first()).toHaveAttribute('data-iid', '1');

  // Filter: 50 candidates above 0.95, in two experiments.
  await table
    .locator('[data-testid="modelreg-candidate-filter"]')
    .fill('metrics.roc_auc > 0.95');
  await table
    .locator('[data-testid="modelreg-candidate-filter"]')
    .press('Enter');
  await expect(table.locator('.jp-modelreg-runs-foot')).toHaveText(
    /^50 candidates/
  );
  await expect(table.locator('[data-testid="modelreg-run-group"]')).toHaveCount(
    2
  );
  for (const iid of await rows.evaluateAll(r =>
    r.map(e => Number(e.getAttribute('data-iid')))
  )) {
    expect(iid).toBeGreaterThan(950);
  }

  // Choose the depth param as a column, from the keyboard.
  await table.locator('[data-testid="modelreg-column-picker"] summary').click();
  await table.getByLabel('params.depth').check();
  await expect(
    table.locator('thead th[data-column="params.depth"]')
  ).toBeVisible();
  await table.locator('[data-testid="modelreg-column-picker"] summary').click();

  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    await snapshot(page, `runs-table-${theme}`);
  }
  await page.theme.setLightTheme();

  // The candidate page of the first run shown (the lowest roc_auc above 0.95).
  const first = rows.first();
  const iid = await first.getAttribute('data-iid');
  await first.locator('[data-testid="modelreg-run-open"]').click();
  const candidatePage = page.locator('[data-testid="modelreg-candidate-page"]');
  await expect(candidatePage).toHaveAttribute('data-iid', String(iid));
  await expect(
    candidatePage.locator('[data-testid="modelreg-candidate-page-metrics"]')
  ).toContainText('roc_auc');
  await expect(
    candidatePage.locator('[data-testid="modelreg-candidate-page-params"]')
  ).toContainText('depth');
  await expect(
    candidatePage.locator('[data-testid="modelreg-candidate-packages"]')
  ).toContainText('scikit-learn');
  await expect(
    candidatePage.locator('[data-testid="modelreg-candidate-page-files"]')
  ).toContainText('notebook/train.ipynb');
  await snapshot(page, 'candidate-page');

  await candidatePage.locator('[data-testid="modelreg-open-snapshot"]').click();
  const opened = page.locator('.jp-NotebookPanel').filter({
    hasText: 'Snapshot of the sweep'
  });
  await expect(opened).toBeVisible({ timeout: 60000 });
  await api.dispose();
});

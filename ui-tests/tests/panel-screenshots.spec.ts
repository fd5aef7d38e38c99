/**
 * The screenshots of docs/screenshots/ for the panel at the default sidebar width, light and dark:
 * the model list, the runs table, compare with its highlighted cells, and a candidate page. Each view
 * is also checked for what made earlier screenshots look broken: text cut in the sidebar, content
 * wider than the sidebar, highlighted cells unreadable in the dark theme.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as path from 'path';
import {
  DOCS_SCREENSHOTS,
  ensureGroup,
  registryClient,
  textContrast
} from './registry';

const GROUP = 'e2e-shots';
const MODEL = `${GROUP}/churn-classifier`;

test.setTimeout(300000);

/** Three candidates of a small sweep, with history, provenance and a notebook snapshot. */
async function seed(): Promise<void> {
  const api = await registryClient();
  await ensureGroup(api, GROUP);
  const existing = await api.get(`/api/v1/models/${MODEL}/candidates`);
  if (existing.ok() && (await existing.json()).items.length >= 3) {
    await api.dispose();
    return;
  }
  const start = Date.now() - 3600000;
  for (const [i, depth] of [3, 6, 9].entries()) {
    const history = [0.62, 0.48, 0.41, 0.37, 0.35].map((v, step) => ({
      key: 'val_loss',
      value: v - i * 0.03,
      step: step + 1,
      timestamp: start + step * 1000
    }));
    const created = await api.post(
      `/api/v1/models/${MODEL}/candidates?create_model=true`,
      {
        data: {
          name: `xgb-depth${depth}`,
          experiment: i < 2 ? 'depth-sweep' : 'depth-sweep-wide',
          status: 'finished',
          params: {
            max_depth: String(depth),
            learning_rate: '0.1',
            n_estimators: String(200 + i * 100)
          },
          metrics: [
            ...history,
            { key: 'roc_auc', value: 0.91 + i * 0.015, timestamp: start },
            { key: 'f1', value: 0.8 - i * 0.01, timestamp: start }
          ],
          provenance: {
            kernel: { name: 'python3', language: 'python' },
            environment: {
              python: '3.11.9',
              platform: 'Linux-x86_64',
              packages: [
                { name: 'scikit-learn', version: '1.5.0' },
                { name: 'xgboost', version: '2.1.1' },
                { name: 'numpy', version: '2.0.1' }
              ]
            },
            git: {
              remote: 'https://git.example.com/ds/churn.git',
              branch: 'main',
              commit: 'a3f5fac1d2e4b6c8a0f1e2d3c4b5a6978877f3e1',
              dirty: false
            },
            notebook: { path: 'train.ipynb', snapshot: 'notebook/train.ipynb' }
          }
        }
      }
    );
    expect(created.status()).toBe(201);
    const iid = (await created.json()).iid;
    const notebook = {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Train churn'] }
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    };
    const put = await api.put(
      `/api/v1/models/${MODEL}/candidates/${iid}/artifacts/notebook/train.ipynb`,
      { data: Buffer.from(JSON.stringify(notebook)) }
    );
    expect(put.ok()).toBeTruthy();
  }
  await api.dispose();
}

async function shoot(page: IJupyterLabPageFixture, name: string) {
  await page.mouse.move(0, 0); // no hover highlight or tooltip in the picture
  // Ticking checkboxes can scroll the sidebar a few pixels; the picture shows its top.
  await page
    .locator('[data-testid="modelreg-panel"]')
    .evaluate(el => (el.scrollTop = 0));
  await page.screenshot({ path: path.join(DOCS_SCREENSHOTS, `${name}.png`) });
}

/** Nothing in the sidebar is wider than the sidebar. */
async function expectFitsSidebar(panel: Locator): Promise<void> {
  expect(await panel.evaluate(el => el.scrollWidth <= el.clientWidth + 1)).toBe(
    true
  );
}

for (const theme of ['light', 'dark'] as const) {
  test(`panel screenshots at the default sidebar width, ${theme}`, async ({
    page
  }) => {
    await seed();
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    await page.sidebar.openTab('jp-modelreg-panel');
    const panel = page.locator('[data-testid="modelreg-panel"]');
    expect((await panel.boundingBox())!.width).toBeLessThan(400);
    await panel.locator('.jp-modelreg-search').fill(GROUP);
    await panel.locator('.jp-modelreg-search').press('Enter');
    const row = panel.locator(
      `[data-testid="modelreg-model-row"][data-model="${MODEL}"]`
    );
    await expect(row).toBeVisible({ timeout: 30000 });
    await expectFitsSidebar(panel);
    await shoot(page, `panel-models-${theme}`);

    // The runs table, in the main area next to the sidebar.
    await row.click();
    await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
    await expect(
      panel.locator('[data-testid="modelreg-candidate"]')
    ).toHaveCount(3);
    await expectFitsSidebar(panel);
    await panel.locator('[data-testid="modelreg-open-runs"]').click();
    const table = page.locator(
      '[data-testid="modelreg-runs-tab"] [data-testid="modelreg-runs-table"]'
    );
    await expect(table.locator('[data-testid="modelreg-run"]')).toHaveCount(3, {
      timeout: 60000
    });
    // Next to the default sidebar the table shows all its columns, the metrics too, unscrolled.
    expect(
      await page
        .locator(
          '[data-testid="modelreg-runs-tab"] [data-testid="modelreg-runs-scroll"]'
        )
        .evaluate(el => el.scrollWidth <= el.clientWidth + 1)
    ).toBe(true);
    await shoot(page, `runs-table-${theme}`);

    // Compare: the differing params and the best metrics stand out and stay readable.
    for (const box of await panel
      .locator('[data-testid="modelreg-candidate"] input[type="checkbox"]')
      .all()) {
      await box.check();
    }
    await panel.locator('[data-testid="modelreg-compare-button"]').click();
    const compare = page.locator('[data-testid="modelreg-compare"]');
    await expect(
      compare.locator('[data-testid="modelreg-parallel-coordinates"]')
    ).toBeVisible({ timeout: 30000 });
    const differs = compare.locator(
      '[data-testid="modelreg-compare-params"] .jp-modelreg-differs td'
    );
    const best = compare.locator(
      '[data-testid="modelreg-compare-metrics"] .jp-modelreg-best'
    );
    expect(await differs.count()).toBeGreaterThan(0);
    expect(await best.count()).toBeGreaterThan(0);
    for (const cell of [differs.first(), best.first()]) {
      expect(await textContrast(cell)).toBeGreaterThan(4.5);
    }
    await shoot(page, `compare-${theme}`);

    // A candidate page, opened from the runs table.
    await page
      .locator('.lm-TabBar-tab')
      .filter({ hasText: `${MODEL} runs` })
      .click();
    await table
      .locator('[data-testid="modelreg-run"]')
      .first()
      .locator('[data-testid="modelreg-run-open"]')
      .click();
    const candidatePage = page.locator(
      '[data-testid="modelreg-candidate-page"]'
    );
    await expect(
      candidatePage.locator('[data-testid="modelreg-candidate-packages"]')
    ).toContainText('xgboost', { timeout: 30000 });
    // Its history chart loads after the page: wait for it rather than shoot an empty place.
    await expect(
      candidatePage.locator(
        '[data-testid="modelreg-metric-chart"][data-metric="val_loss"] path.jp-modelreg-series'
      )
    ).toHaveCount(1, { timeout: 30000 });
    await shoot(page, `candidate-page-${theme}`);
    await page.theme.setLightTheme();
  });
}

test('a wide sidebar shows the candidates as the runs table, not a column of cards', async ({
  page
}) => {
  await seed();
  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('.jp-modelreg-search').fill(GROUP);
  await panel.locator('.jp-modelreg-search').press('Enter');
  await panel
    .locator(`[data-testid="modelreg-model-row"][data-model="${MODEL}"]`)
    .click();
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  // At the default width: the compact list.
  await expect(panel.locator('[data-testid="modelreg-candidate"]')).toHaveCount(
    3
  );
  await expect(
    panel.locator('[data-testid="modelreg-runs-table"]')
  ).toHaveCount(0);

  expect(await page.sidebar.setWidth(760, 'left')).toBe(true);
  const rows = panel.locator(
    '[data-testid="modelreg-runs-table"] [data-testid="modelreg-run"]'
  );
  await expect(rows).toHaveCount(3, { timeout: 30000 });
  await expect(panel.locator('[data-testid="modelreg-candidate"]')).toHaveCount(
    0
  );
  // Every tab shows its label when there is room for it.
  for (const label of await panel
    .locator('[role="tab"] .jp-modelreg-tab-label')
    .all()) {
    await expect(label).toBeVisible();
  }
  await expectFitsSidebar(panel);
  await shoot(page, 'panel-wide-light');
});

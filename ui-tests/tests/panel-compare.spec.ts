/**
 * The panel at the default sidebar width, compare's sweep plots in the light and dark themes, and a
 * reload that gives back the open model, its section and the compare tab (issue 19).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import {
  ensureGroup,
  registryClient,
  snapshot,
  textContrast
} from './registry';

const GROUP = 'e2e-sweep';
// Long enough to overflow a 300 px sidebar unless it ends in "…".
const MODEL = `${GROUP}/gradient-boosted-churn-classifier-with-calibrated-probabilities`;

test.use({ autoGoto: true });
test.describe.configure({ mode: 'serial' });

const DEPTHS = [3, 6, 9];

test.beforeAll(async () => {
  const api = await registryClient();
  await ensureGroup(api, GROUP);
  const existing = await api.get(`/api/v1/models/${MODEL}/candidates`);
  if (existing.ok() && (await existing.json()).items.length >= 3) {
    return;
  }
  const start = Date.now() - 60000;
  for (const [i, depth] of DEPTHS.entries()) {
    // val_loss per epoch, then its final value logged without a step (stored at step 0).
    const history = [0.9, 0.6, 0.45, 0.4].map((v, step) => ({
      key: 'val_loss',
      value: v - i * 0.05,
      step: step + 1,
      timestamp: start + step * 1000
    }));
    const created = await api.post(
      `/api/v1/models/${MODEL}/candidates?create_model=true`,
      {
        data: {
          name: `xgb-depth${depth}`,
          status: 'finished',
          params: { max_depth: String(depth), booster: 'gbtree', seed: '1' },
          metrics: [
            ...history,
            { key: 'val_loss', value: 0.4 - i * 0.05, timestamp: start + 9000 },
            { key: 'auc', value: 0.9 + i * 0.02, timestamp: start + 9000 }
          ]
        }
      }
    );
    expect(created.status()).toBe(201);
  }
});

async function openCard(page: IJupyterLabPageFixture) {
  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  const card = panel.locator(
    `[data-testid="modelreg-card"][data-model="${MODEL}"]`
  );
  if (!(await card.isVisible())) {
    await panel.locator('[data-testid="modelreg-refresh"]').first().click();
    await panel
      .locator(`[data-testid="modelreg-model-row"][data-model="${MODEL}"]`)
      .click();
  }
  await expect(card).toBeVisible({ timeout: 30000 });
  return panel;
}

test('header and tabs fit the default sidebar width; long names end in …', async ({
  page
}) => {
  const panel = await openCard(page);
  const width = (await panel.boundingBox())!.width;
  expect(width).toBeLessThan(400); // the default sidebar, not a widened one

  // The tabs share one row, inside the panel.
  const tabs = panel.locator('[role="tab"]');
  const boxes = await Promise.all(
    (await tabs.all()).map(async t => (await t.boundingBox())!)
  );
  expect(boxes.length).toBe(6);
  const panelBox = (await panel.boundingBox())!;
  for (const box of boxes) {
    expect(Math.abs(box.y - boxes[0].y)).toBeLessThan(2);
    expect(box.x + box.width).toBeLessThanOrEqual(
      panelBox.x + panelBox.width + 1
    );
  }

  // The header is one row too; the long name is cut with "…" and kept whole in the tooltip.
  const title = panel.locator('.jp-modelreg-card-title');
  await expect(title).toHaveAttribute('title', MODEL);
  const titleBox = (await title.boundingBox())!;
  const back = (await panel
    .getByRole('button', { name: 'Back to models' })
    .boundingBox())!;
  expect(Math.abs(titleBox.y - back.y)).toBeLessThan(titleBox.height);
  expect(
    await title.evaluate(el => ({
      cut: el.scrollWidth > el.clientWidth,
      ellipsis: getComputedStyle(el).textOverflow
    }))
  ).toEqual({ cut: true, ellipsis: 'ellipsis' });
  const toolbar = panel.locator('.jp-modelreg-toolbar');
  expect((await toolbar.boundingBox())!.height).toBeLessThan(40);

  // The panel's own title is whole, not squeezed to "M." by the buttons beside it.
  const panelTitle = panel.locator('.jp-modelreg-title');
  await expect(panelTitle).toHaveText('Model registry');
  expect(
    await panelTitle.evaluate(el => ({
      cut: el.scrollWidth > el.clientWidth,
      wideEnough: el.getBoundingClientRect().width > 100
    }))
  ).toEqual({ cut: false, wideEnough: true });
  // The toolbar's buttons share one row, and "Log as candidate" keeps its whole label.
  const buttons = await Promise.all(
    (await toolbar.locator('button').all()).map(
      async b => (await b.boundingBox())!
    )
  );
  expect(buttons.length).toBe(3);
  for (const box of buttons) {
    expect(Math.abs(box.y - buttons[0].y)).toBeLessThan(2);
  }
  const logLabel = toolbar.locator(
    '[data-testid="modelreg-log-candidate"] .jp-ToolbarButtonComponent-label'
  );
  await expect(logLabel).toHaveText('Log as candidate');
  expect(await logLabel.evaluate(el => el.scrollWidth > el.clientWidth)).toBe(
    false
  );
  // The active tab's label is whole; each tab is named in full (tooltip and accessible name).
  const active = panel.locator('[role="tab"][aria-selected="true"]');
  const activeLabel = active.locator('.jp-modelreg-tab-label');
  await expect(activeLabel).toBeVisible();
  expect(
    await activeLabel.evaluate(el => el.scrollWidth > el.clientWidth)
  ).toBe(false);
  await expect(panel.getByRole('tab', { name: 'Deployments' })).toHaveAttribute(
    'title',
    'Deployments'
  );
  // Nothing pushes the panel wider than the sidebar.
  expect(await panel.evaluate(el => el.scrollWidth <= el.clientWidth + 1)).toBe(
    true
  );

  // The compare bar shows where items are ticked, not on the other sections.
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  await panel
    .locator('[data-testid="modelreg-candidate"] input[type="checkbox"]')
    .first()
    .check();
  await expect(
    panel.locator('[data-testid="modelreg-compare-bar"]')
  ).toBeVisible();
  await panel.locator('[data-testid="modelreg-tab-overview"]').click();
  await expect(
    panel.locator('[data-testid="modelreg-compare-bar"]')
  ).toHaveCount(0);
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  await panel.getByRole('button', { name: 'Clear' }).click();
  await snapshot(page, 'panel-default-width');
});

test('compare draws sweep plots and stays readable in light and dark', async ({
  page
}) => {
  const panel = await openCard(page);
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  const boxes = panel.locator(
    '[data-testid="modelreg-candidate"] input[type="checkbox"]'
  );
  await expect(boxes).toHaveCount(3);
  for (const box of await boxes.all()) {
    await box.check();
  }
  await panel.locator('[data-testid="modelreg-compare-button"]').click();
  const compare = page.locator('[data-testid="modelreg-compare"]');
  const parallel = compare.locator(
    '[data-testid="modelreg-parallel-coordinates"]'
  );
  await expect(parallel).toBeVisible({ timeout: 30000 });

  // Parallel coordinates: axes for the varied param and each metric; hovering a line names it.
  expect(
    await parallel
      .locator('[data-axis]')
      .evaluateAll(gs => gs.map(g => g.getAttribute('data-axis')))
  ).toEqual(['max_depth', 'auc', 'val_loss']);
  await expect(parallel.locator('polyline')).toHaveCount(3);
  // Lines cross, so aim by event rather than by pixel.
  const line = parallel.locator('polyline[data-item="2"]');
  const name = await line.locator('title').textContent();
  expect(name).toMatch(/xgb-depth\d/);
  await line.dispatchEvent('mouseover');
  await expect(parallel.locator('figcaption')).toHaveText(name!);

  // Scatter: x param, y metric, one dot per candidate.
  const scatter = compare.locator('[data-testid="modelreg-param-scatter"]');
  await scatter
    .locator('[data-testid="modelreg-scatter-y"]')
    .selectOption('val_loss');
  await expect(scatter.locator('circle')).toHaveCount(3);

  // History on a step axis from 1: the final value logged without a step makes no step-0 point.
  const chart = compare.locator(
    '[data-testid="modelreg-metric-chart"][data-metric="val_loss"]'
  );
  await expect(chart.locator('.jp-modelreg-chart-step').first()).toHaveText(
    '1'
  );
  await expect(chart.locator('.jp-modelreg-legend-item')).toHaveCount(3);
  await chart.locator('svg').hover({ position: { x: 300, y: 60 } });
  await expect(chart.locator('.jp-modelreg-chart-readout')).toContainText(
    'step 4'
  );

  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    const differs = compare.locator(
      '[data-testid="modelreg-compare-params"] .jp-modelreg-differs td'
    );
    const best = compare.locator(
      '[data-testid="modelreg-compare-metrics"] .jp-modelreg-best'
    );
    expect(await textContrast(differs.first())).toBeGreaterThan(4.5);
    expect(await textContrast(best.first())).toBeGreaterThan(4.5);
    await snapshot(page, `compare-sweep-${theme}`);
  }
  await page.theme.setLightTheme();
});

test('a reload gives back the open model, its section and the compare tab', async ({
  page
}) => {
  const panel = await openCard(page);
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  const boxes = panel.locator(
    '[data-testid="modelreg-candidate"] input[type="checkbox"]'
  );
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await panel.locator('[data-testid="modelreg-compare-button"]').click();
  await expect(
    page.locator('[data-testid="modelreg-compare-params"]')
  ).toBeVisible({ timeout: 30000 });
  await page.sidebar.openTab('jp-modelreg-panel');
  await panel.locator('[data-testid="modelreg-tab-versions"]').click();
  // The state database saves a moment later; give it time on a loaded machine.
  await page.waitForTimeout(1500);

  // Not Galata's usual wait for the Launcher: the restored compare tab is the active one now.
  await page.reload({ waitForIsReady: false });
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  await expect(
    page.locator('[data-testid="modelreg-compare-params"]')
  ).toBeVisible({ timeout: 60000 });
  // The restorer reopens the sidebar panel too; clicking its tab now would close it again.
  const restored = page.locator(
    `[data-testid="modelreg-card"][data-model="${MODEL}"]`
  );
  if (!(await restored.isVisible())) {
    await page.sidebar.openTab('jp-modelreg-panel');
  }
  await expect(restored).toBeVisible({ timeout: 30000 });
  await expect(
    page.locator('[data-testid="modelreg-tab-versions"]')
  ).toHaveAttribute('aria-selected', 'true');
  await snapshot(page, 'after-reload');
});

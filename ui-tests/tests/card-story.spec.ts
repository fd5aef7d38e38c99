/**
 * The model card and a page per version (issue 12): fill the card and watch its completeness, be
 * refused a release with the missing section named, complete it and promote, open the version page
 * and see what changed, roll production back, yank, record a deployment. Screenshots of the card
 * and the version page in the light and dark themes.
 */
import { expect, test } from '@jupyterlab/galata';
import { Page } from '@playwright/test';
import { ensureGroup, registryClient, snapshot } from './registry';

const GROUP = 'e2ecard';
const MODEL = `${GROUP}/churn`;

test.use({ autoGoto: true });
test.describe.configure({ mode: 'serial' });

/** Writes one section in the card editor and saves (a new revision). */
async function writeSection(page: Page, key: string, text: string) {
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-edit-card-sections"]').click();
  await panel.locator(`[data-testid="modelreg-card-input-${key}"]`).fill(text);
  await panel.locator('[data-testid="modelreg-card-save"]').click();
  await expect(
    panel.locator('[data-testid="modelreg-card-sections-editor"]')
  ).toHaveCount(0);
}

/** Opens the promote dialog of candidate `iid` and asks for `version`; returns the form. */
async function startPromote(page: Page, iid: number, version: string) {
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-tab-candidates"]').click();
  await panel
    .locator(
      `[data-testid="modelreg-candidate"][data-iid="${iid}"] [data-testid="modelreg-promote"]`
    )
    .click();
  const form = page.locator('[data-testid="modelreg-promote-form"]');
  await form.locator('input[name="version"]').fill(version);
  return form;
}

async function dialogButton(page: Page, name: string) {
  await page.locator('.jp-Dialog').getByRole('button', { name }).click();
}

test('fill the card, be refused a release, complete it, promote, see what changed, roll back, yank, deploy', async ({
  page
}) => {
  const api = await registryClient();
  await ensureGroup(api, GROUP);
  expect(
    (
      await api.patch(`/api/v1/groups/${GROUP}`, {
        data: { card_required_sections: ['intended_use', 'risks'] }
      })
    ).status()
  ).toBe(200);
  // Two candidates that differ in a param, a metric and the model file.
  const iids: number[] = [];
  for (const [depth, accuracy, weights] of [
    ['4', [0.7, 0.8], 'weights v1'],
    ['6', [0.75, 0.9], 'weights v2']
  ] as const) {
    const created = await api.post(
      `/api/v1/models/${MODEL}/candidates?create_model=true`,
      {
        data: {
          name: `depth-${depth}`,
          params: { depth, eta: '0.1' },
          metrics: accuracy.map((value, step) => ({
            key: 'accuracy',
            value,
            step
          }))
        }
      }
    );
    expect(created.status()).toBe(201);
    const { iid } = await created.json();
    const put = await api.put(
      `/api/v1/models/${MODEL}/candidates/${iid}/artifacts/model.pkl`,
      {
        data: Buffer.from(weights),
        headers: { 'Content-Type': 'application/octet-stream' }
      }
    );
    expect(put.status()).toBe(201);
    await api.patch(`/api/v1/models/${MODEL}/candidates/${iid}`, {
      data: { status: 'finished' }
    });
    iids.push(iid);
  }

  await page.sidebar.openTab('jp-modelreg-panel');
  const panel = page.locator('[data-testid="modelreg-panel"]');
  await panel.locator('[data-testid="modelreg-refresh"]').first().click();
  await panel
    .locator('[data-testid="modelreg-model-row"]')
    .filter({ hasText: MODEL })
    .first()
    .click();

  // Evaluation is drafted from the first candidate's metrics. Fill one required section: the
  // meter moves, and the other required section is still named.
  const meter = panel.locator('[data-testid="modelreg-completeness-label"]');
  await writeSection(page, 'intended_use', 'Scores churn risk of customers.');
  await expect(meter).toHaveText('2 of 11 sections written');
  await expect(
    panel.locator('[data-testid="modelreg-required-missing"]')
  ).toContainText('Risks');

  // The promote dialog says what is missing before trying; the registry refuses, naming it.
  let form = await startPromote(page, iids[0], '1.0.0');
  await expect(
    form.locator('[data-testid="modelreg-promote-card-missing"]')
  ).toContainText('Risks');
  await dialogButton(page, 'Continue');
  await dialogButton(page, 'Promote and lock');
  const refusal = page.locator('.jp-Dialog').filter({
    hasText: 'Promotion failed'
  });
  await expect(refusal).toContainText('CARD_INCOMPLETE');
  await expect(refusal).toContainText('risks');
  await dialogButton(page, 'Close');

  // Complete it; now the release goes through.
  await panel.locator('[data-testid="modelreg-tab-overview"]').click();
  await writeSection(
    page,
    'risks',
    'Drifts after price changes; retrain monthly.'
  );
  await expect(meter).toHaveText('3 of 11 sections written');
  await expect(
    panel.locator('[data-testid="modelreg-required-missing"]')
  ).toHaveCount(0);
  await snapshot(page, 'card-complete');
  form = await startPromote(page, iids[0], '1.0.0');
  await expect(
    form.locator('[data-testid="modelreg-promote-card-missing"]')
  ).toHaveCount(0);
  await dialogButton(page, 'Continue');
  await dialogButton(page, 'Promote and lock');
  await expect(
    panel.locator('[data-testid="modelreg-version"][data-version="1.0.0"]')
  ).toBeVisible();

  // A second release, production moved to it (as a CD job would).
  for (const [path, data] of [
    ['versions', { version: '1.1.0', candidate: iids[1] }],
    ['aliases/production', { version: '1.0.0' }],
    ['aliases/production', { version: '1.1.0' }]
  ] as const) {
    const r = path.startsWith('aliases')
      ? await api.put(`/api/v1/models/${MODEL}/${path}`, { data })
      : await api.post(`/api/v1/models/${MODEL}/${path}`, { data });
    expect(r.status()).toBeLessThan(300);
  }
  await panel.locator('[data-testid="modelreg-refresh"]').first().click();

  // The version page, in the main area: what changed since 1.0.0.
  await panel
    .locator(
      '[data-testid="modelreg-version"][data-version="1.1.0"] [data-testid="modelreg-open-version"]'
    )
    .click();
  const versionPage = page.locator(
    '[data-testid="modelreg-version-page"][data-version="1.1.0"]'
  );
  const changes = versionPage.locator(
    '[data-testid="modelreg-version-changes"]'
  );
  await expect(changes).toContainText('Compared with version 1.0.0.');
  const rows = changes.locator('[data-testid="modelreg-version-change"]');
  await expect(rows.filter({ hasText: 'depth' })).toContainText('46');
  await expect(rows.filter({ hasText: 'accuracy' })).toContainText('0.80.9');
  await expect(changes).toContainText('model.pkl');
  await expect(
    versionPage.locator('[data-testid="modelreg-version-card"]')
  ).toContainText('Drifts after price changes; retrain monthly.');
  await expect(
    versionPage.locator('[data-testid="modelreg-metric-chart"]').first()
  ).toBeVisible();

  // Screenshots of the card and the version page, light then dark.
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    await page.sidebar.openTab('jp-modelreg-panel');
    await snapshot(page, `version-page-${theme}`);
    await panel.locator('[data-testid="modelreg-tab-overview"]').click();
    await snapshot(page, `card-${theme}`);
  }
  await page.theme.setLightTheme();

  // Roll production back from 1.1.0 to 1.0.0, from the version page.
  await versionPage
    .locator('[data-testid="modelreg-version-alias-rollback"]')
    .click();
  await expect(page.locator('.jp-Dialog')).toContainText(
    `production of ${MODEL} moves back from version 1.1.0 to version 1.0.0`
  );
  await dialogButton(page, 'Roll back from 1.1.0 to 1.0.0');
  await expect
    .poll(
      async () =>
        (
          await (
            await api.get(`/api/v1/models/${MODEL}/aliases/production`)
          ).json()
        ).version
    )
    .toBe('1.0.0');

  // Yank 1.1.0 with a reason.
  await versionPage.locator('[data-testid="modelreg-version-yank"]').click();
  await page
    .locator('.jp-Dialog textarea[name="reason"]')
    .fill('Leaks the label through a feature.');
  await dialogButton(page, 'Yank 1.1.0');
  await expect(
    versionPage.locator('[data-testid="modelreg-version-yank"]')
  ).toBeDisabled();
  const yanked = await (
    await api.get(`/api/v1/models/${MODEL}/versions/1.1.0`)
  ).json();
  expect(yanked).toMatchObject({
    yanked: true,
    yank_reason: 'Leaks the label through a feature.'
  });

  // Record a deployment of 1.0.0 in production from the Deployments tab.
  await page.sidebar.openTab('jp-modelreg-panel');
  await panel.locator('[data-testid="modelreg-tab-deployments"]').click();
  await panel.locator('[data-testid="modelreg-deployments-record"]').click();
  await page.locator('.jp-Dialog input[name="target"]').fill('1.0.0');
  await page.locator('.jp-Dialog input[name="environment"]').fill('production');
  await page
    .locator('.jp-Dialog input[name="url"]')
    .fill('https://churn.example.com');
  await dialogButton(page, 'Record');
  const item = panel.locator(
    '[data-testid="modelreg-deployment"][data-environment="production"]'
  );
  await expect(item).toContainText('1.0.0');
  await expect(
    item.locator('[data-testid="modelreg-deployment-status"]')
  ).toHaveText('active');
  const deployments = await (
    await api.get(`/api/v1/models/${MODEL}/deployments`)
  ).json();
  expect(deployments.items[0]).toMatchObject({
    version: '1.0.0',
    environment: 'production',
    status: 'active',
    url: 'https://churn.example.com'
  });
  await snapshot(page, 'deployment-recorded');
  await api.dispose();
});

/**
 * The API tokens page: opened from the command palette, a token is created (name, expiry, scopes), its
 * secret shown once, listed without it, used against the real registry, then revoked through the
 * confirmation dialog that names it, after which the registry refuses it. Light and dark screenshots of
 * the page go to docs/screenshots/. Names stay on one line (a long one ends in …, whole in its tooltip)
 * and the form's selects show their arrow.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator, request } from '@playwright/test';
import * as path from 'path';
import { DOCS_SCREENSHOTS, registryInfo } from './registry';

/** What the registry answers to GET /api/v1/user with `secret` as the bearer token. */
async function userStatus(secret: string): Promise<number> {
  const api = await request.newContext({
    baseURL: registryInfo().url,
    extraHTTPHeaders: { Authorization: `Bearer ${secret}` }
  });
  const status = (await api.get('/api/v1/user')).status();
  await api.dispose();
  return status;
}

async function openFromPalette(page: IJupyterLabPageFixture): Promise<void> {
  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('#modal-command-palette');
  await expect(palette).toBeVisible();
  await palette.locator('input').fill('Manage API Tokens');
  await palette
    .locator('.lm-CommandPalette-item')
    .filter({ hasText: 'Manage API Tokens' })
    .first()
    .click();
}

/** How the name in a token row's first cell is laid out: its lines, whether it is cut, its tooltip. */
async function nameLayout(row: Locator): Promise<{
  lines: number;
  cut: boolean;
  title: string | null;
  textOverflow: string;
  whiteSpace: string;
}> {
  return row
    .locator('td')
    .first()
    .evaluate(cell => {
      const text = document
        .createTreeWalker(cell, NodeFilter.SHOW_TEXT)
        .nextNode() as Text;
      const holder = text.parentElement!;
      const range = document.createRange();
      range.selectNodeContents(text);
      const tops = new Set(
        [...range.getClientRects()].map(rect => Math.round(rect.top))
      );
      const style = getComputedStyle(holder);
      return {
        lines: tops.size,
        cut: holder.scrollWidth > holder.clientWidth,
        title: holder.getAttribute('title'),
        textOverflow: style.textOverflow,
        whiteSpace: style.whiteSpace
      };
    });
}

async function shoot(
  page: IJupyterLabPageFixture,
  name: string,
  testInfo: { outputPath: (n: string) => string }
): Promise<void> {
  for (const file of [
    path.join(DOCS_SCREENSHOTS, `${name}.png`),
    testInfo.outputPath(`${name}.png`)
  ]) {
    await page.screenshot({ path: file });
  }
}

test('create, use and revoke an API token from the tokens page', async ({
  page
}, testInfo) => {
  const name = `e2e-ci-${Date.now()}`;
  await openFromPalette(page);
  const tokensPage = page.locator('[data-testid="modelreg-tokens-page"]');
  await expect(tokensPage.locator('h1')).toHaveText('API tokens');
  // The key button in the panel header opens the same tab.
  await page.sidebar.openTab('jp-modelreg-panel');
  await page.locator('[data-testid="modelreg-manage-tokens"]').click();
  await expect(tokensPage).toHaveCount(1);

  const create = tokensPage.locator('[data-testid="modelreg-create-token"]');
  await expect(create).toBeDisabled();
  // A select of the form that draws no arrow reads as a text box.
  for (const testId of [
    'modelreg-new-token-expiry',
    'modelreg-new-token-access'
  ]) {
    const appearance = await tokensPage
      .locator(`[data-testid="${testId}"]`)
      .evaluate(select => getComputedStyle(select).appearance);
    expect(appearance, `${testId}'s appearance`).not.toBe('none');
  }

  // The longest name the form takes: one line ending in …, whole in the tooltip.
  const longName =
    `e2e-nightly-retraining-pipeline-${'x'.repeat(60)}-${Date.now()}`.slice(
      0,
      100
    );
  await tokensPage
    .locator('[data-testid="modelreg-new-token-name"]')
    .fill(longName);
  await create.click();
  const longRow = tokensPage.locator(
    `[data-testid="modelreg-token-row"][data-token-name="${longName}"]`
  );
  await expect(longRow).toHaveCount(1);
  expect(await nameLayout(longRow)).toEqual({
    lines: 1,
    cut: true,
    title: longName,
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap'
  });
  // The registry's own admin token name fits: whole, on one line (it broke as "MODELREG_ADMIN_TO KEN").
  const adminRow = tokensPage.locator(
    '[data-testid="modelreg-token-row"][data-token-name="MODELREG_ADMIN_TOKEN"]'
  );
  expect(await nameLayout(adminRow)).toMatchObject({
    lines: 1,
    cut: false,
    title: 'MODELREG_ADMIN_TOKEN'
  });
  // …and no name pushes the scopes and the Revoke buttons out of the tab.
  expect(
    await tokensPage.evaluate(page => page.scrollWidth - page.clientWidth)
  ).toBeLessThanOrEqual(0);
  await tokensPage
    .locator('[data-testid="modelreg-new-token-name"]')
    .fill(name);
  await tokensPage
    .locator('[data-testid="modelreg-new-token-expiry"]')
    .selectOption('30');
  await tokensPage
    .locator('[data-testid="modelreg-new-token-access"]')
    .selectOption('write');
  await create.click();

  const secretBox = tokensPage.locator('[data-testid="modelreg-token-secret"]');
  await expect(secretBox).toContainText(name);
  const secret = (
    await secretBox
      .locator('[data-testid="modelreg-token-secret-value"]')
      .textContent()
  )?.trim();
  expect(secret).toBeTruthy();
  const copy = secretBox.locator('[data-testid="modelreg-copy-secret"]');
  await copy.click();
  await expect(copy).toHaveText('Copied');

  const row = tokensPage.locator(
    `[data-testid="modelreg-token-row"][data-token-name="${name}"]`
  );
  await expect(row).toContainText('read, write');
  const in30Days = new Date(Date.now() + 30 * 86400000);
  await expect(row).toContainText(String(in30Days.getFullYear()));
  await expect(row).not.toContainText(secret!);
  expect(await userStatus(secret!)).toBe(200);

  await shoot(page, 'tokens-light', testInfo);
  await page.theme.setDarkTheme();
  await shoot(page, 'tokens-dark', testInfo);
  await page.theme.setLightTheme();

  await secretBox.locator('[data-testid="modelreg-secret-done"]').click();
  await expect(secretBox).toHaveCount(0);
  await expect(tokensPage).not.toContainText(secret!);

  await row.locator('[data-testid="modelreg-revoke-token"]').click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText(`Revoke token "${name}"?`);
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toHaveCount(0);
  expect(await userStatus(secret!)).toBe(401);
});

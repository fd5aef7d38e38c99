/**
 * Direct access to the registry the e2e suite started (e2e-registry.ts, on the port and with the admin
 * token playwright.config.js chose and passed by environment), so specs can prepare groups and check
 * what the UI did.
 */
import { galata } from '@jupyterlab/galata';
import {
  APIRequestContext,
  expect,
  Locator,
  Page,
  request
} from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/** The registry's supervisor files: `pid` (the running process) and `paused` (do not restart it). */
export const REGISTRY_STATE = path.join(__dirname, '..', '.e2e', 'registry');

export interface IRegistryInfo {
  url: string;
  token: string;
}

export function registryInfo(): IRegistryInfo {
  const { E2E_REGISTRY_PORT: port, E2E_ADMIN_TOKEN: token } = process.env;
  if (!port || !token) {
    throw new Error(
      'E2E_REGISTRY_PORT / E2E_ADMIN_TOKEN are unset: run the specs with `npx playwright test`'
    );
  }
  return { url: `http://127.0.0.1:${port}`, token };
}

export async function registryClient(): Promise<APIRequestContext> {
  const info = registryInfo();
  return request.newContext({
    baseURL: info.url,
    extraHTTPHeaders: { Authorization: `Bearer ${info.token}` }
  });
}

/** Creates a group unless it exists already. */
export async function ensureGroup(
  api: APIRequestContext,
  name: string
): Promise<void> {
  const response = await api.post('/api/v1/groups', {
    data: { name, visibility: 'private' }
  });
  if (![201, 409].includes(response.status())) {
    throw new Error(
      `creating group ${name}: ${response.status()} ${await response.text()}`
    );
  }
}

/** Where the screenshots of the docs go: specs that write them keep them current. */
export const DOCS_SCREENSHOTS = path.join(
  __dirname,
  '..',
  '..',
  'docs',
  'screenshots'
);

/** WCAG contrast of an element's text against its background, composited over what is under it. */
export async function textContrast(cell: Locator): Promise<number> {
  return cell.evaluate(el => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d')!;
    let under: Element | null = el.parentElement;
    while (
      under &&
      getComputedStyle(under).backgroundColor === 'rgba(0, 0, 0, 0)'
    ) {
      under = under.parentElement;
    }
    const base = getComputedStyle(under ?? document.body).backgroundColor;
    const pixel = (top: string) => {
      ctx.clearRect(0, 0, 1, 1);
      for (const color of [base, top]) {
        ctx.fillStyle = color;
        ctx.fillRect(0, 0, 1, 1);
      }
      return [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    };
    const lum = (rgb: number[]) => {
      const [r, g, b] = rgb.map(c => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const style = getComputedStyle(el);
    const [hi, lo] = [
      lum(pixel(style.color)),
      lum(pixel(style.backgroundColor))
    ].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  });
}

/** Saves a screenshot of the page as a test artifact (ui-tests/screenshots/<name>.png, kept after the run). */
export async function snapshot(
  page: { screenshot: (o: any) => Promise<any> },
  name: string
): Promise<void> {
  await page.screenshot({
    path: path.join(__dirname, '..', 'screenshots', `${name}.png`)
  });
}

/** The artifact paths of candidate `iid` of `model`, as the registry lists them. */
export async function artifactPaths(
  api: APIRequestContext,
  model: string,
  iid: number
): Promise<string[]> {
  const response = await api.get(
    `/api/v1/models/${model}/candidates/${iid}/artifacts`
  );
  return (await response.json()).items.map((f: { path: string }) => f.path);
}

/** Accepts the open Log dialog and waits for the toast that says `logged` (e.g. "Logged candidate #2"). */
export async function submitLogDialog(
  page: Page,
  logged = 'Logged candidate',
  timeout = 90000
): Promise<void> {
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Log as candidate' })
    .click();
  await expect(
    page.locator('.Toastify__toast').filter({ hasText: logged }).first()
  ).toBeVisible({ timeout });
}

/** JupyterLab's settings for a spec: the panel logs to `group` by default, never auto-refreshes and
 * inserts no runs cell on pull, so what a spec sees comes from what it did. */
export function panelSettings(group: string): Record<string, unknown> {
  return {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-modelreg:plugin': {
      pullRunsCell: false,
      defaultGroup: group,
      autoRefreshInterval: 0
    }
  };
}

async function registryAnswers(): Promise<boolean> {
  try {
    return (await fetch(`${registryInfo().url}/api/v1/health`)).ok;
  } catch {
    return false;
  }
}

/**
 * Runs `body` with the registry stopped: e2e-registry.ts does not restart it while `paused` exists. The
 * registry is back, answering its health check, when this returns (or throws). SIGTERM lets it drain
 * its requests first; SIGKILL stops it as a crash or an OOM kill does, mid-upload.
 */
export async function withRegistryStopped(
  body: () => Promise<void>,
  signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'
): Promise<void> {
  const paused = path.join(REGISTRY_STATE, 'paused');
  fs.writeFileSync(paused, '');
  try {
    process.kill(
      Number(fs.readFileSync(path.join(REGISTRY_STATE, 'pid'), 'utf-8')),
      signal
    );
    await expect.poll(registryAnswers, { timeout: 20000 }).toBe(false);
    await body();
  } finally {
    fs.rmSync(paused, { force: true });
  }
  await expect.poll(registryAnswers, { timeout: 60000 }).toBe(true);
}

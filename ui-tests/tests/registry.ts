/**
 * Direct access to the registry the e2e servers started (start-e2e-servers.sh writes its URL and
 * admin token to .e2e/registry.json), so specs can prepare groups and check what the UI did.
 */
import { APIRequestContext, request } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

export interface IRegistryInfo {
  url: string;
  token: string;
}

export function registryInfo(): IRegistryInfo {
  const file = path.join(__dirname, '..', '.e2e', 'registry.json');
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
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

/** Saves a screenshot of the page as a test artifact (ui-tests/screenshots/<name>.png, kept after the run). */
export async function snapshot(
  page: { screenshot: (o: any) => Promise<any> },
  name: string
): Promise<void> {
  await page.screenshot({
    path: path.join(__dirname, '..', 'screenshots', `${name}.png`)
  });
}

/** Connects the tests to the servers that setup/globalSetup.js started. */
import * as fs from 'fs';
import * as http from 'http';
import {
  KernelManager,
  ServerConnection,
  Session,
  SessionManager
} from '@jupyterlab/services';

import { setServerSettings } from '../api';

export interface ITestServers {
  registryUrl: string;
  adminToken: string;
  jupyterUrl: string;
  jupyterToken: string;
  /** A Jupyter server whose registry is down. */
  downJupyterUrl: string;
  group: string;
  model: string;
  candidates: number[];
  work: string;
}

export function testServers(): ITestServers {
  const file = process.env.MODELREG_TEST_INFO;
  if (!file) {
    throw new Error(
      'MODELREG_TEST_INFO is not set: run the tests with `npm test` (jest.config.js starts the servers).'
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Jupyter server settings for a test server. */
export function jupyterSettings(
  baseUrl = testServers().jupyterUrl,
  token = testServers().jupyterToken
): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl,
    wsUrl: baseUrl.replace(/^http/, 'ws'),
    token,
    appendToken: true
  });
}

/** Makes requestAPI talk to the test Jupyter server (or `baseUrl`); returns its settings. */
export function useTestServer(baseUrl?: string): ServerConnection.ISettings {
  const settings = jupyterSettings(baseUrl);
  setServerSettings(settings);
  return settings;
}

/** Calls the registry directly as the admin, or with `token` (test setup and checks; the code under test uses the proxy). */
export function registryCall(
  method: string,
  route: string,
  body?: unknown,
  token?: string
): Promise<any> {
  const servers = testServers();
  const payload =
    body !== undefined ? Buffer.from(JSON.stringify(body)) : undefined;
  // Node's http, not fetch/XHR: jsdom would apply its CORS rules to the registry's other port.
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${servers.registryUrl}/api/v1/${route}`,
      {
        method,
        headers: {
          Authorization: `Bearer ${token ?? servers.adminToken}`,
          ...(payload
            ? {
                'Content-Type': 'application/json',
                'Content-Length': payload.length
              }
            : {})
        }
      },
      response => {
        const chunks: Buffer[] = [];
        response.on('data', c => chunks.push(c));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((response.statusCode ?? 500) >= 400) {
            reject(
              new Error(`${method} ${route} → ${response.statusCode} ${text}`)
            );
          } else {
            resolve(text ? JSON.parse(text) : null);
          }
        });
      }
    );
    request.on('error', reject);
    request.end(payload);
  });
}

let modelCounter = 0;

/** Creates an empty model with a fresh name (`prefix` + a unique suffix) in the test group; returns `group/name`. */
export async function freshModel(prefix: string): Promise<string> {
  const { group } = testServers();
  const name = `${prefix}${Date.now().toString(36)}${modelCounter++}`;
  await registryCall('POST', `models/${group}`, { name });
  return `${group}/${name}`;
}

/** A notebook session with a real Python kernel on the test Jupyter server; `stop` shuts it down. */
export async function startNotebookSession(
  serverSettings: ServerConnection.ISettings,
  notebookPath: string
): Promise<{ session: Session.ISessionConnection; stop: () => Promise<void> }> {
  const sessions = new SessionManager({
    kernelManager: new KernelManager({ serverSettings }),
    serverSettings
  });
  const session = await sessions.startNew({
    path: notebookPath,
    name: notebookPath.split('/').pop()!,
    type: 'notebook',
    kernel: { name: 'python3' }
  });
  return {
    session,
    stop: async () => {
      await session.shutdown();
      sessions.dispose();
    }
  };
}

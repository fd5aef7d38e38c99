// Galata end-to-end tests: a real registry, a real JupyterLab from the venv, Debian's Chromium.
// No browser download and no video (its ffmpeg download is impossible on these machines).
// Both servers get free loopback ports chosen here, before anything starts (E2E_REGISTRY_PORT and
// E2E_JUPYTER_PORT may be set to choose them; the suite refuses ports where something already answers).
const crypto = require('crypto');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');
const { assignPorts } = require('./ports');

// The workers load this file again; they inherit the ports and token the main process chose.
if (!process.env.E2E_PORTS_ASSIGNED) {
  assignPorts(['E2E_REGISTRY_PORT', 'E2E_JUPYTER_PORT']);
  process.env.E2E_ADMIN_TOKEN =
    process.env.E2E_ADMIN_TOKEN ||
    `mr_e2e_${crypto.randomBytes(16).toString('hex')}`;
  process.env.E2E_PORTS_ASSIGNED = '1';
}
const jupyterUrl = `http://127.0.0.1:${process.env.E2E_JUPYTER_PORT}`;

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
];

module.exports = {
  ...baseConfig,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }]
  ],
  timeout: 120000,
  workers: 1,
  retries: 0,
  outputDir: 'test-results',
  globalSetup: require.resolve('./e2e-registry.ts'),
  use: {
    ...baseConfig.use,
    baseURL: jupyterUrl,
    video: 'off',
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs }
  },
  webServer: {
    command: 'bash ./start-e2e-servers.sh',
    url: `${jupyterUrl}/lab`,
    timeout: 120000,
    reuseExistingServer: false,
    stdout: 'pipe'
  }
};

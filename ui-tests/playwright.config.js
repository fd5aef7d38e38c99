// Galata end-to-end tests: a real registry, a real JupyterLab from the venv, Debian's Chromium.
// No browser download and no video (its ffmpeg download is impossible on these machines).
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

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
  use: {
    ...baseConfig.use,
    baseURL: 'http://127.0.0.1:8899',
    video: 'off',
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs }
  },
  webServer: {
    command: 'bash ./start-e2e-servers.sh',
    url: 'http://127.0.0.1:8899/lab',
    timeout: 180000,
    reuseExistingServer: false,
    stdout: 'pipe'
  }
};

// The panel benchmark (bench/panel.bench.ts), run by hand through panel-bench.js, never by `npx playwright
// test` in ui-tests/ (its file name matches no spec pattern). Same browser, ports and JupyterLab as the
// end-to-end suite; the registry runs on the seeded sweep store that panel-servers.ts prepares.
const suite = require('../playwright.config');

module.exports = {
  ...suite,
  testDir: __dirname,
  testMatch: 'panel.bench.ts',
  reporter: [['list']],
  outputDir: '../test-results/bench',
  globalSetup: require.resolve('./panel-servers.ts'),
  webServer: undefined
};

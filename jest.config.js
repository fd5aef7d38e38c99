// Unit tests for the extension: jsdom, ts-jest, and a real registry server started by the tests
// and a Jupyter server with the extension (src/__tests__/setup/globalSetup.js). One worker only: the
// machine is shared.
const freePort = require('./src/__tests__/setup/freePort');
const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@lumino/',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = async () => {
  // The Jupyter server the tests talk to; jsdom's page lives on its origin so XHR is same-origin.
  if (!process.env.MODELREG_TEST_JUPYTER_PORT) {
    process.env.MODELREG_TEST_JUPYTER_PORT = String(await freePort());
  }
  const jupyterUrl = `http://127.0.0.1:${process.env.MODELREG_TEST_JUPYTER_PORT}/`;
  return {
    ...baseConfig,
    automock: false,
    maxWorkers: 1,
    roots: ['<rootDir>/src'],
    reporters: ['default'],
    testRegex: 'src/__tests__/.*\\.spec\\.tsx?$',
    testTimeout: 60000,
    globalSetup: '<rootDir>/src/__tests__/setup/globalSetup.js',
    globalTeardown: '<rootDir>/src/__tests__/setup/globalTeardown.js',
    testEnvironmentOptions: {
      ...(baseConfig.testEnvironmentOptions || {}),
      url: jupyterUrl
    },
    collectCoverageFrom: [
      'src/**/*.{ts,tsx}',
      '!src/**/*.d.ts',
      '!src/__tests__/**'
    ],
    transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
  };
};

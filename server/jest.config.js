/** Tests drive a real server process (dist/cli.js), so `npm test` builds first. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testTimeout: 60000,
  maxWorkers: 1
};

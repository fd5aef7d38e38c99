/** Stops the registry and the Jupyter servers (their whole process groups) that globalSetup started. */
const fs = require('fs');

module.exports = async function globalTeardown() {
  await globalThis.__modelregRegistry?.stop();
  const infoFile = process.env.MODELREG_TEST_INFO;
  if (!infoFile || !fs.existsSync(infoFile)) {
    return;
  }
  const info = JSON.parse(fs.readFileSync(infoFile, 'utf8'));
  for (const pid of info.pids) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (!process.env.MODELREG_TEST_KEEP) {
    fs.rmSync(info.work, { recursive: true, force: true });
  }
};

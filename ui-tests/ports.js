/**
 * Ports for the end-to-end servers, chosen before Playwright starts anything and passed on by
 * environment (Playwright's workers re-read the config file; they inherit the environment, so they
 * see the same ports). Synchronous because a Playwright config file is: a child node process binds
 * port 0 to find free ports, or checks that given ones are free.
 */
const { execFileSync } = require('child_process');

const PROBE = `
const net = require('net');
const wanted = JSON.parse(process.argv[1]);
function free() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}
function answers(port) {
  return new Promise(resolve => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}
(async () => {
  const result = {};
  for (const [name, given] of Object.entries(wanted)) {
    let port = Number(given) || 0;
    while (!port || Object.values(result).includes(port)) port = await free();
    result[name] = { port, busy: await answers(port) };
  }
  process.stdout.write(JSON.stringify(result));
})();
`;

/**
 * Sets each named environment variable to a free loopback port unless it is set already; throws
 * when something already answers on one of them, so the tests never run against a stray server.
 */
function assignPorts(names) {
  const wanted = Object.fromEntries(
    names.map(name => [name, process.env[name] || ''])
  );
  const found = JSON.parse(
    execFileSync(process.execPath, ['-e', PROBE, JSON.stringify(wanted)], {
      encoding: 'utf8'
    })
  );
  for (const [name, { port, busy }] of Object.entries(found)) {
    if (busy) {
      throw new Error(
        `Something already answers on 127.0.0.1:${port} (${name}); the end-to-end suite refuses to use it. ` +
          `Stop that process, or unset ${name} to let the suite pick a free port.`
      );
    }
    process.env[name] = String(port);
  }
}

module.exports = { assignPorts };

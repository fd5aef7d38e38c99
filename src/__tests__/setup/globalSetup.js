/**
 * Starts, once per jest run, a real registry server (seeded with a small model) and a real Jupyter
 * server with the jupyterlab_modelreg server extension pointed at it. The tests then go through the
 * same path as the browser: axios → Jupyter's /modelreg proxy → registry.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const freePort = require('./freePort');
// The project's one registry launcher (TypeScript; jest transpiles what globalSetup requires).
const { spawnRegistry } = require('../../../server/test/support/registry');

const REPO = path.resolve(__dirname, '../../..');
const STARTUP_MS = 120000; // Jupyter servers; the registry launcher has its own 30 s

function jupyterCommand() {
  const venv = path.join(REPO, '.venv', 'bin', 'jupyter');
  return (
    process.env.MODELREG_TEST_JUPYTER ||
    (fs.existsSync(venv) ? venv : 'jupyter')
  );
}

async function waitFor(url, check, child, what) {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `${what} exited early (code ${child.exitCode}); see ${child.logFile}`
      );
    }
    try {
      const response = await fetch(url);
      if (await check(response)) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} did not start within ${STARTUP_MS / 1000}s; see ${child.logFile}`
      );
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

const children = [];

function start(command, args, options, logFile) {
  const log = fs.openSync(logFile, 'w');
  const child = spawn(command, args, {
    ...options,
    stdio: ['ignore', log, log],
    detached: true
  });
  child.logFile = logFile;
  children.push(child);
  return child;
}

function stopAll() {
  globalThis.__modelregRegistry?.stop();
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** Calls the registry directly with the admin token (setup only). */
function registryClient(url, token) {
  return async (method, route, body, raw) => {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (raw !== undefined) {
      headers['Content-Type'] = 'application/octet-stream';
    }
    const response = await fetch(`${url}/api/v1/${route}`, {
      method,
      headers,
      body:
        raw !== undefined
          ? raw
          : body !== undefined
            ? JSON.stringify(body)
            : undefined
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${route} → ${response.status} ${text}`);
    }
    return text ? JSON.parse(text) : null;
  };
}

/** Two candidates with params, metric histories and files; the first promoted to 1.0.0. */
async function seed(call) {
  const group = `jest${crypto.randomBytes(4).toString('hex')}`;
  await call('POST', 'groups', { name: group, visibility: 'private' });
  const model = `${group}/churn`;
  await call('POST', `models/${group}`, {
    name: 'churn',
    description:
      '# Churn model\n\nPredicts **churn**.<script>window.__pwned = true</script>',
    metadata: {
      framework: 'sklearn',
      task: 'classification',
      metric_goals: { logloss: 'min' }
    }
  });
  const candidates = [];
  for (const [name, depth, aucs, loss, weights] of [
    ['xgb-depth4', '4', [0.7, 0.8, 0.85], 0.4, 'weights-A'],
    ['xgb-depth6', '6', [0.72, 0.83, 0.9], 0.3, 'weights-B']
  ]) {
    const c = await call('POST', `models/${model}/candidates`, {
      name,
      experiment: 'tuning',
      params: { max_depth: depth, lr: '0.1' },
      provenance: {
        notebook: { path: 'work/train.ipynb' },
        git: { commit: 'abcdef1234567890' }
      }
    });
    await call('POST', `models/${model}/candidates/${c.iid}/metrics`, [
      ...aucs.map((value, step) => ({ key: 'auc', value, step })),
      { key: 'logloss', value: loss, step: 0 }
    ]);
    await call(
      'PUT',
      `models/${model}/candidates/${c.iid}/artifacts/model.pkl`,
      undefined,
      Buffer.from(weights)
    );
    await call(
      'PUT',
      `models/${model}/candidates/${c.iid}/artifacts/plots/roc.txt`,
      undefined,
      Buffer.from('roc')
    );
    if (name === 'xgb-depth6') {
      await call(
        'PUT',
        `models/${model}/candidates/${c.iid}/artifacts/extra.txt`,
        undefined,
        Buffer.from('x')
      );
    }
    await call('PATCH', `models/${model}/candidates/${c.iid}`, {
      status: 'finished'
    });
    candidates.push(c.iid);
  }
  await call('POST', `models/${model}/versions`, {
    version: '1.0.0',
    candidate: candidates[0],
    notes: 'First release'
  });
  await call('PUT', `models/${model}/aliases/production`, { version: '1.0.0' });
  return { group, model, candidates };
}

function startJupyter(work, name, port, token, env, extraArgs = []) {
  return start(
    jupyterCommand(),
    [
      'server',
      '--no-browser',
      `--port=${port}`,
      '--port-retries=0',
      '--ServerApp.ip=127.0.0.1',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${path.join(work, 'notebooks')}`,
      '--ServerApp.allow_root=True',
      '--ServerApp.jpserver_extensions=jupyterlab_modelreg=True',
      ...extraArgs
    ],
    {
      cwd: work,
      env: {
        ...process.env,
        ...env,
        MODELREG_CACHE: path.join(work, 'cache'),
        MODELREG_DISABLE_PROGRESS: '1',
        XDG_CONFIG_HOME: path.join(work, 'xdg')
      }
    },
    path.join(work, `${name}.log`)
  );
}

module.exports = async function globalSetup() {
  if (process.env.MODELREG_TEST_SERVERS === '0') {
    return; // pure unit tests only; tests that need the servers fail with a clear message
  }
  try {
    await startServers();
  } catch (error) {
    stopAll();
    throw error;
  }
};

async function startServers() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-jest-'));
  const jupyterPort = Number(process.env.MODELREG_TEST_JUPYTER_PORT);
  const jupyterToken = crypto.randomBytes(16).toString('hex');

  const adminToken = `mr_jest_${crypto.randomBytes(16).toString('hex')}`;
  const registry = await spawnRegistry({
    dataDir: path.join(work, 'data'),
    logFile: path.join(work, 'registry.log'),
    env: { MODELREG_ADMIN_TOKEN: adminToken, MODELREG_DATABASE_URL: '' },
    // The machine is shared and loaded: a start takes far longer than the default 30 s there.
    startTimeoutMs: 180000
  });
  // globalTeardown runs in this process and stops it.
  globalThis.__modelregRegistry = registry;
  const registryUrl = registry.url;
  const seeded = await seed(registryClient(registryUrl, adminToken));

  fs.mkdirSync(path.join(work, 'notebooks'));
  const jupyter = startJupyter(work, 'jupyter', jupyterPort, jupyterToken, {
    MODELREG_URL: registryUrl,
    MODELREG_TOKEN: adminToken
  });
  // A second Jupyter server whose registry is down, for the "unreachable" states.
  const downPort = await freePort();
  const down = startJupyter(
    work,
    'jupyter-down',
    downPort,
    jupyterToken,
    { MODELREG_URL: 'http://127.0.0.1:9', MODELREG_TOKEN: 'unused' },
    ['--ServerApp.allow_origin=*'] // jsdom's page is on the other server's origin
  );
  const statusOf = port =>
    `http://127.0.0.1:${port}/modelreg/status?token=${jupyterToken}`;
  await Promise.all([
    waitFor(
      statusOf(jupyterPort),
      async r => r.ok && (await r.json()).reachable === true,
      jupyter,
      'the Jupyter server'
    ),
    waitFor(
      statusOf(downPort),
      async r => r.ok,
      down,
      'the second Jupyter server'
    )
  ]);

  const info = {
    work,
    registryUrl,
    adminToken,
    jupyterUrl: `http://127.0.0.1:${jupyterPort}/`,
    jupyterToken,
    downJupyterUrl: `http://127.0.0.1:${downPort}/`,
    pids: [jupyter.pid, down.pid],
    ...seeded
  };
  const infoFile = path.join(work, 'info.json');
  fs.writeFileSync(infoFile, JSON.stringify(info, null, 2));
  process.env.MODELREG_TEST_INFO = infoFile;
}

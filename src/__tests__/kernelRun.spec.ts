/**
 * "Log as candidate" end to end below the UI: a real kernel on the test Jupyter server runs the
 * Python client's hook, which uploads to the real registry, and we follow its iopub events.
 */
import * as fs from 'fs';
import * as path from 'path';
import { KernelManager, Session, SessionManager } from '@jupyterlab/services';

import { inspectKernel, logNotebookInKernel } from '../kernelHook';
import { registryCall, testServers, useTestServer } from './servers';

const NOTEBOOK = {
  cells: [],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5
};

describe('logNotebookInKernel with a real kernel', () => {
  const servers = testServers();
  let sessions: SessionManager;
  let session: Session.ISessionConnection;

  beforeAll(async () => {
    const serverSettings = useTestServer();
    const folder = path.join(servers.work, 'notebooks', 'lab');
    fs.mkdirSync(path.join(folder, 'plots'), { recursive: true });
    fs.writeFileSync(
      path.join(folder, 'train.ipynb'),
      JSON.stringify(NOTEBOOK)
    );
    fs.writeFileSync(path.join(folder, 'model.pkl'), 'pretend weights');
    fs.writeFileSync(path.join(folder, 'plots', 'roc.txt'), 'roc');
    const kernels = new KernelManager({ serverSettings });
    sessions = new SessionManager({ kernelManager: kernels, serverSettings });
    session = await sessions.startNew({
      path: 'lab/train.ipynb',
      name: 'train.ipynb',
      type: 'notebook',
      kernel: { name: 'python3' }
    });
  }, 120000);

  afterAll(async () => {
    await session?.shutdown();
    sessions?.dispose();
  });

  it('creates the candidate, uploads the files and the notebook, and reports progress', async () => {
    const model = `${servers.group}/from-kernel`;
    const progress: string[] = [];
    const candidate = await logNotebookInKernel(
      session.kernel,
      {
        model,
        name: 'train',
        notebook_path: 'lab/train.ipynb',
        files: ['model.pkl', 'plots/'],
        attach_notebook: true,
        attach_environment: true,
        experiment: 'jest'
      },
      event => progress.push(event.stage)
    );
    expect(candidate.name).toBe('train');
    expect(candidate.model).toBe(model);
    expect(progress).toContain('upload');
    const files: { path: string }[] = (
      await registryCall(
        'GET',
        `models/${model}/candidates/${candidate.iid}/artifacts`
      )
    ).items;
    expect(files.map(f => f.path).sort()).toEqual([
      'environment/requirements.txt',
      'model.pkl',
      'notebook/train.ipynb',
      'plots/roc.txt'
    ]);
    const stored = await registryCall(
      'GET',
      `models/${model}/candidates/${candidate.iid}`
    );
    expect(stored.provenance.notebook.path).toBe('lab/train.ipynb');
    expect(stored.provenance.environment.python).toBeTruthy();
  }, 120000);

  it('inspects the kernel: a model trained with no modelreg code, and its metric', async () => {
    const trained = session.kernel!.requestExecute({
      code: [
        'from sklearn.datasets import load_iris',
        'from sklearn.tree import DecisionTreeClassifier',
        'X, y = load_iris(return_X_y=True)',
        'clf = DecisionTreeClassifier(max_depth=2).fit(X, y)',
        'accuracy = clf.score(X, y)'
      ].join('\n')
    });
    await trained.done;
    const found = await inspectKernel(session.kernel);
    expect(found.models[0]).toMatchObject({
      variable: 'clf',
      flavor: 'sklearn',
      library: 'scikit-learn'
    });
    expect(found.models[0].params).toMatchObject({ max_depth: 2 });
    expect(found.metrics.map(m => m.name)).toContain('accuracy');
  }, 120000);

  it('turns the hook error event into a ModelregError with its code', async () => {
    const attempt = logNotebookInKernel(session.kernel, {
      model: `${servers.group}/from-kernel`,
      name: 'missing-file',
      notebook_path: 'lab/train.ipynb',
      files: ['does-not-exist.pkl'],
      attach_notebook: false,
      attach_environment: false
    });
    await expect(attempt).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const error = await attempt.catch(e => e);
    expect(error.message).toContain('does-not-exist.pkl');
  }, 120000);
});

import { execFileSync } from 'child_process';
import { KernelMessage } from '@jupyterlab/services';

import {
  eventsOf,
  inspectCode,
  inspectKernel,
  INSPECTION_TIMEOUT_MS,
  logNotebookCode,
  logNotebookInKernel
} from '../kernelHook';
import { MODELREG_EVENT_MIME } from '../kernelEvents';

const args = {
  model: 'acme/churn',
  name: 'it\'s "quoted"\nand multi-line',
  notebook_path: 'work/train.ipynb',
  files: ['model.pkl', 'plots/'],
  attach_notebook: true,
  attach_environment: false,
  experiment: null
};

function iopub(msg_type: string, content: any): KernelMessage.IIOPubMessage {
  return {
    header: { msg_type },
    content
  } as unknown as KernelMessage.IIOPubMessage;
}

describe('logNotebookCode', () => {
  it('is valid Python that passes the arguments through JSON unchanged', () => {
    // Replace the hook with a stub that prints its kwargs, and run the generated code for real.
    const code = logNotebookCode(args);
    const stub = [
      'import sys, types, json',
      'jupyter = types.ModuleType("modelreg.jupyter")',
      'jupyter.log_notebook = lambda **kw: print(json.dumps(kw))',
      'pkg = types.ModuleType("modelreg"); pkg.jupyter = jupyter',
      'sys.modules["modelreg"] = pkg; sys.modules["modelreg.jupyter"] = jupyter'
    ].join('\n');
    const out = execFileSync('python3', ['-c', `${stub}\n${code}`], {
      encoding: 'utf8'
    });
    expect(JSON.parse(out)).toEqual(args);
  });
});

describe('logNotebookCode without the client', () => {
  it('reports MODELREG_NOT_INSTALLED as an event instead of raising', () => {
    const stub = [
      'import sys, types, json',
      'sys.modules["modelreg"] = None  # makes "import modelreg" fail like a missing package',
      'display_mod = types.ModuleType("IPython.display")',
      'display_mod.display = lambda obj, raw=False: print(json.dumps(obj))',
      'ipython = types.ModuleType("IPython"); ipython.display = display_mod',
      'sys.modules["IPython"] = ipython; sys.modules["IPython.display"] = display_mod'
    ].join('\n');
    const out = execFileSync(
      'python3',
      ['-c', `${stub}\n${logNotebookCode(args)}`],
      {
        encoding: 'utf8'
      }
    );
    const shown = JSON.parse(out);
    expect(shown[MODELREG_EVENT_MIME]).toMatchObject({
      event: 'error',
      code: 'MODELREG_NOT_INSTALLED'
    });
  });
});

describe('eventsOf', () => {
  it('reads events from display data', () => {
    const event = {
      event: 'progress',
      stage: 'upload',
      message: 'Uploading model.pkl',
      done: 1,
      total: 3
    };
    expect(
      eventsOf(
        iopub('display_data', { data: { [MODELREG_EVENT_MIME]: event } })
      )
    ).toEqual([event]);
  });

  it('reads MODELREG_EVENT lines from stream output', () => {
    const text =
      'noise\nMODELREG_EVENT {"event": "error", "code": "NOT_FOUND", "message": "m"}\n';
    expect(eventsOf(iopub('stream', { name: 'stdout', text }))).toEqual([
      { event: 'error', code: 'NOT_FOUND', message: 'm' }
    ]);
  });

  it('ignores other output', () => {
    expect(
      eventsOf(iopub('display_data', { data: { 'text/plain': 'x' } }))
    ).toEqual([]);
    expect(eventsOf(iopub('status', { execution_state: 'idle' }))).toEqual([]);
  });
});

describe('logNotebookInKernel without a kernel', () => {
  it('says to pick a kernel', async () => {
    await expect(logNotebookInKernel(null, args)).rejects.toMatchObject({
      code: 'NO_KERNEL'
    });
  });
});

describe('inspectKernel before the dialog opens', () => {
  it('runs the inspection through the same not-installed guard', () => {
    expect(inspectCode()).toContain('modelreg.jupyter.report_inspection()');
    expect(inspectCode()).toContain('MODELREG_NOT_INSTALLED');
  });

  it('says a non-Python kernel cannot log, and how to fix it', async () => {
    const rKernel = { info: Promise.resolve({ language_info: { name: 'R' } }) };
    const attempt = inspectKernel(rKernel as any);
    await expect(attempt).rejects.toMatchObject({ code: 'UNSUPPORTED_KERNEL' });
    await expect(attempt).rejects.toThrow(
      /runs R.*Change Kernel.*%pip install modelreg/
    );
  });

  it('gives up on a kernel that does not answer instead of hanging', async () => {
    jest.useFakeTimers();
    try {
      const silent = { info: new Promise(() => undefined) };
      const attempt = inspectKernel(silent as any);
      const settled = expect(attempt).rejects.toMatchObject({
        code: 'KERNEL_BUSY'
      });
      await jest.advanceTimersByTimeAsync(INSPECTION_TIMEOUT_MS + 1);
      await settled;
    } finally {
      jest.useRealTimers();
    }
  });
});

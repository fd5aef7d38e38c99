/**
 * Runs the Python client's kernel hook in a notebook's kernel and follows its events
 * (docs/jupyter-hook.md): `modelreg.jupyter.report_inspection()` to see what the kernel holds, then
 * `modelreg.jupyter.log_notebook(...)` to log it. The kernel saves the models and does the uploads
 * because only it can read them; the browser only watches the iopub stream.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { ModelregError } from './errors';
import {
  CLIENT_INSTALL_COMMAND,
  IKernelInspection,
  KernelHookEvent,
  MODELREG_EVENT_MIME
} from './kernelEvents';
import { BackgroundUploads, IBackgroundUpload } from './backgroundUploads';
import { ICandidate } from './registryTypes';

/** The keyword arguments of `log_notebook`. */
export interface ILogNotebookArgs {
  model: string;
  name: string;
  notebook_path: string;
  files: string[];
  attach_notebook: boolean;
  attach_environment: boolean;
  experiment?: string | null;
  /** Variable names of the models to save; `'auto'`: every model the kernel holds. */
  models?: string[] | 'auto' | null;
  /** Metric names as the inspection reported them; `'auto'`: all. */
  metrics?: string[] | 'auto' | null;
  /** Figure names; `'auto'`: all. */
  figures?: string[] | 'auto' | null;
  /** Return once the candidate is open and upload its files in a kernel thread. */
  background?: boolean;
}

/** How long the inspection may take before the dialog opens without it (a cell may be running). */
export const INSPECTION_TIMEOUT_MS = 10000;

/** Prefix of the event lines the hook prints when it runs outside IPython. */
const EVENT_LINE_PREFIX = 'MODELREG_EVENT ';

/**
 * Wraps one call of `modelreg.jupyter` so that a kernel without the client reports
 * `MODELREG_NOT_INSTALLED` as an event instead of a traceback.
 */
function hookCode(call: string): string {
  return [
    'def _modelreg_hook():',
    '    import json',
    '    try:',
    '        import modelreg.jupyter',
    '    except ImportError as error:',
    '        from IPython.display import display',
    `        display({${JSON.stringify(MODELREG_EVENT_MIME)}: {"event": "error", "code": "MODELREG_NOT_INSTALLED", "message": str(error)}}, raw=True)`,
    '        return',
    `    ${call}`,
    '_modelreg_hook()',
    'del _modelreg_hook'
  ].join('\n');
}

/**
 * The code sent to the kernel. Arguments travel as one JSON string literal (a JSON string is a valid
 * Python string literal), so no user value is ever pasted into code.
 */
export function logNotebookCode(args: ILogNotebookArgs): string {
  const literal = JSON.stringify(JSON.stringify(args));
  return hookCode(`modelreg.jupyter.log_notebook(**json.loads(${literal}))`);
}

/** The code that asks the kernel what it holds. */
export function inspectCode(): string {
  return hookCode('modelreg.jupyter.report_inspection()');
}

/** The events found in one iopub message. */
export function eventsOf(msg: KernelMessage.IIOPubMessage): KernelHookEvent[] {
  const type = msg.header.msg_type;
  if (
    type === 'display_data' ||
    type === 'update_display_data' ||
    type === 'execute_result'
  ) {
    const data = (msg.content as KernelMessage.IDisplayDataMsg['content']).data;
    const event = data?.[MODELREG_EVENT_MIME];
    return event ? [event as unknown as KernelHookEvent] : [];
  }
  if (type === 'stream') {
    const text = (msg.content as KernelMessage.IStreamMsg['content']).text;
    return text
      .split('\n')
      .filter(line => line.startsWith(EVENT_LINE_PREFIX))
      .map(line => {
        try {
          return JSON.parse(
            line.slice(EVENT_LINE_PREFIX.length)
          ) as KernelHookEvent;
        } catch {
          return null;
        }
      })
      .filter((e): e is KernelHookEvent => e !== null);
  }
  return [];
}

function notInstalled(detail: string, trans: TranslationBundle): ModelregError {
  return new ModelregError(
    'MODELREG_NOT_INSTALLED',
    trans.__(
      "This notebook's kernel cannot import the modelreg client (%1). Install it in the kernel's environment with `%2` (or `pip install -e python_client` from the modelreg checkout), restart the kernel and try again.",
      detail,
      CLIENT_INSTALL_COMMAND
    )
  );
}

function timeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => ModelregError
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function busy(trans: TranslationBundle): ModelregError {
  return new ModelregError(
    'KERNEL_BUSY',
    trans.__(
      'The kernel did not answer within %1 s: a cell is probably still running. Wait for it to finish (or interrupt it), then try again.',
      Math.round(INSPECTION_TIMEOUT_MS / 1000)
    )
  );
}

/**
 * A kernel that can run the hook: present and Python.
 *
 * @throws {ModelregError} `NO_KERNEL`, `UNSUPPORTED_KERNEL` or `KERNEL_BUSY` (no kernel info in time).
 */
async function pythonKernel(
  kernel: Kernel.IKernelConnection | null | undefined,
  trans: TranslationBundle
): Promise<Kernel.IKernelConnection> {
  if (!kernel) {
    throw new ModelregError(
      'NO_KERNEL',
      trans.__(
        'This notebook has no running kernel. Select a Python kernel (Kernel › Change Kernel…), run the cells that train your model, then log it again.'
      )
    );
  }
  const info = await timeout(kernel.info, INSPECTION_TIMEOUT_MS, () =>
    busy(trans)
  );
  const language = info?.language_info?.name ?? '';
  if (language && language.toLowerCase() !== 'python') {
    throw new ModelregError(
      'UNSUPPORTED_KERNEL',
      trans.__(
        "Logging a candidate needs a Python kernel with the modelreg client; this notebook's kernel runs %1. Switch it with Kernel › Change Kernel… to a Python kernel, run `%2` there, and run your training cells again.",
        language,
        CLIENT_INSTALL_COMMAND
      )
    );
  }
  return kernel;
}

/**
 * Executes hook `code` (outside the notebook's history) and hands each event to `onEvent`.
 *
 * @throws {ModelregError} the hook's error event (`MODELREG_NOT_INSTALLED` with the fix), or
 * `KERNEL_ERROR` for a traceback.
 */
async function runHook(
  kernel: Kernel.IKernelConnection,
  code: string,
  onEvent: (event: KernelHookEvent) => void,
  trans: TranslationBundle
): Promise<void> {
  let failure: ModelregError | null = null;
  let traceback: { ename: string; evalue: string } | null = null;
  const future = kernel.requestExecute(
    { code, silent: false, store_history: false, stop_on_error: true },
    true
  );
  future.onIOPub = msg => {
    if (msg.header.msg_type === 'error') {
      const content = msg.content as KernelMessage.IErrorMsg['content'];
      traceback = { ename: content.ename, evalue: content.evalue };
      return;
    }
    for (const event of eventsOf(msg)) {
      if (event.event === 'error') {
        failure =
          event.code === 'MODELREG_NOT_INSTALLED'
            ? notInstalled(event.message, trans)
            : new ModelregError(event.code, event.message);
      } else {
        onEvent(event);
      }
    }
  };
  await future.done;
  if (failure) {
    throw failure;
  }
  const error = traceback as { ename: string; evalue: string } | null;
  if (error) {
    if (
      error.ename === 'ModuleNotFoundError' ||
      error.ename === 'ImportError'
    ) {
      throw notInstalled(error.evalue, trans);
    }
    throw new ModelregError(
      'KERNEL_ERROR',
      trans.__(
        'The kernel failed while running modelreg: %1: %2',
        error.ename,
        error.evalue
      )
    );
  }
}

/**
 * Asks the kernel what it holds: trained models, metrics, figures (`modelreg.jupyter.inspect()`).
 * Gives up after {@link INSPECTION_TIMEOUT_MS}, so the dialog never hangs on a busy kernel.
 *
 * @throws {ModelregError} `NO_KERNEL`, `UNSUPPORTED_KERNEL`, `MODELREG_NOT_INSTALLED`, `KERNEL_BUSY`,
 * `INSPECTION_FAILED`, `KERNEL_ERROR` or `KERNEL_HOOK_NO_RESULT` (a client without `inspect`).
 */
export async function inspectKernel(
  kernel: Kernel.IKernelConnection | null | undefined,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_modelreg')
): Promise<IKernelInspection> {
  const ready = await pythonKernel(kernel, trans);
  let found: IKernelInspection | null = null;
  const run = runHook(
    ready,
    inspectCode(),
    event => {
      if (event.event === 'inspection') {
        found = event;
      }
    },
    trans
  );
  await timeout(run, INSPECTION_TIMEOUT_MS, () => busy(trans));
  if (!found) {
    throw new ModelregError(
      'KERNEL_HOOK_NO_RESULT',
      trans.__(
        'The kernel did not report what it holds: its modelreg client is too old. Run `%1` in the notebook, restart the kernel and try again.',
        `${CLIENT_INSTALL_COMMAND} --upgrade`
      )
    );
  }
  return found;
}

/**
 * Runs `log_notebook` in `kernel`, calling `onProgress` for each progress event.
 *
 * @returns the candidate the hook created or completed.
 * @throws {ModelregError} `NO_KERNEL`, `UNSUPPORTED_KERNEL`, `MODELREG_NOT_INSTALLED`, the hook's
 * error code (e.g. `PERMISSION_DENIED`), `KERNEL_ERROR` or `KERNEL_HOOK_NO_RESULT`.
 */
export async function logNotebookInKernel(
  kernel: Kernel.IKernelConnection | null | undefined,
  args: ILogNotebookArgs,
  onProgress: (
    event: Extract<KernelHookEvent, { event: 'progress' }>
  ) => void = () => undefined,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_modelreg')
): Promise<ICandidate> {
  const ready = await pythonKernel(kernel, trans);
  let result: ICandidate | null = null;
  await runHook(
    ready,
    logNotebookCode(args),
    event => {
      if (event.event === 'progress') {
        onProgress(event);
      } else if (event.event === 'result') {
        result = event.candidate;
      }
    },
    trans
  );
  if (result) {
    return result;
  }
  throw new ModelregError(
    'KERNEL_HOOK_NO_RESULT',
    trans.__(
      'The kernel finished without reporting a candidate. Update the modelreg client in the kernel and try again.'
    )
  );
}

/**
 * Runs `log_notebook(..., background=True)` in `kernel`: the kernel saves the models and opens the
 * candidate, then returns at once (cells can run) while a thread uploads the files; `uploads`
 * follows that thread's progress and end.
 *
 * @returns the upload, as `uploads` follows it.
 * @throws {ModelregError} as {@link logNotebookInKernel}, for what fails before the upload starts.
 */
export async function startBackgroundLog(
  kernel: Kernel.IKernelConnection | null | undefined,
  args: ILogNotebookArgs,
  uploads: BackgroundUploads,
  options: Omit<Parameters<BackgroundUploads['start']>[1], 'kernel'> = {
    model: args.model
  },
  trans: TranslationBundle = nullTranslator.load('jupyterlab_modelreg')
): Promise<IBackgroundUpload> {
  const ready = await pythonKernel(kernel, trans);
  uploads.listen(ready);
  let started: IBackgroundUpload | null = null;
  await runHook(
    ready,
    logNotebookCode({ ...args, background: true }),
    event => {
      // Synchronously, before the thread's first comm message is handled.
      if (event.event === 'upload-started') {
        started = uploads.start(event, { ...options, kernel: ready });
      }
    },
    trans
  );
  if (started) {
    return started;
  }
  throw new ModelregError(
    'KERNEL_HOOK_NO_RESULT',
    trans.__(
      'The kernel did not start a background upload: its modelreg client is too old. Run `%1` in the notebook, restart the kernel and try again.',
      `${CLIENT_INSTALL_COMMAND} --upgrade`
    )
  );
}

/**
 * Runs the Python client's kernel hook, `modelreg.jupyter.log_notebook(...)`, in a notebook's kernel
 * and follows its events (docs/jupyter-hook.md). The kernel does the uploads because only it can
 * read the files; the browser only watches the iopub stream.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import {
  CLIENT_INSTALL_COMMAND,
  ICandidate,
  KernelHookEvent,
  MODELREG_EVENT_MIME,
  ModelregError
} from './tokens';

/** The keyword arguments of `log_notebook`. */
export interface ILogNotebookArgs {
  model: string;
  name: string;
  notebook_path: string;
  files: string[];
  attach_notebook: boolean;
  attach_environment: boolean;
  experiment?: string | null;
}

/** Prefix of the event lines the hook prints when it runs outside IPython. */
const EVENT_LINE_PREFIX = 'MODELREG_EVENT ';

/**
 * The code sent to the kernel. Arguments travel as one JSON string literal (a JSON string is a valid
 * Python string literal), so no user value is ever pasted into code.
 */
export function logNotebookCode(args: ILogNotebookArgs): string {
  const literal = JSON.stringify(JSON.stringify(args));
  return [
    'def _modelreg_log_notebook():',
    '    import json',
    '    try:',
    '        import modelreg.jupyter',
    '    except ImportError as error:',
    '        from IPython.display import display',
    `        display({${JSON.stringify(MODELREG_EVENT_MIME)}: {"event": "error", "code": "MODELREG_NOT_INSTALLED", "message": str(error)}}, raw=True)`,
    '        return',
    `    modelreg.jupyter.log_notebook(**json.loads(${literal}))`,
    '_modelreg_log_notebook()',
    'del _modelreg_log_notebook'
  ].join('\n');
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
  if (!kernel) {
    throw new ModelregError(
      'NO_KERNEL',
      trans.__(
        'This notebook has no running kernel. Select a Python kernel (Kernel › Change Kernel…), run the cells that train your model, then log it again.'
      )
    );
  }
  const info = await kernel.info;
  const language = info?.language_info?.name ?? '';
  if (language && language.toLowerCase() !== 'python') {
    throw new ModelregError(
      'UNSUPPORTED_KERNEL',
      trans.__(
        "Logging a candidate needs a Python kernel with the modelreg client; this notebook's kernel runs %1.",
        language
      )
    );
  }
  let result: ICandidate | null = null;
  let failure: ModelregError | null = null;
  let traceback: { ename: string; evalue: string } | null = null;
  const future = kernel.requestExecute(
    {
      code: logNotebookCode(args),
      silent: false,
      store_history: false,
      stop_on_error: true
    },
    true
  );
  future.onIOPub = msg => {
    if (msg.header.msg_type === 'error') {
      const content = msg.content as KernelMessage.IErrorMsg['content'];
      traceback = { ename: content.ename, evalue: content.evalue };
      return;
    }
    for (const event of eventsOf(msg)) {
      if (event.event === 'progress') {
        onProgress(event);
      } else if (event.event === 'result') {
        result = event.candidate;
      } else if (event.event === 'error') {
        failure =
          event.code === 'MODELREG_NOT_INSTALLED'
            ? notInstalled(event.message, trans)
            : new ModelregError(event.code, event.message);
      }
    }
  };
  await future.done;
  if (failure) {
    throw failure;
  }
  if (result) {
    return result;
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
        'The kernel failed while logging the notebook: %1: %2',
        error.ename,
        error.evalue
      )
    );
  }
  throw new ModelregError(
    'KERNEL_HOOK_NO_RESULT',
    trans.__(
      'The kernel finished without reporting a candidate. Update the modelreg client in the kernel and try again.'
    )
  );
}

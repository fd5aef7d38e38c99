/**
 * "Promote" with "Tag in git": the promotion runs in the notebook's kernel, because only the
 * kernel sits in the notebook's git repository. `Candidate.promote(git_tag=True)` refuses a dirty
 * tree or an existing tag before anything is promoted (docs/ci.md).
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { ModelregError } from './errors';
import { CLIENT_INSTALL_COMMAND, MODELREG_EVENT_MIME } from './kernelEvents';
import { BumpPart, IVersion } from './registryTypes';

export interface IKernelPromoteArgs {
  model: string;
  candidate: number;
  /** Exactly one of `version` and `bump`, as in POST .../versions. */
  version?: string;
  bump?: BumpPart;
  notes: string;
}

/** The code sent to the kernel; the arguments travel as one JSON string literal, never as code. */
export function kernelPromoteCode(args: IKernelPromoteArgs): string {
  const literal = JSON.stringify(JSON.stringify(args));
  const mime = JSON.stringify(MODELREG_EVENT_MIME);
  return [
    'def _modelreg_promote():',
    '    import json',
    '    from IPython.display import display',
    `    args = json.loads(${literal})`,
    '    try:',
    '        import modelreg',
    '    except ImportError as error:',
    `        display({${mime}: {"event": "error", "code": "MODELREG_NOT_INSTALLED", "message": str(error)}}, raw=True)`,
    '        return',
    '    try:',
    '        version = modelreg.Registry().promote(args["model"], args["candidate"], args.get("version"),',
    '                                              bump=args.get("bump"), notes=args["notes"] or None,',
    '                                              git_tag=True)',
    '    except modelreg.RegistryError as error:',
    `        display({${mime}: {"event": "error", "code": error.code, "message": error.message}}, raw=True)`,
    '        return',
    `    display({${mime}: {"event": "result", "version": version}}, raw=True)`,
    '_modelreg_promote()',
    'del _modelreg_promote'
  ].join('\n');
}

/**
 * Promotes and tags in `kernel`.
 *
 * @returns the version, with its `git_tag`.
 * @throws {ModelregError} `NO_KERNEL`, `MODELREG_NOT_INSTALLED`, the client's code (e.g.
 * `VALIDATION_ERROR` for a dirty tree, `TAG_EXISTS`), or `KERNEL_ERROR`.
 */
export async function promoteInKernel(
  kernel: Kernel.IKernelConnection | null | undefined,
  args: IKernelPromoteArgs,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_modelreg')
): Promise<IVersion> {
  if (!kernel) {
    throw new ModelregError(
      'NO_KERNEL',
      trans.__(
        'Tagging in git runs in a notebook kernel, in the notebook’s repository: open a notebook of that repository with a running Python kernel, or promote without the tag.'
      )
    );
  }
  let result: IVersion | null = null;
  let failure: ModelregError | null = null;
  let traceback: string | null = null;
  const future = kernel.requestExecute(
    {
      code: kernelPromoteCode(args),
      silent: false,
      store_history: false,
      stop_on_error: true
    },
    true
  );
  future.onIOPub = msg => {
    const type = msg.header.msg_type;
    if (type === 'error') {
      const content = msg.content as KernelMessage.IErrorMsg['content'];
      traceback = `${content.ename}: ${content.evalue}`;
    } else if (type === 'display_data') {
      const data = (msg.content as KernelMessage.IDisplayDataMsg['content'])
        .data;
      const event = data?.[MODELREG_EVENT_MIME] as unknown as
        | { event: string; version?: IVersion; code?: string; message?: string }
        | undefined;
      if (event?.event === 'result' && event.version) {
        result = event.version;
      } else if (event?.event === 'error') {
        failure =
          event.code === 'MODELREG_NOT_INSTALLED'
            ? new ModelregError(
                'MODELREG_NOT_INSTALLED',
                trans.__(
                  "The notebook's kernel cannot import the modelreg client (%1); install it with `%2`.",
                  event.message ?? '',
                  CLIENT_INSTALL_COMMAND
                )
              )
            : new ModelregError(event.code ?? 'ERROR', event.message ?? '');
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
  throw new ModelregError(
    'KERNEL_ERROR',
    trans.__(
      'The kernel did not report the promotion: %1',
      traceback ?? trans.__('no result')
    )
  );
}

/**
 * Uploads a notebook's own code starts in the background (`log_notebook(..., background=True)` in a
 * cell) show in the Uploads section like the ones "Log as candidate" starts. The kernel opens the
 * upload's comm in the cell, so every notebook kernel needs the comm target before any cell runs (an
 * unknown target is closed at once); the `upload-started` event the cell displays names the upload.
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { Kernel } from '@jupyterlab/services';

import { BackgroundUploads } from './backgroundUploads';
import { eventsOf } from './kernelHook';

/** Follows the background uploads of every notebook's kernel, now and as kernels change. */
export function followNotebookUploads(
  notebooks: INotebookTracker,
  uploads: BackgroundUploads
): void {
  const followed = new WeakSet<Kernel.IKernelConnection>();
  const follow = (kernel: Kernel.IKernelConnection | null | undefined) => {
    if (!kernel || followed.has(kernel)) {
      return;
    }
    followed.add(kernel);
    uploads.listen(kernel);
    // Emitted after the request's own future saw the message: an upload the panel started is known.
    kernel.iopubMessage.connect((_, msg) => {
      for (const event of eventsOf(msg)) {
        if (event.event === 'upload-started' && !uploads.has(event.upload_id)) {
          uploads.start(event, { kernel, model: event.candidate.model });
        }
      }
    });
  };
  const watch = (context: ISessionContext) => {
    const current = () => follow(context.session?.kernel);
    current();
    context.sessionChanged.connect(current);
    context.kernelChanged.connect(current);
  };
  notebooks.forEach(panel => watch(panel.sessionContext));
  notebooks.widgetAdded.connect((_, panel) => watch(panel.sessionContext));
}

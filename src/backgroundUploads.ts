/**
 * The uploads a notebook's kernel runs in a background thread (`log_notebook(background=True)`),
 * followed over their `modelreg.upload` comm: byte progress, cancel, and how each ended. A kernel
 * that restarts or dies mid-upload takes its thread with it; then the upload is marked
 * `UPLOAD_KERNEL_LOST` and its candidate ended failed through the registry, so nothing is left
 * "running" and offered for promotion.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { registry, toModelregError } from './api';

import { KernelHookEvent, UPLOAD_COMM_TARGET } from './kernelEvents';
import { ICandidate } from './registryTypes';

/** Where an upload stands. */
export type UploadState = 'uploading' | 'cancelling' | 'finished' | 'failed';

/** One background upload, as the Uploads section shows it. */
export interface IBackgroundUpload {
  readonly id: string;
  /** group/name */
  readonly model: string;
  readonly candidate: ICandidate;
  readonly state: UploadState;
  /** Bytes sent and to send, over all files. */
  readonly done: number;
  readonly total: number;
  /** What the kernel says it is doing ("Uploading models/clf/model.skops"). */
  readonly message: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Why it failed; null unless `failed`. */
  readonly error: { code: string; message: string } | null;
  /** Whether it can be logged again (the dialog's choice is kept). */
  readonly canRetry: boolean;
}

/** What `start` needs besides the `upload-started` event. */
export interface IUploadStart {
  kernel: Kernel.IKernelConnection;
  model: string;
  /** Logs the same choice again, as a new candidate. */
  retry?: () => void;
  /** Called once when the upload ends, whichever way. */
  onEnd?: (upload: IBackgroundUpload) => void;
}

type StartedEvent = Extract<KernelHookEvent, { event: 'upload-started' }>;
type KernelStatus = Kernel.Status;

/** Statuses after which the kernel's threads are gone. */
const LOST_STATUSES: readonly KernelStatus[] = [
  'restarting',
  'autorestarting',
  'dead'
];

interface IEntry {
  upload: IBackgroundUpload;
  kernel: Kernel.IKernelConnection;
  retry?: () => void;
  onEnd?: (upload: IBackgroundUpload) => void;
}

export class BackgroundUploads {
  constructor(
    private _trans: TranslationBundle = nullTranslator.load(
      'jupyterlab_modelreg'
    )
  ) {}

  /** Emitted whenever an upload starts, progresses or ends. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The uploads, newest first; ended ones stay until dismissed. */
  get uploads(): readonly IBackgroundUpload[] {
    return [...this._entries.values()].map(e => e.upload).reverse();
  }

  /** Whether upload `id` is followed (running, or ended and not dismissed). */
  has(id: string): boolean {
    return this._entries.has(id);
  }

  /**
   * Whether candidate `iid` of `model` is missing files this panel saw it upload: still on their way,
   * or the upload failed (its candidate may read "running" until the kernel reaches the registry).
   */
  lacksFiles(model: string, iid: number): boolean {
    return this.uploads.some(
      u =>
        u.model === model && u.candidate.iid === iid && u.state !== 'finished'
    );
  }

  /**
   * Listens for upload comms on `kernel` and for its restart or death. Call it before asking the
   * kernel to upload in the background: the comm opens while that request runs.
   */
  listen(kernel: Kernel.IKernelConnection): void {
    kernel.registerCommTarget(UPLOAD_COMM_TARGET, (comm, msg) =>
      this._opened(comm, msg)
    );
    if (this._kernels.has(kernel)) {
      return;
    }
    this._kernels.add(kernel);
    kernel.statusChanged.connect(this._onKernelStatus, this);
    kernel.disposed.connect(() => this._kernelLost(kernel));
  }

  /** Follows the upload the kernel reported starting; its comm events may already have arrived. */
  start(event: StartedEvent, options: IUploadStart): IBackgroundUpload {
    this.listen(options.kernel);
    const upload: IBackgroundUpload = {
      id: event.upload_id,
      model: options.model,
      candidate: event.candidate,
      state: 'uploading',
      done: 0,
      total: event.total,
      message: this._trans.__('Starting the upload'),
      filesDone: 0,
      filesTotal: 0,
      error: null,
      canRetry: !!options.retry
    };
    this._entries.set(upload.id, {
      upload,
      kernel: options.kernel,
      retry: options.retry,
      onEnd: options.onEnd
    });
    for (const early of this._early.get(upload.id) ?? []) {
      this._onEvent(upload.id, early);
    }
    this._early.delete(upload.id);
    this._changed.emit();
    return this._entries.get(upload.id)!.upload;
  }

  /**
   * Asks the kernel's upload thread to stop: the file being sent is not attached and the candidate
   * ends failed. Without a comm (the kernel is gone) the candidate is ended failed here.
   */
  cancel(id: string): void {
    const entry = this._entries.get(id);
    if (!entry || entry.upload.state !== 'uploading') {
      return;
    }
    const comm = this._comms.get(id);
    if (comm && !comm.isDisposed) {
      this._update(entry, { state: 'cancelling' });
      comm.send({ action: 'cancel' });
    } else {
      this._lose(entry);
    }
  }

  /** Logs the same choice again (a new candidate) and forgets this upload. */
  retry(id: string): void {
    const entry = this._entries.get(id);
    if (entry?.upload.state === 'failed' && entry.retry) {
      this.dismiss(id);
      entry.retry();
    }
  }

  /** Forgets an upload that ended. */
  dismiss(id: string): void {
    const entry = this._entries.get(id);
    if (
      entry &&
      (entry.upload.state === 'finished' || entry.upload.state === 'failed')
    ) {
      this._entries.delete(id);
      this._changed.emit();
    }
  }

  private _opened(comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg): void {
    const id = String(
      (msg.content.data as { upload_id?: string })?.upload_id ?? ''
    );
    if (!id) {
      return;
    }
    this._comms.set(id, comm);
    comm.onMsg = message =>
      this._onEvent(id, message.content.data as unknown as KernelHookEvent);
    comm.onClose = () => {
      this._comms.delete(id);
      this._early.delete(id); // its upload-started event never came: no one follows it
    };
  }

  private _onEvent(id: string, event: KernelHookEvent): void {
    const entry = this._entries.get(id);
    if (!entry) {
      // The thread reported before the request that started it did: keep it for `start`.
      this._early.set(id, [...(this._early.get(id) ?? []), event]);
      return;
    }
    if (entry.upload.state === 'finished' || entry.upload.state === 'failed') {
      return;
    }
    if (event.event === 'progress') {
      this._update(entry, {
        done: event.done ?? entry.upload.done,
        total: event.total ?? entry.upload.total,
        message: event.message,
        filesDone: event.files_done ?? entry.upload.filesDone,
        filesTotal: event.files_total ?? entry.upload.filesTotal
      });
    } else if (event.event === 'result') {
      this._end(entry, {
        state: 'finished',
        candidate: event.candidate,
        done: entry.upload.total
      });
    } else if (event.event === 'error') {
      this._end(entry, {
        state: 'failed',
        error: { code: event.code, message: event.message }
      });
    }
  }

  private _onKernelStatus(
    kernel: Kernel.IKernelConnection,
    status: KernelStatus
  ): void {
    if (LOST_STATUSES.includes(status)) {
      this._kernelLost(kernel);
    }
  }

  private _kernelLost(kernel: Kernel.IKernelConnection): void {
    for (const entry of this._entries.values()) {
      if (
        entry.kernel === kernel &&
        (entry.upload.state === 'uploading' ||
          entry.upload.state === 'cancelling')
      ) {
        this._lose(entry);
      }
    }
  }

  /** The thread is gone with its kernel: end the candidate failed ourselves, saying why. */
  private _lose(entry: IEntry): void {
    const { model, candidate } = entry.upload;
    const reason = this._trans.__(
      'The kernel restarted or stopped while it uploaded the files of candidate #%1; the files it had not sent are missing. Log the notebook again.',
      candidate.iid
    );
    this._comms.delete(entry.upload.id);
    this._end(entry, {
      state: 'failed',
      error: { code: 'UPLOAD_KERNEL_LOST', message: reason }
    });
    registry
      .failCandidate(model, candidate.iid, `UPLOAD_KERNEL_LOST: ${reason}`)
      .then(
        ended => this._update(entry, { candidate: ended }),
        e => {
          // The registry is away too: its lease sweeper ends the candidate once heartbeats stop.
          const detail = toModelregError(e).message;
          this._update(entry, {
            error: {
              code: 'UPLOAD_KERNEL_LOST',
              message: this._trans.__(
                '%1 The registry could not be told (%2); it ends the candidate failed once its lease runs out.',
                reason,
                detail
              )
            }
          });
        }
      );
  }

  private _end(entry: IEntry, change: Partial<IBackgroundUpload>): void {
    this._update(entry, change);
    entry.onEnd?.(entry.upload);
  }

  private _update(entry: IEntry, change: Partial<IBackgroundUpload>): void {
    entry.upload = { ...entry.upload, ...change };
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _entries = new Map<string, IEntry>();
  private _comms = new Map<string, Kernel.IComm>();
  private _early = new Map<string, KernelHookEvent[]>();
  private _kernels = new Set<Kernel.IKernelConnection>();
}

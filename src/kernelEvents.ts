/** The kernel hook's event shapes (docs/jupyter-hook.md). */
import { ICandidate } from './registryTypes';

/** Events the kernel hook displays with the MIME type below (docs/jupyter-hook.md). */
export const MODELREG_EVENT_MIME = 'application/vnd.modelreg.event+json';

export type KernelHookEvent =
  | {
      event: 'progress';
      stage: string;
      message: string;
      done?: number;
      total?: number;
      /** `bytes` when `done`/`total` count bytes (uploads), else they count steps. */
      unit?: 'bytes';
      files_done?: number;
      files_total?: number;
    }
  | { event: 'result'; candidate: ICandidate; url?: string }
  | {
      /** `log_notebook(background=True)`: the candidate is open, its files upload in a kernel thread. */
      event: 'upload-started';
      upload_id: string;
      candidate: ICandidate;
      url?: string;
      /** Bytes to send. */
      total: number;
    }
  | ({ event: 'inspection' } & IKernelInspection)
  | { event: 'error'; code: string; message: string };

/** A trained model found in the kernel (`modelreg.jupyter.inspect()`, docs/jupyter-hook.md). */
export interface IFoundModel {
  variable: string;
  flavor: string;
  class: string;
  library: string;
  library_version: string;
  params: { [key: string]: unknown };
  size_estimate: number | null;
  /** Execution count of the last cell that mentions the variable. */
  cell: number | null;
  trained_on?: string[];
}

/** What the kernel holds that is worth logging; models most recently fitted first. */
export interface IKernelInspection {
  models: IFoundModel[];
  metrics: { name: string; value: number; variable: string; key?: string }[];
  figures: { name: string; axes: number; title: string }[];
  datasets: {
    name: string;
    kind: string;
    shape: number[];
    used_by: string[];
  }[];
}

/** The comm target a background upload reports on (`modelreg.jupyter._background`). */
export const UPLOAD_COMM_TARGET = 'modelreg.upload';

/** The pip command shown when a kernel lacks the client. */
export const CLIENT_INSTALL_COMMAND = '%pip install modelreg';

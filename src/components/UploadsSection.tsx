/**
 * The panel's Uploads section: each background upload of a kernel with its bytes, Cancel while it
 * runs, and how it ended (Retry after a failure). Hidden while there is none.
 */
import * as React from 'react';
import { UseSignal } from '@jupyterlab/apputils';

import { IBackgroundUpload } from '../backgroundUploads';
import { CommandIDs } from '../commandIds';
import { formatBytes } from '../format';
import { usePanel } from './context';

export function UploadsSection(): JSX.Element {
  const { model } = usePanel();
  return (
    <UseSignal signal={model.uploads.changed}>
      {() => <UploadList uploads={model.uploads.uploads} />}
    </UseSignal>
  );
}

/** The uploads, newest first. */
function UploadList(props: {
  uploads: readonly IBackgroundUpload[];
}): JSX.Element | null {
  const { trans } = usePanel();
  if (!props.uploads.length) {
    return null;
  }
  return (
    <section
      className="jp-modelreg-uploads"
      data-testid="modelreg-uploads"
      aria-label={trans.__('Uploads')}
    >
      <h2 className="jp-modelreg-uploads-title">{trans.__('Uploads')}</h2>
      <ul>
        {props.uploads.map(upload => (
          <UploadRow key={upload.id} upload={upload} />
        ))}
      </ul>
    </section>
  );
}

interface IUploadRowProps {
  /** One background upload as the state has it now. */
  upload: IBackgroundUpload;
}

function UploadRow(props: IUploadRowProps): JSX.Element {
  const { model, trans, commands } = usePanel();
  const upload = props.upload;
  const running = upload.state === 'uploading' || upload.state === 'cancelling';
  const fraction = upload.total ? Math.min(1, upload.done / upload.total) : 0;
  function openCandidate(): void {
    void commands.execute(CommandIDs.openModel, {
      model: upload.model,
      section: 'candidates',
      candidate: upload.candidate.iid
    });
  }
  return (
    <li
      className="jp-modelreg-upload"
      data-testid="modelreg-upload"
      data-state={upload.state}
      data-code={upload.error?.code}
    >
      <div className="jp-modelreg-upload-head">
        <button
          className="jp-modelreg-link jp-modelreg-upload-name"
          title={trans.__(
            'Show candidate #%1 of %2',
            upload.candidate.iid,
            upload.model
          )}
          onClick={openCandidate}
        >
          {trans.__('%1 #%2', upload.model, upload.candidate.iid)}
        </button>
        <span className="jp-modelreg-upload-state">
          {stateLabel(upload, trans.__.bind(trans))}
        </span>
      </div>
      {running && (
        <progress
          className="jp-modelreg-upload-bar"
          max={1}
          value={fraction}
          aria-label={trans.__(
            'Uploaded %1 of %2',
            formatBytes(upload.done),
            formatBytes(upload.total)
          )}
        />
      )}
      <div
        className="jp-modelreg-upload-bytes"
        data-testid="modelreg-upload-bytes"
      >
        {trans.__(
          '%1 of %2 (%3%)',
          formatBytes(upload.done),
          formatBytes(upload.total),
          Math.floor(fraction * 100)
        )}
        {upload.filesTotal > 0 &&
          ' · ' +
            trans.__('%1 of %2 files', upload.filesDone, upload.filesTotal)}
      </div>
      {running && (
        <div className="jp-modelreg-upload-message">{upload.message}</div>
      )}
      {upload.error && (
        <div className="jp-modelreg-upload-error" role="alert">
          <code>{upload.error.code}</code> {upload.error.message}
        </div>
      )}
      <div className="jp-modelreg-upload-actions">
        {upload.state === 'uploading' && (
          <UploadAction
            name="cancel"
            label={trans.__('Cancel')}
            reject
            onClick={() => model.uploads.cancel(upload.id)}
          />
        )}
        {upload.state === 'failed' && upload.canRetry && (
          <UploadAction
            name="retry"
            label={trans.__('Retry')}
            title={trans.__('Log the same choice again, as a new candidate')}
            onClick={() => model.uploads.retry(upload.id)}
          />
        )}
        {!running && (
          <UploadAction
            name="dismiss"
            label={trans.__('Dismiss')}
            onClick={() => model.uploads.dismiss(upload.id)}
          />
        )}
      </div>
    </li>
  );
}

/** One of an upload's buttons (test id `modelreg-upload-<name>`). */
function UploadAction(props: {
  name: string;
  label: string;
  title?: string;
  reject?: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      className={`jp-mod-styled jp-modelreg-small${props.reject ? ' jp-mod-reject' : ''}`}
      data-testid={`modelreg-upload-${props.name}`}
      title={props.title}
      onClick={props.onClick}
    >
      {props.label}
    </button>
  );
}

function stateLabel(
  upload: IBackgroundUpload,
  __: (text: string, ...args: unknown[]) => string
): string {
  switch (upload.state) {
    case 'uploading':
      return __('uploading');
    case 'cancelling':
      return __('cancelling…');
    case 'finished':
      return __('uploaded');
    default:
      return __('failed');
  }
}

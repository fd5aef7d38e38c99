/**
 * The Uploads state against a real kernel: `startBackgroundLog` returns while the kernel's thread
 * still sends a large file; the comm's byte progress, the result, and Cancel reach `BackgroundUploads`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Session } from '@jupyterlab/services';

import { BackgroundUploads, IBackgroundUpload } from '../backgroundUploads';
import { startBackgroundLog } from '../kernelHook';
import {
  registryCall,
  startNotebookSession,
  testServers,
  useTestServer
} from './servers';

/** Resolves with the upload once it ended, recording each state it passed through. */
function ended(
  uploads: BackgroundUploads,
  seen: IBackgroundUpload[]
): Promise<IBackgroundUpload> {
  return new Promise(resolve =>
    uploads.changed.connect(() => {
      const upload = uploads.uploads[0];
      seen.push(upload);
      if (upload.state === 'finished' || upload.state === 'failed') {
        resolve(upload);
      }
    })
  );
}

describe('background uploads with a real kernel', () => {
  const servers = testServers();
  const model = `${servers.group}/background`;
  let session: Session.ISessionConnection;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const serverSettings = useTestServer();
    const folder = path.join(servers.work, 'notebooks', 'uploads');
    fs.mkdirSync(folder, { recursive: true });
    // Sparse: instant to write, long enough to send that a cancel lands mid-file.
    const big = fs.openSync(path.join(folder, 'big.bin'), 'w');
    fs.writeSync(big, `${Date.now()}`);
    fs.ftruncateSync(big, 1024 * 1024 * 1024);
    fs.closeSync(big);
    fs.writeFileSync(path.join(folder, 'small.bin'), 'a few bytes');
    ({ session, stop } = await startNotebookSession(
      serverSettings,
      'uploads/upload.ipynb'
    ));
  }, 120000);

  afterAll(() => stop?.());

  const log = (uploads: BackgroundUploads, files: string[]) =>
    startBackgroundLog(
      session.kernel,
      {
        model,
        name: files.join('+'),
        notebook_path: 'uploads/upload.ipynb',
        files,
        attach_notebook: false,
        attach_environment: false,
        models: null,
        metrics: null,
        figures: null
      },
      uploads
    );

  it('returns while the file uploads, then follows its bytes to the finished candidate', async () => {
    const uploads = new BackgroundUploads();
    const seen: IBackgroundUpload[] = [];
    const end = ended(uploads, seen);
    const started = await log(uploads, ['small.bin']);
    expect(started.candidate.status).toBe('running');
    const upload = await end;
    expect(upload).toMatchObject({ state: 'finished', error: null });
    expect(upload.candidate.status).toBe('finished');
    expect(seen.some(u => u.filesTotal === 1)).toBe(true);
    const stored = await registryCall(
      'GET',
      `models/${model}/candidates/${upload.candidate.iid}`
    );
    expect(stored.status).toBe('finished');
  }, 120000);

  it('cancels mid-file: the upload and its candidate end failed UPLOAD_CANCELLED', async () => {
    const uploads = new BackgroundUploads();
    const seen: IBackgroundUpload[] = [];
    const end = ended(uploads, seen);
    const started = await log(uploads, ['big.bin']);
    // The kernel is free at once: a cell runs while the thread sends.
    const reply = await session.kernel!.requestExecute({ code: '6 * 7' }).done;
    expect(reply.content.status).toBe('ok');
    await new Promise<void>(resolve => {
      const check = () => {
        if (uploads.uploads[0].done > 0) {
          uploads.changed.disconnect(check);
          resolve();
        }
      };
      uploads.changed.connect(check);
      check();
    });
    expect(uploads.lacksFiles(model, started.candidate.iid)).toBe(true);
    uploads.cancel(started.id);
    const upload = await end;
    expect(upload.state).toBe('failed');
    expect(upload.error?.code).toBe('UPLOAD_CANCELLED');
    expect(uploads.lacksFiles(model, started.candidate.iid)).toBe(true);
    expect(seen.some(u => u.state === 'cancelling')).toBe(true);
    const stored = await registryCall(
      'GET',
      `models/${model}/candidates/${started.candidate.iid}`
    );
    expect(stored).toMatchObject({ status: 'failed' });
    expect(stored.status_reason).toContain('UPLOAD_CANCELLED');
  }, 120000);
});

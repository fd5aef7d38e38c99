import { api, setupModel } from './helpers/api';
import { describeEachBackend, type TestServer } from './helpers/server';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls the candidate until `done` holds or ~8 s pass; returns the last body. */
async function waitFor(
  s: TestServer,
  url: string,
  done: (body: any) => boolean
): Promise<any> {
  let body: any;
  for (let i = 0; i < 40; i++) {
    body = (await api(s, 'GET', url)).body;
    if (done(body)) {
      return body;
    }
    await sleep(200);
  }
  return body;
}

describeEachBackend(
  'candidate leases: a candidate whose process died ends failed',
  server => {
    test('without heartbeats a leased running candidate ends failed with the reason; a late heartbeat reopens it', async () => {
      const s = server();
      const { base } = await setupModel(s);
      const created = await api(s, 'POST', `${base}/candidates`, {
        json: { name: 'killed-mid-upload' }
      });
      const url = `${base}/candidates/${created.body.iid}`;
      const beat = await api(s, 'POST', `${url}/heartbeat`);
      expect(beat.status).toBe(200);
      expect(beat.body.lease_seconds).toBe(1);
      expect((await api(s, 'GET', url)).body.lease_expires_at).toBe(
        beat.body.lease_expires_at
      );

      const ended = await waitFor(s, url, b => b.status !== 'running');
      expect(ended.status).toBe('failed');
      expect(ended.status_reason).toMatch(
        /^No heartbeat from the process that logged it since .*: its kernel, job or upload stopped/
      );
      expect(ended.lease_expires_at).toBeNull();

      // The registry, not the process, was away: the next heartbeat reopens it.
      const late = await api(s, 'POST', `${url}/heartbeat`);
      expect(late.status).toBe(200);
      const reopened = (await api(s, 'GET', url)).body;
      expect(reopened).toMatchObject({
        status: 'running',
        status_reason: null
      });
    });

    test('a candidate that never sent a heartbeat (MLflow, old clients) stays running; a finished one refuses heartbeats', async () => {
      const s = server();
      const { base } = await setupModel(s);
      const unleased = await api(s, 'POST', `${base}/candidates`, {
        json: { name: 'mlflow-run' }
      });
      const finished = await api(s, 'POST', `${base}/candidates`, {
        json: { name: 'done', status: 'finished' }
      });
      await sleep(2500);
      const body = (
        await api(s, 'GET', `${base}/candidates/${unleased.body.iid}`)
      ).body;
      expect(body).toMatchObject({
        status: 'running',
        lease_expires_at: null,
        status_reason: null
      });
      const refused = await api(
        s,
        'POST',
        `${base}/candidates/${finished.body.iid}/heartbeat`
      );
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('CONFLICT');
      expect(refused.body.error.message).toContain('log a new candidate');
    });

    test('a client ends its candidate failed with its own reason; a late heartbeat does not reopen it', async () => {
      const s = server();
      const { base } = await setupModel(s);
      const created = await api(s, 'POST', `${base}/candidates`, {
        json: { name: 'cancelled-upload' }
      });
      const url = `${base}/candidates/${created.body.iid}`;
      const reason =
        'UPLOAD_CANCELLED: the upload was cancelled in JupyterLab.';
      const ended = await api(s, 'PATCH', url, {
        json: { status: 'failed', status_reason: reason }
      });
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({
        status: 'failed',
        status_reason: reason
      });
      const late = await api(s, 'POST', `${url}/heartbeat`);
      expect(late.status).toBe(409);
      expect((await api(s, 'GET', url)).body).toMatchObject({
        status: 'failed',
        status_reason: reason
      });
    });
  },
  { MODELREG_CANDIDATE_LEASE_SECONDS: '1' }
);

/**
 * Background uploads (issue 19): "Log as candidate" (or a cell's own `log_notebook(...,
 * background=True)`) opens the candidate and leaves a large file uploading in a kernel thread. The
 * Uploads section shows the bytes, a cell runs meanwhile, Cancel ends the candidate failed; a kernel
 * restart mid-upload ends it `UPLOAD_KERNEL_LOST`; a registry killed mid-upload ends it failed once
 * it is back. None offers "Promote to version".
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import {
  ensureGroup,
  panelSettings,
  registryClient,
  snapshot,
  withRegistryStopped
} from './registry';

const GROUP = 'uploads';

test.use({ autoGoto: true, mockSettings: panelSettings(GROUP) });

// 2 GiB take seconds to send on a loaded 2-core machine. Sparse, so writing it is instant; the
// random head makes each run's file new to the registry (no digest it already holds).
// One statement per line: the notebook editor auto-indents typed code.
const MAKE_BIG_FILE = `import os
big = open("big.bin", "wb")
big.write(os.urandom(16))
big.truncate(2 * 1024 * 1024 * 1024)
big.close()
print("ready", os.path.getsize("big.bin"))`;

/** A new notebook whose kernel wrote big.bin (cell 0). */
async function notebookWithBigFile(
  page: IJupyterLabPageFixture,
  notebook: string
): Promise<void> {
  await page.notebook.createNew(notebook);
  await page.notebook.setCell(0, 'code', MAKE_BIG_FILE);
  await page.notebook.runCell(0, true);
  expect((await page.notebook.getCellTextOutput(0))?.join('')).toContain(
    'ready 2147483648'
  );
}

/** The Uploads section's entry for `model`, once it shows running. */
async function runningUpload(
  page: IJupyterLabPageFixture,
  model: string
): Promise<Locator> {
  const upload = page
    .locator('[data-testid="modelreg-upload"]')
    .filter({ hasText: model });
  await expect(upload).toHaveAttribute('data-state', 'uploading', {
    timeout: 60000
  });
  return upload;
}

/** Resolves once some MiB of the upload's 2 GiB are sent: bytes, not files. */
async function sendsBytes(upload: Locator): Promise<void> {
  const bytes = upload.locator('[data-testid="modelreg-upload-bytes"]');
  await expect(bytes).toContainText(/of 2\.0 GiB/);
  await expect(bytes).toContainText(/^[1-9][\d.]* MiB of/, { timeout: 30000 });
}

/** The kernel is free: cell `index` runs to the end while the file is still on its way. */
async function kernelRunsMeanwhile(
  page: IJupyterLabPageFixture,
  upload: Locator,
  model: string,
  index: number
): Promise<void> {
  await page.notebook.addCell('code', 'print(6 * 7)');
  await page.notebook.runCell(index, true);
  expect((await page.notebook.getCellTextOutput(index))?.join('')).toContain(
    '42'
  );
  expect((await candidate(model)).status).toBe('running');
  await expect(upload).toHaveAttribute('data-state', 'uploading');
}

/** Logs `notebook`'s big.bin to `model` from the dialog; resolves once its upload shows running. */
async function logBigFile(
  page: IJupyterLabPageFixture,
  notebook: string,
  model: string
) {
  await notebookWithBigFile(page, notebook);
  await page.locator('.jp-modelreg-log-toolbar-button').first().click();
  const form = page.locator('[data-testid="modelreg-log-form"]');
  await form.locator('input[name="model"]').fill(model);
  await form.locator('input[name="file"]').fill('big.bin');
  await form.locator('[data-testid="modelreg-add-file"]').click();
  await expect(
    form.locator('[data-testid="modelreg-chosen-files"]')
  ).toContainText('big.bin');
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Log as candidate' })
    .click();
  return runningUpload(page, model);
}

async function candidate(model: string, iid = 1) {
  const api = await registryClient();
  return (await api.get(`/api/v1/models/${model}/candidates/${iid}`)).json();
}

/**
 * The upload ended failed with `code`; so did its candidate in the registry, saying why; the panel
 * shows the reason and offers no promotion.
 */
async function endsFailed(
  page: IJupyterLabPageFixture,
  upload: Locator,
  model: string,
  code: string
): Promise<void> {
  await expect(upload).toHaveAttribute('data-state', 'failed', {
    timeout: 30000
  });
  await expect(upload).toHaveAttribute('data-code', code);
  await expect
    .poll(async () => (await candidate(model)).status, { timeout: 20000 })
    .toBe('failed');
  expect((await candidate(model)).status_reason).toContain(code);
  await upload.locator('.jp-modelreg-upload-name').click();
  const panel = page.locator('[data-testid="modelreg-panel"]');
  // The candidate itself, not only its upload, reads failed with the reason.
  await expect(
    panel.locator('[data-testid="modelreg-status-reason"]').first()
  ).toContainText(code, { timeout: 20000 });
  await expect(panel.locator('[data-testid="modelreg-promote"]')).toHaveCount(
    0
  );
}

test('a background upload shows its bytes, leaves the kernel free, and Cancel ends it failed', async ({
  page
}) => {
  test.setTimeout(180000);
  await ensureGroup(await registryClient(), GROUP);
  const model = `${GROUP}/cancelled-${Date.now().toString(36)}`;
  const upload = await logBigFile(page, 'cancel-upload.ipynb', model);
  await sendsBytes(upload);

  await page.sidebar.openTab('jp-modelreg-panel');
  await snapshot(
    page.locator('[data-testid="modelreg-uploads"]'),
    'uploads-light'
  );

  await kernelRunsMeanwhile(page, upload, model, 1);

  await upload.locator('[data-testid="modelreg-upload-cancel"]').click();
  await endsFailed(page, upload, model, 'UPLOAD_CANCELLED');
  await expect(
    upload.locator('[data-testid="modelreg-upload-retry"]')
  ).toBeVisible();
  const api = await registryClient();
  const files = await (
    await api.get(`/api/v1/models/${model}/candidates/1/artifacts`)
  ).json();
  // Nothing half-sent is visible.
  expect(files.items.map((f: { path: string }) => f.path)).not.toContain(
    'big.bin'
  );

  await page.theme.setDarkTheme();
  await snapshot(
    page.locator('[data-testid="modelreg-uploads"]'),
    'uploads-dark'
  );
  await page.theme.setLightTheme();
});

test('a kernel restart mid-upload ends the upload UPLOAD_KERNEL_LOST and the candidate failed', async ({
  page
}) => {
  test.setTimeout(180000);
  await ensureGroup(await registryClient(), GROUP);
  const model = `${GROUP}/restarted-${Date.now().toString(36)}`;
  const upload = await logBigFile(page, 'restart-upload.ipynb', model);

  await page.evaluate(async () => {
    void window.jupyterapp.commands.execute('kernelmenu:restart');
  });
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Confirm Kernel Restart' })
    .click();

  await endsFailed(page, upload, model, 'UPLOAD_KERNEL_LOST');
});

test('an upload a cell starts from code shows in Uploads with its bytes, and Cancel ends it failed', async ({
  page
}) => {
  test.setTimeout(180000);
  await ensureGroup(await registryClient(), GROUP);
  const model = `${GROUP}/from-code-${Date.now().toString(36)}`;
  await notebookWithBigFile(page, 'code-upload.ipynb');
  await page.notebook.addCell(
    'code',
    `import modelreg.jupyter
started = modelreg.jupyter.log_notebook("${model}", files=["big.bin"], attach_notebook=False, attach_environment=False, background=True)
print("started", started["iid"])`
  );
  await page.notebook.runCell(1, true);
  expect((await page.notebook.getCellTextOutput(1))?.join('')).toContain(
    'started 1'
  );
  await page.sidebar.openTab('jp-modelreg-panel');
  const upload = await runningUpload(page, model);
  await sendsBytes(upload);
  await kernelRunsMeanwhile(page, upload, model, 2);

  await upload.locator('[data-testid="modelreg-upload-cancel"]').click();
  await endsFailed(page, upload, model, 'UPLOAD_CANCELLED');
});

test('a registry killed mid-upload leaves no candidate running: it ends failed once the registry is back', async ({
  page
}) => {
  test.setTimeout(240000);
  await ensureGroup(await registryClient(), GROUP);
  const model = `${GROUP}/killed-${Date.now().toString(36)}`;
  const upload = await logBigFile(page, 'killed-upload.ipynb', model);
  await sendsBytes(upload);

  // SIGKILL: no drain, the upload's connection just drops, as in a crash or an OOM kill.
  await withRegistryStopped(async () => {
    await expect(upload).toHaveAttribute('data-state', 'failed', {
      timeout: 60000
    });
    await expect(upload).toHaveAttribute('data-code', 'REGISTRY_UNAVAILABLE');
    await expect(upload).toContainText(
      'marked failed as soon as the registry answers again'
    );
  }, 'SIGKILL');

  // Back with the candidate still "running" in its database: the kernel tells it, long before the
  // registry's lease sweeper would (one lease, 300 s, after its start).
  await endsFailed(page, upload, model, 'REGISTRY_UNAVAILABLE');
  await snapshot(
    page.locator('[data-testid="modelreg-panel"]'),
    'upload-registry-killed'
  );
});

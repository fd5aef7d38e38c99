import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';

// The hash worker (src/blobs/hash-worker.ts) outlives an upload by a minute so the next one does
// not pay its start. Run in a process of its own, with nothing else keeping the event loop up:
// a hash in flight must keep that process alive until its digest, and the idle worker must not
// keep it alive afterwards (a CLI command or a test would otherwise hang for that minute).

const compiled = path.join(
  __dirname,
  '..',
  '..',
  'dist',
  'blobs',
  'hash-worker.js'
);

const script = `
const { OffThreadHash } = require(${JSON.stringify(compiled)});
const hash = new OffThreadHash((bytes, done) => done());
const body = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
// Three whole slabs go to the worker; then only the worker's replies can wake this process.
hash.update(body, () => {
  hash.digest().then(hex => {
    hash.recycle();
    process.stdout.write(hex + ' ' + Date.now() + '\\n');
  });
});
`;

it('keeps the process up for a hash in flight, and lets it exit once idle', async () => {
  const want = crypto
    .createHash('sha256')
    .update(Buffer.alloc(3 * 1024 * 1024 + 17, 7))
    .digest('hex');
  const { stdout, exitedAt } = await new Promise<{
    stdout: string;
    exitedAt: number;
  }>((resolve, reject) =>
    execFile(process.execPath, ['-e', script], (err, out) =>
      err ? reject(err) : resolve({ stdout: out, exitedAt: Date.now() })
    )
  );
  const [hex, printedAt] = stdout.trim().split(' ');
  expect(hex).toBe(want);
  // The idle timer is 60 s; an exit that waited for it would take that long.
  expect(exitedAt - Number(printedAt)).toBeLessThan(15_000);
}, 90_000);

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  takeAlignedSlab,
  giveAlignedSlab
} from '../../src/blobs/aligned-slabs';
import { openDirect } from '../../src/blobs/direct-io';
import { LocalBlobStore } from '../../src/blobs/local';
import { SerialFileWriter } from '../../src/blobs/serial-writes';

// Uploads write blob files with O_DIRECT (src/blobs/direct-io.ts): whole aligned blocks past the
// page cache, the unaligned tail through it. These check the bytes on disk are exactly the body's,
// at every size around the block and slab boundaries, and that a refused O_DIRECT write (EINVAL)
// falls back to the page cache without losing a byte. The temp dir is on the machine's disk (ext4
// here), which accepts O_DIRECT from aligned memory and refuses it from unaligned memory.

const MIB = 1 << 20;
const sha256 = (b: Buffer) =>
  crypto.createHash('sha256').update(b).digest('hex');

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-direct-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) {
    yield bytes.subarray(i, i + size);
  }
}

describe.each([
  ['with O_DIRECT', true],
  ['through the page cache', false]
])('local blob files written %s', (_how, directIo) => {
  it.each([
    1,
    4095,
    4096,
    4097,
    MIB - 1,
    MIB,
    MIB + 1,
    4 * MIB + 4096 + 3,
    9 * MIB + 123
  ])('hold exactly the %i bytes of the body', async size => {
    const store = new LocalBlobStore(root, directIo);
    const bytes = crypto.randomBytes(size);
    // Odd socket-like chunks, so slab edges fall mid-chunk.
    const put = await store.put(Readable.from(pieces(bytes, 7919)));
    expect(put).toEqual({ sha256: sha256(bytes), size });
    const onDisk = fs.readFileSync(store.pathOf(put.sha256));
    expect(onDisk.length).toBe(size);
    expect(onDisk.equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });
});

/**
 * Appends `buffers` to a new file through a writer given an O_DIRECT fd; returns whether the
 * writer still writes past the page cache, and the file's bytes.
 */
async function writeThrough(
  buffers: Uint8Array[]
): Promise<{ direct: boolean; onDisk: Buffer }> {
  const file = path.join(root, 'f');
  const fd = fs.openSync(file, 'wx', 0o600);
  const directFd = openDirect(file, fs.constants.O_WRONLY);
  expect(directFd).not.toBeNull();
  const writer = new SerialFileWriter(fd, 64 * MIB);
  writer.useDirect(directFd);
  await Promise.all(
    buffers.map(
      b =>
        new Promise<void>((resolve, reject) =>
          writer.append(b, err => (err ? reject(err) : resolve()))
        )
    )
  );
  const direct = writer.direct;
  writer.closeDirect();
  fs.closeSync(fd);
  return { direct, onDisk: fs.readFileSync(file) };
}

describe('the blob file writer', () => {
  it('writes whole aligned slabs past the page cache and the tail through it', async () => {
    const a = takeAlignedSlab()!;
    const b = takeAlignedSlab()!;
    crypto.randomFillSync(a);
    crypto.randomFillSync(b);
    const tail = b.subarray(0, 5000);
    const { direct, onDisk } = await writeThrough([a, tail]);
    expect(direct).toBe(true);
    expect(onDisk.equals(Buffer.concat([a, tail]))).toBe(true);
    giveAlignedSlab(a);
    giveAlignedSlab(b);
  });

  it('goes on through the page cache when the kernel refuses an O_DIRECT write', async () => {
    const slab = takeAlignedSlab()!;
    crypto.randomFillSync(slab);
    // A whole block's length from an address one byte past a page: O_DIRECT answers EINVAL.
    const misaligned = slab.subarray(1, 1 + 8192);
    const rest = slab.subarray(100_000, 100_000 + 777);
    const { direct, onDisk } = await writeThrough([misaligned, rest]);
    expect(direct).toBe(false);
    expect(onDisk.equals(Buffer.concat([misaligned, rest]))).toBe(true);
    giveAlignedSlab(slab);
  });
});

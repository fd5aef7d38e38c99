import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { SLAB_BYTES, giveAlignedSlab, takeAlignedSlab } from './aligned-slabs';

/**
 * sha256 on a worker thread, so a large upload's hashing runs beside the socket reads and disk
 * writes of the event loop instead of between them. Bytes are copied into a few fixed shared
 * slabs (one memcpy, no structured clone, bounded memory); the worker hashes a slab and hands it
 * back. A body that fits in the first slab never reaches the worker and is hashed in place.
 * With a sink, each full slab is also handed to it (the upload's file write): the same bytes
 * are written and hashed at once, and the slab is refilled only when both are done.
 */
const SLABS_PER_HASH = 4;

/** Takes the bytes of a full slab (valid until `done`), e.g. to write them to a file. */
export type SlabSink = (bytes: Uint8Array, done: (err?: Error) => void) => void;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const hashes = new Map();
parentPort.on('message', m => {
  if (m.op === 'update') {
    let h = hashes.get(m.id);
    if (!h) { h = crypto.createHash('sha256'); hashes.set(m.id, h); }
    h.update(new Uint8Array(m.slab, m.offset, m.len));
    parentPort.postMessage({ id: m.id, op: 'free', slot: m.slot });
  } else if (m.op === 'digest') {
    const h = hashes.get(m.id) || crypto.createHash('sha256');
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, op: 'digest', hex: h.digest('hex') });
  } else if (m.op === 'drop') {
    hashes.delete(m.id);
  }
});
`;

type Reply =
  | { id: number; op: 'free'; slot: number }
  | { id: number; op: 'digest'; hex: string };

let worker: Worker | null = null;
let nextId = 1;
const sessions = new Map<number, OffThreadHash>();
let idleTimer: NodeJS.Timeout | null = null;
/**
 * An idle worker is stopped after this long, so it never outlives the uploads that need it by
 * much. Starting one takes ~25 ms, 15% of a 100 MB upload: a minute covers a notebook's or a
 * client's run of uploads (2 s made every MLflow log_artifact after a pause pay it again).
 */
const IDLE_MS = 60_000;

function sessionEnded(id: number): void {
  sessions.delete(id);
  if (sessions.size === 0 && worker && !idleTimer) {
    // Idle, it must not keep a CLI or a test process alive; a session refs it again.
    worker.unref();
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (sessions.size === 0 && worker) {
        const w = worker;
        worker = null;
        void w.terminate();
      }
    }, IDLE_MS);
    idleTimer.unref();
  }
}

function theWorker(): Worker {
  if (idleTimer) {
    clearTimeout(idleTimer);
    idleTimer = null;
  }
  if (worker) {
    return worker;
  }
  // Not unref'd here: a 'message' listener refs a Worker again anyway (Node 20). Sessions ref it
  // (post) and the last one to end unrefs it (sessionEnded).
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (m: Reply) => sessions.get(m.id)?.onReply(m));
  const fail = (err: Error) => {
    if (worker !== w) {
      // An idle worker that was stopped on purpose: no session was using it.
      return;
    }
    worker = null;
    for (const s of sessions.values()) {
      s.onWorkerGone(err);
    }
    sessions.clear();
  };
  w.on('error', fail);
  w.on('exit', code => fail(new Error(`the hash worker exited (${code})`)));
  w.on('messageerror', fail);
  worker = w;
  return w;
}

export class OffThreadHash {
  private readonly slabs: Uint8Array[] = [];
  private readonly free: number[] = [];
  private current = -1;
  private fill = 0;
  private id = 0;
  private posted = false;
  private waiting: (() => void) | null = null;
  private digestWaiter: {
    resolve: (hex: string) => void;
    reject: (e: Error) => void;
  } | null = null;
  private failed: Error | null = null;
  /** Per slab: how many of the worker and the sink still hold it. */
  private readonly holds: number[] = [];
  private sinking = 0;
  private sunk: (() => void) | null = null;

  /** Every slab is page-aligned memory of the shared pool: the sink may write it with O_DIRECT. */
  readonly aligned: boolean;

  constructor(private readonly sink?: SlabSink) {
    let aligned = true;
    for (let i = 0; i < SLABS_PER_HASH; i++) {
      const pooled = takeAlignedSlab();
      aligned &&= pooled !== null;
      this.slabs.push(
        pooled ?? new Uint8Array(new SharedArrayBuffer(SLAB_BYTES))
      );
      this.free.push(i);
      this.holds.push(0);
    }
    this.aligned = aligned;
  }

  /**
   * Gives pooled slabs back for other transfers. Only once settled() (no write holds one) and the
   * hash is digested or discarded: a discarded hash's worker may still read a slab, into a digest
   * nobody asks for.
   */
  recycle(): void {
    this.failed ??= new Error('the hash was recycled');
    for (const slab of this.slabs.splice(0)) {
      giveAlignedSlab(slab);
    }
  }

  /** Copies `chunk` into the slabs; `done` runs once all of it is copied (later if every slab is busy). */
  update(chunk: Uint8Array, done: (err?: Error) => void): void {
    let offset = 0;
    const step = (): void => {
      while (offset < chunk.length) {
        if (this.failed) {
          done(this.failed);
          return;
        }
        if (this.current < 0) {
          const slot = this.free.shift();
          if (slot === undefined) {
            this.waiting = step;
            return;
          }
          this.current = slot;
          this.fill = 0;
        }
        const n = Math.min(SLAB_BYTES - this.fill, chunk.length - offset);
        this.slabs[this.current].set(
          chunk.subarray(offset, offset + n),
          this.fill
        );
        this.fill += n;
        offset += n;
        if (this.fill === SLAB_BYTES) {
          this.post();
        }
      }
      done();
    };
    step();
  }

  /** The digest of all bytes given; with a sink, resolves only once the sink took every byte too. */
  async digest(): Promise<string> {
    if (this.failed) {
      throw this.failed;
    }
    let hex: string;
    if (!this.posted) {
      // Small body: it never left the first slab.
      const h = crypto.createHash('sha256');
      if (this.current >= 0) {
        const last = this.slabs[this.current].subarray(0, this.fill);
        h.update(last);
        if (this.sink && this.fill > 0) {
          this.sinkSlab(this.current, last);
        }
      }
      hex = h.digest('hex');
    } else {
      if (this.current >= 0 && this.fill > 0) {
        this.post();
      }
      hex = await new Promise<string>((resolve, reject) => {
        this.digestWaiter = { resolve, reject };
        theWorker().postMessage({ id: this.id, op: 'digest' });
      });
    }
    await this.settled();
    if (this.failed) {
      throw this.failed;
    }
    return hex;
  }

  /** Resolves when the sink holds no slab (nothing is being written). */
  async settled(): Promise<void> {
    if (this.sinking > 0) {
      await new Promise<void>(resolve => (this.sunk = resolve));
    }
  }

  /** Frees the worker's state of an abandoned hash; no slab is filled or written after this. */
  discard(): void {
    // A write still waiting for a slab would otherwise go on once one is freed, and could write
    // to the upload's fd after put() closed it (the number may then name another file).
    this.failed ??= new Error('the upload was abandoned');
    const w = this.waiting;
    this.waiting = null;
    w?.();
    if (this.posted && sessions.has(this.id)) {
      worker?.postMessage({ id: this.id, op: 'drop' });
      sessionEnded(this.id);
    }
  }

  onReply(m: Reply): void {
    if (m.op === 'free') {
      this.release(m.slot);
    } else {
      sessionEnded(this.id);
      this.digestWaiter?.resolve(m.hex);
    }
  }

  onWorkerGone(err: Error): void {
    this.failed = err;
    this.digestWaiter?.reject(err);
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  private release(slot: number): void {
    if (--this.holds[slot] > 0) {
      return;
    }
    this.free.push(slot);
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  private sinkSlab(slot: number, bytes: Uint8Array): void {
    this.holds[slot]++;
    this.sinking++;
    this.sink!(bytes, err => {
      if (err && !this.failed) {
        this.failed = err;
      }
      this.sinking--;
      if (this.sinking === 0) {
        const s = this.sunk;
        this.sunk = null;
        s?.();
      }
      this.release(slot);
    });
  }

  private post(): void {
    const w = theWorker();
    if (!this.posted) {
      this.posted = true;
      this.id = nextId++;
      sessions.set(this.id, this);
      // A hash in flight on the worker is work in progress: the process stays up for it.
      w.ref();
    }
    this.holds[this.current] = 1;
    if (this.sink) {
      this.sinkSlab(
        this.current,
        this.slabs[this.current].subarray(0, this.fill)
      );
    }
    w.postMessage({
      id: this.id,
      op: 'update',
      slab: this.slabs[this.current].buffer,
      offset: this.slabs[this.current].byteOffset,
      len: this.fill,
      slot: this.current
    });
    this.current = -1;
    this.fill = 0;
  }
}

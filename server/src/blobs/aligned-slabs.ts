/**
 * Page-aligned 1 MiB slabs, reused by every transfer of local blobs: uploads fill them, hash them
 * on the worker thread and write them to the blob file (hash-worker.ts, local.ts), downloads read
 * the file into them and write them to the socket (ring-send.ts).
 *
 * Aligned because uploads write blob files with O_DIRECT (direct-io.ts), which refuses unaligned
 * memory; only a WebAssembly memory gives JavaScript that (it is mapped whole pages at a
 * time). Shared, so the hash worker reads a slab without a copy. One memory grown slab by slab, not
 * one per transfer: each memory reserves gigabytes of address space for its guard pages.
 *
 * A slab is never freed, only reused: the pool's resident size is its high-water mark, at most
 * MAX_SLABS MiB. Past that a transfer gets an ordinary buffer, and an upload then writes its file
 * through the page cache, as before.
 */
export const SLAB_BYTES = 1 << 20;
const WASM_PAGE = 65536;
const MAX_SLABS = 48;

/**
 * The part of WebAssembly.Memory used here. Node has it; the server compiles against the ES2022
 * lib alone, which does not declare it, so this file names what it needs.
 */
interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
type SharedMemoryConstructor = new (descriptor: {
  initial: number;
  maximum: number;
  shared: true;
}) => SharedMemory;
const WasmMemory = (
  globalThis as unknown as { WebAssembly: { Memory: SharedMemoryConstructor } }
).WebAssembly.Memory;

let memory: SharedMemory | null = null;
let made = 0;
const free: Uint8Array[] = [];
const aligned = new WeakSet<ArrayBufferView>();

/** A free aligned slab, or null when MAX_SLABS are all in use. */
export function takeAlignedSlab(): Uint8Array | null {
  const reused = free.pop();
  if (reused) {
    return reused;
  }
  if (made >= MAX_SLABS) {
    return null;
  }
  memory ??= new WasmMemory({
    initial: 0,
    maximum: (MAX_SLABS * SLAB_BYTES) / WASM_PAGE,
    shared: true
  });
  memory.grow(SLAB_BYTES / WASM_PAGE);
  // A shared memory never moves when it grows: views of earlier slabs stay valid.
  const slab = new Uint8Array(memory.buffer, made * SLAB_BYTES, SLAB_BYTES);
  made++;
  aligned.add(slab);
  return slab;
}

/** Returns a slab once nothing (a file write, the hash worker, a socket write) still uses it. */
export function giveAlignedSlab(slab: Uint8Array): void {
  if (aligned.has(slab)) {
    free.push(slab);
  }
}

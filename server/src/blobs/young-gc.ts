import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A scavenge (minor GC) on demand, run by uploads (local and proxied to a bucket) every
 * YOUNG_GC_EVERY_BYTES of body.
 *
 * Node's HTTP parser copies each socket read into a new 64 KiB Buffer. An upload copies it into
 * its slabs at once, so the Buffer dies young, but its backing store is only freed by the next
 * GC, and the small JavaScript objects of a streamed body fill the 2 MiB young generation slowly:
 * V8 waited for tens of MiB of dead chunks (its external-memory trigger) before collecting them,
 * which was the whole growth of the registry's RSS during a large upload (docs/benchmarks.md). A
 * scavenge of the young generation costs well under a millisecond; one per 16 MiB bounds the dead
 * chunks to about that.
 */
const YOUNG_GC_EVERY_BYTES = 16 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options: { type: 'minor' }) => void;

/** Returns what an upload calls with each body chunk's length; it scavenges every 16 MiB. */
export function scavengeAsBodyArrives(): (bytes: number) => void {
  let since = 0;
  return bytes => {
    since += bytes;
    if (since >= YOUNG_GC_EVERY_BYTES) {
      since = 0;
      gc({ type: 'minor' });
    }
  };
}

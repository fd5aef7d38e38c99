import fsp from 'node:fs/promises';
import { isBucket } from '../blobs/open';
import {
  clearQuarantine,
  listQuarantined,
  markQuarantined
} from '../blobs/quarantine';
import type { Db } from '../db/database';
import { blobFiles, blobPath, blobRecords, hashFile } from './blob-files';
import { dataDirOf, parseOpsArgs, printSummary, withStorage } from './context';
import { verifyBucket } from './s3';

export const VERIFY_USAGE = `verify --data-dir DIR   re-hash every blob; report and quarantine corrupt or missing ones (exit 2 if any)`;

/** Which artifacts point at a digest, for a report an operator can act on. */
async function whoUses(db: Db, sha256: string): Promise<string[]> {
  const rows = await db
    .selectFrom('artifacts')
    .innerJoin('candidates', 'candidates.id', 'artifacts.candidate_id')
    .innerJoin('models', 'models.id', 'candidates.model_id')
    .innerJoin('groups', 'groups.id', 'models.group_id')
    .leftJoin('versions', 'versions.candidate_id', 'candidates.id')
    .select([
      'groups.name as group',
      'models.name as model',
      'candidates.iid',
      'artifacts.path',
      'versions.version'
    ])
    .where('artifacts.sha256', '=', sha256)
    .limit(20)
    .execute();
  return rows.map(
    r =>
      `${r.group}/${r.model} candidate ${r.iid}${r.version ? ` (version ${r.version})` : ''} ${r.path}`
  );
}

/**
 * Re-hashes every blob file, compares it with its name and recorded size, and looks for
 * recorded blobs whose file is gone. Bad blobs get a quarantine mark (never served again until
 * good bytes return); marks of blobs that hash correctly again are cleared.
 */
export async function verify(argv: string[]): Promise<void> {
  const args = parseOpsArgs(argv, ['data-dir']);
  const problems = await withStorage(
    dataDirOf(args),
    async ({ db, blobRoot, blobs }) => {
      if (isBucket(blobs)) {
        const r = await verifyBucket(db, blobs, sha256 => whoUses(db, sha256));
        printSummary('verify', r.summary);
        return r.problems;
      }
      const { recorded, referenced } = await blobRecords(db);
      const onDisk = new Set<string>();
      const marked = new Set(await listQuarantined(blobRoot));
      let corrupt = 0,
        missing = 0,
        checked = 0,
        bytes = 0,
        cleared = 0;

      for await (const { sha256, file } of blobFiles(blobRoot)) {
        onDisk.add(sha256);
        const actual = await hashFile(file);
        checked++;
        bytes += actual.size;
        const size = recorded.get(sha256);
        if (
          actual.sha256 === sha256 &&
          (size === undefined || size === actual.size)
        ) {
          if (marked.has(sha256) && (await clearQuarantine(blobRoot, sha256))) {
            cleared++;
            console.log(
              `OK again  ${sha256}: hashes correctly, quarantine mark removed`
            );
          }
          continue;
        }
        corrupt++;
        const detail =
          actual.sha256 !== sha256
            ? `${actual.size} bytes hash to ${actual.sha256}`
            : `${actual.size} bytes instead of ${size}`;
        await markQuarantined(blobRoot, sha256, {
          reason: 'corrupt',
          detail,
          found_by: 'verify'
        });
        console.log(`CORRUPT   ${sha256}: ${detail} (${file})`);
        for (const use of await whoUses(db, sha256)) {
          console.log(`          used by ${use}`);
        }
      }
      for (const sha256 of new Set([...recorded.keys(), ...referenced])) {
        if (onDisk.has(sha256)) {
          continue;
        }
        // A row without an artifact pointing at it is garbage, not loss; gc tidies it.
        if (!referenced.has(sha256)) {
          continue;
        }
        try {
          await fsp.stat(blobPath(blobRoot, sha256));
          continue; // arrived while we walked
        } catch {
          /* really missing */
        }
        missing++;
        await markQuarantined(blobRoot, sha256, {
          reason: 'missing',
          detail: 'the file is gone from the blob store',
          found_by: 'verify'
        });
        console.log(
          `MISSING   ${sha256}: no file at ${blobPath(blobRoot, sha256)}`
        );
        for (const use of await whoUses(db, sha256)) {
          console.log(`          used by ${use}`);
        }
      }
      printSummary('verify', {
        checked,
        bytes,
        corrupt,
        missing,
        cleared,
        quarantined: (await listQuarantined(blobRoot)).length
      });
      return corrupt + missing;
    }
  );
  // Exit 2 = problems found (1 is "verify itself failed").
  if (problems > 0) {
    process.exitCode = 2;
  }
}

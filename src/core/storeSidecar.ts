import { promises as fs } from 'node:fs';
import type { ResultsStore } from '../model/store';
import { decodeStore, encodeStore, readStoreHeader } from '../model/storeFile';
import { writeFileAtomic } from './atomicFile';
import { STORE_SUFFIX } from './cacheLayout';

/** Which file a sidecar was built from: a file replaced in any way (a new download) no longer matches. */
export interface FileIdentity {
  size: string;
  ino: string;
  mtimeNs: string;
}

/** Which file `file` is right now (size, inode, modification time): what a sidecar must match. */
export async function identityOf(file: string): Promise<FileIdentity> {
  const stat = await fs.stat(file, { bigint: true });
  return { size: String(stat.size), ino: String(stat.ino), mtimeNs: String(stat.mtimeNs) };
}

/**
 * Keeps `store`, built from the cached download `file`, beside it as `<file>.store`, written
 * atomically, so the next open of the table reads columns instead of parsing JSON. Call it only with
 * a store of the whole file; the caller logs a failure (the table works without it). `identity` is
 * the file's as it was when `store` was known to be its contents (now, when not given).
 */
export async function writeStoreSidecar(file: string, store: ResultsStore, identity?: FileIdentity): Promise<void> {
  identity ??= await identityOf(file);
  const parts = encodeStore(store, identity);
  await writeFileAtomic(file + STORE_SUFFIX, Buffer.concat(parts));
}

/** A sidecar read from disk, not decoded yet: its bytes and the row count its header declares. */
export interface KeptBytes {
  bytes: Uint8Array;
  rowCount: number;
}

/**
 * The bytes of the sidecar kept beside `file`, when it was built from this very file (same size,
 * inode and modification time), by its header alone: the body is checked by whoever decodes it.
 */
export async function readSidecarBytes(file: string): Promise<KeptBytes | undefined> {
  let identity: FileIdentity;
  let bytes: Buffer;
  try {
    [identity, bytes] = await Promise.all([identityOf(file), fs.readFile(file + STORE_SUFFIX)]);
  } catch {
    return undefined;
  }
  const header = readStoreHeader(bytes);
  const kept = header?.identity as Partial<FileIdentity> | undefined;
  const rowCount = header?.rowCount;
  if (kept?.size !== identity.size || kept.ino !== identity.ino || kept.mtimeNs !== identity.mtimeNs) return undefined;
  if (typeof rowCount !== 'number' || !Number.isInteger(rowCount) || rowCount < 0) return undefined;
  return { bytes, rowCount };
}

/**
 * The store kept beside `file`, when there is one built from this very file (same size, inode and
 * modification time) and `check` accepts it (the protocol's `parseStore`: lengths, offsets, codes);
 * undefined otherwise, and the caller parses the file.
 */
export async function readStoreSidecar(
  file: string,
  check: (value: unknown) => ResultsStore | undefined,
): Promise<ResultsStore | undefined> {
  const kept = await readSidecarBytes(file);
  return kept && decodeKept(kept, check);
}

/** The store in a sidecar's bytes, each column a copy of its own, when `check` accepts it and its row count. */
export function decodeKept(
  kept: KeptBytes,
  check: (value: unknown) => ResultsStore | undefined,
): ResultsStore | undefined {
  const decoded = decodeStore(kept.bytes);
  const store = decoded && check(decoded.store);
  return store?.rowCount === kept.rowCount ? store : undefined;
}

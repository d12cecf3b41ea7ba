import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Suffix of a download in progress (see `cacheLayout.ts`). */
export const PART_SUFFIX = '.part';
/** Suffix of the temporary file of any other atomic write. */
export const TEMP_SUFFIX = '.tmp';

/**
 * A unique temporary name beside `destPath`: `<destPath>.<pid>.<random><suffix>`. Unique, because
 * two writers of one destination (two VS Code windows share one cache folder) must never share a
 * temporary file: their bytes would interleave and one rename would find the file gone.
 */
export function tempPathFor(destPath: string, suffix: string): string {
  return `${destPath}.${process.pid}.${randomBytes(6).toString('hex')}${suffix}`;
}

/**
 * A file being written under a temporary name and moved into place only by `commit`, so readers
 * see either the previous complete file or the new complete file, never a half-written one.
 */
export interface AtomicWriter {
  /** Where the bytes go until `commit`. */
  readonly tempPath: string;
  /** Bytes written so far. */
  readonly bytes: number;
  write(data: Uint8Array | string): Promise<void>;
  /** Flushes to disk (fsync), closes, and renames over the destination. */
  commit(): Promise<void>;
  /** Closes and deletes the temporary file; the destination is untouched. Never throws. */
  abort(): Promise<void>;
}

/**
 * Opens a temporary file, by default with a unique name beside `destPath` (see {@link tempPathFor}),
 * for an atomic replace of `destPath`. The directory of `destPath` is created when missing; the
 * temporary file must be on the same file system for the rename.
 */
export async function openAtomicWriter(
  destPath: string,
  temp: string = tempPathFor(destPath, TEMP_SUFFIX),
): Promise<AtomicWriter> {
  await fs.mkdir(path.dirname(destPath), { recursive: true });
  // `wx`: should the name ever be taken, fail rather than write into someone else's file.
  const handle = await fs.open(temp, 'wx');
  let bytes = 0;
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };

  return {
    tempPath: temp,
    get bytes() {
      return bytes;
    },
    async write(data) {
      const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let at = 0;
      // A single write may be partial; loop until every byte is down.
      while (at < buffer.length) {
        const { bytesWritten } = await handle.write(buffer, at, buffer.length - at);
        at += bytesWritten;
      }
      bytes += buffer.length;
    },
    async commit() {
      await handle.sync();
      await close();
      await fs.rename(temp, destPath);
      await syncDirectory(path.dirname(destPath));
    },
    async abort() {
      try {
        await close();
      } catch {
        // Closing a broken handle must not hide the error that made us abort.
      }
      await fs.rm(temp, { force: true }).catch(() => undefined);
    },
  };
}

/**
 * Writes `destPath` atomically with what `fill` writes: committed when it resolves, and when it
 * throws the temporary file is deleted and `destPath` left as it was.
 */
export async function writeAtomically(destPath: string, fill: (writer: AtomicWriter) => Promise<void>): Promise<void> {
  const writer = await openAtomicWriter(destPath);
  try {
    await fill(writer);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Writes `data` to `path` atomically: temporary file, fsync, rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  return writeAtomically(path, (writer) => writer.write(data));
}

/** Makes the rename itself durable where the platform allows it (not on Windows, where it is a no-op). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Directories cannot be opened or synced on every platform; the rename already happened.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

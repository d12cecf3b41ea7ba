/**
 * Freeing space in the results cache: evicting the oldest finished downloads beyond a size cap, and
 * sweeping what interrupted downloads left behind. Both share the cache folder with other windows,
 * so neither touches a file another process is writing.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LOCK_SUFFIX, META_SUFFIX, STORE_SUFFIX, type CacheLayout } from './cacheLayout';
import { sealedKeyOf } from './cacheSeal';
import { acquireFileLock, tryAcquireFileLock, type FileLockOptions } from './fileLock';
import type { ResultsKey } from './resultsKey';

export type LockTiming = Pick<FileLockOptions, 'staleMs' | 'refreshMs' | 'pollMs'>;

interface WalkedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Deletes finished downloads, oldest modification first, until the whole cache is at most
 * `maxBytes`. Keys in `keep` (e.g. the batch on screen), files being downloaded (their lock is held)
 * and files not sealed (see {@link sweepLeftovers}) are never deleted, so the result may stay above
 * the cap. Returns the evicted keys, oldest first.
 */
export async function evictToLimit(
  layout: CacheLayout,
  maxBytes: number,
  keep: readonly ResultsKey[],
  lockTiming: LockTiming,
): Promise<ResultsKey[]> {
  const files = await walk(layout.root);
  let total = files.reduce((sum, file) => sum + file.size, 0);
  if (total <= maxBytes) return [];
  const kept = new Set(keep.map((key) => layout.path(key)));
  const sizes = new Map(files.map((file) => [file.path, file.size]));
  const candidates: { file: WalkedFile; key: ResultsKey }[] = [];
  for (const file of files) {
    if (kept.has(file.path)) continue;
    const key = await sealedKeyOf(layout, file.path);
    if (key) candidates.push({ file, key });
  }
  candidates.sort((a, b) => a.file.mtimeMs - b.file.mtimeMs || a.file.path.localeCompare(b.file.path));
  const evicted: ResultsKey[] = [];
  for (const { file, key } of candidates) {
    if (total <= maxBytes) break;
    // Skip, not wait: a held lock means another window is replacing this file right now.
    const lock = await tryAcquireFileLock(file.path + LOCK_SUFFIX, lockTiming);
    if (!lock) continue;
    try {
      await deleteSealed(file.path);
    } finally {
      await lock.release();
    }
    total -= file.size + (sizes.get(file.path + META_SUFFIX) ?? 0) + (sizes.get(file.path + STORE_SUFFIX) ?? 0);
    evicted.push(key);
    await removeEmptyFolders(file.path);
  }
  return evicted;
}

/**
 * Deletes what is not a sealed download or its sidecar: temporary files and locks of writes whose
 * process died (VS Code killed mid-download), files never sealed, and folders of the layout before
 * batch folders were hashed (their files are not cached). Only files untouched for `olderThanMs`
 * go, so a download running in this or another window is never hit. Returns the bytes freed.
 */
export async function sweepLeftovers(layout: CacheLayout, olderThanMs: number, now: number): Promise<number> {
  let freed = 0;
  const files = await walk(layout.root);
  const sealed = new Set<string>();
  for (const file of files) {
    if (await sealedKeyOf(layout, file.path)) {
      sealed
        .add(file.path)
        .add(file.path + META_SUFFIX)
        .add(file.path + STORE_SUFFIX);
    }
  }
  for (const file of files) {
    if (sealed.has(file.path) || now - file.mtimeMs < olderThanMs) continue;
    await fs.rm(file.path, { force: true });
    freed += file.size;
    await removeEmptyFolders(file.path);
  }
  return freed;
}

/** Bytes of everything under `root`, including sidecars and downloads in progress. */
export async function totalSize(root: string): Promise<number> {
  let total = 0;
  for (const file of await walk(root)) total += file.size;
  return total;
}

/** Deletes a finished download and its sidecar (a running download's temporary file is left alone). */
/**
 * Deletes everything under `dir`: each cached file with its sidecars, temporary files and locks,
 * under that file's lock. A file whose lock is held is waited for up to `waitMs` (a download this
 * window just cancelled lets go at once) and otherwise left alone with its sidecars: another window
 * is downloading it right now, and deleting its files under it would fail that download. Returns how
 * many cached files were left because they were busy.
 */
export async function deleteUnder(dir: string, lockTiming: LockTiming, waitMs = 5_000): Promise<{ busy: number }> {
  const groups = new Map<string, string[]>();
  for (const file of await walk(dir)) {
    const base = cachedPathOf(file.path);
    groups.set(base, [...(groups.get(base) ?? []), file.path]);
  }
  let busy = 0;
  for (const [base, files] of groups) {
    const lock = await acquireFileLock(base + LOCK_SUFFIX, {
      ...lockTiming,
      signal: AbortSignal.timeout(waitMs),
    }).catch(() => undefined);
    if (!lock) {
      busy++;
      continue;
    }
    try {
      for (const file of files) if (file !== base + LOCK_SUFFIX) await fs.rm(file, { force: true });
    } finally {
      await lock.release();
    }
    await removeEmptyFolders(base);
  }
  return { busy };
}

/** The cached file a file of the cache folder belongs to: itself, or what its sidecar, lock or temporary name is for. */
function cachedPathOf(file: string): string {
  let base = file.replace(/\.\d+\.[0-9a-f]{12}\.(?:part|tmp)$/, '');
  for (const suffix of [LOCK_SUFFIX, META_SUFFIX, STORE_SUFFIX]) {
    if (base.endsWith(suffix)) base = base.slice(0, -suffix.length);
  }
  return base;
}

async function deleteSealed(file: string): Promise<void> {
  await fs.rm(file + META_SUFFIX, { force: true });
  await fs.rm(file + STORE_SUFFIX, { force: true });
  await fs.rm(file, { force: true });
}

/** Removes the batch and origin folders of `file` once they are empty, so the tree does not grow forever. */
export async function removeEmptyFolders(file: string, levels = 2): Promise<void> {
  let dir = path.dirname(file);
  for (let level = 0; level < levels; level++) {
    try {
      await fs.rmdir(dir);
    } catch {
      return; // Not empty, already gone, or in use by a download: leave it.
    }
    dir = path.dirname(dir);
  }
}

/** Every regular file under `dir`, recursively; a missing directory has none. */
async function walk(dir: string): Promise<WalkedFile[]> {
  const out: WalkedFile[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...(await walk(full)));
    } else if (entry.isFile()) {
      try {
        const { size, mtimeMs } = await fs.stat(full);
        out.push({ path: full, size, mtimeMs });
      } catch {
        // Deleted between readdir and stat (another window evicting): nothing to count.
      }
    }
  }
  return out;
}

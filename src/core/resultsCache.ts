/**
 * The results cache on disk, so every view of a batch reopens instantly and offline.
 *
 * Layout: `<root>/<originKey>/<batchId>/<filter>.<format>`, where root is
 * `<globalStorage>/results`. Downloads stream into `<path>.part` and rename it over `<path>` when
 * complete, so a finished file is never half-written. A file damaged behind the extension's back
 * (truncated, overwritten, deleted) reads as "not cached" here, never as an error.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicFile';
import { DOWNLOAD_FILTERS, type DownloadFilter } from './records';

export type CacheFormat = 'json' | 'csv';

export interface CacheKey {
  originKey: string;
  batchId: string;
  filter: DownloadFilter;
  format: CacheFormat;
}

/** What {@link ResultsCache.inspect} found at a key's path. */
export type CacheInspection =
  | { state: 'ok'; size: number; mtimeMs: number; records?: number }
  | { state: 'missing' }
  | { state: 'corrupt'; size: number; mtimeMs: number; reason: string };

/** Suffix of a download in progress; such files belong to a running download and are never evicted. */
export const PART_SUFFIX = '.part';
/** Suffix of the temporary file of an atomic write (see `atomicFile.ts`). */
const TEMP_SUFFIX = '.tmp';
/** Suffix of the small sidecar that records a finished file's size and record count. */
export const META_SUFFIX = '.meta';

const FORMATS: readonly CacheFormat[] = ['json', 'csv'];
const DATA_FILE = new RegExp(`^(${DOWNLOAD_FILTERS.join('|')})\\.(json|csv)$`);
/** How many bytes at each end of a JSON file are read to see that it is a whole array. */
const PROBE_BYTES = 256;

/**
 * Stable short key of an API origin (the first 16 hex characters of its SHA-256); keeps each
 * origin's results and history apart without putting a URL in a path.
 */
export function originKey(origin: string): string {
  return createHash('sha256').update(origin).digest('hex').slice(0, 16);
}

export class ResultsCache {
  /** @param root The cache directory, `<globalStorage>/results`; created on first write. */
  constructor(readonly root: string) {}

  /** Path of a finished download: `<root>/<originKey>/<batchId>/<filter>.<format>`. */
  path(key: CacheKey): string {
    return path.join(this.batchDir(key.originKey, key.batchId), `${key.filter}.${key.format}`);
  }

  /** Directory that holds every cached file of one batch. */
  batchDir(originKeyValue: string, batchId: string): string {
    return path.join(this.root, safeSegment(originKeyValue), safeSegment(batchId));
  }

  /**
   * Size and modification time of a usable cached file, or `undefined` when it is missing or
   * damaged (see {@link inspect}). Never throws for a missing or unreadable file.
   */
  async stat(key: CacheKey): Promise<{ size: number; mtimeMs: number } | undefined> {
    const found = await this.inspect(key);
    return found.state === 'ok' ? { size: found.size, mtimeMs: found.mtimeMs } : undefined;
  }

  /**
   * Checks a cached file without reading it whole: it must be a regular file; when a sidecar
   * exists, its recorded size must match; a JSON file must be one array (`[` first and `]` last,
   * ignoring whitespace), and a CSV file must hold at least a header line.
   */
  async inspect(key: CacheKey): Promise<CacheInspection> {
    const file = this.path(key);
    let info;
    try {
      info = await fs.stat(file);
    } catch {
      return { state: 'missing' };
    }
    const { size, mtimeMs } = info;
    if (!info.isFile()) return { state: 'corrupt', size, mtimeMs, reason: 'not a regular file' };
    const meta = await readMeta(file);
    if (meta && meta.bytes !== size) {
      return { state: 'corrupt', size, mtimeMs, reason: `size ${size} differs from the ${meta.bytes} bytes written` };
    }
    const problem = await checkShape(file, size, key.format);
    if (problem) return { state: 'corrupt', size, mtimeMs, reason: problem };
    return meta ? { state: 'ok', size, mtimeMs, records: meta.records } : { state: 'ok', size, mtimeMs };
  }

  /** The finished downloads of one batch that exist on disk (usable or not), in no particular order. */
  async keysOf(originKeyValue: string, batchId: string): Promise<CacheKey[]> {
    const names = await listDir(this.batchDir(originKeyValue, batchId));
    return names.flatMap((name) => {
      const key = parseDataName(originKeyValue, batchId, name);
      return key ? [key] : [];
    });
  }

  /**
   * Writes a whole result file atomically (temp file, then rename) and its sidecar. The sidecar is
   * removed first, so a crash in between leaves a file judged by its shape alone, never a stale size.
   */
  async write(key: CacheKey, data: string | Uint8Array, info: { records: number }): Promise<void> {
    const file = this.path(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.rm(file + META_SUFFIX, { force: true });
    await writeFileAtomic(file, data);
    await this.seal(key, info);
  }

  /**
   * Records the finished file's size (and record count) in a sidecar, so a later truncation or
   * overwrite is caught even when the file still looks like a whole array. Call right after the
   * download renamed `.part` over the file; without a sidecar the shape check still applies.
   */
  async seal(key: CacheKey, info: { records: number }): Promise<void> {
    const file = this.path(key);
    const { size } = await fs.stat(file);
    await writeFileAtomic(file + META_SUFFIX, JSON.stringify({ bytes: size, records: info.records }));
  }

  /** Deletes one cached download and its sidecar (a running download's `.part` is left alone). */
  async delete(key: CacheKey): Promise<void> {
    const file = this.path(key);
    await fs.rm(file + META_SUFFIX, { force: true });
    await fs.rm(file, { force: true });
  }

  /** Bytes of everything under the root, including sidecars and downloads in progress. */
  async totalSize(): Promise<number> {
    let total = 0;
    for (const file of await walk(this.root)) total += file.size;
    return total;
  }

  /**
   * Deletes finished downloads, oldest modification first, until the whole cache is at most
   * `maxBytes`. Keys in `keep` (e.g. the batch on screen) and downloads in progress are never
   * deleted, so the result may stay above the cap. Returns the evicted keys, oldest first.
   */
  async evictToLimit(maxBytes: number, keep: CacheKey[] = []): Promise<CacheKey[]> {
    const files = await walk(this.root);
    let total = files.reduce((sum, file) => sum + file.size, 0);
    if (total <= maxBytes) return [];
    const kept = new Set(keep.map((key) => this.path(key)));
    const sizes = new Map(files.map((file) => [file.path, file.size]));
    const candidates = files
      .map((file) => ({ file, key: this.keyOfPath(file.path) }))
      .filter((c): c is { file: WalkedFile; key: CacheKey } => c.key !== undefined && !kept.has(c.file.path))
      .sort((a, b) => a.file.mtimeMs - b.file.mtimeMs || a.file.path.localeCompare(b.file.path));
    const evicted: CacheKey[] = [];
    for (const { file, key } of candidates) {
      if (total <= maxBytes) break;
      await this.delete(key);
      total -= file.size + (sizes.get(file.path + META_SUFFIX) ?? 0);
      evicted.push(key);
      await removeIfEmpty(path.dirname(file.path));
      await removeIfEmpty(path.dirname(path.dirname(file.path)));
    }
    return evicted;
  }

  /**
   * Deletes what interrupted writes left behind: `.part` files of downloads and `.tmp` files of
   * atomic writes whose process died (VS Code killed mid-download). Only files untouched for
   * `olderThanMs` go, so a download running in this or another window is never hit. Returns the
   * bytes freed.
   */
  async sweepLeftovers(olderThanMs: number, now: number = Date.now()): Promise<number> {
    let freed = 0;
    for (const file of await walk(this.root)) {
      const leftover = file.path.endsWith(PART_SUFFIX) || file.path.endsWith(TEMP_SUFFIX);
      if (!leftover || now - file.mtimeMs < olderThanMs) continue;
      await fs.rm(file.path, { force: true });
      freed += file.size;
      await removeIfEmpty(path.dirname(file.path));
    }
    return freed;
  }

  /** Deletes every cached file of one batch. */
  async deleteBatch(originKeyValue: string, batchId: string): Promise<void> {
    const dir = this.batchDir(originKeyValue, batchId);
    await fs.rm(dir, { recursive: true, force: true });
    await removeIfEmpty(path.dirname(dir));
  }

  /** Deletes the whole cache. */
  async clear(): Promise<void> {
    await fs.rm(this.root, { recursive: true, force: true });
  }

  private keyOfPath(file: string): CacheKey | undefined {
    const relative = path.relative(this.root, file).split(path.sep);
    if (relative.length !== 3) return undefined;
    const [origin, batch, name] = relative;
    try {
      return parseDataName(decodeURIComponent(origin), decodeURIComponent(batch), name);
    } catch {
      return undefined; // A stray directory whose name is not one we encoded.
    }
  }
}

/**
 * Encodes one path segment. Batch IDs are validated before they get here, but the cache must
 * never be steered outside its root whatever it is handed.
 */
function safeSegment(value: string): string {
  const encoded = encodeURIComponent(value);
  if (encoded.length === 0 || encoded === '.' || encoded === '..') {
    throw new Error(`Unusable cache path segment: ${JSON.stringify(value)}`);
  }
  return encoded;
}

function parseDataName(originKeyValue: string, batchId: string, name: string): CacheKey | undefined {
  const match = DATA_FILE.exec(name);
  if (!match) return undefined;
  const format = match[2] as CacheFormat;
  if (!FORMATS.includes(format)) return undefined;
  return { originKey: originKeyValue, batchId, filter: match[1] as DownloadFilter, format };
}

async function readMeta(file: string): Promise<{ bytes: number; records?: number } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file + META_SUFFIX, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const meta: unknown = JSON.parse(text);
    if (typeof meta === 'object' && meta !== null && 'bytes' in meta && typeof meta.bytes === 'number') {
      const records = 'records' in meta && typeof meta.records === 'number' ? meta.records : undefined;
      return { bytes: meta.bytes, records };
    }
  } catch {
    // A damaged sidecar proves nothing either way; fall through to the shape check alone.
  }
  return undefined;
}

/** Returns why the file is not a whole result of its format, or `undefined` when it looks whole. */
async function checkShape(file: string, size: number, format: CacheFormat): Promise<string | undefined> {
  if (size === 0) return 'empty file';
  let handle;
  try {
    handle = await fs.open(file, 'r');
    const headLength = Math.min(PROBE_BYTES, size);
    const head = Buffer.alloc(headLength);
    await handle.read(head, 0, headLength, 0);
    if (format === 'csv') {
      return head.toString('utf8').trim().length === 0 ? 'no CSV header' : undefined;
    }
    const tailLength = Math.min(PROBE_BYTES, size);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    const first = head.toString('utf8').replace(/^\uFEFF/, '').trimStart()[0];
    const last = tail.toString('utf8').trimEnd().slice(-1);
    if (first !== '[') return 'does not start with a JSON array';
    if (last !== ']') return 'JSON array is not closed (truncated?)';
    return undefined;
  } catch (error) {
    return `unreadable: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await handle?.close();
  }
}

interface WalkedFile {
  path: string;
  size: number;
  mtimeMs: number;
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

async function listDir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    await fs.rmdir(dir);
  } catch {
    // Not empty, already gone, or in use by a download: leave it.
  }
}

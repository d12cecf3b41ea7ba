/**
 * The results cache on disk, so every view of a batch reopens instantly and offline.
 *
 * Layout: `<root>/<originKey>/<batchDir>/<filter>.<format>`, where root is `<globalStorage>/results`
 * and `batchDir` is the batch ID lowercased plus a hash of the exact ID (see {@link batchDirName}).
 * Several VS Code windows share this folder, so every change to a file happens under its lock
 * (`<file>.lock`, see `fileLock.ts`): a download streams into a `.part` file of its own, is renamed
 * over `<file>` when complete, and is sealed: a sidecar (`<file>.meta`) records the exact file it
 * describes. A file counts as cached only when its sidecar still describes it, so a file damaged,
 * replaced or left unsealed (truncated, overwritten, interrupted) reads as "not cached" here, never
 * as an error.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicFile';
import { validateBatchId } from './batchId';
import { acquireFileLock, tryAcquireFileLock, type FileLockOptions } from './fileLock';
import { BouncerError } from './errors';
import { DOWNLOAD_FILTERS, isDownloadFilter, type DownloadFilter } from './records';

export type CacheFormat = 'json' | 'csv';

export interface CacheKey {
  originKey: string;
  batchId: string;
  filter: DownloadFilter;
  format: CacheFormat;
}

/** What {@link ResultsCache.inspect} found at a key's path. */
export type CacheInspection =
  | { state: 'ok'; size: number; mtimeMs: number; records: number }
  | { state: 'missing' }
  | { state: 'corrupt'; size: number; mtimeMs: number; reason: string };

/** Suffix of the small sidecar that seals a finished file: which file it is, its size and records. */
export const META_SUFFIX = '.meta';
/** Suffix of the lock file held while a file is downloaded, sealed or evicted. */
export const LOCK_SUFFIX = '.lock';

const FORMATS: readonly CacheFormat[] = ['json', 'csv'];
const DATA_FILE = new RegExp(`^(${DOWNLOAD_FILTERS.join('|')})\\.(json|csv)$`);
/** How many bytes at each end of a JSON file are read to see that it is a whole array. */
const PROBE_BYTES = 256;
/** Sidecars without this version (older layouts) seal nothing. */
const META_VERSION = 2;
/** Characters of the readable part of a batch folder's name; the hash that follows keeps it unique. */
const READABLE_ID_CHARS = 48;

/** What a caller of {@link ResultsCache.fill} gets: the file, and whether this call downloaded it. */
export type FillResult<S> =
  | { path: string; reused: false; summary: S }
  /** Another window (or an earlier call) had already cached it; `bytes` and `records` as sealed. */
  | { path: string; reused: true; bytes: number; records: number };

export interface FillOptions {
  /** Download even when cached, unless another process finishes a download of it while we wait. */
  refresh?: boolean;
  /** Cancels the wait for another process's download (and is the caller's to pass to `produce`). */
  signal: AbortSignal;
  /** Called once when another process is downloading the same file and this call waits for it. */
  onWait?: () => void;
}

/** The sidecar's contents. The file's identity (inode, modification time) catches a replacement. */
interface Seal {
  version: typeof META_VERSION;
  batchId: string;
  bytes: number;
  records: number;
  ino: string;
  mtimeNs: string;
}

/**
 * Stable short key of an API origin (the first 16 hex characters of its SHA-256); keeps each
 * origin's results and history apart without putting a URL in a path.
 */
export function originKey(origin: string): string {
  return createHash('sha256').update(origin).digest('hex').slice(0, 16);
}

export class ResultsCache {
  /**
   * @param root The cache directory, `<globalStorage>/results`; created on first write.
   * @param lockTiming How long a silent lock holder counts as alive, and how often locks are
   *   refreshed and polled (see `fileLock.ts`); the defaults suit real use.
   */
  constructor(
    readonly root: string,
    private readonly lockTiming: Pick<FileLockOptions, 'staleMs' | 'refreshMs' | 'pollMs'> = {},
  ) {}

  /**
   * Path of a finished download: `<root>/<originKey>/<batchDir>/<filter>.<format>`. Throws for a
   * filter, format or batch ID that is not one of ours, whatever checks came before: an argument
   * that slipped past them must never name a file.
   */
  path(key: CacheKey): string {
    if (!isDownloadFilter(key.filter)) {
      const expected = DOWNLOAD_FILTERS.join(', ');
      throw new Error(`Unknown results filter ${JSON.stringify(key.filter)}: expected one of ${expected}.`);
    }
    if (!FORMATS.includes(key.format)) {
      throw new Error(`Unknown results format ${JSON.stringify(key.format)}: expected json or csv.`);
    }
    return path.join(this.batchDir(key.originKey, key.batchId), `${key.filter}.${key.format}`);
  }

  /** Directory that holds every cached file of one batch. Throws `BouncerError('invalidBatchId')`. */
  batchDir(originKeyValue: string, batchId: string): string {
    const checked = validateBatchId(batchId);
    // Exactly valid, not valid once trimmed: ` abc` must not name the folder of `abc`.
    if (!checked.ok || checked.id !== batchId) {
      throw new BouncerError('invalidBatchId', checked.ok ? 'A batch ID has no surrounding spaces.' : checked.message);
    }
    return path.join(this.root, safeSegment(originKeyValue), batchDirName(batchId));
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
   * Checks a cached file without reading it whole: it must be a regular file sealed by a sidecar
   * that still describes it (same size, inode and modification time, and the same batch); a JSON
   * file must be one array (`[` first and `]` last, ignoring whitespace) that is empty exactly when
   * the sidecar says it has no records, and a CSV file must hold at least a header line.
   */
  async inspect(key: CacheKey): Promise<CacheInspection> {
    const file = this.path(key);
    let info;
    try {
      info = await fs.stat(file, { bigint: true });
    } catch {
      return { state: 'missing' };
    }
    const size = Number(info.size);
    const mtimeMs = Number(info.mtimeMs);
    const corrupt = (reason: string): CacheInspection => ({ state: 'corrupt', size, mtimeMs, reason });
    if (!info.isFile()) return corrupt('not a regular file');
    const seal = await readSeal(file);
    if (!seal) return corrupt('not sealed (an interrupted download, or a cache from an older version)');
    if (seal.batchId !== key.batchId) return corrupt(`sealed for batch ${seal.batchId}`);
    if (seal.bytes !== size) return corrupt(`size ${size} differs from the ${seal.bytes} bytes written`);
    if (seal.ino !== String(info.ino) || seal.mtimeNs !== String(info.mtimeNs)) {
      return corrupt('replaced or modified since its download was sealed');
    }
    const problem = await checkShape(file, size, key.format, seal.records);
    if (problem) return corrupt(problem);
    return { state: 'ok', size, mtimeMs, records: seal.records };
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
   * Makes sure the key's file is cached, calling `produce(path)` to download it when it is not (or
   * when `refresh`), and returns it. `produce` must write the file atomically (as `downloadToCache`
   * does) and report the bytes and records it wrote.
   *
   * Only one process at a time produces a given file: the others wait for its lock, then use what
   * it produced, or produce it themselves if it failed. The file is sealed before the lock goes.
   */
  async fill<S extends { bytes: number; records: number }>(
    key: CacheKey,
    options: FillOptions,
    produce: (path: string) => Promise<S>,
  ): Promise<FillResult<S>> {
    const file = this.path(key);
    const before = await this.inspect(key);
    if (before.state === 'ok' && !options.refresh) return reused(file, before);
    const lock = await acquireFileLock(file + LOCK_SUFFIX, {
      ...this.lockTiming,
      signal: options.signal,
      onWait: () => options.onWait?.(),
    });
    try {
      const now = await this.inspect(key);
      // Another process downloaded it while we waited (for a refresh: a file newer than we had).
      const fresh = before.state !== 'ok' || (now.state === 'ok' && now.mtimeMs !== before.mtimeMs);
      if (now.state === 'ok' && fresh) return reused(file, now);
      const summary = await produce(file);
      await this.seal(key, summary);
      return { path: file, reused: false, summary };
    } finally {
      await lock.release();
    }
  }

  /** Writes a whole result file atomically (temp file, then rename) and seals it, under its lock. */
  async write(key: CacheKey, data: string | Uint8Array, info: { records: number }): Promise<void> {
    const file = this.path(key);
    const lock = await acquireFileLock(file + LOCK_SUFFIX, this.lockTiming);
    try {
      await writeFileAtomic(file, data);
      await this.seal(key, { bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length, ...info });
    } finally {
      await lock.release();
    }
  }

  /**
   * Records which file was just written (its size, inode and modification time) and its record
   * count in the sidecar. Call with the key's lock held, right after the file was renamed into place.
   * Refuses to seal a file of another size than was written: something else replaced it.
   */
  private async seal(key: CacheKey, written: { bytes: number; records: number }): Promise<void> {
    const file = this.path(key);
    const info = await fs.stat(file, { bigint: true });
    if (Number(info.size) !== written.bytes) {
      throw new Error(
        `The cached file ${file} changed before it was sealed: ${info.size} bytes, ${written.bytes} written.`,
      );
    }
    const seal: Seal = {
      version: META_VERSION,
      batchId: key.batchId,
      bytes: written.bytes,
      records: written.records,
      ino: String(info.ino),
      mtimeNs: String(info.mtimeNs),
    };
    await writeFileAtomic(file + META_SUFFIX, JSON.stringify(seal));
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
   * `maxBytes`. Keys in `keep` (e.g. the batch on screen), files being downloaded (their lock is
   * held) and files not sealed (see {@link sweepLeftovers}) are never deleted, so the result may
   * stay above the cap. Returns the evicted keys, oldest first.
   */
  async evictToLimit(maxBytes: number, keep: CacheKey[] = []): Promise<CacheKey[]> {
    const files = await walk(this.root);
    let total = files.reduce((sum, file) => sum + file.size, 0);
    if (total <= maxBytes) return [];
    const kept = new Set(keep.map((key) => this.path(key)));
    const sizes = new Map(files.map((file) => [file.path, file.size]));
    const candidates: { file: WalkedFile; key: CacheKey }[] = [];
    for (const file of files) {
      if (kept.has(file.path)) continue;
      const key = await this.keyOfPath(file.path);
      if (key) candidates.push({ file, key });
    }
    candidates.sort((a, b) => a.file.mtimeMs - b.file.mtimeMs || a.file.path.localeCompare(b.file.path));
    const evicted: CacheKey[] = [];
    for (const { file, key } of candidates) {
      if (total <= maxBytes) break;
      // Skip, not wait: a held lock means another window is replacing this file right now.
      const lock = await tryAcquireFileLock(file.path + LOCK_SUFFIX, this.lockTiming);
      if (!lock) continue;
      try {
        await this.delete(key);
      } finally {
        await lock.release();
      }
      total -= file.size + (sizes.get(file.path + META_SUFFIX) ?? 0);
      evicted.push(key);
      await removeIfEmpty(path.dirname(file.path));
      await removeIfEmpty(path.dirname(path.dirname(file.path)));
    }
    return evicted;
  }

  /**
   * Deletes what is not a sealed download or its sidecar: `.part` and `.tmp` files and locks of
   * writes whose process died (VS Code killed mid-download), files never sealed, and folders of the
   * layout before batch folders were hashed (their files are not cached; see {@link batchDirName}).
   * Only files untouched for `olderThanMs` go, so a download running in this or another window is
   * never hit. Returns the bytes freed.
   */
  async sweepLeftovers(olderThanMs: number, now: number = Date.now()): Promise<number> {
    let freed = 0;
    const files = await walk(this.root);
    const sealed = new Set<string>();
    for (const file of files) {
      if (await this.keyOfPath(file.path)) sealed.add(file.path).add(file.path + META_SUFFIX);
    }
    for (const file of files) {
      if (sealed.has(file.path) || now - file.mtimeMs < olderThanMs) continue;
      await fs.rm(file.path, { force: true });
      freed += file.size;
      await removeIfEmpty(path.dirname(file.path));
      await removeIfEmpty(path.dirname(path.dirname(file.path)));
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

  /**
   * The key whose sealed file is at `file`, or `undefined` for anything else (temporary files,
   * locks, unsealed files, older layouts). The exact batch ID comes from the sidecar: the folder
   * name holds it only lowercased.
   */
  private async keyOfPath(file: string): Promise<CacheKey | undefined> {
    const relative = path.relative(this.root, file).split(path.sep);
    if (relative.length !== 3) return undefined;
    const [origin, , name] = relative;
    const match = DATA_FILE.exec(name);
    if (!match) return undefined;
    const seal = await readSeal(file);
    if (!seal) return undefined;
    try {
      const key = parseDataName(decodeURIComponent(origin), seal.batchId, name);
      return key && this.path(key) === file ? key : undefined;
    } catch {
      return undefined; // A folder name we did not encode, or a sidecar naming an invalid batch.
    }
  }
}

function reused(file: string, found: { size: number; records: number }): FillResult<never> {
  return { path: file, reused: true, bytes: found.size, records: found.records };
}

/**
 * Name of a batch's folder: the ID lowercased (at most {@link READABLE_ID_CHARS} characters, so a
 * person can find it) and 16 hex characters of the SHA-256 of the exact ID. Batch IDs are case
 * sensitive (`ABC` and `abc` are two batches) but file systems on Windows and macOS are not, and
 * an ID such as `CON` or `nul` is a device name on Windows; the hash suffix settles both.
 */
export function batchDirName(batchId: string): string {
  const hash = createHash('sha256').update(batchId).digest('hex').slice(0, 16);
  return `${batchId.toLowerCase().slice(0, READABLE_ID_CHARS)}-${hash}`;
}

/**
 * Encodes one path segment. Origin keys are made by {@link originKey}, but the cache must
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

/** The sidecar of `file`, or `undefined` when it is missing, damaged or from an older version. */
async function readSeal(file: string): Promise<Seal | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file + META_SUFFIX, 'utf8'));
  } catch {
    return undefined; // A damaged sidecar vouches for nothing.
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const seal = value as Record<keyof Seal, unknown>;
  const ok =
    seal.version === META_VERSION &&
    typeof seal.batchId === 'string' &&
    typeof seal.bytes === 'number' &&
    typeof seal.records === 'number' &&
    typeof seal.ino === 'string' &&
    typeof seal.mtimeNs === 'string';
  return ok ? (value as Seal) : undefined;
}

/**
 * Returns why the file is not a whole result of its format holding `records` records (for JSON, only
 * "none" versus "some" is checked: counting them all would mean reading the file), or `undefined`.
 */
async function checkShape(
  file: string,
  size: number,
  format: CacheFormat,
  records: number,
): Promise<string | undefined> {
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
    const start = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
    const last = tail.toString('utf8').trimEnd().slice(-1);
    if (start[0] !== '[') return 'does not start with a JSON array';
    if (last !== ']') return 'JSON array is not closed (truncated?)';
    const empty = start.slice(1).trimStart()[0] === ']';
    if (empty !== (records === 0)) return `holds ${empty ? 'no' : 'some'} records, the sidecar says ${records}`;
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

/**
 * The seal of a cached file, and what a look at the file makes of it. A finished download is sealed
 * by a sidecar (`<file>.meta`) naming the exact file it describes (size, inode, modification time)
 * and its record count; a file counts as cached only while its sidecar still describes it, so a file
 * damaged, replaced or left unsealed reads as "download again", never as an error.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from './atomicFile';
import { META_SUFFIX, type CacheLayout } from './cacheLayout';
import type { ResultsFormat, ResultsKey } from './resultsKey';

/**
 * What a look at a key's file found.
 * - `missing`: nothing there.
 * - `ok`: sealed, and the seal still describes it: use it.
 * - `stale`: the seal does not vouch for this file: never sealed (an interrupted download, a cache
 *   of an older version), sealed for another batch, or replaced or rewritten since it was sealed.
 * - `damaged`: the file cannot be the result that was sealed: not a regular file, another size, not
 *   a whole JSON array or CSV, or unreadable.
 * Both `stale` and `damaged` mean "not cached": download again.
 */
export type CacheState =
  | { state: 'missing' }
  | { state: 'ok'; size: number; mtimeMs: number; records: number }
  | { state: 'stale' | 'damaged'; size: number; mtimeMs: number; reason: string };

/** How many bytes at each end of a JSON file are read to see that it is a whole array. */
const PROBE_BYTES = 256;
/** Sidecars without this version (older layouts) seal nothing. */
const META_VERSION = 2;

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
 * Looks at a cached file without reading it whole: it must be a regular file sealed by a sidecar
 * that still describes it (same size, inode and modification time, and the same batch); a JSON
 * file must be one array (`[` first and `]` last, ignoring whitespace) that is empty exactly when
 * the sidecar says it has no records, and a CSV file must hold at least a header line.
 */
export async function inspectFile(file: string, key: ResultsKey): Promise<CacheState> {
  let info;
  try {
    info = await fs.stat(file, { bigint: true });
  } catch {
    return { state: 'missing' };
  }
  const size = Number(info.size);
  const mtimeMs = Number(info.mtimeMs);
  const stale = (reason: string): CacheState => ({ state: 'stale', size, mtimeMs, reason });
  const damaged = (reason: string): CacheState => ({ state: 'damaged', size, mtimeMs, reason });
  if (!info.isFile()) return damaged('not a regular file');
  const seal = await readSeal(file);
  if (!seal) return stale('not sealed (an interrupted download, or a cache from an older version)');
  if (seal.batchId !== key.batchId) return stale(`sealed for batch ${seal.batchId}`);
  if (seal.bytes !== size) return damaged(`size ${size} differs from the ${seal.bytes} bytes written`);
  if (seal.ino !== String(info.ino) || seal.mtimeNs !== String(info.mtimeNs)) {
    return stale('replaced or modified since its download was sealed');
  }
  const problem = await checkShape(file, size, key.format, seal.records);
  if (problem) return damaged(problem);
  return { state: 'ok', size, mtimeMs, records: seal.records };
}

/**
 * Records which file was just written (its size, inode and modification time) and its record count
 * in the sidecar. Call with the file's lock held, right after it was renamed into place. Refuses to
 * seal a file of another size than was written: something else replaced it.
 */
export async function sealFile(
  file: string,
  key: ResultsKey,
  written: { bytes: number; records: number },
): Promise<void> {
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

/**
 * The key whose sealed file is at `file`, or `undefined` for anything else (temporary files, locks,
 * unsealed files, older layouts). The exact batch ID comes from the sidecar: the folder name holds
 * it only lowercased.
 */
export async function sealedKeyOf(layout: CacheLayout, file: string): Promise<ResultsKey | undefined> {
  const name = layout.parse(file);
  if (!name) return undefined;
  const seal = await readSeal(file);
  if (!seal) return undefined;
  const key = { ...name, batchId: seal.batchId };
  try {
    return layout.path(key) === file ? key : undefined;
  } catch {
    return undefined; // A sidecar naming an invalid batch.
  }
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
  format: ResultsFormat,
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
    const start = head
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
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

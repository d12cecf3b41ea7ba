import { readRecords } from '../core/readRecords';
import {
  identityOf,
  readSidecarBytes,
  readStoreSidecar,
  writeStoreSidecar,
  type KeptBytes,
} from '../core/storeSidecar';
import { buildStore, type BuildOptions } from '../model/builder';
import type { ResultsStore } from '../model/store';
import { parseStore } from '../shared/protocol';
import type { BouncerLog } from './log';

/** Rows shown ahead of the rest: many screens' worth, parsed in a few tens of milliseconds. */
export const PARTIAL_ROWS = 20_000;

/**
 * Reads a panel's rows from somewhere other than the cache (a file opened in the table). It reports
 * the first rows through `options` as `buildStore` does, and throws {@link PanelLoadError} to show
 * its own sentence.
 */
export type StoreLoader = (signal: AbortSignal, options: BuildOptions) => Promise<ResultsStore>;

/** A load failure whose message is already the one sentence the panel shows. */
export class PanelLoadError extends Error {
  constructor(
    message: string,
    readonly canRetry: boolean,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** Where a panel reads its rows: the cached download, or a loader of its own. */
export interface PanelRowsSource {
  cachePath?: string;
  load?: StoreLoader;
}

export interface LoadedRows {
  store: ResultsStore;
  /** True when the columns kept beside the cached file were read: nothing was parsed. */
  fromSidecar: boolean;
}

/**
 * Reads a panel's rows: the columns kept beside a cached download if there are any, else the file
 * itself, reporting its first `PARTIAL_ROWS` rows through `onPartial` while the rest is parsed.
 */
export async function loadPanelRows(
  source: PanelRowsSource,
  signal: AbortSignal,
  callbacks: { onProgress(rows: number): void; onPartial(partial: ResultsStore): void },
): Promise<LoadedRows> {
  const { cachePath, load } = source;
  // A cached download may have its columns kept beside it: no parse at all. Columns still being
  // written (the table was closed and opened again at once) are worth the wait: parsing is slower.
  if (cachePath) await sidecarsBeingKept.get(cachePath);
  const kept = load ? undefined : await readStoreSidecar(cachePath as string, parseStore);
  if (kept) return { store: kept, fromSidecar: true };
  const options: BuildOptions = {
    onProgress: callbacks.onProgress,
    // The first rows go out while the rest is parsed: a million-row batch shows in well under a second.
    partialAfter: PARTIAL_ROWS,
    onPartial: callbacks.onPartial,
  };
  const store = load
    ? await load(signal, options)
    : await buildStore(readRecords(cachePath as string, { signal }), options);
  return { store, fromSidecar: false };
}

/** The columns kept beside a cached download, as bytes (see `readSidecarBytes`), once any write of them has ended. */
export async function readKeptColumns(cachePath: string): Promise<KeptBytes | undefined> {
  await sidecarsBeingKept.get(cachePath);
  return readSidecarBytes(cachePath);
}

/**
 * Keeps the columns beside the cached file for the next open; the table works without them. The
 * file is identified now, while `store` is known to be its contents, and the columns are written
 * once `later` resolves: encoding and writing a million rows (74 MB) would otherwise compete with
 * the webview taking in the same table on a 2-core machine.
 */
export function keepSidecar(cachePath: string, store: ResultsStore, log: BouncerLog, later?: Promise<void>): void {
  const keeping = identityOf(cachePath)
    .then(async (identity) => {
      await later;
      await writeStoreSidecar(cachePath, store, identity);
    })
    .catch((error: unknown) =>
      log.warn(`Results panel: could not keep the table's columns beside ${cachePath}: ${String(error)}`),
    )
    .finally(() => {
      if (sidecarsBeingKept.get(cachePath) === keeping) sidecarsBeingKept.delete(cachePath);
    });
  sidecarsBeingKept.set(cachePath, keeping);
}

/** Sidecars waiting for their table to be on screen, or being written, by cached file. */
const sidecarsBeingKept = new Map<string, Promise<void>>();

import { decodeStore } from '../model/storeFile';
import type { ResultsStore } from '../model/store';
import { parseStore } from '../shared/protocol';

/** Longest a table may take to arrive from the loopback server (74 MB at a million rows take well under 2 s). */
const FETCH_TIMEOUT_MS = 60_000;

/**
 * The store a `dataUrl` or `rowsUrl` message names, fetched from the host's loopback table server
 * and checked as a posted store is checked, plus its row count; undefined when it cannot be fetched
 * or does not check out (the caller then asks the host to post it).
 */
export async function fetchStore(message: { url: string; rows: number }): Promise<ResultsStore | undefined> {
  try {
    // Bounded: an address nobody answers (a port that silently drops, in some remote setups) must end
    // in the fallback, not in a table that never completes. The host forgets an offer after a minute.
    const response = await fetch(message.url, {
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) return undefined;
    const bytes = new Uint8Array(await response.arrayBuffer());
    // Views into the fetched bytes: this page never posts the store on, so nothing needs a copy.
    const decoded = decodeStore(bytes, { copy: false });
    const store = decoded ? parseStore(decoded.store) : undefined;
    return store?.rowCount === message.rows ? store : undefined;
  } catch {
    return undefined;
  }
}

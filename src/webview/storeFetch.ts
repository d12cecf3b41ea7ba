import { decodeStore } from '../model/storeFile';
import type { ResultsStore } from '../model/store';
import { parseStore } from '../shared/protocol';

/**
 * The store a `dataUrl` or `rowsUrl` message names, fetched from the host's loopback table server
 * and checked as a posted store is checked, plus its row count; undefined when it cannot be fetched
 * or does not check out (the caller then asks the host to post it).
 */
export async function fetchStore(message: { url: string; rows: number }): Promise<ResultsStore | undefined> {
  try {
    const response = await fetch(message.url, { cache: 'no-store', credentials: 'omit' });
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

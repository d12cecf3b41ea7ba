import type { ResultsStore } from './store';
import { matchesFolded } from './textMatch';

const encoder = new TextEncoder();

/**
 * Case-insensitive substring search over email, domain and provider, as the user types. Each
 * answer is a row mask; when the new query contains the previous one, only rows that matched before
 * are looked at again, so each keystroke gets cheaper.
 */
export class SearchIndex {
  private lastQuery = '';
  private lastMask: Uint8Array | undefined;

  constructor(private readonly store: ResultsStore) {}

  /** Rows matching `query` (1) or not (0); undefined for an empty query (everything matches). */
  match(query: string): Uint8Array | undefined {
    const q = query.trim().toLowerCase();
    if (q === '') return undefined;
    if (q === this.lastQuery && this.lastMask) return this.lastMask;
    const narrowing = this.lastMask !== undefined && q.includes(this.lastQuery);
    const mask = this.compute(q, narrowing ? this.lastMask : undefined);
    this.lastQuery = q;
    this.lastMask = mask;
    return mask;
  }

  private compute(q: string, within: Uint8Array | undefined): Uint8Array {
    const { store } = this;
    const n = store.rowCount;
    const mask = new Uint8Array(n);
    const domain = store.dict['domain.name'];
    const provider = store.dict.provider;
    const domainHit = dictHits(domain.values, q);
    const providerHit = dictHits(provider.values, q);
    const { bytes, offsets } = store.text.email;
    const needle = encoder.encode(q);
    for (let row = 0; row < n; row++) {
      if (within && within[row] === 0) continue;
      if (domainHit[domain.codes[row]] === 1 || providerHit[provider.codes[row]] === 1) {
        mask[row] = 1;
        continue;
      }
      if (matchesFolded(bytes, offsets[row], offsets[row + 1], needle, false)) mask[row] = 1;
    }
    return mask;
  }
}

function dictHits(values: readonly string[], q: string): Uint8Array {
  const hits = new Uint8Array(values.length);
  for (let code = 1; code < values.length; code++) if (values[code].toLowerCase().includes(q)) hits[code] = 1;
  return hits;
}

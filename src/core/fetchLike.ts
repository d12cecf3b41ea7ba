/** The subset of a fetch `Response` the client reads; node-fetch v3's `Response` satisfies it. */
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  /** A Node `Readable` in node-fetch; any async iterable of bytes (or strings) will do. */
  body: AsyncIterable<Uint8Array | string> | null;
  text(): Promise<string>;
}

/**
 * The subset of `fetch` the client calls; pass node-fetch v3's default export.
 * `redirect` is always `'manual'`: following a redirect would carry `x-api-key` to wherever the
 * `Location` points, and the Bouncer API never redirects.
 */
export type FetchLike = (
  url: string,
  init: {
    method?: string;
    headers: Record<string, string>;
    body?: string;
    signal: AbortSignal;
    redirect?: 'manual';
  },
) => Promise<FetchResponseLike>;

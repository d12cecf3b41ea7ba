import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Hands big tables to the results webview over a private loopback connection.
 *
 * Why: VS Code's message channel from the extension host to a webview moves about 12 MB/s on the
 * 2-core machines we measure on (a million-row table is 74 MB: six seconds), and a webview resource
 * URI takes the same road. A plain HTTP response over 127.0.0.1 moves the same bytes in a fraction
 * of a second, so the webview fetches the table's encoded columns from here instead.
 *
 * What keeps it private:
 * - it listens on 127.0.0.1 only, on a port the system picks;
 * - every table gets its own address with 128 random bits in it, answered once, and forgotten after
 *   that or after {@link OFFER_TTL_MS}; any other request gets a bare 404;
 * - it serves the table's columns and nothing else: never the API key, never a request to Bouncer.
 * The webview checks what it fetched exactly as it checks a posted table, and falls back to the
 * message channel when it cannot reach this server (a remote window, say).
 */
export class TableDataServer {
  private server: http.Server | undefined;
  private starting: Promise<number> | undefined;
  private readonly offers = new Map<string, { parts: readonly Uint8Array[]; timer: NodeJS.Timeout }>();

  /** Starts listening (once); resolves to the port. */
  start(): Promise<number> {
    this.starting ??= new Promise<number>((resolve, reject) => {
      const server = http.createServer((request, response) => this.answer(request, response));
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        this.server = server;
        // Idle keep-alive sockets must not hold the extension host open at shutdown.
        server.unref();
        resolve((server.address() as AddressInfo).port);
      });
    });
    return this.starting;
  }

  /** The origin a webview's CSP must allow to fetch from here; undefined until started. */
  get origin(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? `http://127.0.0.1:${address.port}` : undefined;
  }

  /**
   * Offers `parts` (concatenated, they are the body) for one fetch; returns its address. The parts
   * are only referenced, not copied: they must not change until fetched or revoked.
   */
  offer(parts: readonly Uint8Array[]): string {
    const origin = this.origin;
    if (!origin) throw new Error('The table data server is not started.');
    const token = randomBytes(16).toString('hex');
    const timer = setTimeout(() => this.offers.delete(token), OFFER_TTL_MS);
    timer.unref();
    this.offers.set(token, { parts, timer });
    return `${origin}/${token}`;
  }

  /** Forgets an offer not fetched yet (the table it held was replaced or closed). */
  revoke(url: string): void {
    const token = url.slice(url.lastIndexOf('/') + 1);
    const offer = this.offers.get(token);
    if (!offer) return;
    clearTimeout(offer.timer);
    this.offers.delete(token);
  }

  dispose(): void {
    for (const { timer } of this.offers.values()) clearTimeout(timer);
    this.offers.clear();
    this.server?.close();
    this.server?.closeAllConnections();
    this.server = undefined;
    // Stopped, it may be started again (the setting turned back on).
    this.starting = undefined;
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const token = /^\/([0-9a-f]{32})$/.exec(request.url ?? '')?.[1];
    const offer = token ? this.offers.get(token) : undefined;
    // Any origin may ask (a webview's origin is not known ahead); without the address nothing answers.
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (request.method !== 'GET' || !offer || !token) {
      response.writeHead(404).end();
      return;
    }
    clearTimeout(offer.timer);
    this.offers.delete(token);
    const length = offer.parts.reduce((sum, part) => sum + part.byteLength, 0);
    response.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(length),
      'Cache-Control': 'no-store',
    });
    for (const part of offer.parts) response.write(part);
    response.end();
  }
}

/** An offer not fetched within this long is forgotten (the webview would have asked at once). */
export const OFFER_TTL_MS = 60_000;

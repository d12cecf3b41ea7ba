/**
 * A VS Code window's download in miniature: gets one batch into a shared cache folder through
 * `ResultsCache.fill`, as `DownloadService.ensureCached` does, so a test can run two of them at once
 * as separate processes. Protocol over the IPC channel: sends `{ type: 'ready' }`, waits for `{ type: 'go' }`,
 * then sends one `{ type: 'done', ... }` or `{ type: 'failed', message }` and exits.
 *
 * Arguments: <cacheRoot> <baseUrl> <apiKey> <batchId> <filter> <format>
 */
import fetch from 'node-fetch';
import { BouncerClient } from '../../../src/core/bouncerClient';
import { downloadToCache } from '../../../src/core/download';
import { isDownloadFilter } from '../../../src/core/records';
import { originKey, ResultsCache, type CacheKey } from '../../../src/core/resultsCache';

export interface ChildDone {
  type: 'done';
  pid: number;
  /** True when this process found the file already cached and downloaded nothing. */
  reused: boolean;
  /** True when it found another process downloading the file and waited for it. */
  waited: boolean;
  path: string;
}

export type ChildMessage = { type: 'ready' } | ChildDone | { type: 'failed'; pid: number; message: string };

async function run(args: string[]): Promise<ChildDone> {
  const [root, baseUrl, apiKey, batchId, filter, format] = args;
  if (!isDownloadFilter(filter) || (format !== 'json' && format !== 'csv')) throw new Error('bad arguments');
  const client = new BouncerClient({ baseUrl, apiKey, fetch, timeoutMs: 30_000 });
  const cache = new ResultsCache(root);
  const key: CacheKey = { originKey: originKey(baseUrl), batchId, filter, format };
  const signal = new AbortController().signal;
  let waited = false;
  const onWait = (): void => {
    waited = true;
  };
  const result = await cache.fill(key, { signal, onWait }, (path) =>
    downloadToCache(client, { batchId, filter, format }, path, { signal }),
  );
  return { type: 'done', pid: process.pid, reused: result.reused, waited, path: result.path };
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()));
}

process.on('message', (message: { type?: string }) => {
  if (message.type !== 'go') return;
  run(process.argv.slice(2))
    .then(send, (error: unknown) =>
      send({ type: 'failed', pid: process.pid, message: error instanceof Error ? error.message : String(error) }),
    )
    .finally(() => process.disconnect());
});
void send({ type: 'ready' });

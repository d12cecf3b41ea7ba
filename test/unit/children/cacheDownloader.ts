/**
 * A VS Code window's download in miniature: gets one batch into a shared cache folder through
 * `ResultsRepository.ensure`, as `DownloadService.ensureCached` does, so a test can run two of them at
 * once as separate processes. Protocol over the IPC channel: sends `{ type: 'ready' }`, waits for
 * `{ type: 'go' }`, then sends one `{ type: 'done', ... }` or `{ type: 'failed', message }` and exits.
 *
 * Arguments: <cacheRoot> <baseUrl> <apiKey> <batchId> <filter> <format>
 */
import fetch from 'node-fetch';
import { BouncerClient } from '../../../src/core/bouncerClient';
import { isDownloadFilter } from '../../../src/core/records';
import { isResultsFormat, originKey, type ResultsKey } from '../../../src/core/resultsKey';
import { ResultsRepository } from '../../../src/core/resultsRepository';

export interface ChildDone {
  type: 'done';
  pid: number;
  /** True when this process asked the server for nothing: another one had cached the file. */
  reused: boolean;
  /** True when it found another process downloading the file and waited for it. */
  waited: boolean;
  path: string;
  /** The records this process reported to its history as downloaded. */
  recorded: number | undefined;
}

export type ChildMessage = { type: 'ready' } | ChildDone | { type: 'failed'; pid: number; message: string };

async function run(args: string[]): Promise<ChildDone> {
  const [root, baseUrl, apiKey, batchId, filter, format] = args;
  if (!isDownloadFilter(filter) || !isResultsFormat(format)) throw new Error('bad arguments');
  const client = new BouncerClient({ baseUrl, apiKey, fetch, timeoutMs: 30_000 });
  let recorded: number | undefined;
  const repository = new ResultsRepository({
    root,
    history: {
      recordDownload: async (_key, summary) => {
        recorded = summary.records;
      },
      recordOpened: async () => undefined,
    },
  });
  const key: ResultsKey = { originKey: originKey(baseUrl), batchId, filter, format };
  let waited = false;
  let downloaded = false;
  const result = await repository.ensure(key, {
    connect: async () => ({
      openDownload: (...request) => {
        downloaded = true;
        return client.openDownload(...request);
      },
    }),
    track: (work) =>
      work(new AbortController().signal, (progress) => {
        if (progress.kind === 'waiting') waited = true;
      }),
  });
  return { type: 'done', pid: process.pid, reused: !downloaded, waited, path: result.path, recorded };
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

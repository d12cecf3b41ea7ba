import type { BouncerClient } from './bouncerClient';
import { ingestCsv, ingestJson, type DownloadSummary, type IngestOptions } from './ingest';
import type { ResultsKey } from './resultsKey';

/** The part of the API client a download needs; `BouncerClient` is one. */
export type ResultsDownloader = Pick<BouncerClient, 'openDownload'>;

/**
 * Downloads a batch's results straight into `destPath`: the body streams through the validating
 * ingest into a temporary file of its own (`tempPath`, see `ingest.ts`), which becomes `destPath`
 * only when complete. On any failure `destPath` keeps whatever good file it held before.
 */
export async function downloadToCache(
  client: ResultsDownloader,
  key: Pick<ResultsKey, 'batchId' | 'filter' | 'format'>,
  destPath: string,
  options: Pick<IngestOptions, 'onProgress' | 'tempPath' | 'onRecords'> & { signal: AbortSignal },
): Promise<DownloadSummary> {
  const response = await client.openDownload(key.batchId, key.filter, key.format, options.signal);
  const { signal, onProgress, tempPath, onRecords } = options;
  const ingestOptions: IngestOptions = { signal, onProgress, tempPath, onRecords };
  return key.format === 'json'
    ? ingestJson(response.body, destPath, ingestOptions)
    : ingestCsv(response.body, destPath, ingestOptions);
}

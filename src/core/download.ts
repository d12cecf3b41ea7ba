import type { BouncerClient } from './bouncerClient';
import { ingestCsv, ingestJson, type IngestProgress } from './ingest';
import type { OddRecords } from './recordSchema';
import type { DownloadFilter } from './records';

export type ResultsFormat = 'json' | 'csv';

export interface DownloadRequest {
  batchId: string;
  filter: DownloadFilter;
  format: ResultsFormat;
}

export interface DownloadSummary {
  bytes: number;
  records: number;
  /** Records per status value; for CSV, absent when the header has no `status` column. */
  counts?: Record<string, number>;
  hasName?: boolean;
  /** Records kept as sent although they differ from the spec; only for JSON downloads. */
  odd?: OddRecords;
}

/**
 * Downloads a batch's results straight into `destPath`: the body streams through the
 * validating ingest into a `.part` file of its own, which becomes `destPath` only when complete.
 * On any failure `destPath` keeps whatever good file it held before.
 */
export async function downloadToCache(
  client: BouncerClient,
  request: DownloadRequest,
  destPath: string,
  options: { signal: AbortSignal; onProgress?: (progress: IngestProgress) => void },
): Promise<DownloadSummary> {
  const response = await client.openDownload(request.batchId, request.filter, request.format, options.signal);
  const ingestOptions = { signal: options.signal, onProgress: options.onProgress };
  return request.format === 'json'
    ? ingestJson(response.body, destPath, ingestOptions)
    : ingestCsv(response.body, destPath, ingestOptions);
}

import { BouncerError } from './errors';

// Stateless between calls: a region always holds whole elements, hence whole UTF-8 sequences.
const decoder = new TextDecoder();

/**
 * Parses a region emitted by `RecordSplitter` (whole elements and their separators) with one
 * `JSON.parse` call: far fewer calls than one per record, and the engine's own parser does the
 * work. When that fails, each element is parsed alone to name the record at fault.
 */
export function parseRegion(
  region: Uint8Array,
  bounds: readonly number[],
  firstIndex: number,
): unknown[] {
  const text = decoder.decode(region);
  try {
    return JSON.parse(`[${text}]`) as unknown[];
  } catch (batchError) {
    for (let k = 0; k < bounds.length; k += 2) {
      try {
        JSON.parse(decoder.decode(region.subarray(bounds[k], bounds[k + 1])));
      } catch (error) {
        throw new BouncerError(
          'invalidBody',
          `Record ${firstIndex + k / 2} is not valid JSON: ${(error as Error).message}.`,
          { cause: error },
        );
      }
    }
    throw new BouncerError('invalidBody', `The download is not valid JSON: ${(batchError as Error).message}.`, {
      cause: batchError,
    });
  }
}

import { createReadStream } from 'node:fs';
import { openAtomicWriter } from './atomicFile';
import { csvCell } from './csvFormat';
import { CsvReader } from './csvReader';

/**
 * Re-encodes a CSV body cell by cell with every formula-looking cell neutralised (see `csvCell`):
 * the same rows, columns and cell text, in RFC 4180 with CRLF line ends. The server's CSV is kept
 * in the cache as sent; this is what a person or a spreadsheet gets to see of it.
 *
 * Yields the text a chunk of the body at a time, so a file of any size streams through.
 */
export async function* neutralizedCsv(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let lines: string[] = [];
  const reader = new CsvReader((cells) => {
    let line = csvCell(cells[0], true);
    for (let k = 1; k < cells.length; k++) line += ',' + csvCell(cells[k], true);
    lines.push(line + '\r\n');
  });
  for await (const chunk of body) {
    reader.push(chunk);
    if (lines.length > 0) {
      yield lines.join('');
      lines = [];
    }
  }
  reader.end();
  if (lines.length > 0) yield lines.join('');
}

/** The neutralised text of a CSV file, whole (for files small enough to hold as one string). */
export async function readNeutralizedCsv(file: string): Promise<string> {
  const parts: string[] = [];
  for await (const text of neutralizedCsv(createReadStream(file))) parts.push(text);
  return parts.join('');
}

/** Writes the neutralised text of `sourcePath` to `destPath`, atomically. */
export async function writeNeutralizedCsv(sourcePath: string, destPath: string): Promise<void> {
  const writer = await openAtomicWriter(destPath);
  try {
    for await (const text of neutralizedCsv(createReadStream(sourcePath))) await writer.write(text);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

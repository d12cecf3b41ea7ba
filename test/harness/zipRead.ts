import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/**
 * The bytes of one entry of a zip file (a .vsix is one), found through its central directory, so the
 * package check reads what users install without an `unzip` on the machine. Stored and deflated
 * entries only (all a .vsix holds); undefined when there is no such entry.
 */
export function zipRead(file: string, entry: string): Buffer | undefined {
  const data = fs.readFileSync(file);
  const eocd = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = data.readUInt16LE(eocd + 10);
  let offset = data.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = data.readUInt16LE(offset + 10);
    const compressed = data.readUInt32LE(offset + 20);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const local = data.readUInt32LE(offset + 42);
    const name = data.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (name === entry) {
      const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
      const bytes = data.subarray(start, start + compressed);
      if (method === 0) return Buffer.from(bytes);
      if (method === 8) return zlib.inflateRawSync(bytes);
      throw new Error(`${file}: ${entry} uses zip method ${method}`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return undefined;
}

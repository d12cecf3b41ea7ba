import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateRecords } from '../../emulator/generateRecords';
import { STORE_SUFFIX } from '../../src/core/cacheLayout';
import type { EmailRecord } from '../../src/core/records';
import { readStoreSidecar, writeStoreSidecar } from '../../src/core/storeSidecar';
import { buildStore } from '../../src/model/builder';
import { decodeStore, encodeStore } from '../../src/model/storeFile';
import { parseStore } from '../../src/shared/protocol';

/** Every typed array in a store (columns, masks, dictionaries' codes, extra columns). */
function typedArrays(value: unknown, out: ArrayBufferView[] = []): ArrayBufferView[] {
  if (ArrayBuffer.isView(value)) out.push(value);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) typedArrays(item, out);
  return out;
}

const odd: EmailRecord[] = [
  { email: 'zoë@example.com', status: 'risky', reason: 'low_quality', name: 'Zoë', score: '100' as unknown as number },
  { email: 'x@example.com', status: 'brand_new_status', reason: 'new_reason', score: 'n/a' as unknown as number },
];

describe('the table sidecar (columns kept beside a cached download)', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-store-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('encodes and decodes a store to the same columns, each array in a buffer of its own', async () => {
    const store = await buildStore([...generateRecords(300), ...odd]);
    const decoded = decodeStore(Buffer.concat(encodeStore(store, { any: 'identity' })));
    assert.ok(decoded);
    assert.deepEqual(decoded.identity, { any: 'identity' });
    assert.deepEqual(decoded.store, store);
    assert.notEqual(decoded.store.text.email.bytes.buffer, decoded.store.text.email.offsets.buffer);
  });

  it('without copying, decodes to views into the bytes it was given, equal to the copying decode', async () => {
    const store = await buildStore([...generateRecords(300), ...odd]);
    // One buffer of its own, as a fetched response body is (Buffer.concat may use a shared pool).
    const bytes = new Uint8Array(Buffer.concat(encodeStore(store, 'id')));
    const viewed = decodeStore(bytes, { copy: false });
    const copied = decodeStore(bytes);
    assert.ok(viewed && copied);
    assert.deepEqual(viewed.store, copied.store);
    assert.deepEqual(viewed.store, store);
    assert.ok(parseStore(viewed.store), 'views pass the same check as a posted store');
    const arrays = typedArrays(viewed.store);
    assert.ok(arrays.length > 20, `arrays: ${arrays.length}`);
    for (const array of arrays) assert.equal(array.buffer, bytes.buffer, 'a view into the fetched bytes, not a copy');
    for (const array of typedArrays(copied.store)) assert.notEqual(array.buffer, bytes.buffer);
  });

  it('without copying, still decodes bytes that start at an offset its arrays cannot view', async () => {
    const store = await buildStore([...generateRecords(300), ...odd]);
    const file = Buffer.concat(encodeStore(store, null));
    // Offset 1 suits no array wider than a byte; offset 4 suits 32-bit arrays but not 64-bit ones.
    for (const offset of [1, 4]) {
      const backing = new Uint8Array(file.length + offset);
      backing.set(file, offset);
      const bytes = backing.subarray(offset);
      const decoded = decodeStore(bytes, { copy: false });
      assert.ok(decoded, `offset ${offset}`);
      assert.deepEqual(decoded.store, store, `offset ${offset}`);
      assert.ok(parseStore(decoded.store), `offset ${offset}`);
      const scores = decoded.store.num.score.values;
      assert.notEqual(scores.buffer, backing.buffer, `a Float64Array at offset ${offset} is copied`);
      const offsets = decoded.store.text.email.offsets;
      assert.equal(offsets.buffer === backing.buffer, offset % 4 === 0, `Uint32Array at offset ${offset}`);
    }
  });

  it('reads as nothing a file that is not a sidecar or is cut short', async () => {
    const store = await buildStore([...generateRecords(50)]);
    const bytes = Buffer.concat(encodeStore(store, 1));
    assert.equal(decodeStore(new TextEncoder().encode('[{"email":"a"}]')), undefined);
    assert.equal(decodeStore(bytes.subarray(0, bytes.length - 9)), undefined);
    assert.equal(decodeStore(bytes.subarray(0, 20)), undefined);
  });

  it('is used only for the very file it was built from', async () => {
    const file = path.join(dir, 'all.json');
    await fs.writeFile(file, JSON.stringify([...generateRecords(20)]));
    const store = await buildStore([...generateRecords(20)]);
    await writeStoreSidecar(file, store);
    assert.deepEqual(await readStoreSidecar(file, parseStore), store);
    // A new download replaces the file (a rename: a new inode and time); the old columns are not it.
    const next = path.join(dir, 'next.json');
    await fs.writeFile(next, JSON.stringify([...generateRecords(21)]));
    await fs.rename(next, file);
    assert.equal(await readStoreSidecar(file, parseStore), undefined);
    await fs.rm(file);
    assert.equal(await readStoreSidecar(file, parseStore), undefined, 'no file, no store');
  });

  it('refuses a sidecar whose columns do not add up, even when it names the file', async () => {
    const file = path.join(dir, 'all.json');
    await fs.writeFile(file, '[]');
    const store = await buildStore([...generateRecords(20)]);
    await writeStoreSidecar(file, store);
    const bytes = await fs.readFile(file + STORE_SUFFIX);
    // Keep the header (and so the file's identity), damage the header's row count.
    const damaged = Buffer.from(bytes.toString('latin1').replace('"rowCount":20', '"rowCount":21'), 'latin1');
    await fs.writeFile(file + STORE_SUFFIX, damaged);
    assert.equal(await readStoreSidecar(file, parseStore), undefined);
  });
});

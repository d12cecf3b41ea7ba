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

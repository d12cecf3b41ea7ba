import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BouncerError } from '../../src/core/errors';
import { ingestJson } from '../../src/core/ingest';
import { readRecords } from '../../src/core/readRecords';
import type { EmailRecord } from '../../src/core/records';

function record(i: number): EmailRecord {
  return {
    email: `user${i}@exämple.com`,
    status: ['deliverable', 'risky', 'undeliverable', 'unknown'][i % 4],
    reason: 'accepted_email',
    name: i % 3 === 0 ? `Name "${i}" [${i}] {x}` : undefined,
    domain: { name: 'exämple.com', acceptAll: 'no', disposable: 'no', free: 'yes' },
    score: i % 101,
  };
}

async function collect(records: AsyncIterable<EmailRecord>): Promise<EmailRecord[]> {
  const out: EmailRecord[] = [];
  for await (const item of records) out.push(item);
  return out;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

describe('readRecords', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-read-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads back exactly what ingest cached, across many read chunks', async () => {
    // JSON.parse(JSON.stringify()) drops the undefined names, as the file does.
    const expected = JSON.parse(JSON.stringify(Array.from({ length: 20_000 }, (_, i) => record(i)))) as EmailRecord[];
    const text = `\uFEFF${JSON.stringify(expected, null, 2)}\n`;
    assert.ok(Buffer.byteLength(text) > 3 * 1024 * 1024, 'spans several 1 MiB reads');
    const file = path.join(dir, 'batch.json');
    await ingestJson(once(Buffer.from(text)), file);
    assert.deepEqual(await collect(readRecords(file)), expected);
  });

  it('reads an empty array as no records', async () => {
    const file = path.join(dir, 'empty.json');
    await fs.writeFile(file, ' [ ] ');
    assert.deepEqual(await collect(readRecords(file)), []);
  });

  it('can be stopped early and read again', async () => {
    const file = path.join(dir, 'batch.json');
    await fs.writeFile(file, JSON.stringify(Array.from({ length: 100 }, (_, i) => record(i))));
    const firstThree: string[] = [];
    for await (const item of readRecords(file)) {
      firstThree.push(item.email);
      if (firstThree.length === 3) break;
    }
    assert.deepEqual(firstThree, ['user0@exämple.com', 'user1@exämple.com', 'user2@exämple.com']);
    assert.equal((await collect(readRecords(file))).length, 100);
  });

  it('throws invalidBody for a damaged cache file', async () => {
    const file = path.join(dir, 'damaged.json');
    await fs.writeFile(file, JSON.stringify([record(0), record(1)]).slice(0, -3));
    await assert.rejects(
      collect(readRecords(file)),
      (error: unknown) => error instanceof BouncerError && error.kind === 'invalidBody',
    );
  });

  it('is cancelled by its signal', async () => {
    const file = path.join(dir, 'batch.json');
    await fs.writeFile(file, JSON.stringify(Array.from({ length: 50 }, (_, i) => record(i))));
    const controller = new AbortController();
    let read = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of readRecords(file, { signal: controller.signal })) {
          if (++read === 10) controller.abort();
        }
      })(),
      (error: unknown) => error instanceof BouncerError && error.kind === 'cancelled',
    );
    assert.equal(read, 10);
  });

  it('passes a missing file error through', async () => {
    await assert.rejects(collect(readRecords(path.join(dir, 'missing.json'))), { code: 'ENOENT' });
  });
});

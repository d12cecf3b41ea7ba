import * as assert from 'node:assert/strict';
import { COLUMN_DEFS, type FlatColumn } from '../../src/core/recordColumns';
import type { EmailRecord } from '../../src/core/records';
import { buildStore } from '../../src/model/builder';
import { cellText, columnOf, storePrefix } from '../../src/model/store';
import { SPEC_EXAMPLE_RECORD } from './fixtures';

// The opening rows of a complete store, posted ahead of it so a big table shows at once.
describe('model: storePrefix', () => {
  const records = [
    SPEC_EXAMPLE_RECORD,
    { email: 'b@x.com', status: 'risky', reason: null, score: 'n/a', name: 'Zoë' },
    { email: 'c@x.com', status: 'unknown', reason: 'timeout', score: ' 55 ' },
    { email: 'd@x.com', status: 'deliverable', reason: 'accepted_email', score: 70, toxicity: '3' },
  ] as unknown as EmailRecord[];
  const ids = Object.keys(COLUMN_DEFS) as FlatColumn[];

  async function* each(): AsyncGenerator<EmailRecord> {
    yield* records;
  }

  it('holds the first rows of every column, cell for cell', async () => {
    const store = await buildStore(each());
    const prefix = storePrefix(store, 2);
    assert.equal(prefix.rowCount, 2);
    assert.equal(prefix.hasName, store.hasName);
    for (const id of ids) {
      for (let row = 0; row < 2; row++) assert.equal(cellText(prefix, id, row), cellText(store, id, row), id);
    }
  });

  it('copies the rows, so the prefix crosses to the webview without the rest of the buffers', async () => {
    const store = await buildStore(each());
    const prefix = storePrefix(store, 1);
    const wholeEmail = store.text.email;
    const email = prefix.text.email;
    assert.equal(email.offsets.length, 2);
    assert.equal(email.bytes.buffer.byteLength, email.offsets[1], 'no bytes beyond the first row');
    assert.notEqual(email.bytes.buffer, wholeEmail.bytes.buffer);
    for (const id of ids) {
      const column = columnOf(prefix, id);
      const buffers =
        column.kind === 'text'
          ? [column.offsets, column.bytes, column.present]
          : column.kind === 'dict'
            ? [column.codes]
            : [column.values, column.given?.codes];
      const whole = columnOf(store, id);
      for (const buffer of buffers) {
        if (!buffer) continue;
        assert.ok(buffer.buffer.byteLength <= Math.max(2, email.offsets[1]) * 8, `${id} is a copy of one row`);
      }
      assert.notEqual(column, whole);
    }
    email.bytes[0] = 0;
    assert.equal(cellText(store, 'email', 0), SPEC_EXAMPLE_RECORD.email, 'the whole store is untouched');
  });

  it('keeps every row when asked for more than there are, and none when asked for none', async () => {
    const store = await buildStore(each());
    const all = storePrefix(store, 10);
    assert.equal(all.rowCount, records.length);
    for (const id of ids) assert.equal(cellText(all, id, 3), cellText(store, id, 3), id);
    const none = storePrefix(store, 0);
    assert.equal(none.rowCount, 0);
    assert.equal(none.text.email.offsets.length, 1);
  });
});

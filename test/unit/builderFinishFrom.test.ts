import * as assert from 'node:assert/strict';
import { StoreBuilder } from '../../src/model/builder';
import { ALL_COLUMNS } from '../../src/model/columns';
import { cellText, columnOf, extraColumnIds, type Column, type ResultsStore } from '../../src/model/store';
import { parseStore } from '../../src/shared/protocol';
import { oddDownload } from './fixtures';

const records = oddDownload(700);

function builderOf(count: number, extra = false): StoreBuilder {
  const builder = new StoreBuilder();
  if (extra) builder.setExtraColumns(['note', 'tag']);
  for (let i = 0; i < count; i++) {
    builder.add(records[i], extra ? [`n${i}`, i % 3 === 0 ? '' : `t${i % 7}`] : undefined);
  }
  return builder;
}

/** Rows `from` on of one column, as `finish(from)` should hand them out (text offsets from 0). */
function suffix(column: Column, from: number): Column {
  switch (column.kind) {
    case 'text': {
      const start = column.offsets[from];
      const end = column.offsets[column.offsets.length - 1];
      const offsets = column.offsets.slice(from).map((offset) => offset - start);
      const part: Column = { kind: 'text', bytes: column.bytes.slice(start, end), offsets };
      if (column.present) part.present = column.present.slice(from);
      return part;
    }
    case 'dict':
      return { kind: 'dict', codes: column.codes.slice(from), values: column.values.slice() };
    case 'num': {
      const part: Column = { kind: 'num', values: column.values.slice(from) };
      if (column.given) part.given = suffix(column.given, from) as typeof column.given;
      return part;
    }
  }
}

function assertRowsFrom(part: ResultsStore, all: ResultsStore, from: number): void {
  assert.equal(part.rowCount, all.rowCount - from);
  assert.equal(part.hasName, all.hasName, 'names anywhere so far, as the whole says');
  assert.ok(parseStore(part), `rows ${from}… check out as a store`);
  const ids = [...ALL_COLUMNS, ...extraColumnIds(all)];
  assert.deepEqual(extraColumnIds(part), extraColumnIds(all));
  for (const id of ids) {
    for (let k = 0; k < part.rowCount; k++) {
      assert.equal(cellText(part, id, k), cellText(all, id, from + k), `${id} row ${from}+${k}`);
    }
    // Cell text cannot tell '' from missing, nor a number from its text: the columns themselves can.
    assert.deepStrictEqual(columnOf(part, id), suffix(columnOf(all, id), from), id);
  }
}

describe('model: StoreBuilder.finish(from)', () => {
  for (const count of [1, 2, 300, 451, 700]) {
    it(`hands out rows from any row on as a store of their own (${count} rows)`, () => {
      const builder = builderOf(count);
      const all = builder.finish();
      assert.deepStrictEqual(builder.finish(0), all);
      const froms = new Set([0, 1, count >> 1, count - 1, count].filter((from) => from >= 0 && from <= count));
      for (const from of [...froms, 299, 300, 450, 500, 600]) {
        if (from <= count) assertRowsFrom(builder.finish(from), all, from);
      }
    });
  }

  it('cuts the extra columns too', () => {
    const builder = builderOf(50, true);
    const all = builder.finish();
    for (const from of [0, 1, 25, 49, 50]) assertRowsFrom(builder.finish(from), all, from);
    assert.equal(builder.finish(20).extra?.[0].label, 'note');
  });

  it('gives an empty store at the row count, and refuses rows it does not have', () => {
    const builder = builderOf(10);
    const empty = builder.finish(10);
    assert.equal(empty.rowCount, 0);
    assert.ok(parseStore(empty));
    assert.deepEqual([...empty.text.email.offsets], [0]);
    assert.equal(empty.text.email.bytes.length, 0);
    assert.equal(empty.dict.status.codes.length, 0);
    assert.ok(empty.dict.status.values.length > 1, 'the values so far, for the parts after it');
    assert.throws(() => builder.finish(11), RangeError);
    assert.throws(() => builder.finish(-1), RangeError);
    assert.equal(new StoreBuilder().finish(0).rowCount, 0);
    assert.throws(() => new StoreBuilder().finish(1), RangeError);
  });

  it('copies: a part is its own, and the builder goes on adding rows after it', () => {
    const builder = builderOf(400);
    const part = builder.finish(300);
    const email = part.text.email;
    assert.equal(email.bytes.buffer.byteLength, email.offsets[100], 'no bytes before row 300 or spare');
    assert.equal(email.offsets.buffer.byteLength, 101 * 4);
    const before = cellText(part, 'email', 0);
    for (let i = 400; i < 700; i++) builder.add(records[i]);
    assert.equal(part.rowCount, 100);
    assert.equal(cellText(part, 'email', 0), before, 'later rows leave the part alone');
    email.bytes.fill(0);
    assert.equal(cellText(builder.finish(), 'email', 300), before, 'and the part is not the builder');
    assertRowsFrom(builder.finish(300), builder.finish(), 300);
  });
});

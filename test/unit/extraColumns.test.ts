import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inChunks, readResultsFile } from '../../src/core/fileResults';
import type { EmailRecord } from '../../src/core/records';
import { buildStore, StoreBuilder } from '../../src/model/builder';
import { isColumnId } from '../../src/model/columns';
import { ColumnFilterIndex } from '../../src/model/columnFilter';
import { clipboardText, writeCsvRows, writeJsonRows } from '../../src/model/export';
import { applyFilter, emptyFilter } from '../../src/model/filter';
import { RankCache } from '../../src/model/ranks';
import { SearchIndex } from '../../src/model/search';
import { sortRows } from '../../src/model/sort';
import {
  cellText,
  hasColumn,
  MAX_EXTRA_COLUMNS,
  MAX_EXTRA_LABEL,
  storePrefix,
  type ColumnId,
  type ResultsStore,
} from '../../src/model/store';
import { parseStore, parseUiState, parseWebviewMessage, type UiState } from '../../src/shared/protocol';

// A CSV file's own columns (`Company`, a note) come into the table as text columns after the record's.

const CSV = [
  'email,Company,status,reason,Note',
  'b@x.com,Zeta Ltd,deliverable,accepted_email,',
  'a@x.com,"Big, Inc",risky,low_quality,=1+1',
  'c@x.com,acme,unknown,timeout,<b>hi</b>',
  '',
].join('\r\n');

/** What the file table does: the reader's extra cells go into the store beside each record. */
async function storeOfCsv(
  text: string,
  partialAfter?: number,
): Promise<{ store: ResultsStore; partial?: ResultsStore }> {
  let cells: readonly string[] | undefined;
  const read = readResultsFile({ chunks: () => inChunks(new TextEncoder().encode(text)) }, 'csv', {
    onExtraCells: (row) => (cells = row),
  });
  let partial: ResultsStore | undefined;
  const store = await buildStore(read.records, {
    extra: { labels: () => read.report.extraColumns, cells: () => cells },
    partialAfter,
    onPartial: (s) => (partial = s),
  });
  return { store, partial };
}

function column(store: ResultsStore, id: ColumnId): string[] {
  return Array.from({ length: store.rowCount }, (_, row) => cellText(store, id, row));
}

describe('extra columns: a CSV file’s own columns in the store', () => {
  it('builds them as text columns from the file, labels as the header says', async () => {
    const { store, partial } = await storeOfCsv(CSV, 2);
    assert.deepEqual(
      store.extra?.map((extra) => extra.label),
      ['Company', 'Note'],
    );
    assert.deepEqual(column(store, 'extra:0'), ['Zeta Ltd', 'Big, Inc', 'acme']);
    assert.deepEqual(column(store, 'extra:1'), ['', '=1+1', '<b>hi</b>']);
    assert.deepEqual(column(store, 'email'), ['b@x.com', 'a@x.com', 'c@x.com']);
    // The first rows shown while the rest is read have them too.
    assert.deepEqual(partial && column(partial, 'extra:0'), ['Zeta Ltd', 'Big, Inc']);
    assert.ok(hasColumn(store, 'extra:1'));
    assert.ok(!hasColumn(store, 'extra:2'));
  });

  // A big table goes to the webview as its opening rows first: the extras must be cut with the rest,
  // or the prefix would fail the webview's check and show nothing.
  it('cuts them with the other columns in a prefix, which passes the protocol check', async () => {
    const { store } = await storeOfCsv(CSV);
    const prefix = storePrefix(store, 2);
    assert.deepEqual(column(prefix, 'extra:0'), ['Zeta Ltd', 'Big, Inc']);
    assert.equal(prefix.extra?.[1]?.column.offsets.length, 3);
    assert.ok(parseStore(prefix), 'the prefix is a valid store');
  });

  it('has no extra columns for a store of records alone', async () => {
    const store = await buildStore([{ email: 'a@x.com', status: 'risky', reason: 'low_quality' }]);
    assert.equal(store.extra, undefined);
    assert.ok(!hasColumn(store, 'extra:0'));
  });

  it('keeps at most MAX_EXTRA_COLUMNS and cuts long labels', () => {
    const builder = new StoreBuilder();
    const labels = Array.from({ length: MAX_EXTRA_COLUMNS + 5 }, (_, k) => `c${k}`);
    labels[0] = 'x'.repeat(MAX_EXTRA_LABEL + 50);
    builder.setExtraColumns(labels);
    builder.add({ email: 'a@x.com', status: 'risky', reason: 'low_quality' }, labels);
    const store = builder.finish();
    assert.equal(store.extra?.length, MAX_EXTRA_COLUMNS);
    assert.equal(store.extra?.[0].label.length, MAX_EXTRA_LABEL);
    assert.equal(cellText(store, `extra:${MAX_EXTRA_COLUMNS - 1}`, 0), `c${MAX_EXTRA_COLUMNS - 1}`);
    assert.ok(parseStore(store));
  });

  it('sorts as text and filters with the per-column text filter', async () => {
    const { store } = await storeOfCsv(CSV);
    const order = sortRows(store.rowCount, [{ column: 'extra:0', descending: false }], new RankCache(store));
    assert.deepEqual(
      Array.from(order, (row) => cellText(store, 'extra:0', row)),
      ['acme', 'Big, Inc', 'Zeta Ltd'],
    );
    const filter = { ...emptyFilter(), columns: [{ column: 'extra:0' as ColumnId, text: 'inc' }] };
    const all = sortRows(store.rowCount, [], new RankCache(store));
    const view = applyFilter(store, all, filter, new SearchIndex(store), undefined, new ColumnFilterIndex(store));
    assert.deepEqual(Array.from(view.rows), [1]);
  });
});

describe('extra columns: the protocol', () => {
  it('accepts a store with extra columns and rejects bad ones', async () => {
    const fresh = async () => (await storeOfCsv(CSV)).store;
    assert.ok(parseStore(await fresh()));
    const tooMany = await fresh();
    const one = tooMany.extra![0];
    tooMany.extra = Array.from({ length: MAX_EXTRA_COLUMNS + 1 }, () => one);
    assert.equal(parseStore(tooMany), undefined);
    const longLabel = await fresh();
    longLabel.extra![0].label = 'x'.repeat(MAX_EXTRA_LABEL + 1);
    assert.equal(parseStore(longLabel), undefined);
    const notText = (await fresh()) as unknown as { extra: { label: unknown; column: unknown }[] };
    notText.extra[1].label = 7;
    assert.equal(parseStore(notText), undefined);
    const offsetsPastEnd = await fresh();
    offsetsPastEnd.extra![0].column.offsets[3] = 9999;
    assert.equal(parseStore(offsetsPastEnd), undefined);
    const shortColumn = await fresh();
    shortColumn.extra![1].column.offsets = new Uint32Array(2);
    assert.equal(parseStore(shortColumn), undefined);
    const notArray = (await fresh()) as unknown as { extra: unknown };
    notArray.extra = { 0: one };
    assert.equal(parseStore(notArray), undefined);
  });

  it('takes the header labels the webview reports on screen, bounded', () => {
    const rendered = { type: 'rendered', rows: 3, complete: true, columns: ['Email', 'Company'] };
    assert.deepEqual(parseWebviewMessage(rendered), rendered);
    assert.equal(parseWebviewMessage({ ...rendered, columns: ['x'.repeat(MAX_EXTRA_LABEL + 1)] }), undefined);
    assert.equal(parseWebviewMessage({ ...rendered, columns: Array<string>(101).fill('a') }), undefined);
    assert.equal(parseWebviewMessage({ ...rendered, columns: [1] }), undefined);
  });

  it('saves UI state naming extra columns, inside the bounds only', () => {
    const ui: UiState = {
      source: { batchId: 'contacts', filter: 'all', originKey: 'file file:///contacts.csv' },
      columns: ['email', 'extra:0', 'status'],
      sort: [{ column: 'extra:1', descending: true }],
      filter: { ...emptyFilter(), columns: [{ column: 'extra:0', text: 'inc' }] },
      scrollRow: 0,
      widths: { 'extra:0': 200 },
    };
    assert.deepEqual(parseUiState(JSON.parse(JSON.stringify(ui))), ui);
    for (const id of [`extra:${MAX_EXTRA_COLUMNS}`, 'extra:01', 'extra:-1', 'extra:', 'extra:1.5']) {
      assert.equal(isColumnId(id), false, id);
      assert.equal(parseUiState({ ...ui, columns: ['email', id] }), undefined, id);
    }
  });
});

describe('extra columns: copy and export', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-extra-export-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('copies rows as CSV with the extra columns last, neutralised like the rest', async () => {
    const { store } = await storeOfCsv(CSV);
    const lines = clipboardText(store, Uint32Array.of(1, 2), 'csv', true).split('\r\n');
    assert.ok(lines[0].endsWith(',Company,Note'), lines[0]);
    assert.ok(lines[1].startsWith('a@x.com,risky,low_quality,'), lines[1]);
    assert.ok(lines[1].endsWith(`,"Big, Inc",'=1+1`), lines[1]);
    assert.ok(lines[2].endsWith(',acme,<b>hi</b>'), lines[2]);
    assert.equal(lines[3], '');
    assert.equal(clipboardText(store, Uint32Array.of(2), 'emails', true), 'c@x.com');
  });

  it('exports CSV with the extra columns and reads back the same; JSON holds the records alone', async () => {
    const { store } = await storeOfCsv(CSV);
    const all = Uint32Array.of(0, 1, 2);
    const csv = path.join(dir, 'out.csv');
    await writeCsvRows(store, all, csv, false);
    const again = (await storeOfCsv(fs.readFileSync(csv, 'utf8'))).store;
    assert.deepEqual(
      again.extra?.map((extra) => extra.label),
      ['Company', 'Note'],
    );
    assert.deepEqual(column(again, 'extra:0'), column(store, 'extra:0'));
    assert.deepEqual(column(again, 'extra:1'), column(store, 'extra:1'));
    assert.deepEqual(column(again, 'email'), column(store, 'email'));
    const json = path.join(dir, 'out.json');
    await writeJsonRows(store, all, json);
    const records = JSON.parse(fs.readFileSync(json, 'utf8')) as EmailRecord[];
    assert.deepEqual(Object.keys(records[1]), ['email', 'status', 'reason']);
  });
});

import * as assert from 'node:assert/strict';
import { buildStore } from '../../src/model/builder';
import { emptyFilter } from '../../src/model/filter';
import {
  parseHostMessage,
  parseStore,
  parseUiState,
  parseWebviewMessage,
  MAX_COPY_TEXT,
  MAX_EMAIL_LENGTH,
  MAX_VERIFY_AGAIN_EMAILS,
  rowsInRange,
  type UiState,
} from '../../src/shared/protocol';

const ui: UiState = {
  source: { batchId: 'abc123', filter: 'all', originKey: 'https://example.test' },
  columns: ['email', 'status'],
  sort: [{ column: 'score', descending: true }],
  filter: {
    ...emptyFilter(),
    statuses: ['risky'],
    flags: { 'domain.free': 'yes' },
    scoreMin: 10,
    columns: [
      { column: 'email', text: 'gmail' },
      { column: 'status', text: '=risky', exclude: true },
    ],
  },
  scrollRow: 42,
  widths: { email: 320, status: 90 },
};

const TOKEN = '0123456789abcdef0123456789abcdef';
/** The shape `TableDataServer.offer` returns. */
const GOOD_DATA_URL = `http://127.0.0.1:41234/${TOKEN}`;
/** Addresses that are not the loopback table server's: the page must never be sent elsewhere. */
const BAD_DATA_URLS = [
  `http://localhost:41234/${TOKEN}`,
  `https://127.0.0.1:41234/${TOKEN}`,
  `http://127.0.0.1/${TOKEN}`,
  `http://127.0.0.1:123456/${TOKEN}`,
  `http://127.0.0.1:41234.evil.example/${TOKEN}`,
  `http://127.0.0.1.evil.example:41234/${TOKEN}`,
  `http://user@127.0.0.1:41234/${TOKEN}`,
  `http://127.0.0.2:41234/${TOKEN}`,
  `http://[::1]:41234/${TOKEN}`,
  `http://127.0.0.1:41234/${TOKEN.slice(1)}`,
  `http://127.0.0.1:41234/${TOKEN}0`,
  `http://127.0.0.1:41234/${TOKEN.toUpperCase()}`,
  `http://127.0.0.1:41234/${TOKEN.slice(1)}g`,
  `http://127.0.0.1:41234/x/${TOKEN}`,
  `http://127.0.0.1:41234/${TOKEN}/`,
  `http://127.0.0.1:41234/${TOKEN}?x=1`,
  `http://127.0.0.1:41234/${TOKEN}#x`,
  `http://127.0.0.1:41234/${TOKEN}\n`,
  ` http://127.0.0.1:41234/${TOKEN}`,
  `file:///${TOKEN}`,
  '',
];

describe('protocol: webview → host', () => {
  it('accepts each well-formed message', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'retry' }), { type: 'retry' });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', scriptMs: 42.5 }), { type: 'ready', scriptMs: 42.5 });
    // A ready with a nonsense timing is still a ready: the trace just goes without it.
    assert.deepEqual(parseWebviewMessage({ type: 'ready', scriptMs: -1 }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', scriptMs: '5' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'rendered', rows: 3, complete: true }), {
      type: 'rendered',
      rows: 3,
      complete: true,
    });
    const copy = parseWebviewMessage({ type: 'copy', what: 'emails', rows: new Uint32Array([2, 0]) });
    assert.deepEqual(copy, { type: 'copy', what: 'emails', rows: new Uint32Array([2, 0]) });
    const exp = parseWebviewMessage({ type: 'export', format: 'json', target: 'tab', rows: [1, 2] });
    assert.deepEqual(exp, { type: 'export', format: 'json', target: 'tab', rows: new Uint32Array([1, 2]) });
    assert.deepEqual(parseWebviewMessage({ type: 'copyText', text: 'a@b.c' }), { type: 'copyText', text: 'a@b.c' });
    assert.deepEqual(parseWebviewMessage({ type: 'verifyAgain', emails: ['a@b.c', 'd@e.f'] }), {
      type: 'verifyAgain',
      emails: ['a@b.c', 'd@e.f'],
    });
    const most = Array.from({ length: MAX_VERIFY_AGAIN_EMAILS }, (_, i) => `a${i}@b.c`);
    assert.equal(parseWebviewMessage({ type: 'verifyAgain', emails: most })?.type, 'verifyAgain');
  });

  it('rejects malformed messages', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'nope' },
      { type: 'rendered', rows: -1, complete: true },
      { type: 'rendered', rows: 1.5, complete: true },
      { type: 'rendered', rows: 1 },
      { type: 'copy', what: 'html', rows: [1] },
      { type: 'copy', what: 'csv', rows: [1, -2] },
      { type: 'copy', what: 'csv', rows: ['1'] },
      { type: 'copy', what: 'csv' },
      { type: 'export', format: 'xml', target: 'file', rows: [] },
      { type: 'export', format: 'csv', target: 'web', rows: [] },
      { type: 'export', format: 'csv', target: 'file', rows: new Float64Array([1]) },
      { type: 'copyText', text: 5 },
      { type: 'copyText', text: 'x'.repeat(MAX_COPY_TEXT + 1) },
      { type: 'verifyAgain' },
      { type: 'verifyAgain', emails: [] },
      { type: 'verifyAgain', emails: 'a@b.c' },
      { type: 'verifyAgain', emails: ['a@b.c', 5] },
      { type: 'verifyAgain', emails: [`${'x'.repeat(MAX_EMAIL_LENGTH)}@b.c`] },
      { type: 'verifyAgain', emails: Array.from({ length: MAX_VERIFY_AGAIN_EMAILS + 1 }, () => 'a@b.c') },
    ];
    for (const message of bad) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message));
  });

  it('accepts dataUrlFailed only for an address the table server could have given', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'dataUrlFailed', url: GOOD_DATA_URL }), {
      type: 'dataUrlFailed',
      url: GOOD_DATA_URL,
    });
    // The host matches it against its own offer, but a page must not get anything else through.
    for (const url of [...BAD_DATA_URLS, undefined, 5]) {
      assert.equal(parseWebviewMessage({ type: 'dataUrlFailed', url }), undefined, String(url));
    }
    assert.equal(parseWebviewMessage({ type: 'dataUrlFailed' }), undefined);
  });

  it('checks row indices against the store size', () => {
    assert.equal(rowsInRange(new Uint32Array([0, 4]), 5), true);
    assert.equal(rowsInRange(new Uint32Array([0, 5]), 5), false);
  });
});

describe('protocol: host → webview', () => {
  it('accepts init, progress, loadError and a real store', async () => {
    assert.deepEqual(parseHostMessage({ type: 'init', source: ui.source, title: 't', ui }), {
      type: 'init',
      source: ui.source,
      title: 't',
      ui,
    });
    assert.deepEqual(parseHostMessage({ type: 'progress', rows: 10 }), { type: 'progress', rows: 10 });
    const download = { type: 'download', bytes: 2048, records: 7, waiting: false };
    assert.deepEqual(parseHostMessage(download), download);
    assert.deepEqual(parseHostMessage({ type: 'loadError', message: 'm', canRetry: true }), {
      type: 'loadError',
      message: 'm',
      canRetry: true,
    });
    const store = await buildStore([{ email: 'a@b.c', status: 'risky', reason: 'low_quality', score: 5 }]);
    const data = parseHostMessage({ type: 'data', store, complete: false });
    assert.equal(data?.type, 'data');
    assert.equal(parseHostMessage({ type: 'data', store }), undefined);
  });

  it('rejects a store whose buffers do not add up', async () => {
    const good = await buildStore([
      { email: 'a@b.c', status: 'risky', reason: 'low_quality' },
      { email: 'd@e.f', status: 'unknown', reason: 'timeout' },
    ]);
    assert.ok(parseStore(good));
    const clone = () =>
      buildStore([
        { email: 'a@b.c', status: 'risky', reason: 'low_quality' },
        { email: 'd@e.f', status: 'unknown', reason: 'timeout' },
      ]);
    const codeOutOfRange = await clone();
    codeOutOfRange.dict.status.codes[1] = 9;
    assert.equal(parseStore(codeOutOfRange), undefined);
    const offsetsPastEnd = await clone();
    offsetsPastEnd.text.email.offsets[2] = 999;
    assert.equal(parseStore(offsetsPastEnd), undefined);
    const decreasing = await clone();
    decreasing.text.email.offsets[1] = 11;
    assert.equal(parseStore(decreasing), undefined);
    const shortColumn = await clone();
    shortColumn.num.score.values = new Float64Array(1);
    assert.equal(parseStore(shortColumn), undefined);
    const wrongRowCount = await clone();
    wrongRowCount.rowCount = 3;
    assert.equal(parseStore(wrongRowCount), undefined);
    const missing = (await clone()) as unknown as { dict: Record<string, unknown> };
    delete missing.dict.provider;
    assert.equal(parseStore(missing), undefined);
  });

  it('rejects malformed host messages', () => {
    const bad: unknown[] = [
      { type: 'init', source: { ...ui.source, filter: 'everything' }, title: 't' },
      { type: 'init', source: ui.source },
      { type: 'init', source: ui.source, title: 't', ui: { ...ui, scrollRow: -1 } },
      { type: 'progress', rows: '5' },
      { type: 'download', bytes: -1, records: 0, waiting: false },
      { type: 'download', bytes: 1, records: 0 },
      { type: 'loadError', message: 5, canRetry: true },
      { type: 'data', store: { rowCount: 1 } },
      { type: 'eval', code: 'alert(1)' },
      { type: 'init', source: ui.source, title: 't', l10n: { Results: 5 } },
      { type: 'init', source: ui.source, title: 't', language: 7 },
      { type: 'contextAction', action: 'deleteRow', row: 1, column: 'email' },
      { type: 'contextAction', action: 'copyCell', row: -1, column: 'email' },
      { type: 'contextAction', action: 'copyCell', row: 1, column: 'password' },
    ];
    for (const message of bad) assert.equal(parseHostMessage(message), undefined, JSON.stringify(message));
  });

  it('accepts a dataUrl naming the loopback table server, with its row count and completeness', () => {
    const message = { type: 'dataUrl', url: GOOD_DATA_URL, rows: 1_000_000, complete: true };
    assert.deepEqual(parseHostMessage(message), message);
    assert.deepEqual(parseHostMessage({ ...message, rows: 0, complete: false }), {
      ...message,
      rows: 0,
      complete: false,
    });
    // Only the known fields come through.
    assert.deepEqual(parseHostMessage({ ...message, extra: 'x' }), message);
  });

  it('rejects a dataUrl the page must not fetch, or without its row count and completeness', () => {
    const message = { type: 'dataUrl', url: GOOD_DATA_URL, rows: 10, complete: true };
    for (const url of [...BAD_DATA_URLS, undefined, 5]) {
      assert.equal(parseHostMessage({ ...message, url }), undefined, String(url));
    }
    const bad: unknown[] = [
      { type: 'dataUrl', url: GOOD_DATA_URL, complete: true },
      { type: 'dataUrl', url: GOOD_DATA_URL, rows: 10 },
      { type: 'dataUrl', url: GOOD_DATA_URL, rows: -1, complete: true },
      { type: 'dataUrl', url: GOOD_DATA_URL, rows: 1.5, complete: true },
      { type: 'dataUrl', url: GOOD_DATA_URL, rows: '10', complete: true },
      { type: 'dataUrl', url: GOOD_DATA_URL, rows: 10, complete: 'true' },
    ];
    for (const m of bad) assert.equal(parseHostMessage(m), undefined, JSON.stringify(m));
  });

  it('accepts a rowsUrl naming the loopback table server, with where its rows start, how many, and whether they end', () => {
    const message = { type: 'rowsUrl', url: GOOD_DATA_URL, firstRow: 20_000, rows: 65_536, complete: false };
    assert.deepEqual(parseHostMessage(message), message);
    // The last rows of a download that ended on a part: none left.
    const end = { ...message, firstRow: 151_072, rows: 0, complete: true };
    assert.deepEqual(parseHostMessage(end), end);
    assert.deepEqual(parseHostMessage({ ...message, store: {} }), message, 'only the known fields come through');
  });

  it('rejects a rowsUrl the page must not fetch, or without where its rows start, how many, and whether they end', () => {
    const message = { type: 'rowsUrl', url: GOOD_DATA_URL, firstRow: 10, rows: 10, complete: true };
    for (const url of [...BAD_DATA_URLS, undefined, 5]) {
      assert.equal(parseHostMessage({ ...message, url }), undefined, String(url));
    }
    const bad: unknown[] = [
      { ...message, firstRow: undefined },
      { ...message, firstRow: -1 },
      { ...message, firstRow: 0.5 },
      { ...message, firstRow: '10' },
      { ...message, rows: undefined },
      { ...message, rows: -1 },
      { ...message, complete: undefined },
      { ...message, complete: 1 },
    ];
    for (const m of bad) assert.equal(parseHostMessage(m), undefined, JSON.stringify(m));
  });

  it('carries the l10n bundle and display language in init, and context-menu actions', () => {
    const init = { type: 'init', source: ui.source, title: 't', l10n: { Results: 'Ergebnisse' }, language: 'de' };
    assert.deepEqual(parseHostMessage(init), init);
    const action = { type: 'contextAction', action: 'filterToValue', row: 3, column: 'domain.name' };
    assert.deepEqual(parseHostMessage(action), action);
  });
});

describe('protocol: persisted UI state', () => {
  it('round-trips through JSON', () => {
    assert.deepEqual(parseUiState(JSON.parse(JSON.stringify(ui))), ui);
  });

  it('reads damaged or foreign state as nothing', () => {
    const bad: unknown[] = [
      undefined,
      {},
      { ...ui, columns: ['email', 'email'] },
      { ...ui, columns: ['email', 'password'] },
      { ...ui, sort: [{ column: 'email', descending: 'yes' }] },
      { ...ui, filter: { ...ui.filter, flags: { 'x.y': 'yes' } } },
      { ...ui, filter: { ...ui.filter, scoreMin: 'low' } },
      { ...ui, filter: { ...ui.filter, columns: [{ column: 'password', text: 'x' }] } },
      { ...ui, filter: { ...ui.filter, columns: [{ column: 'email', text: 5 }] } },
      { ...ui, widths: { email: -5 } },
      { ...ui, widths: { password: 100 } },
    ];
    for (const state of bad) assert.equal(parseUiState(state), undefined, JSON.stringify(state));
  });
});

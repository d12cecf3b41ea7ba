import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateRecords } from '../../emulator/generateRecords';
import { csvHeader, csvRow } from '../../emulator/serverCsv';
import { csvHeaderLine, recordToCsvRow } from '../../src/core/csvFormat';
import {
  inChunks,
  NotBouncerResultsError,
  readResultsFile,
  resultsFileFormat,
  type FileBytes,
  type ResultsFileFormat,
} from '../../src/core/fileResults';
import { columnForHeader, readCsvHeader } from '../../src/core/fileResultsHeader';
import type { EmailRecord } from '../../src/core/records';
import { buildStore } from '../../src/model/builder';
import { recordAt } from '../../src/model/rowRecord';

async function collect(records: AsyncIterable<EmailRecord>): Promise<EmailRecord[]> {
  const out: EmailRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** Split into small chunks, so rows and records cross chunk boundaries. */
function chunked(text: string, size = 7): FileBytes {
  const bytes = new TextEncoder().encode(text);
  return {
    chunks: async function* () {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    },
  };
}

async function readAll(bytes: FileBytes, format: ResultsFileFormat) {
  const read = readResultsFile(bytes, format);
  const records = await collect(read.records);
  return { records, report: read.report };
}

/** A record as the table gives it back: what a file read shows must equal what the server sent. */
async function roundTrip(records: EmailRecord[]): Promise<EmailRecord[]> {
  const store = await buildStore(records);
  return Array.from({ length: store.rowCount }, (_, row) => recordAt(store, row));
}

describe('file results: CSV header', () => {
  it('maps the names Bouncer and our own exports use, whatever the case and punctuation', () => {
    const cases: Record<string, string> = {
      email: 'email',
      Email: 'email',
      'Email Address': 'email',
      'e-mail': 'email',
      status: 'status',
      STATUS: 'status',
      reason: 'reason',
      'domain.name': 'domain.name',
      domain_name: 'domain.name',
      Domain: 'domain.name',
      'domain.acceptAll': 'domain.acceptAll',
      accept_all: 'domain.acceptAll',
      'Accept-all': 'domain.acceptAll',
      full_mailbox: 'account.fullMailbox',
      'dns.type': 'dns.type',
      dns_record: 'dns.record',
      retry_after: 'retryAfter',
      score: 'score',
      name: 'name',
    };
    for (const [header, id] of Object.entries(cases)) assert.equal(columnForHeader(header)?.id, id, header);
  });

  it('keeps columns it does not know, and a second cell for a known column, as extra columns', () => {
    const header = readCsvHeader(['Email', 'Company', 'status', 'Status', 'notes']);
    assert.equal(header.emailIndex, 0);
    assert.deepEqual(header.extraNames, ['Company', 'Status', 'notes']);
    assert.deepEqual(
      header.slots.map((slot) => slot.index),
      [0, 2],
    );
  });

  it('finds no email column in a header that has none', () => {
    assert.equal(readCsvHeader(['id', 'mail_server', 'status']).emailIndex, -1);
  });
});

describe('file results: reading files', () => {
  let dir: string;
  const records = [...generateRecords(300)];

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-file-'));
  });

  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('tells the format by the file name', () => {
    assert.equal(resultsFileFormat('/a/results.CSV'), 'csv');
    assert.equal(resultsFileFormat('b.json'), 'json');
    assert.equal(resultsFileFormat('c.txt'), undefined);
  });

  it('reads our own CSV export back into the records it was written from', async () => {
    const hasName = records.some((r) => r.name !== undefined);
    const text =
      csvHeaderLine(hasName) + records.map((r) => recordToCsvRow(r, { hasName, neutralizeFormulas: false })).join('');
    const file = path.join(dir, 'ours.csv');
    await fs.writeFile(file, text);
    const { records: read, report } = await readAll({ path: file }, 'csv');
    assert.equal(report.rows, records.length);
    assert.equal(report.malformed, 0);
    assert.deepEqual(report.extraColumns, []);
    assert.deepEqual(await roundTrip(read), await roundTrip(records));
  });

  it('reads the server’s CSV, in its own column order, from chunks split anywhere', async () => {
    const text = csvHeader() + records.map(csvRow).join('');
    const { records: read, report } = await readAll(chunked(text), 'csv');
    assert.equal(report.rows, records.length);
    assert.deepEqual(await roundTrip(read), await roundTrip(records));
  });

  it('reads a JSON array of records from a file and from chunks', async () => {
    const text = JSON.stringify(records, null, 2);
    const file = path.join(dir, 'results.json');
    await fs.writeFile(file, text);
    for (const bytes of [{ path: file }, chunked(text, 13)]) {
      const { records: read, report } = await readAll(bytes, 'json');
      assert.deepEqual(read, records);
      assert.equal(report.rows, records.length);
      assert.equal(report.malformed, 0);
    }
  });

  it('hands out the extra columns’ cells with each record', async () => {
    const text = 'email,Company,status\r\na@x.com,Acme,deliverable\r\nb@x.com,"Big, Inc",risky\r\n';
    const extras: string[][] = [];
    const read = readResultsFile(chunked(text), 'csv', { onExtraCells: (cells) => extras.push(cells) });
    const out = await collect(read.records);
    assert.deepEqual(read.report.extraColumns, ['Company']);
    assert.deepEqual(extras, [['Acme'], ['Big, Inc']]);
    assert.deepEqual(
      out.map((r) => [r.email, r.status]),
      [
        ['a@x.com', 'deliverable'],
        ['b@x.com', 'risky'],
      ],
    );
  });

  it('counts malformed CSV rows, names the first, and still reads the rest', async () => {
    const text = [
      'email,status,score',
      'a@x.com,deliverable,100',
      'b@x.com,risky', // a cell short
      'c@x.com,unknown,5,extra', // a cell too many
      ',deliverable,1', // no email
      'd@x.com,undeliverable,',
      'e@x.com,deliverable,"7', // cut short inside a quote
    ].join('\r\n');
    const { records: read, report } = await readAll(chunked(text), 'csv');
    assert.deepEqual(
      read.map((r) => r.email),
      ['a@x.com', 'd@x.com'],
    );
    assert.equal(read[0].score, 100);
    assert.equal(read[1].score, undefined);
    assert.equal(report.malformed, 4);
    assert.equal(report.firstMalformed, 2);
    assert.equal(report.rows, 2);
  });

  it('counts JSON records without an email and reads the rest', async () => {
    const text = JSON.stringify([records[0], { status: 'risky' }, records[1], { email: '' }, records[2]]);
    const file = path.join(dir, 'some-bad.json');
    await fs.writeFile(file, text);
    const { records: read, report } = await readAll({ path: file }, 'json');
    assert.deepEqual(read, records.slice(0, 3));
    assert.equal(report.malformed, 2);
    assert.equal(report.firstMalformed, 2);
  });

  const notResults: [string, ResultsFileFormat, string, string][] = [
    ['a CSV without an email column', 'csv', 'id,name,city\r\n1,Ann,Oslo\r\n', 'noEmailColumn'],
    ['an empty CSV', 'csv', '\r\n\r\n', 'empty'],
    ['a JSON object', 'json', '{"compilerOptions": {"strict": true}}', 'notArray'],
    ['a JSON array of other objects', 'json', '[{"id": 1}, {"id": 2}]', 'noEmailField'],
    ['an empty JSON file', 'json', '', 'notArray'],
  ];
  for (const [what, format, text, reason] of notResults) {
    it(`says ${what} is not Bouncer results, before any record`, async () => {
      const read = readResultsFile({ chunks: () => inChunks(new TextEncoder().encode(text)) }, format);
      const seen: EmailRecord[] = [];
      await assert.rejects(
        async () => {
          for await (const record of read.records) seen.push(record);
        },
        (error: unknown) => error instanceof NotBouncerResultsError && error.reason === reason,
      );
      assert.deepEqual(seen, []);
    });
  }

  it('reads an empty JSON array as no rows, not as another kind of file', async () => {
    const { records: read, report } = await readAll(chunked('[ ]'), 'json');
    assert.deepEqual(read, []);
    assert.equal(report.rows, 0);
  });
});

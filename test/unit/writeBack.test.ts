import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { BouncerError } from '../../src/core/errors';
import { detectDelimiter, parseCells, rawRecordsOf, type RawRecord } from '../../src/core/rawCsv';
import type { EmailRecord } from '../../src/core/records';
import {
  DEFAULT_WRITE_BACK_COLUMNS,
  deliverableAddresses,
  emptySummary,
  indexResults,
  joinCsv,
  parseWriteBackColumns,
  writeBackPath,
  type CsvWriteBackOptions,
  type ResultsIndex,
} from '../../src/core/writeBack';

function record(email: string, status: string, reason: string, score?: number | string): EmailRecord {
  return {
    email,
    status,
    reason,
    score,
    domain: { name: email.split('@')[1], acceptAll: 'no', disposable: 'no', free: 'no' },
  };
}

async function indexOf(records: EmailRecord[]): Promise<ResultsIndex> {
  return indexResults(
    (async function* () {
      yield* records;
    })(),
  );
}

const RESULTS = [
  record('ann@example.com', 'deliverable', 'accepted_email', 98),
  record('bob@example.com', 'undeliverable', 'rejected_email', 0),
  record('cy@example.com', 'risky', 'low_deliverability', 60),
  record('dee@example.com', 'unknown', 'timeout', 50),
];

const DEFAULTS: CsvWriteBackOptions = { columns: DEFAULT_WRITE_BACK_COLUMNS, neutralizeFormulas: true };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The records of every batch, in order. */
async function recordsOf(chunks: string[]): Promise<RawRecord[]> {
  return (await collect(rawRecordsOf(chunks))).flat();
}

async function join(text: string, options: Partial<CsvWriteBackOptions> = {}, results = RESULTS) {
  const summary = emptySummary();
  const out = (await collect(joinCsv([text], await indexOf(results), { ...DEFAULTS, ...options }, summary))).join('');
  return { out, summary };
}

describe('rawCsv', () => {
  it('splits records at line ends outside quotes and keeps each line end', async () => {
    assert.deepEqual(await recordsOf(['a,"b\r\nc"\r\nd\ne\rf']), [
      { raw: 'a,"b\r\nc"', eol: '\r\n' },
      { raw: 'd', eol: '\n' },
      { raw: 'e', eol: '\r' },
      { raw: 'f', eol: '' },
    ]);
    assert.deepEqual(await recordsOf(['']), []);
    assert.deepEqual(await recordsOf(['a\n']), [{ raw: 'a', eol: '\n' }]);
  });

  it('reads the same records from chunks split anywhere, even between \\r and \\n or inside quotes', async () => {
    const text = '\uFEFFa,"b\r\nc"\r\nd\ne\r\r\n"x""\ny",z\rf';
    const whole: RawRecord[] = await recordsOf([text]);
    for (let cut = 0; cut <= text.length; cut++) {
      for (let second = cut; second <= text.length; second++) {
        const chunks = [text.slice(0, cut), text.slice(cut, second), text.slice(second)];
        assert.deepEqual(await recordsOf(chunks), whole, JSON.stringify(chunks));
      }
    }
    assert.deepEqual(await recordsOf(['a\r']), [{ raw: 'a', eol: '\r' }]);
    assert.deepEqual(await recordsOf(['a\r', '']), [{ raw: 'a', eol: '\r' }]);
    assert.deepEqual(await recordsOf([]), []);
  });

  it('finds the delimiter of the header outside quotes', () => {
    assert.equal(detectDelimiter('email;name;"a,b"'), ';');
    assert.equal(detectDelimiter('email,"x;y;z",name'), ',');
    assert.equal(detectDelimiter('email\tname'), '\t');
    assert.equal(detectDelimiter('email'), ',');
  });

  it('parses quoted cells with doubled quotes and delimiters', () => {
    assert.deepEqual(parseCells('1,"Doe, ""Jo""",x@y.co', ','), ['1', 'Doe, "Jo"', 'x@y.co']);
    assert.deepEqual(parseCells('a;;b', ';'), ['a', '', 'b']);
  });
});

describe('joinCsv', () => {
  it('keeps every row when the email column is found by sampling rows (no "email" header)', async () => {
    const lines = ['Name,Contact'];
    for (let i = 0; i < 120; i++) lines.push(`n${i},u${i}@example.com`);
    const { out, summary } = await join(`${lines.join('\n')}\n`);
    const written = out.split('\n').slice(0, -1);
    assert.equal(written.length, 121, 'the header and all 120 rows');
    assert.equal(written[120], 'n119,u119@example.com,not verified,,');
    assert.equal(summary.written, 120);
  });

  it('writes the same file from a source read in chunks as from one string', async () => {
    const text =
      '\uFEFFName;E-Mail\r\n"Doe; Ann";ann@example.com\r\n"multi\r\nline";bob@example.com\r\n;\r\nCy;cy@example.com';
    const { out } = await join(text);
    const index = await indexOf(RESULTS);
    for (const size of [1, 2, 3, 7]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
        text.slice(i * size, (i + 1) * size),
      );
      const chunked = (await collect(joinCsv(chunks, index, DEFAULTS))).join('');
      assert.equal(chunked, out, `chunks of ${size}`);
    }
  });

  it('keeps every original column and row in order and appends status, reason, score', async () => {
    const source =
      'id,Name,E-mail Address,notes\n1,"Doe, Ann",ann@example.com,"said ""hi"""\n2,Bob,BOB@Example.com ,\n';
    const { out, summary } = await join(source);
    assert.equal(
      out,
      'id,Name,E-mail Address,notes,status,reason,score\n' +
        '1,"Doe, Ann",ann@example.com,"said ""hi""",deliverable,accepted_email,98\n' +
        '2,Bob,BOB@Example.com ,,undeliverable,rejected_email,0\n',
    );
    assert.deepEqual(summary, {
      rows: 2,
      verified: 2,
      duplicates: 0,
      invalid: 0,
      missing: 0,
      notVerified: 0,
      written: 2,
    });
  });

  it('says in the status column why a row has no result: duplicate, invalid, missing, not verified', async () => {
    const source = [
      'email,name',
      'ann@example.com,first',
      'ANN@example.com,again',
      'not an address,x',
      ',nobody',
      'zed@example.com,absent',
      '',
    ].join('\n');
    const { out, summary } = await join(source);
    assert.deepEqual(out.split('\n'), [
      'email,name,status,reason,score',
      'ann@example.com,first,deliverable,accepted_email,98',
      'ANN@example.com,again,duplicate,,',
      'not an address,x,invalid,,',
      ',nobody,missing,,',
      'zed@example.com,absent,not verified,,',
      '',
    ]);
    assert.deepEqual(summary, {
      rows: 5,
      verified: 1,
      duplicates: 1,
      invalid: 1,
      missing: 1,
      notVerified: 1,
      written: 5,
    });
  });

  it('keeps CRLF line ends, a missing final line end, and a BOM', async () => {
    const { out } = await join('\uFEFFemail,n\r\nann@example.com,1\r\nbob@example.com,2');
    assert.equal(
      out,
      '\uFEFFemail,n,status,reason,score\r\nann@example.com,1,deliverable,accepted_email,98\r\nbob@example.com,2,undeliverable,rejected_email,0',
    );
  });

  it('keeps a line break inside a quoted cell as part of its row', async () => {
    const { out } = await join('email,address\nann@example.com,"1 Main St\nSpringfield"\n');
    assert.equal(
      out,
      'email,address,status,reason,score\nann@example.com,"1 Main St\nSpringfield",deliverable,accepted_email,98\n',
    );
  });

  it('uses a semicolon source delimiter for the new cells, quoting values that hold it', async () => {
    const results = [record('ann@example.com', 'risky', 'a;b', 10)];
    const { out } = await join('Email;Name\nann@example.com;"Doe; Ann"\n', { neutralizeFormulas: false }, results);
    assert.equal(out, 'Email;Name;status;reason;score\nann@example.com;"Doe; Ann";risky;"a;b";10\n');
  });

  it('neutralises formulas in the new cells only, as the setting says', async () => {
    const results = [record('ann@example.com', '=HYPERLINK("x")', '+cmd', 5)];
    const source = 'email,note\nann@example.com,=1+1\n';
    const safe = await join(source, {}, results);
    assert.equal(safe.out, 'email,note,status,reason,score\nann@example.com,=1+1,"\'=HYPERLINK(""x"")",\'+cmd,5\n');
    const raw = await join(source, { neutralizeFormulas: false }, results);
    assert.equal(raw.out, 'email,note,status,reason,score\nann@example.com,=1+1,"=HYPERLINK(""x"")",+cmd,5\n');
  });

  it('pads a short row so the new values land under their headers', async () => {
    const { out } = await join('email,a,b\nann@example.com\n', { columns: ['status'] });
    assert.equal(out, 'email,a,b,status\nann@example.com,,,deliverable\n');
  });

  it('adds status first when the chosen columns leave it out, and renames a clashing header', async () => {
    const { out } = await join('email,status\nbob@example.com,customer\n', { columns: ['score', 'domain.name'] });
    assert.equal(
      out,
      'email,status,bouncer.status,score,domain.name\nbob@example.com,customer,undeliverable,0,example.com\n',
    );
  });

  it('finds an unnamed email column by its values', async () => {
    const { out } = await join('id,contact\n1,cy@example.com\n2,dee@example.com\n', { columns: ['status'] });
    assert.equal(out, 'id,contact,status\n1,cy@example.com,risky\n2,dee@example.com,unknown\n');
  });

  it('writes only the deliverable rows in the variant', async () => {
    const source = 'email\nbob@example.com\nann@example.com\nann@example.com\nnope\n';
    const { out, summary } = await join(source, { onlyDeliverable: true });
    assert.equal(out, 'email,status,reason,score\nann@example.com,deliverable,accepted_email,98\n');
    assert.equal(summary.written, 1);
    assert.equal(summary.rows, 4);
  });

  it('tells the host which of the two it is, by reason code', async () => {
    await assert.rejects(
      join('\n'),
      (e: unknown) => e instanceof BouncerError && e.reason?.code === 'writeBackNoHeader',
    );
    await assert.rejects(
      join('id,name\n1,Ann\n'),
      (e: unknown) => e instanceof BouncerError && e.reason?.code === 'writeBackNoEmailColumn',
    );
  });

  it('refuses a file with no header or no address column, saying what to do', async () => {
    await assert.rejects(join(''), (e: unknown) => e instanceof BouncerError && e.kind === 'invalidArgument');
    await assert.rejects(
      join('id,name\n1,Ann\n'),
      (e: unknown) => e instanceof BouncerError && /Name the column "email"/.test(e.message),
    );
  });
});

describe('deliverableAddresses', () => {
  it('lists the deliverable addresses of a text, once each, with its line ends', async () => {
    const summary = emptySummary();
    const text =
      'bob@example.com\r\nAnn@Example.com\r\nann@example.com\r\nwrite to dee@example.com or ann@example.com\r\nzed@example.com\r\n';
    assert.equal(deliverableAddresses(text, await indexOf(RESULTS), summary), 'Ann@Example.com\r\n');
    assert.deepEqual(summary, {
      rows: 6,
      verified: 3,
      duplicates: 2,
      invalid: 0,
      missing: 0,
      notVerified: 1,
      written: 1,
    });
  });
});

describe('writeBackPath and parseWriteBackColumns', () => {
  it('names the output beside the source, never the source itself', () => {
    const dir = path.join('data', 'lists');
    assert.equal(writeBackPath(path.join(dir, 'contacts.csv'), false), path.join(dir, 'contacts.verified.csv'));
    assert.equal(writeBackPath(path.join(dir, 'contacts.csv'), true), path.join(dir, 'contacts.deliverable.csv'));
    assert.equal(writeBackPath(path.join(dir, 'list.txt'), false), path.join(dir, 'list.deliverable.txt'));
    assert.equal(writeBackPath(path.join(dir, 'x.json'), true), path.join(dir, 'x.deliverable.txt'));
  });

  it('gives the host a reason code with the unknown columns and example names', () => {
    const reasonOf = (bad: unknown) => {
      try {
        parseWriteBackColumns(bad);
      } catch (error) {
        assert.ok(error instanceof BouncerError && error.kind === 'invalidArgument');
        return error.reason;
      }
      assert.fail(`${JSON.stringify(bad)} was accepted`);
    };
    assert.deepEqual(reasonOf([]), { code: 'argColumnsNotList' });
    assert.deepEqual(reasonOf(['status', 'bogus', 'constructor']), {
      code: 'argUnknownColumns',
      unknown: ['bogus', 'constructor'],
      examples: ['status', 'reason', 'score', 'domain.name'],
    });
  });

  it('accepts column ids of the column table only', () => {
    assert.deepEqual(parseWriteBackColumns(undefined), ['status', 'reason', 'score']);
    assert.deepEqual(parseWriteBackColumns(['status', 'domain.name', 'status']), ['status', 'domain.name']);
    for (const bad of [[], 'status', [1], ['status', 'constructor'], ['bogus']]) {
      assert.throws(() => parseWriteBackColumns(bad), BouncerError, JSON.stringify(bad));
    }
  });
});

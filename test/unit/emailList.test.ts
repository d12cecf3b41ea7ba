import * as assert from 'node:assert/strict';
import { BouncerError } from '../../src/core/errors';
import {
  collectAddresses,
  csvLayout,
  csvRows,
  formatOfFileName,
  readAddresses,
  splitIntoBatches,
} from '../../src/core/emailList';

describe('emailList', () => {
  describe('CSV', () => {
    it('reads the email column past quoted commas and a BOM, with names from the name column', () => {
      const csv =
        '\uFEFFid,"Full Name",E-mail Address,notes\r\n' +
        '1,"Doe, Jane",jane@example.com,"likes, commas"\r\n' +
        '2,"Roe, Rick", rick@example.org ,"multi\nline"\r\n' +
        '3,,not an address,\r\n';
      const list = readAddresses(csv, 'csv');
      assert.deepEqual(list.emails, [
        { email: 'jane@example.com', name: 'Doe, Jane' },
        { email: 'rick@example.org', name: 'Roe, Rick' },
      ]);
      assert.equal(list.invalid, 1);
      assert.deepEqual(list.invalidExamples, ['not an address']);
    });

    it('preselects the column whose values are addresses when no header names one, and takes a chosen column', () => {
      const rows = csvRows('who,contact\nAnn,ann@x.io\nBo,bo@y.io\n');
      assert.equal(csvLayout(rows).emailColumn, 1);
      const csv = 'a,b\nx@x.io,y@y.io\n';
      assert.deepEqual(readAddresses(csv, 'csv', 'b').emails, [{ email: 'y@y.io' }]);
      assert.deepEqual(readAddresses(csv, 'csv', 'B').emails, [{ email: 'y@y.io' }], 'case ignored');
    });

    it('reads a CSV without a header row from its first row', () => {
      const list = readAddresses('ann@x.io,Ann\nbo@y.io,Bo\n', 'csv');
      assert.deepEqual(list.emails, [{ email: 'ann@x.io' }, { email: 'bo@y.io' }]);
    });

    it('says clearly when the chosen or any email column is missing, and when a quote is unclosed', () => {
      assert.throws(
        () => readAddresses('a,b\n1,2\n', 'csv'),
        (e: unknown) => e instanceof BouncerError && e.kind === 'invalidArgument' && /No column/.test(e.message),
      );
      assert.throws(
        () => readAddresses('email\na@x.io\n', 'csv', 'mail2'),
        (e: unknown) => e instanceof BouncerError && /no column "mail2"\. Its columns: email/.test(e.message),
      );
      assert.throws(
        () => readAddresses('email\n"a@x.io\n', 'csv'),
        (e: unknown) => e instanceof BouncerError && e.kind === 'invalidArgument' && /quote/.test(e.message),
      );
    });
  });

  describe('reason codes', () => {
    /** The reason of the BouncerError `read` throws: what the host words in the user's language. */
    function reasonOf(read: () => unknown): unknown {
      try {
        read();
      } catch (error) {
        assert.ok(error instanceof BouncerError && error.kind === 'invalidArgument', String(error));
        return error.reason;
      }
      assert.fail('it was accepted');
    }

    it('names each problem of a list with a code, and the chosen column and the columns there are', () => {
      assert.deepEqual(
        reasonOf(() => readAddresses('email\n"a@x.io\n', 'csv')),
        { code: 'csvOpenQuote' },
      );
      assert.deepEqual(
        reasonOf(() => readAddresses('a,b\n1,2\n', 'csv')),
        { code: 'csvNoEmailColumn' },
      );
      assert.deepEqual(
        reasonOf(() => readAddresses('email,name\na@x.io,A\n', 'csv', 'mail2')),
        {
          code: 'csvNoSuchColumn',
          column: 'mail2',
          columns: 'email, name',
        },
      );
      assert.deepEqual(
        reasonOf(() => readAddresses('{"email":"a@x.io"}', 'json')),
        { code: 'jsonNotArray' },
      );
      const invalid = reasonOf(() => readAddresses('[', 'json')) as { code: string; problem: string };
      assert.equal(invalid.code, 'jsonInvalid');
      assert.ok(invalid.problem.length > 0, 'the parser says where');
    });

    it('cuts the column names short, as the English message does', () => {
      const header = Array.from({ length: 100 }, (_, i) => `column_number_${i}`).join(',');
      const reason = reasonOf(() => readAddresses(`${header}\n1\n`, 'csv', 'x'.repeat(500))) as {
        column: string;
        columns: string;
      };
      assert.equal(reason.column.length, 100);
      assert.equal(reason.columns.length, 300);
    });
  });

  describe('text', () => {
    it('takes one address per line, or every address found in a line, and sets aside the rest', () => {
      const text = ' ann@x.io \r\n\nAnn Two <ann2@x.io>\nbo@y.io, cy@z.io.\njust words\n';
      const list = readAddresses(text, 'text');
      assert.deepEqual(
        list.emails.map((e) => e.email),
        ['ann@x.io', 'ann2@x.io', 'bo@y.io', 'cy@z.io'],
      );
      assert.equal(list.invalid, 1);
    });
  });

  describe('JSON', () => {
    it('reads an array of strings, or of objects with email (and name)', () => {
      assert.deepEqual(readAddresses('["a@x.io", " b@y.io "]', 'json').emails, [
        { email: 'a@x.io' },
        { email: 'b@y.io' },
      ]);
      const list = readAddresses('[{"email":"a@x.io","name":"A"},{"mail":"x"},42,{"email":"nope"}]', 'json');
      assert.deepEqual(list.emails, [{ email: 'a@x.io', name: 'A' }]);
      assert.equal(list.invalid, 3);
    });

    it('refuses JSON that is not an array, saying what it must be', () => {
      assert.throws(() => readAddresses('{"email":"a@x.io"}', 'json'), /must be an array/);
      assert.throws(() => readAddresses('[', 'json'), /not valid/);
    });
  });

  it('drops duplicates case-insensitively, keeping the first spelling and its name', () => {
    const list = readAddresses('email,name\nAnn@X.io,First\nann@x.IO,Second\nbo@y.io,\nANN@x.io,Third\n', 'csv');
    assert.deepEqual(list.emails, [{ email: 'Ann@X.io', name: 'First' }, { email: 'bo@y.io' }]);
    assert.equal(list.duplicates, 2);
  });

  it('cleans addresses given directly the same way', () => {
    const list = collectAddresses([' a@x.io', 'A@X.IO', 'nope', { email: 'b@y.io', name: 'B' }]);
    assert.deepEqual(list.emails, [{ email: 'a@x.io' }, { email: 'b@y.io', name: 'B' }]);
    assert.equal(list.duplicates, 1);
    assert.equal(list.invalid, 1);
  });

  it('splits more than 100,000 addresses into parts named "part 1 of N"', () => {
    const emails = Array.from({ length: 200_001 }, (_, i) => ({ email: `n${i}@x.io` }));
    const parts = splitIntoBatches(emails, 'contacts.csv');
    assert.deepEqual(
      parts.map((p) => [p.name, p.emails.length]),
      [
        ['contacts.csv (part 1 of 3)', 100_000],
        ['contacts.csv (part 2 of 3)', 100_000],
        ['contacts.csv (part 3 of 3)', 1],
      ],
    );
    assert.equal(parts[1].emails[0].email, 'n100000@x.io');
    assert.deepEqual(
      splitIntoBatches(emails.slice(0, 100_000), 'x').map((p) => [p.name, p.emails.length]),
      [['x', 100_000]],
      'exactly 100,000 is one batch',
    );
    assert.deepEqual(
      splitIntoBatches(emails.slice(0, 5), '', 2).map((p) => p.name),
      ['part 1 of 3', 'part 2 of 3', 'part 3 of 3'],
    );
  });

  it('knows the format from the file name', () => {
    assert.deepEqual(['a.CSV', 'b.json', 'c.txt', 'd'].map(formatOfFileName), ['csv', 'json', 'text', 'text']);
  });
});

import * as assert from 'node:assert/strict';
import { findEmailColumn, findNameColumn, looksLikeEmail, normalizeHeaderName } from '../../src/core/emailColumn';

describe('looksLikeEmail', () => {
  it('accepts plain addresses, trimmed', () => {
    for (const value of ['a@b.co', ' Jane.Doe+tag@example.org ', 'x_y@mail.example.co.uk']) {
      assert.equal(looksLikeEmail(value), true, value);
    }
  });

  it('rejects lines that are not addresses at all', () => {
    for (const value of [
      '',
      'email',
      'a@b',
      '@b.co',
      'a@.co',
      'a b@c.co',
      'a@b..co',
      'a@b.co.',
      'a@@b.co',
      'Jane <a@b.co>',
      'a@b.co,c@d.co',
      `${'a'.repeat(250)}@b.co`,
    ]) {
      assert.equal(looksLikeEmail(value), false, value);
    }
  });
});

describe('normalizeHeaderName', () => {
  it('drops case, a BOM, spaces and punctuation', () => {
    assert.equal(normalizeHeaderName('\uFEFFE-mail Address'), 'emailaddress');
    assert.equal(normalizeHeaderName(' email_address '), 'emailaddress');
  });
});

describe('findEmailColumn', () => {
  it('finds the column by name in its usual spellings', () => {
    for (const name of [
      'email',
      'Email',
      'EMAIL',
      'E-mail Address',
      'e-mail',
      'email_address',
      'Email Address',
      'emailAddress',
      ' E-Mail ',
    ]) {
      assert.equal(findEmailColumn(['id', 'Name', name, 'notes']), 2, name);
    }
  });

  it('prefers an exact name to one that merely contains "email"', () => {
    assert.equal(findEmailColumn(['email verified', 'Email']), 1);
    assert.equal(findEmailColumn(['id', 'Customer Email (work)']), 1);
  });

  it('falls back to the column whose sample values are mostly addresses', () => {
    const header = ['id', 'contact', 'owner'];
    const sample = [
      ['1', 'a@example.com', 'x@example.com'],
      ['2', 'b@example.com', 'n/a'],
      ['3', 'c@example.com', ''],
      ['4', 'not given', 'n/a'],
    ];
    assert.equal(findEmailColumn(header, sample), 1);
  });

  it('gives -1 when no column is named or filled with addresses', () => {
    assert.equal(findEmailColumn(['id', 'name'], [['1', 'Ann']]), -1);
    assert.equal(
      findEmailColumn(
        ['a', 'b'],
        [['x', 'y@z.co']].concat([
          ['x', 'q'],
          ['x', 'r'],
        ]),
      ),
      -1,
    );
    assert.equal(findEmailColumn([], []), -1);
  });
});

describe('findNameColumn', () => {
  it('finds a full-name column, else a first-name column, else -1', () => {
    assert.equal(findNameColumn(['email', 'Full Name']), 1);
    assert.equal(findNameColumn(['email', 'First Name', 'Last Name', 'name']), 3);
    assert.equal(findNameColumn(['email', 'first_name', 'last_name']), 1);
    assert.equal(findNameColumn(['email', 'company']), -1);
  });
});

import * as assert from 'node:assert/strict';
import { BouncerError } from '../../src/core/errors';
import { originKey } from '../../src/core/resultsKey';
import {
  parseResultsUri,
  resultsDocumentName,
  resultsUriParts,
  RESULTS_SCHEME,
  type ResultsDocumentKey,
  type ResultsUriParts,
} from '../../src/core/resultsUri';

describe('results document URIs', () => {
  const key: ResultsDocumentKey = {
    originKey: originKey('https://api.usebouncer.com'),
    batchId: 'demo-small',
    filter: 'risky',
    format: 'json',
  };

  it('name the origin, batch, filter and format, and read back to the same key', () => {
    const parts = resultsUriParts(key);
    assert.equal(parts.scheme, RESULTS_SCHEME);
    assert.equal(parts.authority, key.originKey);
    assert.equal(parts.path, '/demo-small · risky.json');
    assert.deepEqual(parseResultsUri(parts), key);
    for (const format of ['json', 'csv'] as const) {
      for (const filter of ['all', 'deliverable', 'risky', 'undeliverable', 'unknown'] as const) {
        const other = { ...key, filter, format, batchId: '5f3a_9B-x' };
        assert.deepEqual(parseResultsUri(resultsUriParts(other)), other);
      }
    }
  });

  it('title the tab with the last path segment', () => {
    assert.equal(resultsDocumentName(key), 'demo-small · risky.json');
    assert.equal(resultsDocumentName({ ...key, format: 'csv', filter: 'all' }), 'demo-small · all.csv');
  });

  it('keep two origins apart and never hold the origin URL itself', () => {
    const other = resultsUriParts({ ...key, originKey: originKey('http://127.0.0.1:3000') });
    assert.notEqual(other.authority, resultsUriParts(key).authority);
    assert.doesNotMatch(JSON.stringify(resultsUriParts(key)), /usebouncer|https/);
  });

  it('refuse to build an address from a part that is not one of ours', () => {
    for (const batchId of ['../x', 'a b', 'a/b', 'a · all.json', '', ' demo', 'a%2f', 'x'.repeat(129)]) {
      assert.throws(() => resultsUriParts({ ...key, batchId }), BouncerError, batchId);
    }
    assert.throws(() => resultsUriParts({ ...key, originKey: 'https://api.usebouncer.com' }), BouncerError);
    assert.throws(() => resultsUriParts({ ...key, filter: 'good' as never }), BouncerError);
    assert.throws(() => resultsUriParts({ ...key, format: 'xml' as never }), BouncerError);
  });

  it('refuse to read an address that was edited or is not ours, without echoing its parts', () => {
    const good = resultsUriParts(key);
    const bad: Array<Partial<ResultsUriParts>> = [
      { scheme: 'file' },
      { authority: '' },
      { authority: 'API.USEBOUNCER.COM' },
      { path: '' },
      { path: 'demo-small · risky.json' },
      { path: '/demo-small · risky' },
      { path: '/demo-small risky.json' },
      { path: '/x/demo-small · risky.json' },
      { path: '/../demo-small · risky.json' },
      { path: '/demo-small · secret-key-123.json' },
      { path: '/demo-small · risky.secret-key-123' },
      { path: '/demo small · risky.json' },
      { query: 'a=1' },
      { fragment: 'x' },
    ];
    for (const change of bad) {
      const parts = { ...good, ...change };
      assert.throws(
        () => parseResultsUri(parts),
        (error: unknown) => error instanceof BouncerError && !error.message.includes('secret-key-123'),
        JSON.stringify(change),
      );
    }
  });

  it('give the host a reason code for the part that is wrong, with the values it may hold', () => {
    const good = resultsUriParts(key);
    const reasonOf = (change: Partial<ResultsUriParts>) => {
      try {
        parseResultsUri({ ...good, ...change });
      } catch (error) {
        assert.ok(error instanceof BouncerError);
        return error.reason;
      }
      assert.fail(`${JSON.stringify(change)} was accepted`);
    };
    assert.deepEqual(reasonOf({ scheme: 'file' }), { code: 'resultsUriScheme', scheme: RESULTS_SCHEME });
    assert.deepEqual(reasonOf({ fragment: 'x' }), { code: 'resultsUriExtra' });
    assert.deepEqual(reasonOf({ path: '/demo-small risky.json' }), {
      code: 'resultsUriPath',
      shape: '/<batch> · <filter>.<format>',
    });
    assert.deepEqual(reasonOf({ authority: 'API.USEBOUNCER.COM' }), { code: 'resultsUriOriginKey' });
    assert.deepEqual(reasonOf({ path: '/demo-small · secret-key-123.json' }), {
      code: 'resultsUriNotOneOf',
      part: 'filter',
      allowed: ['all', 'deliverable', 'risky', 'undeliverable', 'unknown'],
    });
    assert.deepEqual(reasonOf({ path: '/demo-small · risky.xml' }), {
      code: 'resultsUriNotOneOf',
      part: 'format',
      allowed: ['json', 'csv'],
    });
    assert.deepEqual(reasonOf({ path: '/ demo-small · risky.json' }), {
      code: 'badChar',
      found: { kind: 'whitespace' },
    });
  });
});

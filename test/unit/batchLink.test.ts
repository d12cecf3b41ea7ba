import * as assert from 'node:assert/strict';
import { parseBatchInput } from '../../src/core/batchLink';

const ID = '5f8d0a3b9c1e2d4f6a7b8c9d';

describe('parseBatchInput', () => {
  it('takes a typed batch ID as it is', () => {
    assert.deepEqual(parseBatchInput(`  ${ID} `), { ok: true, id: ID, fromLink: false });
    assert.deepEqual(parseBatchInput('demo-small'), { ok: true, id: 'demo-small', fromLink: false });
  });

  const links: Array<[string, string, string]> = [
    ['a web-app batch page', `https://app.usebouncer.com/batch/${ID}`, ID],
    ['a page under the batch', `https://app.usebouncer.com/verifications/${ID}/results?tab=risky`, ID],
    ['an SPA route in the fragment', `https://app.usebouncer.com/#/lists/${ID}`, ID],
    ['a query parameter', `https://app.usebouncer.com/results?batchId=${ID}&x=1`, ID],
    ['a query parameter in the route', `https://app.usebouncer.com/#/results?batch=demo-small`, 'demo-small'],
    ['the API download URL', `https://api.usebouncer.com/v1.1/email/verify/batch/${ID}/download?download=all`, ID],
    ['an ID-shaped segment anywhere', `https://app.usebouncer.com/dashboard/${ID}`, ID],
    ['a loopback emulator URL', 'http://127.0.0.1:8080/v1.1/email/verify/batch/gen-50', 'gen-50'],
  ];
  for (const [name, link, id] of links) {
    it(`finds the batch in ${name}`, () => {
      assert.deepEqual(parseBatchInput(link), { ok: true, id, fromLink: true });
    });
  }

  it('says what to do when a link holds no batch ID', () => {
    const result = parseBatchInput('https://app.usebouncer.com/dashboard');
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok ? result.problem : undefined, { code: 'noIdInLink' });
  });

  it('says when a link is not a URL at all', () => {
    const result = parseBatchInput('https://[not a host/batch/abc');
    assert.deepEqual(!result.ok ? result.problem : undefined, { code: 'badLink' });
  });

  it('does not guess between two ID-shaped segments', () => {
    const result = parseBatchInput(`https://app.usebouncer.com/${ID}/${ID.replace('5', '6')}`);
    assert.equal(result.ok, false);
  });

  it('never lets a link smuggle a path into the ID', () => {
    const result = parseBatchInput('https://app.usebouncer.com/batch/..%2F..%2Fadmin');
    assert.equal(result.ok, false);
    const query = parseBatchInput('https://app.usebouncer.com/results?batchId=a%2Fb');
    assert.equal(query.ok, false);
    assert.deepEqual(!query.ok ? query.problem : undefined, { code: 'badChar', found: { kind: 'char', char: '/' } });
  });

  it('keeps the ID validator message for other text', () => {
    const result = parseBatchInput('abc def');
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok ? result.problem : undefined, { code: 'badChar', found: { kind: 'space' } });
  });
});
